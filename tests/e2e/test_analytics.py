"""Analytics over the local stack, fed by the real producers through the bus and its own queue.

A class works through a course with a quiz and an assignment, and the course's overview, funnel
and histograms are what we count by hand; a learner who hands in two pieces of work late is at
risk, with both, within a minute of the second; a learner idle for eight days (the code's clock
moved forward and the daily sweep run at that time, not waited for) is flagged by the sweep and
is back on track after a completion.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from infra.local_stack import LocalStack
from lms import clock
from tests.support.client import Caller
from tests.support.courses import course_with_lessons
from tests.support.local import demo, eventually, new_student, signed_in
from tests.support.quizzes import LIGHT_QUESTIONS, QUIZZES, attempt

ASSIGNMENTS = "/assessments/assignments"
SIGNALS_WITHIN = 60.0
"""Seconds within which an event's at-risk signal shows (the issue's promise)."""


def published_quiz(instructor: Caller, course_id: str) -> dict[str, Any]:
    body = {"course_id": course_id, "title": "Light check", "max_attempts": 1, "questions": LIGHT_QUESTIONS}
    status, quiz = instructor.call("POST", QUIZZES, body)
    assert status == 201, quiz
    status, published = instructor.call("POST", f"{QUIZZES}/{quiz['id']}/publish")
    assert status == 200, published
    return published


def published_assignment(instructor: Caller, course_id: str, title: str, due_at: datetime) -> dict[str, Any]:
    body = {
        "course_id": course_id,
        "title": title,
        "due_at": due_at.isoformat(),
        "points": "20",
        "submission_types": ["text"],
    }
    status, assignment = instructor.call("POST", ASSIGNMENTS, body)
    assert status == 201, assignment
    status, published = instructor.call("POST", f"{ASSIGNMENTS}/{assignment['id']}/publish")
    assert status == 200, published
    return published


def enrolled(course_id: str, count: int, local: LocalStack) -> list[Caller]:
    students = [new_student(local) for _ in range(count)]
    for student in students:
        status, body = student.call("POST", f"/courses/{course_id}/enrollments", {})
        assert status == 201, body
    return students


def complete(student: Caller, course_id: str, lessons: list[str]) -> None:
    for lesson in lessons:
        status, body = student.call("PUT", f"/progress/courses/{course_id}/lessons/{lesson}")
        assert status == 200, body


def submit(student: Caller, assignment_id: str) -> None:
    status, body = student.call("POST", f"{ASSIGNMENTS}/{assignment_id}/submissions", {"text": "My work."})
    assert status == 201, body


def settled(staff: Caller, path: str, check: Any, seconds: float = SIGNALS_WITHIN) -> dict[str, Any]:
    """The answer once `check` holds for it (the pipeline runs in the background)."""
    found: dict[str, Any] = {}

    def holds() -> bool:
        status, body = staff.call("GET", path)
        found.update(body if status == 200 else {})
        return status == 200 and bool(check(body))

    assert eventually(holds, seconds=seconds), json.dumps({k: v for k, v in found.items() if k != "daily"})
    return found


def test_a_class_through_a_course_gives_the_numbers_counted_by_hand(local: LocalStack) -> None:
    instructor = signed_in(local, demo(local, "instructors"))
    course_id, lessons = course_with_lessons(instructor, 3, title="Optics for analytics")
    quiz = published_quiz(instructor, course_id)
    essay = published_assignment(instructor, course_id, "Essay", datetime(2099, 1, 1, tzinfo=UTC))
    ann, bob, cy = enrolled(course_id, 3, local)

    complete(ann, course_id, lessons)
    complete(bob, course_id, lessons[:2])
    complete(cy, course_id, lessons[:1])
    attempt(ann, quiz["id"], {"wave": "a", "speed": 300000, "colors": ["r", "g", "b"]}, "ann-1")  # 10/10
    attempt(bob, quiz["id"], {"wave": "a", "speed": 1}, "bob-1")  # 4/10
    submit(ann, essay["id"])
    submit(bob, essay["id"])

    base = f"/analytics/courses/{course_id}"
    overview = settled(
        instructor,
        base,
        lambda b: b["students"]["completed"] == 1 and b["students"]["at_risk"] == 1,
    )
    assert overview["students"] == {
        "enrolled": 3,
        "active_7d": 3,
        "active_30d": 3,
        "completed": 1,
        "dropped": 0,
        "at_risk": 1,  # bob: 4 of 10 points is under the passing 60 %
    }
    assert overview["progress"]["median_percent"] == 66  # 33, 66, 100
    assert [b["students"] for b in overview["progress"]["buckets"]] == [0, 0, 0, 1, 0, 0, 1, 0, 0, 1]
    assert overview["at_risk_by_rule"] == {"failing_grade": 1}
    assert overview["as_of"]

    funnel = settled(instructor, f"{base}/funnel", lambda b: b["enrolled"] == 3)
    assert [(s["lesson_id"], s["completed"], s["drop_off"]) for s in funnel["lessons"]] == [
        (lessons[0], 3, 0),
        (lessons[1], 2, 1),
        (lessons[2], 1, 1),
    ]

    statistics = settled(
        instructor, f"{base}/assessments", lambda b: b["quizzes"] and b["quizzes"][0]["graded"] == 2
    )
    [light] = statistics["quizzes"]
    assert (light["attempts"], light["graded"]) == (2, 2)
    assert [b["students"] for b in light["histogram"]] == [0, 0, 0, 0, 1, 0, 0, 0, 0, 1]
    [work] = statistics["assignments"]
    assert (work["on_time"], work["late"], work["missing"]) == (2, 0, None)

    status, at_risk = instructor.call("GET", f"{base}/students?at_risk=true")
    assert status == 200, at_risk
    assert [(r["student_id"], r["reasons"]) for r in at_risk["items"]] == [(bob.user_id, ["failing_grade"])]
    status, own = bob.call("GET", f"{base}/me")
    assert (status, own["percent"], own["current_grade"]) == (200, 66, "40.0")


def test_two_late_submissions_put_a_learner_at_risk_within_a_minute(local: LocalStack) -> None:
    instructor = signed_in(local, demo(local, "instructors"))
    course_id, _ = course_with_lessons(instructor, 2, title="Deadlines")
    [late] = enrolled(course_id, 1, local)
    due = datetime.now(UTC)  # after the enrollment: deadlines the learner was enrolled for
    labs = [published_assignment(instructor, course_id, f"Lab {n}", due) for n in (1, 2)]
    submit(late, labs[0]["id"])
    submit(late, labs[1]["id"])

    # The promise is a minute: the answer is awaited that long and no longer (measured: docs/analytics.md).
    view = settled(
        instructor,
        f"/analytics/courses/{course_id}/students/{late.user_id}",
        lambda b: b["at_risk"],
        seconds=SIGNALS_WITHIN,
    )

    [missed] = [r for r in view["reasons"] if r["rule"] == "missed_deadlines"]
    assert sorted(missed["assessment_ids"]) == sorted(lab["id"] for lab in labs)
    assert {d["title"] for d in view["missed_deadlines"]} == {"Lab 1", "Lab 2"}


@pytest.fixture
def eight_days_later(monkeypatch: pytest.MonkeyPatch) -> Any:
    """Eight days on, for this test only: the code reads lms.clock moved forward, and the daily sweep
    runs as its schedule would then (the pump's shared clock stays, so no other test's schedule moves)."""

    def move(local: LocalStack) -> None:
        real = clock.now
        monkeypatch.setattr(clock, "now", lambda: real() + timedelta(days=8))
        local.pump.invoke_scheduled("AnalyticsSweepFunction", at=clock.now())

    return move


def test_an_idle_learner_is_flagged_by_the_sweep_and_back_on_track_after_a_completion(
    local: LocalStack, eight_days_later: Any
) -> None:
    instructor = signed_in(local, demo(local, "instructors"))
    course_id, lessons = course_with_lessons(instructor, 2, title="Patience")
    [idle] = enrolled(course_id, 1, local)
    learner = f"/analytics/courses/{course_id}/students/{idle.user_id}"
    settled(instructor, learner, lambda b: b["enrollment"] == "enrolled")

    eight_days_later(local)

    flagged = settled(instructor, learner, lambda b: b["at_risk"])
    assert [r["rule"] for r in flagged["reasons"]] == ["inactive"]
    complete(idle, course_id, lessons[:1])
    back = settled(instructor, learner, lambda b: not b["at_risk"])
    assert back["lessons_done"] == 1
