"""The request counts of bench/expectations.py hold together: every case is of a measured operation."""

from __future__ import annotations

import pytest

from bench.expectations import CASES, EXPECTED, expected_calls, expected_requests


def test_every_case_is_of_an_operation_the_benchmark_measures() -> None:
    assert not set(CASES) & set(EXPECTED)
    operations = {key.partition(" [")[0] for key in EXPECTED}
    assert sorted({key.partition(" [")[0] for key in CASES} - operations) == []


def test_a_count_that_grows_is_the_benchmark_s_at_its_size_and_grows_by_its_scale() -> None:
    export = ("GET", "/assessments/gradebook/courses/{course_id}/export")
    assert expected_requests(*export, students=5) == expected_requests(*export)
    assert (
        expected_requests(*export, students=250)["BatchGetItem"]
        == expected_requests(*export)["BatchGetItem"] + 2
    )
    assert "BatchGetItem" in expected_requests(*export, students=0)  # the settings and columns
    with pytest.raises(KeyError):
        expected_requests("GET", "/courses", students=5)


def test_other_services_calls_are_named_without_their_service() -> None:
    assert expected_calls("kms", "POST", "/lti/launches") == {"Sign": 1}
    assert expected_calls("cognito-idp", "POST", "/users", "Idempotency-Key replay") == {}
