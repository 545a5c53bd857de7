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
from infra.seed import create_user, sign_in
from lms import keys
from tests.e2e.test_courses_over_http import Http

SEATS = 50
REQUESTS = 200
THREADS = 24
PASSWORD = "E2e-Password-2026"


def new_user(local: LocalStack, institution_id: str, role: str) -> tuple[str, Http]:
    username = f"{role}-{uuid.uuid4().hex[:10]}@{institution_id}.example"
    endpoint = local.aws_endpoint_url
    user_id = create_user(
        local.stack,
        username=username,
        password=PASSWORD,
        role=role,
        institution_id=institution_id,
        endpoint_url=endpoint,
    )
    return user_id, Http(local, sign_in(local.stack, username, PASSWORD, endpoint_url=endpoint))


def published_course(instructor: Http, **extra: Any) -> str:
    body = {
        "title": "Popular",
        "category": "computing",
        "level": "beginner",
        "language": "en",
        "learning_objectives": ["Arrive early"],
        **extra,
    }
    status, course = instructor.call("POST", "/courses", body)
    assert status == 201, course
    cid = course["id"]
    status, section = instructor.call("POST", f"/courses/{cid}/sections", {"title": "One"})
    assert status == 201, section
    lesson = {
        "section_id": section["id"],
        "title": "Welcome",
        "content_type": "text",
        "content": "Hello.",
        "duration_minutes": 5,
    }
    assert instructor.call("POST", f"/courses/{cid}/lessons", lesson)[0] == 201
    assert instructor.call("POST", f"/courses/{cid}/publish")[0] == 200
    return str(cid)


def roster(instructor: Http, cid: str, status: str) -> list[dict[str, Any]]:
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
    instructor: Http
    students: list[Http]


@pytest.fixture(scope="module")
def school(local: LocalStack) -> School:
    """An institution with an instructor and 200 signed-in students (one at a time: moto's Cognito is
    not safe for concurrent writes)."""
    institution_id = f"inst-{uuid.uuid4().hex[:12]}"
    _, instructor = new_user(local, institution_id, "instructors")
    students = [new_user(local, institution_id, "students")[1] for _ in range(REQUESTS)]
    return School(institution_id, instructor, students)


@pytest.mark.parametrize("waitlist_enabled", [False, True], ids=["refused", "waitlisted"])
def test_two_hundred_simultaneous_enrollments_fill_fifty_seats_exactly(
    local: LocalStack, school: School, waitlist_enabled: bool
) -> None:
    instructor = school.instructor
    cid = published_course(instructor, capacity=SEATS, waitlist_enabled=waitlist_enabled)
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
