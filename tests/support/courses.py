"""Courses built through the API, as an instructor builds them; rosters filled as students fill them."""

from __future__ import annotations

from typing import Any

from tests.support.client import Caller
from tests.support.tenant import Tenant


def course_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "title": "Linear Algebra",
        "description": "Vectors, matrices and the maps between them.",
        "category": "mathematics",
        "level": "beginner",
        "language": "en",
        "learning_objectives": ["Solve linear systems"],
    }
    body.update(overrides)
    return body


def create_course(instructor: Caller, **overrides: Any) -> dict[str, Any]:
    response = instructor.post("/courses", course_body(**overrides))
    assert response.status == 201, response.body
    created: dict[str, Any] = response.json()
    return created


def add_section(instructor: Caller, course_id: str, title: str = "Week 1", **extra: Any) -> dict[str, Any]:
    response = instructor.post(f"/courses/{course_id}/sections", {"title": title, **extra})
    assert response.status == 201, response.body
    section: dict[str, Any] = response.json()
    return section


def add_lesson(
    instructor: Caller, course_id: str, section_id: str, title: str = "Lesson", **extra: Any
) -> dict[str, Any]:
    body = {
        "section_id": section_id,
        "title": title,
        "content_type": "text",
        "content": "Read me.",
        "duration_minutes": 10,
        **extra,
    }
    response = instructor.post(f"/courses/{course_id}/lessons", body)
    assert response.status == 201, response.body
    lesson: dict[str, Any] = response.json()
    return lesson


def publish(instructor: Caller, course_id: str) -> dict[str, Any]:
    response = instructor.post(f"/courses/{course_id}/publish")
    assert response.status == 200, response.body
    published: dict[str, Any] = response.json()
    return published


def published_course(instructor: Caller, **overrides: Any) -> dict[str, Any]:
    """A published course of one lesson; returns the course as publishing answered it."""
    course = create_course(instructor, **overrides)
    section = add_section(instructor, course["id"])
    add_lesson(instructor, course["id"], section["id"])
    return publish(instructor, course["id"])


def course_with_lessons(instructor: Caller, count: int = 3, **overrides: Any) -> tuple[str, list[str]]:
    """A published course with `count` lessons in one section; returns its id and lesson ids in order."""
    course = create_course(instructor, **overrides)
    section = add_section(instructor, course["id"])
    lessons = [add_lesson(instructor, course["id"], section["id"], f"Lesson {i}")["id"] for i in range(count)]
    publish(instructor, course["id"])
    return course["id"], lessons


def enroll(tenant: Tenant, course_id: str, student: Caller, status: str = "enrolled") -> None:
    """Put the student on the course's roster through the enrollment API (enrolled, dropped or waitlisted)."""
    if status == "waitlisted":
        assert tenant.student().post(f"/courses/{course_id}/enrollments", {}).status == 201  # the last seat
    response = student.post(f"/courses/{course_id}/enrollments", {})
    assert response.status == 201, response.body
    assert response.json()["status"] == ("waitlisted" if status == "waitlisted" else "enrolled")
    if status == "dropped":
        dropped = student.delete(f"/courses/{course_id}/enrollments/{student.user_id}")
        assert dropped.status == 204, dropped.body
