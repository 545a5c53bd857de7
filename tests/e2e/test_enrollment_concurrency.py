"""Capacity under concurrency: 200 simultaneous enrollments into 50 seats, over the local stack's HTTP API."""

from __future__ import annotations

import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import boto3
import pytest

from infra.local_stack import LocalStack
from lms import keys
from tests.support.client import Caller
from tests.support.courses import published_course
from tests.support.local import new_user

SEATS = 50
REQUESTS = 200
THREADS = 24


def roster(instructor: Caller, cid: str, status: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    query = f"/courses/{cid}/enrollments?status={status}&limit=100"
    code, page = instructor.call("GET", query)
    while True:
        assert code == 200, page
        found += page["items"]
        if not page["next_cursor"]:
            return found
        code, page = instructor.call("GET", f"{query}&cursor={page['next_cursor']}")


def counter(local: LocalStack, institution_id: str, cid: str) -> dict[str, int]:
    table = boto3.resource("dynamodb", region_name=local.region, endpoint_url=local.aws_endpoint_url).Table(
        local.stack.table_name
    )
    item = table.get_item(Key={"PK": keys.course_pk(institution_id, cid), "SK": keys.ROSTER_SK})["Item"]
    return {name: int(item[name]) for name in ("capacity", "enrolled", "waitlisted")}  # type: ignore[arg-type]


@dataclass(frozen=True)
class School:
    institution_id: str
    instructor: Caller
    students: list[Caller]


@pytest.fixture(scope="module")
def school(local: LocalStack) -> School:
    """An institution with an instructor and 200 signed-in students (one at a time: moto's Cognito is
    not safe for concurrent writes)."""
    institution_id = f"inst-{uuid.uuid4().hex[:12]}"
    instructor = new_user(local, "instructors", institution_id)
    students = [new_user(local, "students", institution_id) for _ in range(REQUESTS)]
    return School(institution_id, instructor, students)


@pytest.mark.parametrize("waitlist_enabled", [False, True], ids=["refused", "waitlisted"])
def test_two_hundred_simultaneous_enrollments_fill_fifty_seats_exactly(
    local: LocalStack, school: School, waitlist_enabled: bool
) -> None:
    instructor = school.instructor
    cid = published_course(instructor, title="Popular", capacity=SEATS, waitlist_enabled=waitlist_enabled)[
        "id"
    ]
    with ThreadPoolExecutor(THREADS) as pool:
        answers = list(pool.map(lambda s: s.call("POST", f"/courses/{cid}/enrollments", {}), school.students))

    outcomes = Counter(
        body["status"] if code == 201 else body["type"].rsplit(":", 1)[1] for code, body in answers
    )
    late = "waitlisted" if waitlist_enabled else "course-full"
    assert outcomes == {"enrolled": SEATS, late: REQUESTS - SEATS}

    seated = roster(instructor, cid, "enrolled")
    waiting = roster(instructor, cid, "waitlisted")
    assert len(seated) == SEATS
    assert len({e["student_id"] for e in seated}) == SEATS
    assert len(waiting) == (REQUESTS - SEATS if waitlist_enabled else 0)
    assert [e["position"] for e in waiting] == list(range(1, len(waiting) + 1))
    assert counter(local, school.institution_id, cid) == {
        "capacity": SEATS,
        "enrolled": len(seated),
        "waitlisted": len(waiting),
    }
