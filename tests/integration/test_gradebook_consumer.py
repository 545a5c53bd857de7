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
from lms.events.envelope import Actor
from tests.integration.test_gradebook_api import assignment, enrolled, quiz, quiz_grade, release

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
        return EventEnvelope(
            id=ids.new_id(),
            type=event.type_name(),
            occurred_at=T0 + timedelta(minutes=minutes),
            institution_id=self.institution_id,
            actor=Actor(user_id="producer", roles=["instructors"]),
            data=event.model_dump(mode="json"),
        )

    def publish(self, *envelopes: EventEnvelope | dict[str, Any]) -> None:
        """Put the envelopes on the bus as the outbox relay does (a dict: a malformed detail)."""
        client = boto3.client("events", region_name=self.stack.region)
        entries = []
        for envelope in envelopes:
            if isinstance(envelope, EventEnvelope):
                source, kind, detail = envelope.source, envelope.detail_type, envelope.model_dump_json()
            else:
                source, kind = envelope["type"].rsplit(".", 2)[0], envelope["type"].rsplit(".", 2)[1]
                detail = json.dumps(envelope)
            entries.append(
                {"EventBusName": self.stack.bus_name, "Source": source, "DetailType": kind, "Detail": detail}
            )
        for start in range(0, len(entries), 10):
            assert client.put_events(Entries=entries[start : start + 10])["FailedEntryCount"] == 0

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


def drain(stack: Stack) -> None:
    report = EventPump(stack).drain(max_rounds=50)
    assert report.settled
    assert report.failures == 0


def test_publications_grades_and_roster_events_build_the_gradebook(stack: Stack) -> None:
    course = Course(stack)
    c = course.course_id
    course.publish(
        course.envelope(quiz(c, course.quiz_id, "Quiz 1"), 1),
        course.envelope(assignment(c, course.essay_id, "Essay"), 2),
        *(course.envelope(e, 3) for e in enrolled(c, "ada", "bob")),
        course.envelope(quiz_grade(c, course.quiz_id, "ada", "7"), 4),
        course.envelope(release(c, course.essay_id, "ada", "88"), 5),
        course.envelope(StudentDropped(course_id=c, student_id="bob", dropped_by="bob"), 6),
    )
    drain(stack)
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
    grade = course.envelope(quiz_grade(course.course_id, course.quiz_id, "ada", "7"))
    course.publish(grade)
    drain(stack)
    before = course.items()
    course.publish(grade, grade)
    drain(stack)
    assert course.items() == before


def test_an_older_revision_delivered_late_never_replaces_a_newer_one(stack: Stack) -> None:
    course = Course(stack)
    c, q = course.course_id, course.quiz_id
    newer = course.envelope(quiz_grade(c, q, "ada", "9", revision=2), 2)
    older = course.envelope(quiz_grade(c, q, "ada", "3", revision=1), 1)
    course.publish(newer)
    drain(stack)
    course.publish(older)
    drain(stack)
    assert course.scores("ada")[q]["score"] == "9"
    assert course.scores("ada")[q]["revision"] == 2
    assert course.handled() == 2  # the stale one is recorded as handled, and changed nothing else
    regrade = course.envelope(quiz_grade(c, q, "ada", "10", revision=3), 3)
    course.publish(regrade)
    drain(stack)
    assert course.scores("ada")[q]["score"] == "10"


def test_roster_changes_apply_in_the_order_they_happened(stack: Stack) -> None:
    course = Course(stack)
    c = course.course_id
    dropped = course.envelope(StudentDropped(course_id=c, student_id="ada", dropped_by="ada"), 10)
    course.publish(dropped)
    drain(stack)
    course.publish(*(course.envelope(e, 1) for e in enrolled(c, "ada")))
    drain(stack)
    assert course.gradebook()[keys.gradebook_row_sk("ada")]["status"] == "dropped"


def test_quiz_releases_are_not_delivered_and_count_through_quiz_graded_only(stack: Stack) -> None:
    course = Course(stack)
    quiz_release = GradeReleased(
        course_id=course.course_id,
        assessment_id=course.quiz_id,
        kind="quiz",
        student_id="ada",
        score=quiz_grade(course.course_id, course.quiz_id, "ada", "1").score,
        points=quiz_grade(course.course_id, course.quiz_id, "ada", "1").points,
        revision=1,
        released_at=T0,
    )
    course.publish(course.envelope(quiz_release))
    drain(stack)
    assert course.items() == []  # the rule filters them out: no delivery, no inbox record


def test_a_poison_message_ends_in_the_dlq_while_the_rest_proceed(stack: Stack) -> None:
    course = Course(stack)
    c = course.course_id
    good = [course.envelope(quiz_grade(c, course.quiz_id, f"student-{n}", str(n)), n) for n in range(5)]
    poison = {
        "id": "poison-1",
        "type": "lms.assessments.QuizGraded.v1",
        "institution_id": course.institution_id,
        "data": {"nonsense": True},
    }
    course.publish(good[0], good[1], poison, *good[2:])
    pump = EventPump(stack)
    report = pump.drain(max_rounds=60)
    receives = stack.queues["GradebookEventsQueue"].max_receive_count
    assert report.failures == receives
    dead = [json.loads(m["body"])["detail"] for m in pump.dead_letters("GradebookEventsQueue")]
    assert poison in dead
    rows = {sk for sk in course.gradebook() if sk.startswith(keys.GRADEBOOK_ROW_PREFIX)}
    assert rows == {keys.gradebook_row_sk(f"student-{n}") for n in range(5)}
