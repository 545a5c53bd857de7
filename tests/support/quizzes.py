"""Quiz test helpers: a quiz of every question type, authoring and attempting it through the API."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from tests.support.client import Caller
from tests.support.courses import course_with_lessons, enroll
from tests.support.tenant import Tenant

QUIZZES = "/assessments/quizzes"

# Key material no student response or event may contain: each value appears only in a key.
SECRET_TEXT = "Tegucigalpa-key-7731"
SECRET_NUMBER = "299792.458"


def questions() -> list[dict[str, Any]]:
    """One question of each type (14 points), with its key."""
    return [
        {
            "id": "single",
            "type": "single_choice",
            "prompt": "Which is prime?",
            "points": "2",
            "options": [{"id": "a", "text": "4"}, {"id": "b", "text": "7"}, {"id": "c", "text": "9"}],
            "key": {"correct_option_id": "b"},
        },
        {
            "id": "multi",
            "type": "multiple_choice",
            "prompt": "Which are even?",
            "points": "2",
            "options": [
                {"id": "a", "text": "2"},
                {"id": "b", "text": "3"},
                {"id": "c", "text": "4"},
                {"id": "d", "text": "5"},
            ],
            "key": {"correct_option_ids": ["a", "c"]},
        },
        {
            "id": "tf",
            "type": "true_false",
            "prompt": "The sky is green.",
            "points": "1",
            "key": {"correct": False},
        },
        {
            "id": "num",
            "type": "numeric",
            "prompt": "The speed of light in km/s?",
            "points": "2",
            "key": {"value": SECRET_NUMBER, "tolerance": "0.5"},
        },
        {
            "id": "text",
            "type": "short_text",
            "prompt": "The capital of Honduras?",
            "points": "2",
            "key": {"accepted_answers": [SECRET_TEXT]},
        },
        {
            "id": "match",
            "type": "matching",
            "prompt": "Match the capitals.",
            "points": "3",
            "prompts": [
                {"id": "fr", "text": "France"},
                {"id": "it", "text": "Italy"},
                {"id": "es", "text": "Spain"},
            ],
            "choices": [
                {"id": "p", "text": "Paris"},
                {"id": "r", "text": "Rome"},
                {"id": "m", "text": "Madrid"},
            ],
            "key": {"pairs": {"fr": "p", "it": "r", "es": "m"}},
        },
        {
            "id": "order",
            "type": "ordering",
            "prompt": "Smallest first.",
            "points": "2",
            "items": [{"id": "x", "text": "10"}, {"id": "y", "text": "1"}, {"id": "z", "text": "5"}],
            "key": {"order": ["y", "z", "x"]},
        },
    ]


PERFECT = {
    "single": "b",
    "multi": ["a", "c"],
    "tf": False,
    "num": 299792.2,
    "text": SECRET_TEXT.upper(),
    "match": {"fr": "p", "it": "r", "es": "m"},
    "order": ["y", "z", "x"],
}
# single 0, multi 1 (one right pick), tf 1, num 0, text 0, match 1 (one pair), order 1 (2 of 3 pairs)
PARTIAL = {
    "single": "a",
    "multi": ["a"],
    "tf": False,
    "num": 3,
    "text": "Managua",
    "match": {"fr": "p", "it": "m", "es": "r"},
    "order": ["y", "x", "z"],
}
PARTIAL_SCORE = "4.33"  # 0 + 1 + 1 + 0 + 0 + 1 + 1.33


# Light, in three questions (10 points): the quiz of the journeys over the local stack.
LIGHT_QUESTIONS = [
    {
        "id": "wave",
        "type": "single_choice",
        "prompt": "Light is a...",
        "points": "4",
        "options": [{"id": "a", "text": "wave"}, {"id": "b", "text": "rock"}],
        "key": {"correct_option_id": "a"},
    },
    {
        "id": "speed",
        "type": "numeric",
        "prompt": "Speed of light in km/s (rounded to thousands)?",
        "points": "4",
        "key": {"value": "300000", "tolerance": "1000"},
    },
    {
        "id": "colors",
        "type": "multiple_choice",
        "prompt": "Which are primary colors of light?",
        "points": "2",
        "options": [
            {"id": "r", "text": "red"},
            {"id": "g", "text": "green"},
            {"id": "y", "text": "yellow"},
            {"id": "b", "text": "blue"},
        ],
        "key": {"correct_option_ids": ["r", "g", "b"]},
    },
]


def attempt(student: Caller, quiz_id: str, answers: dict[str, Any], key: str) -> dict[str, Any]:
    status, started = student.call("POST", f"{QUIZZES}/{quiz_id}/attempts")
    assert status == 201, started
    assert all("key" not in q for q in started["questions"])
    path = f"{QUIZZES}/{quiz_id}/attempts/{started['id']}"
    status, saved = student.call("PUT", f"{path}/answers", {"answers": answers})
    assert status == 200, saved
    status, submitted = student.call("POST", f"{path}/submit", headers={"Idempotency-Key": key})
    assert status == 200, submitted
    status, again = student.call("POST", f"{path}/submit", headers={"Idempotency-Key": key})
    assert (status, again) == (200, submitted)
    return submitted


def quiz_body(course_id: str, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "course_id": course_id,
        "title": "Week 1 check",
        "instructions": "Answer every question.",
        "max_attempts": 3,
        "questions": questions(),
    }
    body.update(overrides)
    return body


def create_quiz(instructor: Caller, course_id: str, **overrides: Any) -> dict[str, Any]:
    response = instructor.post(QUIZZES, quiz_body(course_id, **overrides))
    assert response.status == 201, response.body
    created: dict[str, Any] = response.json()
    return created


def publish(instructor: Caller, quiz_id: str) -> dict[str, Any]:
    response = instructor.post(f"{QUIZZES}/{quiz_id}/publish")
    assert response.status == 200, response.body
    published: dict[str, Any] = response.json()
    return published


def published_quiz(instructor: Caller, course_id: str, **overrides: Any) -> dict[str, Any]:
    return publish(instructor, create_quiz(instructor, course_id, **overrides)["id"])


def start(student: Caller, quiz_id: str, **kw: Any) -> dict[str, Any]:
    response = student.post(f"{QUIZZES}/{quiz_id}/attempts", **kw)
    assert response.status == 201, response.body
    attempt: dict[str, Any] = response.json()
    return attempt


def answers_path(quiz_id: str, attempt_id: str) -> str:
    return f"{QUIZZES}/{quiz_id}/attempts/{attempt_id}/answers"


def submit_path(quiz_id: str, attempt_id: str) -> str:
    return f"{QUIZZES}/{quiz_id}/attempts/{attempt_id}/submit"


def answer(student: Caller, quiz_id: str, attempt_id: str, answers: dict[str, Any]) -> dict[str, Any]:
    response = student.request("PUT", answers_path(quiz_id, attempt_id), json_body={"answers": answers})
    assert response.status == 200, response.body
    saved: dict[str, Any] = response.json()
    return saved


def take(student: Caller, quiz_id: str, answers: dict[str, Any]) -> dict[str, Any]:
    """Start, answer and submit one attempt; returns the submitted attempt."""
    attempt = start(student, quiz_id)
    answer(student, quiz_id, attempt["id"], answers)
    response = student.post(submit_path(quiz_id, attempt["id"]))
    assert response.status == 200, response.body
    submitted: dict[str, Any] = response.json()
    return submitted


def classroom(tenant: Tenant) -> tuple[Caller, Caller, str]:
    """An instructor and an enrolled student of a published course."""
    instructor, student = tenant.instructor(), tenant.student()
    course_id, _ = course_with_lessons(instructor, 1)
    enroll(tenant, course_id, student)
    return instructor, student, course_id


def snapshot(tenant: Tenant) -> list[dict[str, Any]]:
    return sorted(tenant.items(), key=lambda i: (str(i["PK"]), str(i["SK"])))


def quiz_items(tenant: Tenant, entity: str) -> list[dict[str, Any]]:
    return [i for i in tenant.items() if i.get("entity") == entity]


def in_minutes(minutes: float) -> str:
    return (datetime.now(UTC) + timedelta(minutes=minutes)).isoformat()


def key_material_in(text: str) -> list[str]:
    """Markers of answer keys found in a response body or an event."""
    found = [m for m in (SECRET_TEXT, SECRET_NUMBER, SECRET_TEXT.upper()) if m in text]
    document = json.loads(text) if text.startswith(("{", "[")) else None
    found += [f"field {name}" for name in _field_names(document) if name in KEY_FIELDS]
    return found


KEY_FIELDS = frozenset(
    {
        "key",
        "correct_option_id",
        "correct_option_ids",
        "correct",
        "accepted_answers",
        "pairs",
        "order",
        "correct_answer",
    }
)


def _field_names(document: Any) -> Iterator[str]:
    if isinstance(document, dict):
        for name, value in document.items():
            if value is not None:
                yield name
            if name != "answers":  # keyed by question ids, which are not key material
                yield from _field_names(value)
    elif isinstance(document, list):
        for value in document:
            yield from _field_names(value)
