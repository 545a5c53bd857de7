"""Notification fan-out at 100 and 10,000 students makes the requests bench/expectations.py states."""

from __future__ import annotations

import pytest

from bench.expectations import FANOUT_EXPECTED
from bench.fanout import FanoutRow, run_fanout
from bench.invoke import EmulatedAws
from lms.notifications.fanout import CHUNK_SIZE

pytestmark = pytest.mark.xdist_group("bench_fanout")


@pytest.fixture(scope="module")
def rows() -> dict[int, FanoutRow]:
    with EmulatedAws() as aws:
        return {row.students: row for row in run_fanout(aws, tuple(FANOUT_EXPECTED))}


@pytest.mark.parametrize("students", list(FANOUT_EXPECTED))
def test_every_student_is_told_with_the_requests_the_data_model_states(
    rows: dict[int, FanoutRow], students: int
) -> None:
    row = rows[students]
    assert row.told == students
    assert dict(row.consumer_calls) == dict(FANOUT_EXPECTED[students]["consumer"])
    assert dict(row.chunk_calls) == dict(FANOUT_EXPECTED[students]["chunks"])
    # Up to a chunk is told by the consumer itself; more goes through the fan-out queue, 99 a chunk.
    assert row.chunks == (0 if students <= CHUNK_SIZE else -(-students // CHUNK_SIZE))
