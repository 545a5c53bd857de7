"""Progress as the events of other contexts build it: one institution's course as a scene of events,
delivered to the progress consumer in any order."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import boto3

from infra.provision import Stack
from lms import ids, keys
from lms.events import DomainEvent, EventEnvelope
from lms.events.courses import (
    CourseArchived,
    CoursePublished,
    CourseUpdated,
    LessonAdded,
    LessonRemoved,
    StudentDropped,
    StudentEnrolled,
)
from lms.events.progress import LessonCompleted, LessonCompletionUndone
from lms.progress.consumer import consumer
from lms.progress.errors import EventArrivedEarly
from tests.support.events import envelope, quiz_graded, quiz_published

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
        occurred_at = T0 + timedelta(minutes=minutes)
        return envelope(event, self.institution_id, actor=actor, roles=["students"], occurred_at=occurred_at)

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
        published = quiz_published(
            self.course_id,
            self.quiz_id,
            "Check your optics",
            lesson_id=self.lessons[2],
            required_for_completion=required,
            passing_score=Decimal("6"),
        )
        return self.envelope(published, minutes, self.instructor)

    def quiz_graded(
        self, minutes: float, *, passed: bool, revision: int, student: str = "", required: bool = True
    ) -> EventEnvelope:
        graded = quiz_graded(
            self.course_id,
            self.quiz_id,
            student or self.student,
            "8.5" if passed else "3.25",
            passed=passed,
            required=required,
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
        for delivered in pending:
            try:
                answers.append(consumer.handle(delivered))
            except EventArrivedEarly:
                retry.append(delivered)
        if not retry:
            return answers
        pending = retry
    raise AssertionError(f"never handled: {[e.type for e in pending]}")


EXPECTED_EVENTS = [
    "AchievementEarned/course-completed",
    "AchievementEarned/first-lesson-completed",
    "CourseCompleted/",
]


def comparable(scene: Scene) -> list[dict[str, Any]]:
    return [
        {
            **item,
            "PK": item["PK"].replace(scene.institution_id, "I"),
            "GSI1PK": (item["GSI1PK"] or "").replace(scene.institution_id, "I"),
            "document": without_times(item["document"]),
        }
        for item in scene.state()
    ]


def without_times(document: Any) -> Any:
    if isinstance(document, dict):
        return {
            k: without_times(v)
            for k, v in document.items()
            if not (k.endswith("_at") and k not in ("completed_at",)) and k not in ("event_id", "at")
        }
    if isinstance(document, list):
        return [without_times(v) for v in document]
    return document
