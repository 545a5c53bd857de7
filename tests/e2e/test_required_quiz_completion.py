"""A quiz required for completion over the local stack: a student who completes every lesson has
not completed the course until the quiz's passing grade reaches progress through the bus.

The quiz's events are put on the local bus as the outbox relay publishes them, so this journey
depends on the event contract (lms.events.assessments), not on how quizzes are taken.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import boto3

from infra.local_stack import LocalStack
from lms import clock, ids
from lms.events import DomainEvent, EventEnvelope
from lms.events.assessments import QuizGraded, QuizPublished
from lms.events.envelope import Actor
from tests.e2e.test_courses_over_http import Http, demo, eventually, signed_in
from tests.e2e.test_learning_journey import new_student, published_course


def put_on_bus(local: LocalStack, event: DomainEvent, actor: str) -> None:
    institution_id = demo(local, "students").institution_id
    envelope = EventEnvelope(
        id=ids.new_id(),
        type=event.type_name(),
        occurred_at=clock.now(),
        institution_id=institution_id,
        actor=Actor(user_id=actor, roles=["instructors"]),
        data=event.model_dump(mode="json"),
    )
    events = boto3.client("events", region_name=local.region, endpoint_url=local.aws_endpoint_url)
    entry = {
        "EventBusName": local.stack.bus_name,
        "Source": envelope.source,
        "DetailType": envelope.detail_type,
        "Detail": envelope.model_dump_json(),
    }
    assert events.put_events(Entries=[entry])["FailedEntryCount"] == 0  # type: ignore[list-item]


def graded(course_id: str, quiz_id: str, student_id: str, *, passed: bool, revision: int) -> QuizGraded:
    score = Decimal("9") if passed else Decimal("4")
    return QuizGraded(
        course_id=course_id,
        quiz_id=quiz_id,
        student_id=student_id,
        attempt_id=ids.new_id(),
        attempt_score=score,
        score=score,
        points=Decimal("10"),
        passed=passed,
        required_for_completion=True,
        revision=revision,
        graded_at=datetime.now(UTC),
    )


def test_the_course_completes_only_once_the_required_quiz_is_passed(local: LocalStack) -> None:
    instructor = signed_in(local, demo(local, "instructors"))
    student = new_student(local)
    status, me = student.call("GET", "/users/me")
    assert status == 200, me
    course_id, lessons = published_course(instructor, "Spectroscopy", 2)
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
    put_on_bus(local, quiz, "quiz-author")

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
    put_on_bus(local, graded(course_id, quiz_id, me["id"], passed=False, revision=1), me["id"])
    assert eventually(lambda: _lessons_counted(instructor, course_id))
    body = progress()
    assert (body["percent"], body["completed_at"], body["passed_assessments"]) == (66, None, [])

    put_on_bus(local, graded(course_id, quiz_id, me["id"], passed=True, revision=2), me["id"])
    assert eventually(lambda: progress()["completed_at"] is not None, seconds=30)
    body = progress()
    assert (body["percent"], body["passed_assessments"], body["next_lesson_id"]) == (100, [quiz_id], None)

    status, achievements = student.call("GET", "/progress/achievements")
    assert status == 200, achievements
    assert ("course-completed", course_id) in {
        (a["achievement"], a["course_id"]) for a in achievements["items"]
    }


def _lessons_counted(instructor: Http, course_id: str) -> bool:
    """The class list shows both lessons done, the quiz not passed, for the one student."""
    status, page = instructor.call("GET", f"/progress/courses/{course_id}/students")
    assert status == 200, page
    return [(row["completed_lesson_count"], row["percent"]) for row in page["items"]] == [(2, 66)]
