"""Scheduled announcements: visible at their time, announced once however often the scheduler runs.

The scheduler is invoked as its schedule would invoke it (EventPump.invoke_scheduled), at the time
the test names: the scheduled event's `time`, so no test waits for a minute to pass.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from infra.provision import Stack
from infra.pump import EventPump
from tests.support.announcements import Course, board, events_of
from tests.support.tenant import Tenant

SCHEDULER = "AnnouncementSchedulerFunction"


@pytest.fixture(scope="module")
def course(stack: Stack, gateway: Any) -> Course:
    return Course(Tenant(stack, gateway))


def run_scheduler(stack: Stack, at: datetime) -> None:
    EventPump(stack).invoke_scheduled(SCHEDULER, at=at)


def published(course: Course, announcement_id: str) -> list[dict[str, Any]]:
    return [
        e
        for e in events_of(course.tenant, "AnnouncementPublished")
        if e["data"]["announcement_id"] == announcement_id
    ]


def due_markers(course: Course) -> list[dict[str, Any]]:
    return [i for i in course.tenant.items() if i["entity"] == "announcement-due"]


def later(minutes: int) -> datetime:
    return (datetime.now(UTC) + timedelta(minutes=minutes)).replace(microsecond=0)


def test_a_scheduled_announcement_is_published_and_announced_once_at_its_time(
    stack: Stack, course: Course
) -> None:
    at = later(60)
    made = course.post(title="Office hours", publish_at=at.isoformat())
    path = f"{board(course.id)}/{made['id']}"

    run_scheduler(stack, at - timedelta(minutes=1))
    assert course.student.get(path).status == 404
    assert published(course, made["id"]) == []

    for moment in (at, at, at + timedelta(seconds=30), at + timedelta(minutes=1)):
        run_scheduler(stack, moment)

    events = published(course, made["id"])
    assert len(events) == 1
    assert events[0]["data"]["published_at"].startswith(at.strftime("%Y-%m-%dT%H:%M:%S"))
    assert events[0]["actor"]["user_id"] == course.instructor.user_id
    shown = course.instructor.get(path).json()
    assert (shown["status"], shown["version"]) == ("published", 2)
    assert due_markers(course) == []


def test_a_deleted_or_rescheduled_announcement_is_not_published_at_its_old_time(
    stack: Stack, course: Course
) -> None:
    at = later(120)
    deleted = course.post(title="Cancelled", publish_at=at.isoformat())
    moved = course.post(title="Moved", publish_at=at.isoformat())
    assert course.instructor.delete(f"{board(course.id)}/{deleted['id']}").status == 204
    moved_to = at + timedelta(days=1)
    path = f"{board(course.id)}/{moved['id']}"
    assert course.instructor.patch(path, {"publish_at": moved_to.isoformat()}, version=1).status == 200

    run_scheduler(stack, at + timedelta(minutes=1))

    assert published(course, deleted["id"]) == published(course, moved["id"]) == []
    assert course.instructor.get(path).json()["status"] == "scheduled"
    run_scheduler(stack, moved_to)
    assert len(published(course, moved["id"])) == 1


def test_an_edit_after_the_publication_is_announced_as_an_edit_not_a_second_publication(
    stack: Stack, course: Course
) -> None:
    made = course.post(title="Soon", publish_at=later(60).isoformat())
    path = f"{board(course.id)}/{made['id']}"
    run_scheduler(stack, later(61))
    assert course.instructor.patch(path, {"title": "Now"}, version=2).status == 200

    run_scheduler(stack, later(62))

    assert len(published(course, made["id"])) == 1
    assert [e["data"]["announcement_id"] for e in events_of(course.tenant, "AnnouncementEdited")].count(
        made["id"]
    ) == 1
