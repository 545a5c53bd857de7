"""Assignments as an instructor authors them and a student submits to them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from tests.support.client import Caller

ASSIGNMENTS = "/assessments/assignments"
RUBRIC = [
    {
        "id": "argument",
        "title": "Argument",
        "levels": [
            {"id": "weak", "title": "Weak", "points": "0"},
            {"id": "fair", "title": "Fair", "points": "3.5"},
            {"id": "strong", "title": "Strong", "points": "6"},
        ],
    },
    {
        "id": "style",
        "title": "Style",
        "levels": [
            {"id": "poor", "title": "Poor", "points": "1"},
            {"id": "good", "title": "Good", "points": "4"},
        ],
    },
]


def at(days: float) -> str:
    return (datetime.now(UTC) + timedelta(days=days)).isoformat()


def assignment_body(course_id: str, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "course_id": course_id,
        "title": "Essay on light",
        "instructions": "Write 500 words.",
        "due_at": at(7),
        "points": "10",
        "submission_types": ["text", "file"],
        "file_content_types": ["application/pdf", "text/plain"],
        "max_file_bytes": 1000,
    }
    body.update(overrides)
    return body


def create(staff: Caller, course_id: str, **overrides: Any) -> dict[str, Any]:
    response = staff.post(ASSIGNMENTS, assignment_body(course_id, **overrides))
    assert response.status == 201, response.body
    made: dict[str, Any] = response.json()
    return made


def published(staff: Caller, course_id: str, **overrides: Any) -> dict[str, Any]:
    made = create(staff, course_id, **overrides)
    response = staff.post(f"{ASSIGNMENTS}/{made['id']}/publish")
    assert response.status == 200, response.body
    done: dict[str, Any] = response.json()
    return done


def submit(student: Caller, assignment_id: str, body: dict[str, Any] | None = None, **kw: Any) -> Any:
    return student.post(f"{ASSIGNMENTS}/{assignment_id}/submissions", body or {"text": "My essay."}, **kw)


def submitted(student: Caller, assignment_id: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
    response = submit(student, assignment_id, body)
    assert response.status == 201, response.body
    made: dict[str, Any] = response.json()
    return made
