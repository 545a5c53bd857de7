"""The gradebook consumer through the real pipeline: bus, rules, queue, partial batch failures, DLQ."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3

from infra.provision import Stack
from infra.pump import EventPump
from lms import ids, keys
from lms.events import DomainEvent, EventEnvelope
from lms.events.assessments import GradeReleased
from lms.events.courses import StudentDropped
from tests.support.events import (
    assignment_published,
    drained,
    enrolled,
    envelope,
    grade_released,
    put_on_bus,
    quiz_graded,
    quiz_published,
)

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


class Course:
    """One institution's course, as the events the gradebook hears describe it."""

    def __init__(self, stack: Stack) -> None:
        self.stack = stack
        self.institution_id = f"inst-{uuid.uuid4().hex[:12]}"
        self.course_id = ids.new_id()
        self.quiz_id = ids.new_id()
        self.essay_id = ids.new_id()

    def envelope(self, event: DomainEvent, minutes: float = 0) -> EventEnvelope:
        return envelope(event, self.institution_id, occurred_at=T0 + timedelta(minutes=minutes))

    def publish(self, *envelopes: EventEnvelope | dict[str, Any]) -> None:
        """Put the envelopes on the bus as the outbox relay does (a dict: a malformed detail)."""
        put_on_bus(self.stack, *envelopes)

    def items(self) -> list[dict[str, Any]]:
        table = boto3.resource("dynamodb", region_name=self.stack.region).Table(self.stack.table_name)
        prefix = f"INST#{self.institution_id}#"
        found: list[dict[str, Any]] = []
        kwargs: dict[str, Any] = {}
        while True:
            page = table.scan(**kwargs)
            found.extend(i for i in page["Items"] if str(i["PK"]).startswith(prefix))
            if "LastEvaluatedKey" not in page:
                return found
            kwargs = {"ExclusiveStartKey": page["LastEvaluatedKey"]}

    def gradebook(self) -> dict[str, Any]:
        """The gradebook partition by sort key, documents parsed, versions left out."""
        pk = keys.gradebook_pk(self.institution_id, self.course_id)
        return {
            str(i["SK"]): {"status": i.get("status"), "document": json.loads(str(i["document"]))}
            for i in self.items()
            if i["PK"] == pk
        }

    def scores(self, student: str) -> dict[str, Any]:
        scores: dict[str, Any] = self.gradebook()[keys.gradebook_row_sk(student)]["document"]["scores"]
        return scores

    def handled(self) -> int:
        """Events the gradebook consumer recorded as handled (the progress consumer hears some too)."""
        return sum(1 for i in self.items() if i["entity"] == "inbox" and "#INBOX#gradebook#" in str(i["PK"]))


def test_publications_grades_and_roster_events_build_the_gradebook(stack: Stack) -> None:
    course = Course(stack)
    c = course.course_id
    course.publish(
        course.envelope(quiz_published(c, course.quiz_id, "Quiz 1"), 1),
        course.envelope(assignment_published(c, course.essay_id, "Essay"), 2),
        *(course.envelope(e, 3) for e in enrolled(c, "ada", "bob")),
        course.envelope(quiz_graded(c, course.quiz_id, "ada", "7"), 4),
        course.envelope(grade_released(c, course.essay_id, "ada", "88"), 5),
        course.envelope(StudentDropped(course_id=c, student_id="bob", dropped_by="bob"), 6),
    )
    assert drained(stack).failures == 0
    book = course.gradebook()
    assert set(book["COLUMNS"]["document"]) == {course.quiz_id, course.essay_id}
    assert book["COLUMNS"]["document"][course.essay_id]["category"] == "assignments"
    assert course.scores("ada")[course.quiz_id]["score"] == "7"
    assert course.scores("ada")[course.essay_id]["score"] == "88"
    assert book[keys.gradebook_row_sk("ada")]["status"] == "enrolled"
    assert book[keys.gradebook_row_sk("bob")]["status"] == "dropped"
    assert course.handled() == 7


def test_a_duplicate_delivery_changes_nothing(stack: Stack) -> None:
    course = Course(stack)
    grade = course.envelope(quiz_graded(course.course_id, course.quiz_id, "ada", "7"))
    course.publish(grade)
    assert drained(stack).failures == 0
    before = course.items()
    course.publish(grade, grade)
    assert drained(stack).failures == 0
    assert course.items() == before


def test_an_older_revision_delivered_late_never_replaces_a_newer_one(stack: Stack) -> None:
    course = Course(stack)
    c, q = course.course_id, course.quiz_id
    newer = course.envelope(quiz_graded(c, q, "ada", "9", revision=2), 2)
    older = course.envelope(quiz_graded(c, q, "ada", "3", revision=1), 1)
    course.publish(newer)
    assert drained(stack).failures == 0
    course.publish(older)
    assert drained(stack).failures == 0
    assert course.scores("ada")[q]["score"] == "9"
    assert course.scores("ada")[q]["revision"] == 2
    assert course.handled() == 2  # the stale one is recorded as handled, and changed nothing else
    regrade = course.envelope(quiz_graded(c, q, "ada", "10", revision=3), 3)
    course.publish(regrade)
    assert drained(stack).failures == 0
    assert course.scores("ada")[q]["score"] == "10"


def test_roster_changes_apply_in_the_order_they_happened(stack: Stack) -> None:
    course = Course(stack)
    c = course.course_id
    dropped = course.envelope(StudentDropped(course_id=c, student_id="ada", dropped_by="ada"), 10)
    course.publish(dropped)
    assert drained(stack).failures == 0
    course.publish(*(course.envelope(e, 1) for e in enrolled(c, "ada")))
    assert drained(stack).failures == 0
    assert course.gradebook()[keys.gradebook_row_sk("ada")]["status"] == "dropped"


def test_quiz_releases_are_not_delivered_and_count_through_quiz_graded_only(stack: Stack) -> None:
    course = Course(stack)
    quiz_release = GradeReleased(
        course_id=course.course_id,
        assessment_id=course.quiz_id,
        kind="quiz",
        student_id="ada",
        score=quiz_graded(course.course_id, course.quiz_id, "ada", "1").score,
        points=quiz_graded(course.course_id, course.quiz_id, "ada", "1").points,
        revision=1,
        released_at=T0,
    )
    course.publish(course.envelope(quiz_release))
    assert drained(stack, consumers={"GradebookConsumerFunction"}).failures == 0
    assert course.items() == []  # the rule filters them out: no delivery, no inbox record


def test_a_poison_message_ends_in_the_dlq_while_the_rest_proceed(stack: Stack) -> None:
    course = Course(stack)
    c = course.course_id
    good = [course.envelope(quiz_graded(c, course.quiz_id, f"student-{n}", str(n)), n) for n in range(5)]
    poison = {
        "id": "poison-1",
        "type": "lms.assessments.QuizGraded.v1",
        "institution_id": course.institution_id,
        "data": {"nonsense": True},
    }
    course.publish(good[0], good[1], poison, *good[2:])
    pump = EventPump(stack, consumers={"GradebookConsumerFunction"})
    report = pump.drain(max_rounds=60)
    receives = stack.queues["GradebookEventsQueue"].max_receive_count
    assert report.failures == receives
    dead = [json.loads(m["body"])["detail"] for m in pump.dead_letters("GradebookEventsQueue")]
    assert poison in dead
    rows = {sk for sk in course.gradebook() if sk.startswith(keys.GRADEBOOK_ROW_PREFIX)}
    assert rows == {keys.gradebook_row_sk(f"student-{n}") for n in range(5)}
