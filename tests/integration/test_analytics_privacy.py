"""A learner's analytics in the privacy export, and their erasure: tombstones, counts as for a drop."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from infra.provision import Stack
from lms import ids
from lms.analytics import privacy
from lms.analytics.consumer import consumer
from lms.analytics.repository import DynamoAnalyticsRepository
from lms.auth import Principal, Role
from lms.events import DomainEvent
from lms.events.courses import CoursePublished, StudentEnrolled
from lms.events.progress import LessonCompleted
from tests.support.events import envelope, quiz_graded
from tests.support.tenant import Tenant

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def hear(tenant: Tenant, event: DomainEvent, minutes: int = 0) -> None:
    consumer.handle(envelope(event, tenant.institution_id, occurred_at=T0 + timedelta(minutes=minutes)))


def test_a_learner_s_analytics_are_exported_and_erased_and_the_counts_follow_the_roster(
    stack: Stack, tenant: Tenant
) -> None:
    course, lesson = ids.new_id(), ids.new_id()
    hear(tenant, CoursePublished(course_id=course, title="Optics", lesson_ids=[lesson], instructor_ids=["t"]))
    for student in ("gil", "hal"):
        hear(tenant, StudentEnrolled(course_id=course, student_id=student, enrolled_by=student), 1)
        hear(tenant, LessonCompleted(student_id=student, course_id=course, lesson_id=lesson), 2)

    exported = privacy.export(tenant.institution_id, "gil")

    [record] = exported["course_analytics"]
    assert (record["course_id"], record["enrollment"], record["lessons_done"]) == (
        course,
        "enrolled",
        [lesson],
    )
    assert exported["activity"][0]["active_days"] == ["2026-03-02"]

    admin = Principal(
        user_id="admin", institution_id=tenant.institution_id, roles=frozenset({Role.INSTITUTION_ADMIN})
    )
    privacy.erase(tenant.institution_id, "gil", admin)
    privacy.erase(tenant.institution_id, "gil", admin)  # again: nothing more changes

    assert privacy.export(tenant.institution_id, "gil") == {"course_analytics": [], "activity": []}
    store = DynamoAnalyticsRepository()
    counters = store.counters(tenant.institution_id, course).totals
    assert (counters["enrolled"], counters["dropped"], counters[f"lesson:{lesson}"]) == (1, 1, 1)
    rows, _ = store.rows(tenant.institution_id, course, "PROGRESS", False, 10, None)
    assert [r.student_id for r in rows] == ["hal"]
    assert gil_items(tenant) == [{"erased": True}, {"erased": True}]  # the course state, the activity

    hear(tenant, quiz_graded(course, ids.new_id(), "gil", "9"), 10)  # a late event of the erased learner
    assert gil_items(tenant) == [{"erased": True}, {"erased": True}]  # the course state, the activity
    assert store.counters(tenant.institution_id, course).totals == counters


def gil_items(tenant: Tenant) -> list[object]:
    return [
        json.loads(str(i["document"]))
        for i in tenant.items()
        if i["entity"] in ("analytics-learner", "analytics-activity") and i.get("student_id") == "gil"
    ]
