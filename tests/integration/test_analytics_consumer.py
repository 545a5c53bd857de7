"""The analytics consumer through its handlers and the real pipeline: read models, order, duplicates."""

from __future__ import annotations

import json
import random
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
from botocore.exceptions import ClientError

from infra.provision import Stack
from infra.pump import EventPump
from lms import ids
from lms.analytics.consumer import consumer
from lms.analytics.repository import DynamoAnalyticsRepository
from lms.events import DomainEvent, EventEnvelope
from lms.events.assessments import AssignmentSubmitted, QuizAttemptSubmitted
from lms.events.communication import DiscussionReplyPosted, DiscussionTopicCreated
from lms.events.courses import CoursePublished, StudentDropped, StudentEnrolled
from lms.events.progress import CourseCompleted, LessonCompleted
from tests.support.events import (
    assignment_published,
    drained,
    envelope,
    put_on_bus,
    quiz_graded,
    quiz_published,
)
from tests.support.faults import Faults

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


class Course:
    """One institution's course, as the events analytics hears describe it."""

    def __init__(self, stack: Stack, lessons: int = 3) -> None:
        self.stack = stack
        self.institution_id = f"inst-{uuid.uuid4().hex[:12]}"
        self.course_id = ids.new_id()
        self.lessons = [f"lesson-{i}" for i in range(lessons)]
        self.quiz_id = ids.new_id()
        self.essay_id = ids.new_id()
        self.instructor = "teacher-1"

    def at(self, event: DomainEvent, minutes: float = 0) -> EventEnvelope:
        return envelope(
            event,
            self.institution_id,
            occurred_at=T0 + timedelta(minutes=minutes),
            actor="someone",
            roles=["students"],
        )

    def published(self) -> list[EventEnvelope]:
        return [
            self.at(
                CoursePublished(
                    course_id=self.course_id,
                    title="Optics",
                    lesson_ids=self.lessons,
                    instructor_ids=[self.instructor],
                    course_version=3,
                )
            ),
            self.at(quiz_published(self.course_id, self.quiz_id, points="10")),
            self.at(
                assignment_published(self.course_id, self.essay_id).model_copy(
                    update={"due_at": T0 + timedelta(days=3)}
                )
            ),
        ]

    def repository(self) -> DynamoAnalyticsRepository:
        return DynamoAnalyticsRepository()

    def counters(self) -> dict[str, int]:
        totals = self.repository().counters(self.institution_id, self.course_id).totals
        return {k: v for k, v in totals.items() if v}


def _class_journey(course: Course) -> list[EventEnvelope]:
    """Three students: ann completes everything, bob two lessons and a low quiz, cy drops."""
    c, q, a = course.course_id, course.quiz_id, course.essay_id
    events: list[EventEnvelope] = list(course.published())
    for minute, student in enumerate(("ann", "bob", "cy"), start=1):
        events.append(
            course.at(StudentEnrolled(course_id=c, student_id=student, enrolled_by=student), minute)
        )
    for minute, lesson in enumerate(course.lessons, start=10):
        events.append(course.at(LessonCompleted(student_id="ann", course_id=c, lesson_id=lesson), minute))
    for minute, lesson in enumerate(course.lessons[:2], start=20):
        events.append(course.at(LessonCompleted(student_id="bob", course_id=c, lesson_id=lesson), minute))
    events += [
        course.at(
            QuizAttemptSubmitted(
                course_id=c, quiz_id=q, attempt_id="a1", student_id="ann", attempt_number=1, submitted_at=T0
            ),
            30,
        ),
        course.at(quiz_graded(c, q, "ann", "9"), 30),
        course.at(
            QuizAttemptSubmitted(
                course_id=c, quiz_id=q, attempt_id="b1", student_id="bob", attempt_number=1, submitted_at=T0
            ),
            31,
        ),
        course.at(quiz_graded(c, q, "bob", "3", passed=False), 31),
        course.at(
            AssignmentSubmitted(
                course_id=c,
                assignment_id=a,
                submission_id="s1",
                student_id="ann",
                version=1,
                submitted_at=T0,
                late=False,
            ),
            40,
        ),
        course.at(CourseCompleted(student_id="ann", course_id=c), 41),
        course.at(StudentDropped(course_id=c, student_id="cy", dropped_by="cy"), 50),
    ]
    return events


EXPECTED = {
    "enrolled": 2,
    "dropped": 1,
    "completed": 1,
    "lesson:lesson-0": 2,
    "lesson:lesson-1": 2,
    "lesson:lesson-2": 1,
    "lessons_done:3": 1,
    "lessons_done:2": 1,
    "quiz:{q}:graded": 2,
    "quiz:{q}:passed": 1,
    "quiz:{q}:attempts": 2,
    "quiz:{q}:bucket:9": 1,
    "quiz:{q}:bucket:3": 1,
    "assignment:{a}:on_time": 1,
    "days_to_complete:0": 1,
    "last_seen:2026-03-02": 2,
}


def _expected(course: Course) -> dict[str, int]:
    return {k.format(q=course.quiz_id, a=course.essay_id): v for k, v in EXPECTED.items()}


def test_a_class_journey_builds_the_course_counters(stack: Stack) -> None:
    course = Course(stack)
    for sent in _class_journey(course):
        assert consumer.handle(sent)
    counters = course.counters()
    assert {k: counters.get(k) for k in _expected(course)} == _expected(course)


def test_duplicated_and_shuffled_deliveries_build_the_same_read_models(stack: Stack) -> None:
    course = Course(stack)
    journey = _class_journey(course)
    deliveries = journey + random.Random(7).sample(journey, k=len(journey) // 2)
    random.Random(11).shuffle(deliveries)
    first_times = [consumer.handle(sent) for sent in deliveries]
    assert sum(first_times) == len(journey)
    counters = course.counters()
    assert {k: counters.get(k) for k in _expected(course)} == _expected(course)


def test_every_source_reaches_the_consumer_through_the_bus_and_a_poison_message_ends_in_the_dlq(
    stack: Stack,
) -> None:
    course = Course(stack)
    drained(stack)  # what earlier tests left in the queues
    poison = {
        "id": "poison-analytics",
        "type": "lms.progress.LessonCompleted.v1",
        "institution_id": course.institution_id,
        "data": {"nonsense": True},
    }
    put_on_bus(stack, *_class_journey(course), poison)
    pump = EventPump(stack)
    report = pump.drain(max_rounds=60)
    # The poison fails in every consumer its type is routed to; it rests in analytics' DLQ too.
    assert report.failures >= stack.queues["AnalyticsEventsQueue"].max_receive_count
    dead = [json.loads(m["body"])["detail"] for m in pump.dead_letters("AnalyticsEventsQueue")]
    assert poison in dead
    counters = course.counters()
    assert {k: counters.get(k) for k in _expected(course)} == _expected(course)


def test_a_learner_s_event_becomes_an_at_risk_event_in_the_same_transaction(stack: Stack) -> None:
    course = Course(stack)
    c, q = course.course_id, course.quiz_id
    for sent in course.published():
        consumer.handle(sent)
    consumer.handle(course.at(StudentEnrolled(course_id=c, student_id="dee", enrolled_by="dee"), 1))
    consumer.handle(course.at(quiz_graded(c, q, "dee", "2", passed=False), 2))
    consumer.handle(course.at(quiz_graded(c, q, "dee", "9", revision=2), 3))
    types = [e["type"].split(".")[2] for e in _outbox(course)]
    assert types == ["LearnerAtRisk", "LearnerBackOnTrack"]
    assert course.counters().get("at_risk") is None  # back on track: the counter went up and down


def test_a_conflict_on_a_shared_counter_is_read_again_at_once(stack: Stack, monkeypatch: Any) -> None:
    course = Course(stack)
    for sent in course.published():
        consumer.handle(sent)
    conflict = ClientError(
        {
            "Error": {"Code": "TransactionCanceledException", "Message": "conflict"},
            "CancellationReasons": [{"Code": "TransactionConflict"}],
        },
        "TransactWriteItems",
    )
    with Faults().active() as faults:
        faults.fail("TransactWriteItems", lambda n, _: n == 1, conflict)
        assert consumer.handle(
            course.at(StudentEnrolled(course_id=course.course_id, student_id="eve", enrolled_by="eve"))
        )
        assert faults.calls["TransactWriteItems"] == 2
    assert course.counters()["enrolled"] == 1


def _outbox(course: Course) -> list[dict[str, Any]]:
    table = boto3.resource("dynamodb", region_name=course.stack.region).Table(course.stack.table_name)
    prefix = f"INST#{course.institution_id}#OUTBOX#"
    found: list[dict[str, Any]] = []
    kwargs: dict[str, Any] = {}
    while True:
        page = table.scan(**kwargs)
        found.extend(json.loads(str(i["detail"])) for i in page["Items"] if str(i["PK"]).startswith(prefix))
        if "LastEvaluatedKey" not in page:
            return sorted(found, key=lambda e: e["id"])
        kwargs = {"ExclusiveStartKey": page["LastEvaluatedKey"]}


def test_learners_posts_count_as_participation_and_activity_staff_posts_do_not(stack: Stack) -> None:
    course = Course(stack)
    c = course.course_id
    for sent in course.published():
        consumer.handle(sent)
    consumer.handle(course.at(StudentEnrolled(course_id=c, student_id="fay", enrolled_by="teacher-1"), 1))
    topic = DiscussionTopicCreated(
        course_id=c, topic_id="t1", title="Why?", mode="standard", author_id="fay", preview="Why?"
    )
    reply = DiscussionReplyPosted(
        course_id=c,
        topic_id="t1",
        post_id="p1",
        parent_id="t1",
        parent_author_id="fay",
        author_id="fay",
        author_role="student",
        preview="Because.",
    )
    staff_reply = reply.model_copy(update={"post_id": "p2", "author_id": "teacher-1", "author_role": "staff"})
    staff_topic = envelope(
        topic.model_copy(update={"topic_id": "t2", "author_id": "teacher-1"}),
        course.institution_id,
        occurred_at=T0,
        roles=["instructors"],
    )
    for sent in (course.at(topic, 2), course.at(reply, 3), course.at(staff_reply, 4), staff_topic):
        assert consumer.handle(sent)
    counters = course.counters()
    assert (counters["discussion_posts"], counters["discussion_participants"]) == (2, 1)
    state = course.repository().course_and_learner(course.institution_id, c, "fay")[1]
    assert state is not None
    assert state.last_activity_at == T0 + timedelta(minutes=3)
