"""The benchmark's deterministic half, in quick mode: request counts, coverage, scale. Never timings."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from bench.expectations import EXPECTED, SCALE_EXPECTED, scenario_key
from bench.invoke import BenchError, EmulatedAws
from bench.operations import OperationResult, check_coverage, run_operations
from bench.scale import ScaleRow, run_scale
from bench.scenarios import SCENARIOS
from bench.students import READS as CLASS_READS
from bench.students import run_students
from infra.functions import function_specs
from infra.template import load_template

QUICK_CALLS = 3
PAGE_SIZE = 5
SIZES = (10, 100)
CLASS_SIZES = (5, 60)

# One worker runs the module, so the measurement below runs once.
pytestmark = pytest.mark.xdist_group("bench_smoke")


@dataclass(frozen=True)
class Measured:
    operations: list[OperationResult]
    scale: list[ScaleRow]
    students: list[ScaleRow]


@pytest.fixture(scope="module")
def measured() -> Measured:
    with EmulatedAws() as aws:
        operations = run_operations(aws, calls=QUICK_CALLS, warmup=1, page_size=PAGE_SIZE)
        scale = run_scale(aws, calls=QUICK_CALLS, warmup=1, sizes=SIZES)
        students = run_students(aws, calls=QUICK_CALLS, warmup=1, sizes=CLASS_SIZES)
    return Measured(operations, scale, students)


def _template_operations() -> set[str]:
    def placeholder(value: Any) -> Any:
        return "unresolved" if isinstance(value, dict | list) else value

    specs = function_specs(load_template(), {}, resolve=placeholder)
    return {scenario_key(route.method, route.path) for spec in specs for route in spec.routes}


def test_every_api_operation_of_the_template_is_measured(measured: Measured) -> None:
    assert {scenario_key(r.method, r.path) for r in measured.operations} == _template_operations()


def test_every_scenario_has_the_request_counts_of_the_data_model() -> None:
    assert {scenario.key() for scenario in SCENARIOS} == set(EXPECTED)


def test_each_operation_makes_the_dynamodb_requests_the_data_model_states(measured: Measured) -> None:
    made = {r.key: dict(r.requests) for r in measured.operations}
    expected = {key: dict(expectation.requests) for key, expectation in EXPECTED.items()}
    assert made == expected


def test_each_operation_makes_the_cognito_calls_the_data_model_states(measured: Measured) -> None:
    made = {r.key: dict(r.other_calls) for r in measured.operations}
    expected = {key: dict(expectation.other_calls) for key, expectation in EXPECTED.items()}
    assert made == expected


def test_an_operation_without_a_scenario_stops_the_benchmark() -> None:
    declared = _template_operations() | {scenario_key("POST", "/courses/{course_id}/clone")}
    with pytest.raises(BenchError, match=r"without a benchmark scenario.*POST /courses/\{course_id\}/clone"):
        check_coverage(declared)


def test_catalog_reads_make_the_same_requests_at_both_catalog_sizes(measured: Measured) -> None:
    by_read: dict[str, dict[int, dict[str, int]]] = {}
    for row in measured.scale:
        by_read.setdefault(row.name, {})[row.size] = dict(row.requests)
    assert set(by_read) == set(SCALE_EXPECTED)
    for name, at_size in by_read.items():
        assert set(at_size) == set(SIZES), name
        assert all(requests == dict(SCALE_EXPECTED[name]) for requests in at_size.values()), (name, at_size)


def test_the_first_catalog_page_holds_every_course_or_the_limit(measured: Measured) -> None:
    first_pages = {row.size: row.items for row in measured.scale if row.name == "ListCourses first page"}
    assert first_pages == {SIZES[0]: SIZES[0], SIZES[1]: 20}


def test_enrollment_and_progress_reads_make_the_same_requests_at_both_class_sizes(measured: Measured) -> None:
    by_read: dict[str, dict[int, dict[str, int]]] = {}
    for row in measured.students:
        by_read.setdefault(row.name, {})[row.size] = dict(row.requests)
    expected = {
        read.name: dict(EXPECTED[scenario_key(read.method, read.path)].requests) for read in CLASS_READS
    }
    assert set(by_read) == set(expected)
    for name, at_size in by_read.items():
        assert at_size == {size: expected[name] for size in CLASS_SIZES}, name


def test_the_first_class_pages_hold_every_student_or_the_limit(measured: Measured) -> None:
    for name in ("ListEnrollments first page", "ListCourseProgress first page"):
        first_pages = {row.size: row.items for row in measured.students if row.name == name}
        assert first_pages == {CLASS_SIZES[0]: CLASS_SIZES[0], CLASS_SIZES[1]: 20}, name
