"""Domain objects for unit tests, valid unless a test says otherwise."""

from __future__ import annotations

from datetime import UTC, datetime

from lms.courses.domain import Course

AT = datetime(2026, 1, 1, tzinfo=UTC)


def a_course(**overrides: object) -> Course:
    fields: dict[str, object] = {
        "id": "C1",
        "institution_id": "I1",
        "title": "Algebra",
        "description": "",
        "category": "math",
        "level": "beginner",
        "language": "en",
        "learning_objectives": ["solve equations"],
        "prerequisites": [],
        "instructor_ids": ["T1"],
        "created_at": AT,
        "updated_at": AT,
    }
    fields.update(overrides)
    return Course.model_validate(fields)
