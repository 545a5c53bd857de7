"""Announcement test helpers: a course with its people, and posting to its board through the API."""

from __future__ import annotations

from typing import Any

from infra.gateway import ApiResponse
from tests.support.courses import course_with_lessons, enroll
from tests.support.tenant import Tenant


def board(course_id: str) -> str:
    return f"/communication/courses/{course_id}/announcements"


def announcement(**overrides: Any) -> dict[str, Any]:
    return {"title": "Exam moved", "body": "<p>The exam is on <b>Friday</b>.</p>", **overrides}


def created(response: ApiResponse) -> dict[str, Any]:
    assert response.status == 201, response.body
    found: dict[str, Any] = response.json()
    return found


def problem_type(response: ApiResponse) -> str:
    return str(response.json()["type"]).removeprefix("urn:lms:problem:")


class Course:
    """A published course with its instructor, an enrolled student, a dropped one and an outsider."""

    def __init__(self, tenant: Tenant) -> None:
        self.tenant = tenant
        self.instructor = tenant.instructor()
        self.id, _ = course_with_lessons(self.instructor, 1)
        self.student = tenant.student()
        enroll(tenant, self.id, self.student)
        self.dropped = tenant.student()
        enroll(tenant, self.id, self.dropped, status="dropped")
        self.outsider = tenant.student()
        self.other_instructor = tenant.instructor()
        self.admin = tenant.admin()

    def post(self, **overrides: Any) -> dict[str, Any]:
        return created(self.instructor.post(board(self.id), announcement(**overrides)))


def events_of(tenant: Tenant, name: str) -> list[dict[str, Any]]:
    return [e for e in tenant.events() if e["type"] == f"lms.communication.{name}.v1"]
