"""The daily inactivity sweep through its real handler: who it flags, and that a second run is harmless."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from infra.functions import LambdaContext, load_handler
from infra.provision import Stack
from lms import ids
from lms.analytics.consumer import consumer
from lms.events import DomainEvent
from lms.events.courses import CoursePublished, StudentEnrolled
from lms.events.progress import LessonCompleted
from tests.support.events import envelope
from tests.support.tenant import Tenant

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def sweep(stack: Stack, at: datetime) -> Any:
    spec = next(s for s in stack.functions if s.logical_id == "AnalyticsSweepFunction")
    event = {
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "time": at.strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
    return load_handler(spec)(event, LambdaContext.for_function(spec, region=stack.region))


def hear(tenant: Tenant, event: DomainEvent, at: datetime) -> None:
    assert consumer.handle(envelope(event, tenant.institution_id, occurred_at=at))


def status_events(tenant: Tenant) -> list[tuple[str, str, list[str]]]:
    found = []
    for e in tenant.events():
        kind = e["type"].split(".")[2]
        if kind == "LearnerAtRisk":
            found.append((kind, e["data"]["student_id"], [r["rule"] for r in e["data"]["reasons"]]))
        elif kind == "LearnerBackOnTrack":
            found.append((kind, e["data"]["student_id"], e["data"]["resolved"]))
    return found


def test_the_sweep_flags_the_inactive_once_and_activity_brings_them_back(
    stack: Stack, tenant: Tenant
) -> None:
    course, lessons = ids.new_id(), [ids.new_id(), ids.new_id()]
    idle, busy = "idle-learner", "busy-learner"
    hear(
        tenant,
        CoursePublished(course_id=course, title="Optics", lesson_ids=lessons, instructor_ids=["t"]),
        T0,
    )
    for student in (idle, busy):
        hear(tenant, StudentEnrolled(course_id=course, student_id=student, enrolled_by=student), T0)
    hear(
        tenant,
        LessonCompleted(student_id=busy, course_id=course, lesson_id=lessons[0]),
        T0 + timedelta(days=5),
    )

    swept_at = T0 + timedelta(days=8)
    assert sweep(stack, swept_at) == {"changed": 1}

    assert status_events(tenant) == [("LearnerAtRisk", idle, ["inactive"])]
    assert sweep(stack, swept_at) == {"changed": 0}  # the same run again: nothing left to change
    assert sweep(stack, swept_at + timedelta(hours=1)) == {"changed": 0}  # judged inactive: out of the index
    assert len(status_events(tenant)) == 1

    hear(
        tenant,
        LessonCompleted(student_id=idle, course_id=course, lesson_id=lessons[0]),
        swept_at + timedelta(hours=2),
    )

    assert status_events(tenant)[1:] == [("LearnerBackOnTrack", idle, ["inactive"])]
    assert sweep(stack, T0 + timedelta(days=13)) == {"changed": 1}  # busy: idle since day 5
    assert status_events(tenant)[2:] == [("LearnerAtRisk", busy, ["inactive"])]
