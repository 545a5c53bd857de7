"""A quiz required for completion over the local stack: a student who completes every lesson has
not completed the course until the quiz's passing grade reaches progress through the bus.

The quiz's events are put on the local bus as the outbox relay publishes them, so this journey
depends on the event contract (lms.events.assessments), not on how quizzes are taken.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from infra.local_stack import LocalStack
from lms import clock, ids
from lms.events import DomainEvent
from lms.events.assessments import QuizPublished
from tests.support.client import Caller
from tests.support.courses import course_with_lessons
from tests.support.events import envelope, put_on_bus, quiz_graded
from tests.support.local import demo, eventually, new_student, signed_in


def published_on_bus(local: LocalStack, event: DomainEvent, actor: str) -> None:
    """The event on the local bus, from the demo institution, as the outbox relay publishes it."""
    institution_id = demo(local, "students").institution_id
    put_on_bus(local.stack, envelope(event, institution_id, actor=actor), endpoint_url=local.aws_endpoint_url)


def test_the_course_completes_only_once_the_required_quiz_is_passed(local: LocalStack) -> None:
    instructor = signed_in(local, demo(local, "instructors"))
    student = new_student(local)
    status, me = student.call("GET", "/users/me")
    assert status == 200, me
    course_id, lessons = course_with_lessons(instructor, 2, title="Spectroscopy")
    status, enrollment = student.call("POST", f"/courses/{course_id}/enrollments", {})
    assert (status, enrollment["status"]) == (201, "enrolled")

    quiz_id = ids.new_id()
    quiz = QuizPublished(
        course_id=course_id,
        quiz_id=quiz_id,
        lesson_id=lessons[1],
        title="Spectral lines",
        points=Decimal("10"),
        gradebook_category="quizzes",
        required_for_completion=True,
        passing_score=Decimal("6"),
    )
    published_on_bus(local, quiz, "quiz-author")

    def progress() -> dict[str, Any]:
        status, body = student.call("GET", f"/progress/courses/{course_id}")
        assert status == 200, body
        found: dict[str, Any] = body
        return found

    def required() -> list[str]:
        status, body = student.call("GET", f"/progress/courses/{course_id}")
        return [a["assessment_id"] for a in body["required_assessments"]] if status == 200 else []

    assert eventually(lambda: required() == [quiz_id])

    for lesson in lessons:
        status, completion = student.call("PUT", f"/progress/courses/{course_id}/lessons/{lesson}")
        assert status == 200, completion
    failed = quiz_graded(
        course_id, quiz_id, me["id"], "4", passed=False, required=True, revision=1, graded_at=clock.now()
    )
    published_on_bus(local, failed, me["id"])
    assert eventually(lambda: _lessons_counted(instructor, course_id))
    body = progress()
    assert (body["percent"], body["completed_at"], body["passed_assessments"]) == (66, None, [])

    passed = quiz_graded(
        course_id, quiz_id, me["id"], "9", passed=True, required=True, revision=2, graded_at=clock.now()
    )
    published_on_bus(local, passed, me["id"])
    assert eventually(lambda: progress()["completed_at"] is not None, seconds=30)
    body = progress()
    assert (body["percent"], body["passed_assessments"], body["next_lesson_id"]) == (100, [quiz_id], None)

    status, achievements = student.call("GET", "/progress/achievements")
    assert status == 200, achievements
    assert ("course-completed", course_id) in {
        (a["achievement"], a["course_id"]) for a in achievements["items"]
    }


def _lessons_counted(instructor: Caller, course_id: str) -> bool:
    """The class list shows both lessons done, the quiz not passed, for the one student."""
    status, page = instructor.call("GET", f"/progress/courses/{course_id}/students")
    assert status == 200, page
    return [(row["completed_lesson_count"], row["percent"]) for row in page["items"]] == [(2, 66)]
