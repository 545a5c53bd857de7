"""The assessments journey over the local stack, with the real producers and the gradebook consumer:
an instructor authors a quiz and an assignment, a student attempts the quiz twice (the highest score
counts) and submits the assignment, its grade is released, and the gradebook shows the weighted course
grade that the CSV export repeats."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from infra.local_stack import LocalStack
from tests.support.client import Caller
from tests.support.courses import course_with_lessons
from tests.support.gradebook import WEIGHTED_SETTINGS, csv_of
from tests.support.local import demo, eventually, new_student, signed_in
from tests.support.quizzes import LIGHT_QUESTIONS, QUIZZES, attempt

ASSIGNMENTS = "/assessments/assignments"


def authored_quiz(instructor: Caller, course_id: str) -> dict[str, Any]:
    body = {
        "course_id": course_id,
        "title": "Light check",
        "max_attempts": 2,
        "scoring_policy": "highest",
        "questions": LIGHT_QUESTIONS,
    }
    status, quiz = instructor.call("POST", QUIZZES, body)
    assert status == 201, quiz
    status, published = instructor.call("POST", f"{QUIZZES}/{quiz['id']}/publish")
    assert status == 200, published
    return published


def authored_assignment(instructor: Caller, course_id: str) -> dict[str, Any]:
    body = {
        "course_id": course_id,
        "title": "Essay on colour",
        "due_at": "2099-01-01T00:00:00Z",
        "points": "20",
        "submission_types": ["text"],
    }
    status, assignment = instructor.call("POST", ASSIGNMENTS, body)
    assert status == 201, assignment
    status, published = instructor.call("POST", f"{ASSIGNMENTS}/{assignment['id']}/publish")
    assert status == 200, published
    return published


def test_quiz_and_assignment_grades_make_the_weighted_course_grade_and_the_export(local: LocalStack) -> None:
    instructor = signed_in(local, demo(local, "instructors"))
    student = new_student(local)
    course_id, _ = course_with_lessons(instructor, 1, title="Colour and light")
    status, enrollment = student.call("POST", f"/courses/{course_id}/enrollments", {})
    assert status == 201, enrollment
    gradebook = f"/assessments/gradebook/courses/{course_id}"
    status, saved = instructor.call("PUT", f"{gradebook}/settings", WEIGHTED_SETTINGS)
    assert status == 200, saved
    quiz = authored_quiz(instructor, course_id)
    essay = authored_assignment(instructor, course_id)

    # Two attempts under the highest-score policy: 9.33 then 2.00 out of 10.
    first = attempt(student, quiz["id"], {"wave": "a", "speed": 299792.458, "colors": ["r", "g"]}, "j-1")
    second = attempt(student, quiz["id"], {"wave": "b", "speed": 1, "colors": ["r", "g", "b"]}, "j-2")
    assert (first["score"], second["score"]) == ("9.33", "2.00")

    path = f"{ASSIGNMENTS}/{essay['id']}"
    text = {"text": "Colour is what light does to us."}
    status, submission = student.call("POST", f"{path}/submissions", text, {"Idempotency-Key": "essay-1"})
    assert status == 201, submission
    revision = {"If-Match": f'"{submission["revision"]}"'}
    grade = {"score": "15", "feedback": "Vivid."}
    status, graded = instructor.call("PUT", f"{path}/submissions/{submission['id']}/grade", grade, revision)
    assert status == 200, graded
    status, released = instructor.call("POST", f"{path}/release")
    assert (status, released["released"]) == (200, 1)

    def both_counted() -> bool:
        status, body = student.call("GET", f"{gradebook}/me")
        return status == 200 and len(body["scores"]) == 2

    assert eventually(both_counted, seconds=30)
    status, me = student.call("GET", f"{gradebook}/me")
    assert status == 200, me
    assert {s["assessment_id"]: s["score"] for s in me["scores"]} == {quiz["id"]: "9.33", essay["id"]: "15"}
    # quizzes 9.33/10 = 93.3 %, assignments 15/20 = 75 %: 0.4 * 93.3 + 0.6 * 75 = 82.32 (B)
    expected = Decimal("0.4") * Decimal("93.3") + Decimal("0.6") * Decimal("75")
    assert Decimal(me["final_percent"]) == expected
    assert (me["final_percent"], me["letter"]) == ("82.32", "B")

    content_type, table = csv_of(instructor, f"{gradebook}/export")
    assert content_type.startswith("text/csv")
    header, *rows = table
    assert len(rows) == 1
    row = dict(zip(header, rows[0], strict=True))
    assert row == {
        "student_id": me["student_id"],
        "display_name": "",  # an account made outside the API, without a profile
        f"Light check ({quiz['id']})": "9.33",
        f"Essay on colour ({essay['id']})": "15",
        "quizzes (%)": "93.30",
        "assignments (%)": "75.00",
        "final (%)": "82.32",
        "letter": "B",
    }
