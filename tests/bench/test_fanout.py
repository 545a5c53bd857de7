"""Notification fan-out at 100 and 10,000 students, and due-soon reminders at 100 and 1,000, make the
requests bench/expectations.py states."""

from __future__ import annotations

import pytest

from bench.expectations import FANOUT_EXPECTED, REMINDER_EXPECTED
from bench.fanout import FanoutRow, run_fanout
from bench.invoke import EmulatedAws
from lms.notifications.fanout import CHUNK_SIZE

pytestmark = pytest.mark.xdist_group("bench_fanout")


@pytest.fixture(scope="module")
def rows() -> dict[tuple[str, int], FanoutRow]:
    with EmulatedAws() as aws:
        measured = run_fanout(aws, tuple(FANOUT_EXPECTED), tuple(REMINDER_EXPECTED))
        return {(row.notification, row.students): row for row in measured}


@pytest.mark.parametrize(
    ("notification", "students", "expected"),
    [
        *(("announcement", n, e) for n, e in FANOUT_EXPECTED.items()),
        *(("due-soon reminder", n, e) for n, e in REMINDER_EXPECTED.items()),
    ],
)
def test_every_student_is_told_with_the_requests_the_data_model_states(
    rows: dict[tuple[str, int], FanoutRow],
    notification: str,
    students: int,
    expected: dict[str, dict[str, int]],
) -> None:
    row = rows[(notification, students)]
    assert row.told == students
    assert dict(row.consumer_calls) == dict(expected["consumer"])
    assert dict(row.chunk_calls) == dict(expected["chunks"])
    # Up to a chunk is told by the first invocation itself; more goes through the fan-out queue, 99 a chunk.
    assert row.chunks == (0 if students <= CHUNK_SIZE else -(-students // CHUNK_SIZE))
