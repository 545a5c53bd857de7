"""Demo catalog for the local stack: courses, a quiz and an assignment created through the API, as an
instructor would; then the demo students learn in the first course as students would, so the event
archive holds a history the queries of docs/analytics-sql.md have something to say about."""

from __future__ import annotations

import json
import urllib.request
from typing import Any

from infra.seed import DemoSeed, demo_data

DEMO_COURSES: tuple[dict[str, Any], ...] = (
    {
        "course": {
            "title": "Introduction to Programming",
            "description": "Variables, control flow and functions, in Python.",
            "category": "computing",
            "level": "beginner",
            "language": "en",
            "learning_objectives": ["Write and run a small program", "Use functions to structure code"],
            "capacity": 30,
        },
        "sections": {
            "Getting started": [("What is a program?", 10), ("Your first script", 20)],
            "Functions": [("Defining functions", 25)],
        },
        "publish": True,
        "assessments": True,
    },
    {
        "course": {
            "title": "Statistics for Everyone",
            "description": "Averages, spread and the idea of a sample.",
            "category": "mathematics",
            "level": "beginner",
            "language": "en",
            "learning_objectives": ["Summarise a data set"],
        },
        "sections": {"Describing data": [("Mean and median", 15), ("Variance", 15)]},
        "publish": True,
    },
    {
        "course": {
            "title": "Data Structures (draft)",
            "description": "Lists, trees and hash tables.",
            "category": "computing",
            "level": "intermediate",
            "language": "en",
            "learning_objectives": ["Choose a data structure for a problem"],
        },
        "sections": {"Lists": [("Arrays and linked lists", 30)]},
        "publish": False,
    },
)


DEMO_QUIZ: dict[str, Any] = {
    "title": "Check your basics",
    "instructions": "Two questions; the better of your two attempts counts.",
    "max_attempts": 2,
    "scoring_policy": "highest",
    "show_correct_answers": "after_submission",
    "passing_score": "2",
    "questions": [
        {
            "id": "runs",
            "type": "true_false",
            "prompt": "A Python script runs from top to bottom.",
            "points": "1",
            "key": {"correct": True},
        },
        {
            "id": "define",
            "type": "single_choice",
            "prompt": "Which keyword defines a function?",
            "points": "2",
            "options": [
                {"id": "def", "text": "def"},
                {"id": "fun", "text": "fun"},
                {"id": "fn", "text": "fn"},
            ],
            "key": {"correct_option_id": "def"},
        },
    ],
}

DEMO_ASSIGNMENT: dict[str, Any] = {
    "title": "Write a greeting program",
    "instructions": "Submit a short script (text) or a link to it.",
    "due_at": "2099-12-31T23:59:00Z",
    "points": "10",
    "late_policy": {"percent_per_day": "10", "floor_percent": "50"},
    "submission_types": ["text", "url"],
}


def _call(api_url: str, token: str, method: str, path: str, body: Any = None) -> dict[str, Any]:
    request = urllib.request.Request(  # noqa: S310 - the local API on 127.0.0.1
        api_url + path,
        data=None if body is None else json.dumps(body).encode(),
        method=method,
        headers={"Authorization": token, "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - the local API  # nosec B310
        result: dict[str, Any] = json.loads(response.read() or b"{}")
        return result


@demo_data
def demo_catalog(seed: DemoSeed) -> None:
    """Two published courses and a draft, taught by the first demo instructor."""
    if seed.api_url is None:
        return
    token = seed.id_token(seed.user("instructors"))
    for demo in DEMO_COURSES:
        course = _call(seed.api_url, token, "POST", "/courses", demo["course"])
        lesson_ids = []
        for title, lessons in demo["sections"].items():
            section = _call(
                seed.api_url, token, "POST", f"/courses/{course['id']}/sections", {"title": title}
            )
            for lesson_title, minutes in lessons:
                lesson = {
                    "section_id": section["id"],
                    "title": lesson_title,
                    "content_type": "text",
                    "content": f"{lesson_title}: the lesson text.",
                    "duration_minutes": minutes,
                }
                made = _call(seed.api_url, token, "POST", f"/courses/{course['id']}/lessons", lesson)
                lesson_ids.append(made["id"])
        if demo["publish"]:
            _call(seed.api_url, token, "POST", f"/courses/{course['id']}/publish")
        if demo.get("assessments"):
            quiz_id = _demo_assessments(seed.api_url, token, course["id"])
            _demo_learning(seed, seed.api_url, course["id"], lesson_ids, quiz_id)


def _demo_assessments(api_url: str, token: str, course_id: str) -> str:
    """A published quiz and assignment in the course, so its gradebook has columns to show; the quiz's id."""
    quiz = _call(api_url, token, "POST", "/assessments/quizzes", {"course_id": course_id, **DEMO_QUIZ})
    _call(api_url, token, "POST", f"/assessments/quizzes/{quiz['id']}/publish")
    assignment = {"course_id": course_id, **DEMO_ASSIGNMENT}
    made = _call(api_url, token, "POST", "/assessments/assignments", assignment)
    _call(api_url, token, "POST", f"/assessments/assignments/{made['id']}/publish")
    return str(quiz["id"])


# Per demo student: how many of the course's lessons they complete (all of them: the course is
# complete) and their answers to the quiz (3, 1 and 2 of its 3 points).
DEMO_LEARNING: tuple[tuple[int | None, dict[str, Any]], ...] = (
    (None, {"runs": True, "define": "def"}),
    (1, {"runs": True, "define": "fun"}),
    (0, {"runs": False, "define": "def"}),
)


def _demo_learning(seed: DemoSeed, api_url: str, course_id: str, lesson_ids: list[str], quiz_id: str) -> None:
    """The demo students enroll, complete lessons and take the quiz, as students would."""
    students = [user for user in seed.users if user.role == "students"]
    for student, (lessons, answers) in zip(students, DEMO_LEARNING, strict=False):
        token = seed.id_token(student)
        _call(api_url, token, "POST", f"/courses/{course_id}/enrollments", {})
        for lesson_id in lesson_ids[:lessons]:
            _call(api_url, token, "PUT", f"/progress/courses/{course_id}/lessons/{lesson_id}")
        attempt = _call(api_url, token, "POST", f"/assessments/quizzes/{quiz_id}/attempts")
        path = f"/assessments/quizzes/{quiz_id}/attempts/{attempt['id']}"
        _call(api_url, token, "PUT", f"{path}/answers", {"answers": answers})
        _call(api_url, token, "POST", f"{path}/submit")
