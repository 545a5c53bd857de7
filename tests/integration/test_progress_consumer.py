"""The progress consumer over moto: every handled event type delivered twice and out of order."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import boto3
import pytest

from infra.provision import Stack
from infra.pump import EventPump
from lms import ids, keys
from lms.events import DomainEvent, EventEnvelope
from lms.events.assessments import QuizGraded, QuizPublished
from lms.events.courses import (
    CourseArchived,
    CoursePublished,
    CourseUpdated,
    LessonAdded,
    LessonRemoved,
    StudentDropped,
    StudentEnrolled,
)
from lms.events.envelope import Actor
from lms.events.progress import LessonCompleted, LessonCompletionUndone
from lms.progress.consumer import consumer
from lms.progress.errors import EventArrivedEarly
from tests.integration.test_progress_api import progress_stack

__all__ = ["progress_stack"]

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@dataclass
class Scene:
    """One institution's course as events describe it, with the envelopes delivered so far."""

    stack: Stack
    institution_id: str = field(default_factory=lambda: f"inst-{uuid.uuid4().hex[:12]}")
    course_id: str = field(default_factory=ids.new_id)
    lessons: list[str] = field(default_factory=lambda: [ids.new_id() for _ in range(4)])
    section_id: str = field(default_factory=ids.new_id)
    instructor: str = "instructor-1"
    student: str = "student-1"
    classmate: str = "student-2"
    quiz_id: str = field(default_factory=ids.new_id)

    def envelope(self, event: DomainEvent, minutes: float, actor: str = "someone") -> EventEnvelope:
        return EventEnvelope(
            id=ids.new_id(),
            type=event.type_name(),
            occurred_at=T0 + timedelta(minutes=minutes),
            institution_id=self.institution_id,
            actor=Actor(user_id=actor, roles=["students"]),
            data=event.model_dump(mode="json"),
        )

    def history(self) -> list[EventEnvelope]:
        """Every event type the consumer handles, in the order they happened.

        Lesson 4 is removed before publication; the student completes lessons 1-3 (undoing and
        redoing lesson 2), which completes the course; the classmate enrolls and drops.
        """
        c, (l1, l2, l3, l4) = self.course_id, self.lessons
        s = self.student
        added = [
            self.envelope(LessonAdded(**self._lesson(lesson, i + 1)), i)
            for i, lesson in enumerate(self.lessons)
        ]
        return [
            *added,
            self.envelope(LessonRemoved(course_id=c, lesson_id=l4), 5),
            self.envelope(
                CoursePublished(course_id=c, title="Optics", lesson_ids=[l1, l2, l3], instructor_ids=["i-1"]),
                6,
            ),
            self.envelope(StudentEnrolled(course_id=c, student_id=s, enrolled_by=s), 7),
            self.envelope(StudentEnrolled(course_id=c, student_id=self.classmate, enrolled_by="i-1"), 7.5),
            self.envelope(LessonCompleted(student_id=s, course_id=c, lesson_id=l1), 8, s),
            self.envelope(LessonCompleted(student_id=s, course_id=c, lesson_id=l2), 9, s),
            self.envelope(LessonCompletionUndone(student_id=s, course_id=c, lesson_id=l2), 10, s),
            self.envelope(LessonCompleted(student_id=s, course_id=c, lesson_id=l2), 11, s),
            self.envelope(
                CourseUpdated(
                    course_id=c, version=9, changed_fields=["instructor_ids"], instructor_ids=["i-1", "i-2"]
                ),
                12,
            ),
            self.envelope(LessonCompleted(student_id=s, course_id=c, lesson_id=l3), 13, s),
            self.envelope(StudentDropped(course_id=c, student_id=self.classmate, dropped_by="i-1"), 14),
            self.envelope(CourseArchived(course_id=c), 15),
        ]

    def quiz_published(self, minutes: float, *, required: bool = True) -> EventEnvelope:
        published = QuizPublished(
            course_id=self.course_id,
            quiz_id=self.quiz_id,
            lesson_id=self.lessons[2],
            title="Check your optics",
            points=Decimal("10"),
            gradebook_category="quizzes",
            required_for_completion=required,
            passing_score=Decimal("6"),
        )
        return self.envelope(published, minutes, self.instructor)

    def quiz_graded(
        self, minutes: float, *, passed: bool, revision: int, student: str = "", required: bool = True
    ) -> EventEnvelope:
        score = Decimal("8.5") if passed else Decimal("3.25")
        graded = QuizGraded(
            course_id=self.course_id,
            quiz_id=self.quiz_id,
            student_id=student or self.student,
            attempt_id=ids.new_id(),
            attempt_score=score,
            score=score,
            points=Decimal("10"),
            passed=passed,
            required_for_completion=required,
            revision=revision,
            regrade=revision > 1,
            graded_at=T0 + timedelta(minutes=minutes),
        )
        return self.envelope(graded, minutes, student or self.student)

    def quiz_history(self) -> list[EventEnvelope]:
        """The history (not archived) with a required quiz: failed before the last lesson, passed
        at 20 minutes, which completes the course."""
        history = self.history()[:-1]
        return [
            *history[:6],
            self.quiz_published(6.5),
            *history[6:13],
            self.quiz_graded(12.5, passed=False, revision=1),
            *history[13:],
            self.quiz_graded(20, passed=True, revision=2),
        ]

    def _lesson(self, lesson_id: str, position: int) -> dict[str, Any]:
        return {
            "course_id": self.course_id,
            "lesson_id": lesson_id,
            "section_id": self.section_id,
            "title": f"Lesson {position}",
            "content_type": "text",
            "position": position,
            "duration_minutes": 5,
        }

    # ------------------------------------------------------------ what is stored

    def items(self) -> list[dict[str, Any]]:
        table = boto3.resource("dynamodb", region_name=self.stack.region).Table(self.stack.table_name)
        prefix = f"INST#{self.institution_id}#"
        found, kwargs = [], {}
        while True:
            page = table.scan(**kwargs)
            found.extend(i for i in page["Items"] if str(i["PK"]).startswith(prefix))
            if "LastEvaluatedKey" not in page:
                for item in found:
                    if "document" in item:  # JSON documents are stored as strings
                        item["document"] = json.loads(str(item["document"]))
                return sorted(found, key=lambda i: (str(i["PK"]), str(i["SK"])))
            kwargs = {"ExclusiveStartKey": page["LastEvaluatedKey"]}

    def state(self) -> list[dict[str, Any]]:
        """The progress state without what depends on delivery order (times, versions, ids)."""
        kept = []
        for item in self.items():
            if item["entity"] in ("inbox", "outbox"):
                continue
            document = item.get("document")
            if item["entity"] == "progress-summary":
                document = {**document, "completed_at": bool(document["completed_at"])}
            kept.append(
                {
                    "SK": item["SK"],
                    "PK": item["PK"],
                    "document": document,
                    "GSI1PK": item.get("GSI1PK"),
                    "completed": bool(item.get("completed_at")),
                }
            )
        return kept

    def emitted(self) -> list[str]:
        events = [json.loads(str(i["detail"])) for i in self.items() if i["entity"] == "outbox"]
        return sorted(e["type"].split(".")[2] + "/" + str(e["data"].get("achievement", "")) for e in events)

    def summary(self, student: str) -> dict[str, Any]:
        pk = keys.course_progress_pk(self.institution_id, student, self.course_id)
        return next(i for i in self.items() if i["PK"] == pk and i["SK"] == keys.PROGRESS_SUMMARY_SK)

    def outline(self) -> dict[str, Any]:
        pk = keys.progress_outline_pk(self.institution_id, self.course_id)
        item = next(i for i in self.items() if i["PK"] == pk)
        document: dict[str, Any] = item["document"]
        return document


def deliver(envelopes: list[EventEnvelope], max_passes: int = 30) -> list[bool]:
    """Deliver in the given order; an event that arrived early goes back to the end, as SQS retries it."""
    pending, answers = list(envelopes), []
    for _ in range(max_passes):
        retry = []
        for envelope in pending:
            try:
                answers.append(consumer.handle(envelope))
            except EventArrivedEarly:
                retry.append(envelope)
        if not retry:
            return answers
        pending = retry
    raise AssertionError(f"never handled: {[e.type for e in pending]}")


@pytest.fixture
def scene(progress_stack: Stack) -> Scene:
    return Scene(progress_stack)


EXPECTED_EVENTS = [
    "AchievementEarned/course-completed",
    "AchievementEarned/first-lesson-completed",
    "CourseCompleted/",
]


def test_the_history_in_order_builds_progress_completion_and_achievements(scene: Scene) -> None:
    assert all(deliver(scene.history()))
    outline = scene.outline()
    assert [lesson["id"] for lesson in outline["lessons"]] == scene.lessons[:3]
    assert outline["removed"] == [scene.lessons[3]]
    assert outline["instructor_ids"] == ["i-1", "i-2"]
    assert outline["archived_at"] is not None
    summary = scene.summary(scene.student)
    assert summary["completed_at"] == "2026-03-02T09:13:00.000Z"
    assert summary["GSI1PK"] == keys.course_learners_pk(scene.institution_id, scene.course_id)
    assert "GSI1PK" not in scene.summary(scene.classmate)
    assert scene.summary(scene.classmate)["document"]["enrollment"] == "dropped"
    assert scene.emitted() == EXPECTED_EVENTS


def test_a_duplicate_of_every_event_type_changes_nothing(scene: Scene) -> None:
    history = scene.history()
    deliver(history)
    before = scene.items()
    assert [consumer.handle(envelope) for envelope in history] == [False] * len(history)
    assert scene.items() == before


@pytest.mark.parametrize("index", [4, 13], ids=["LessonRemoved", "LessonCompleted"])
def test_a_duplicate_delivered_before_the_rest_is_still_handled_once(scene: Scene, index: int) -> None:
    history = scene.history()
    duplicated = [*history[: index + 1], history[index], *history[index + 1 :], history[index]]
    answers = deliver(duplicated)
    assert answers.count(False) == 2
    assert scene.emitted() == EXPECTED_EVENTS


def test_reversed_delivery_reaches_the_same_state(progress_stack: Stack) -> None:
    in_order = Scene(progress_stack)
    reversed_order = Scene(
        progress_stack, course_id=in_order.course_id, lessons=in_order.lessons, section_id=in_order.section_id
    )
    deliver(in_order.history())
    deliver(list(reversed(reversed_order.history())))
    assert _comparable(reversed_order) == _comparable(in_order)
    assert reversed_order.emitted() == EXPECTED_EVENTS


def _comparable(scene: Scene) -> list[dict[str, Any]]:
    return [
        {
            **item,
            "PK": item["PK"].replace(scene.institution_id, "I"),
            "GSI1PK": (item["GSI1PK"] or "").replace(scene.institution_id, "I"),
            "document": _without_times(item["document"]),
        }
        for item in scene.state()
    ]


def _without_times(document: Any) -> Any:
    if isinstance(document, dict):
        return {
            k: _without_times(v)
            for k, v in document.items()
            if not (k.endswith("_at") and k not in ("completed_at",)) and k not in ("event_id", "at")
        }
    if isinstance(document, list):
        return [_without_times(v) for v in document]
    return document


# ---------------------------------------------------------------- early events wait


def test_a_completion_before_the_enrollment_is_retried_not_lost(scene: Scene) -> None:
    history = scene.history()
    publication = history[:6]
    completion = scene.envelope(
        LessonCompleted(student_id=scene.student, course_id=scene.course_id, lesson_id=scene.lessons[0]),
        8,
        scene.student,
    )
    deliver(publication)
    with pytest.raises(EventArrivedEarly):
        consumer.handle(completion)
    assert not any(i["entity"] == "progress-summary" for i in scene.items())
    consumer.handle(history[6])  # StudentEnrolled
    assert consumer.handle(completion) is True
    assert scene.summary(scene.student)["document"]["marks"][scene.lessons[0]]["done"] is True


def test_a_completion_before_the_publication_is_retried(scene: Scene) -> None:
    history = scene.history()
    deliver([history[6]])  # enrolled, course unknown
    completion = history[8]
    with pytest.raises(EventArrivedEarly):
        consumer.handle(completion)
    deliver(history[:6])
    assert consumer.handle(completion) is True


def test_a_late_lesson_added_does_not_bring_back_a_removed_lesson(scene: Scene) -> None:
    history = scene.history()
    deliver([history[4], history[5], history[3]])  # removed, published, then its LessonAdded
    assert scene.lessons[3] not in [lesson["id"] for lesson in scene.outline()["lessons"]]


def test_an_older_enrollment_change_does_not_undo_a_newer_one(scene: Scene) -> None:
    history = scene.history()
    deliver([history[14], history[7]])  # dropped (14 min), then enrolled (7.5 min)
    assert scene.summary(scene.classmate)["document"]["enrollment"] == "dropped"


def test_an_older_instructor_list_does_not_replace_a_newer_one(scene: Scene) -> None:
    history = scene.history()
    deliver([history[12], history[5]])  # instructors changed (12 min), then published (6 min)
    assert scene.outline()["instructor_ids"] == ["i-1", "i-2"]


# ---------------------------------------------------------------- lessons added and removed


def test_removing_the_last_lesson_left_completes_the_course_once(scene: Scene) -> None:
    history = scene.history()
    c, s = scene.course_id, scene.student
    deliver(history[:9])  # l1 done; l2 and l3 not
    done_l2 = scene.envelope(LessonCompleted(student_id=s, course_id=c, lesson_id=scene.lessons[1]), 20, s)
    deliver([done_l2])
    removal = scene.envelope(LessonRemoved(course_id=c, lesson_id=scene.lessons[2]), 21, "i-1")
    assert consumer.handle(removal) is True
    assert scene.summary(s)["completed_at"] == "2026-03-02T09:21:00.000Z"
    assert scene.emitted() == EXPECTED_EVENTS
    assert consumer.handle(removal) is False
    assert scene.emitted() == EXPECTED_EVENTS


def test_a_lesson_added_after_publication_takes_its_place_and_does_not_undo_completion(scene: Scene) -> None:
    history = scene.history()
    deliver(history[:14])
    late = ids.new_id()
    added = LessonAdded(**{**scene._lesson(late, 2), "lesson_id": late})
    deliver([scene.envelope(added, 30)])
    lessons = [lesson["id"] for lesson in scene.outline()["lessons"]]
    assert lessons == [scene.lessons[0], late, scene.lessons[1], scene.lessons[2]]
    assert scene.summary(scene.student)["completed_at"]
    assert scene.emitted() == EXPECTED_EVENTS


# ---------------------------------------------------------------- streaks and timezones


def test_seven_days_in_a_row_in_the_student_s_time_zone_earn_a_streak(scene: Scene) -> None:
    lessons = [ids.new_id() for _ in range(8)]
    c, s = scene.course_id, scene.student
    published = CoursePublished(course_id=c, title="Daily", lesson_ids=lessons, instructor_ids=["i-1"])
    deliver(
        [
            scene.envelope(published, 0),
            scene.envelope(StudentEnrolled(course_id=c, student_id=s, enrolled_by=s), 1),
        ]
    )
    # 11:30 UTC is the next morning in Auckland (UTC+13): seven Auckland days, six UTC days
    # (two completions share the 2nd of March in UTC, 00:30 and 11:30 the next Auckland day).
    moments = [T0.replace(hour=0, minute=30)] + [
        T0.replace(hour=11, minute=30) + timedelta(days=d) for d in range(6)
    ]
    completions = [
        EventEnvelope(
            id=ids.new_id(),
            type=LessonCompleted.type_name(),
            occurred_at=at,
            institution_id=scene.institution_id,
            actor=Actor(user_id=s, roles=["students"]),
            data=LessonCompleted(
                student_id=s, course_id=c, lesson_id=lesson, timezone="Pacific/Auckland"
            ).model_dump(mode="json"),
        )
        for at, lesson in zip(moments, lessons, strict=False)
    ]
    deliver(list(reversed(completions)))
    assert "AchievementEarned/seven-day-streak" in scene.emitted()
    in_utc = Scene(scene.stack, course_id=scene.course_id, lessons=lessons)
    deliver(
        [
            in_utc.envelope(published, 0),
            in_utc.envelope(StudentEnrolled(course_id=c, student_id=s, enrolled_by=s), 1),
            *(
                e.model_copy(
                    update={
                        "id": ids.new_id(),
                        "institution_id": in_utc.institution_id,
                        "data": {**e.data, "timezone": "UTC"},
                    }
                )
                for e in completions
            ),
        ]
    )
    assert "AchievementEarned/seven-day-streak" not in in_utc.emitted()


# ---------------------------------------------------------------- through the queue


def _put_on_bus(stack: Stack, envelopes: list[EventEnvelope]) -> None:
    """Publish as the outbox relay does, ten per call."""
    events = boto3.client("events", region_name=stack.region)
    entries = [
        {
            "EventBusName": stack.bus_name,
            "Source": e.source,
            "DetailType": e.detail_type,
            "Detail": e.model_dump_json(),
        }
        for e in envelopes
    ]
    for start in range(0, len(entries), 10):
        assert events.put_events(Entries=entries[start : start + 10])["FailedEntryCount"] == 0


def test_every_event_type_reaches_the_consumer_through_its_rules(scene: Scene) -> None:
    _put_on_bus(scene.stack, scene.history())
    report = EventPump(scene.stack).drain(max_rounds=50)
    assert report.settled
    assert scene.emitted() == EXPECTED_EVENTS
    assert scene.outline()["instructor_ids"] == ["i-1", "i-2"]
    handled = [i for i in scene.items() if i["entity"] == "inbox" and "#INBOX#progress#" in i["PK"]]
    assert len(handled) == 16


def test_a_course_update_of_neither_instructors_nor_sections_is_not_delivered(scene: Scene) -> None:
    details_only = scene.envelope(
        CourseUpdated(course_id=scene.course_id, version=2, changed_fields=["title", "description"]), 1
    )
    _put_on_bus(scene.stack, [details_only])
    EventPump(scene.stack).drain()
    assert scene.items() == []


def test_an_event_that_never_becomes_handleable_ends_in_the_dlq_while_the_rest_proceed(scene: Scene) -> None:
    history = scene.history()
    orphan = scene.envelope(
        LessonCompleted(student_id="never-enrolled", course_id=scene.course_id, lesson_id=scene.lessons[0]),
        20,
    )
    poison = {"id": "poison-1", "type": "lms.progress.LessonCompleted.v1", "data": {"nonsense": True}}
    _put_on_bus(scene.stack, [*history[:10], orphan])
    events = boto3.client("events", region_name=scene.stack.region)
    events.put_events(
        Entries=[
            {
                "EventBusName": scene.stack.bus_name,
                "Source": "lms.progress",
                "DetailType": "LessonCompleted",
                "Detail": json.dumps(poison),
            }
        ]
    )
    pump = EventPump(scene.stack)
    report = pump.drain(max_rounds=60)
    receives = scene.stack.queues["ProgressEventsQueue"].max_receive_count
    assert report.failures == 2 * receives
    dead = [json.loads(m["body"])["detail"] for m in pump.dead_letters("ProgressEventsQueue")]
    assert poison in dead
    assert json.loads(orphan.model_dump_json()) in dead
    handled = {str(i["PK"]).rsplit("#", 1)[1] for i in scene.items() if i["entity"] == "inbox"}
    assert {e.id for e in history[:10]} <= handled
