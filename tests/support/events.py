"""Domain events as other contexts produce them, and the ways tests deliver them.

Builders make one event each with the fields a test cares about as arguments; `put_on_bus` publishes
envelopes as the outbox relay does; `emit` writes events to the outbox as a producer's transaction
does; `drained` runs the event pipeline until nothing is left to deliver.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import boto3

from infra.provision import Stack
from infra.pump import DrainReport, EventPump
from lms import clock, ids
from lms.auth import Principal, Role
from lms.events import DomainEvent, EventEnvelope
from lms.events.assessments import AssignmentPublished, GradeReleased, QuizGraded, QuizPublished
from lms.events.courses import StudentEnrolled
from lms.events.envelope import Actor
from lms.persistence.outbox import outbox_item

GRADED_AT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def quiz_published(
    course_id: str, quiz_id: str, title: str = "Quiz", points: str = "10", **extra: Any
) -> QuizPublished:
    return QuizPublished(
        course_id=course_id,
        quiz_id=quiz_id,
        title=title,
        points=Decimal(points),
        gradebook_category=extra.pop("category", "quizzes"),
        required_for_completion=extra.pop("required_for_completion", False),
        **extra,
    )


def assignment_published(
    course_id: str, assignment_id: str, title: str = "Essay", points: str = "100"
) -> AssignmentPublished:
    return AssignmentPublished(
        course_id=course_id,
        assignment_id=assignment_id,
        title=title,
        points=Decimal(points),
        gradebook_category="assignments",
    )


def quiz_graded(
    course_id: str,
    quiz_id: str,
    student_id: str,
    score: str,
    *,
    revision: int = 1,
    points: str = "10",
    passed: bool = True,
    required: bool = False,
    regrade: bool = False,
    attempt_id: str = "",
    graded_at: datetime = GRADED_AT,
) -> QuizGraded:
    return QuizGraded(
        course_id=course_id,
        quiz_id=quiz_id,
        student_id=student_id,
        attempt_id=attempt_id or ids.new_id(),
        attempt_score=Decimal(score),
        score=Decimal(score),
        points=Decimal(points),
        passed=passed,
        required_for_completion=required,
        revision=revision,
        regrade=regrade,
        graded_at=graded_at,
    )


def grade_released(
    course_id: str, assignment_id: str, student_id: str, score: str, revision: int = 1, points: str = "100"
) -> GradeReleased:
    return GradeReleased(
        course_id=course_id,
        assessment_id=assignment_id,
        kind="assignment",
        student_id=student_id,
        score=Decimal(score),
        points=Decimal(points),
        revision=revision,
        released_at=GRADED_AT,
    )


def enrolled(course_id: str, *student_ids: str) -> list[DomainEvent]:
    return [StudentEnrolled(course_id=course_id, student_id=s, enrolled_by=s) for s in student_ids]


def envelope(
    event: DomainEvent,
    institution_id: str,
    *,
    actor: str = "producer",
    roles: Iterable[str] = ("instructors",),
    occurred_at: datetime | None = None,
) -> EventEnvelope:
    """The envelope the producing context's outbox would publish for the event."""
    return EventEnvelope(
        id=ids.new_id(),
        type=event.type_name(),
        occurred_at=occurred_at or clock.now(),
        institution_id=institution_id,
        actor=Actor(user_id=actor, roles=list(roles)),
        data=event.model_dump(mode="json"),
    )


def put_on_bus(
    stack: Stack, *envelopes: EventEnvelope | dict[str, Any], endpoint_url: str | None = None
) -> None:
    """Publish as the outbox relay does, ten per call. A dict is sent as it is (a stored envelope
    delivered again, or a malformed one)."""
    client = boto3.client("events", region_name=stack.region, endpoint_url=endpoint_url)
    entries = []
    for sent in envelopes:
        if isinstance(sent, EventEnvelope):
            source, detail_type, detail = sent.source, sent.detail_type, sent.model_dump_json()
        else:
            source, detail_type, _ = str(sent["type"]).rsplit(".", 2)
            detail = json.dumps(sent)
        entries.append(
            {"EventBusName": stack.bus_name, "Source": source, "DetailType": detail_type, "Detail": detail}
        )
    for start in range(0, len(entries), 10):
        assert client.put_events(Entries=entries[start : start + 10])["FailedEntryCount"] == 0


def emit(institution_id: str, *events: DomainEvent, actor: str = "producer") -> None:
    """Write the events to the outbox, as the producing context's transaction does."""
    principal = Principal(user_id=actor, institution_id=institution_id, roles=frozenset({Role.INSTRUCTOR}))
    for event in events:
        outbox_item(event, institution_id, principal).save()


def drained(stack: Stack, max_rounds: int = 50, consumers: Collection[str] | None = None) -> DrainReport:
    """Run the pipeline (stream, relay, bus, queues, consumers: all, or the named ones) until it settles."""
    report = EventPump(stack, consumers=consumers).drain(max_rounds=max_rounds)
    assert report.settled
    return report
