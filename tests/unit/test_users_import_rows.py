"""Roster rows checked one by one, chunking, and a job's status and counts from its row outcomes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from lms.users.imports.roster import (
    CHUNK_ROWS,
    MAX_KEPT_CHARS,
    ImportJob,
    ImportStatus,
    RowResult,
    RowStatus,
    check_roster,
    check_row,
    chunked,
)

AT = datetime(2026, 11, 1, 12, tzinfo=UTC)


def row(**overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "email": "Ada@Example.org",
        "given_name": " Ada ",
        "family_name": "Lovelace",
        "role": "student",
    }
    values.update(overrides)
    return values


def test_a_valid_row_is_normalised_and_has_no_rejection() -> None:
    checked = check_row(1, row())
    assert checked.rejection is None
    assert (checked.email, checked.given_name, checked.role) == ("ada@example.org", "Ada", "student")
    assert checked.invitation().role.group.value == "students"


def test_extra_columns_are_ignored() -> None:
    assert check_row(1, row(phone="555", notes=None)).rejection is None


@pytest.mark.parametrize(
    ("overrides", "reason"),
    [
        ({"email": "not-an-email"}, "Email is not a valid email address."),
        ({"email": None}, "Email is missing."),
        ({"role": "teacher"}, "Role must be one of institution-admin, instructor, student."),
        ({"role": "students"}, "Role must be one of institution-admin, instructor, student."),
        ({"given_name": "   "}, "Given_name is empty."),
        ({"family_name": "x" * 101}, "Family_name is too long."),
        (
            {"given_name": 7, "role": "x"},
            "Given_name must be text; role must be one of institution-admin, instructor, student.",
        ),
    ],
)
def test_a_bad_row_is_refused_with_a_reason(overrides: dict[str, Any], reason: str) -> None:
    assert check_row(3, row(**overrides)).rejection == reason


def test_a_refused_row_keeps_its_values_cut_to_a_bounded_length() -> None:
    checked = check_row(1, row(email="@" * 10_000))
    assert checked.rejection is not None
    assert len(checked.email) == MAX_KEPT_CHARS
    assert check_row(1, {"role": 5}).role == "5"


def test_an_email_repeated_in_the_roster_is_refused_after_its_first_row() -> None:
    checked = check_roster([row(), row(email="someone@example.org"), row(email="ADA@example.org ")])
    assert [c.rejection for c in checked] == [None, None, "The same email as row 1."]
    assert [c.row for c in checked] == [1, 2, 3]


def test_rows_are_chunked_in_roster_order() -> None:
    rows = check_roster([row(email=f"p{n}@example.org") for n in range(CHUNK_ROWS * 2 + 1)])
    chunks = chunked(rows)
    assert [len(c) for c in chunks] == [CHUNK_ROWS, CHUNK_ROWS, 1]
    assert [r.row for c in chunks for r in c] == list(range(1, CHUNK_ROWS * 2 + 2))


def job_with(*results: RowResult, failure: str | None = None) -> ImportJob:
    rows = check_roster([row(email=f"p{n}@example.org") for n in range(3)])
    return ImportJob(
        id="job",
        institution_id="inst",
        created_by="admin",
        total=3,
        chunks=1,
        created_at=AT,
        failure=failure,
        rows=rows,
        results={r.row: r for r in results},
    )


def test_a_job_is_queued_then_running_then_completed() -> None:
    later = AT + timedelta(minutes=1)
    assert job_with().status is ImportStatus.QUEUED
    running = job_with(RowResult(1, RowStatus.CREATED, later), RowResult(2, RowStatus.PENDING, later))
    assert running.status is ImportStatus.RUNNING
    assert [r.row for r in running.to_do()] == [2, 3]
    assert running.updated_at == later
    done = job_with(
        RowResult(1, RowStatus.CREATED, later),
        RowResult(2, RowStatus.SKIPPED, later),
        RowResult(3, RowStatus.FAILED, later),
    )
    assert done.status is ImportStatus.COMPLETED
    assert [done.count(s) for s in (RowStatus.CREATED, RowStatus.SKIPPED, RowStatus.FAILED)] == [1, 1, 1]
    assert done.to_do() == []


def test_a_pending_row_is_not_an_outcome_and_a_given_up_job_is_failed() -> None:
    job = job_with(RowResult(1, RowStatus.PENDING, AT), failure="The import stopped: Timeout.")
    assert job.outcomes() == []
    assert job.status is ImportStatus.FAILED
