"""Table stream → outbox relay → EventBridge bus → rule → SQS → progress consumer, over moto."""

from __future__ import annotations

import json

import pytest

from infra.provision import Stack
from infra.pump import EventPump
from lms.settings import get_settings
from tests.support.courses import add_lesson, add_section, create_course, published_course
from tests.support.events import put_on_bus
from tests.support.tenant import Tenant


def handled_types(tenant: Tenant) -> list[str]:
    return sorted(str(i["event_type"]).split(".")[2] for i in tenant.items() if i["entity"] == "inbox")


def test_catalog_events_reach_the_progress_consumer(stack: Stack, tenant: Tenant) -> None:
    published_course(tenant.instructor())
    report = EventPump(stack, consumers={"ProgressConsumerFunction"}).drain()
    assert report.settled
    # The rules route what progress needs (LessonAdded, CoursePublished, the section added: the
    # lesson order), not CourseCreated.
    assert handled_types(tenant) == ["CoursePublished", "CourseUpdated", "LessonAdded"]
    inbox = [i for i in tenant.items() if i["entity"] == "inbox"]
    outbox_ids = {e["id"] for e in tenant.events()}
    assert {str(i["PK"]).rsplit("#", 1)[1] for i in inbox} <= outbox_ids


def test_a_duplicate_delivery_changes_nothing(stack: Stack, tenant: Tenant) -> None:
    instructor = tenant.instructor()
    course = create_course(instructor)
    add_lesson(instructor, course["id"], add_section(instructor, course["id"])["id"])
    pump = EventPump(stack)
    pump.drain()
    lesson_added = next(e for e in tenant.events() if e["type"].endswith("LessonAdded.v1"))
    before = [i for i in tenant.items() if i["entity"] == "inbox"]
    put_on_bus(stack, lesson_added, lesson_added)
    report = pump.drain()
    assert report.failures == 0
    assert report.messages >= 2
    assert [i for i in tenant.items() if i["entity"] == "inbox"] == before


def test_a_poison_event_ends_in_the_dlq_and_the_rest_of_the_batch_proceeds(
    stack: Stack, tenant: Tenant
) -> None:
    instructor = tenant.instructor()
    course = create_course(instructor)
    add_lesson(instructor, course["id"], add_section(instructor, course["id"])["id"])
    pump = EventPump(stack, consumers={"ProgressConsumerFunction"})
    pump.drain()
    good = next(e for e in tenant.events() if e["type"].endswith("LessonAdded.v1"))
    # Not yet handled by progress: a fresh id for the same event data.
    fresh = {**good, "id": good["id"][:-4] + "ZZZZ"}
    poison = {"id": "poison-1", "type": "lms.courses.LessonAdded.v1", "data": {"nonsense": True}}
    put_on_bus(stack, poison, fresh)
    report = pump.drain(max_rounds=50)
    assert report.failures == stack.queues["ProgressEventsQueue"].max_receive_count
    dead = [json.loads(m["body"])["detail"] for m in pump.dead_letters("ProgressEventsQueue")]
    assert poison in dead
    assert fresh not in dead
    inbox_ids = {str(i["PK"]).rsplit("#", 1)[1] for i in tenant.items() if i["entity"] == "inbox"}
    assert fresh["id"] in inbox_ids


def test_an_unreachable_bus_delays_events_but_loses_none(
    stack: Stack, tenant: Tenant, monkeypatch: pytest.MonkeyPatch
) -> None:
    instructor = tenant.instructor()
    course = create_course(instructor)
    add_lesson(instructor, course["id"], add_section(instructor, course["id"])["id"])
    pump = EventPump(stack)
    pump.drain()
    assert instructor.post(f"/courses/{course['id']}/publish").status == 200
    monkeypatch.setenv("EVENT_BUS_NAME", "lms-bus-that-does-not-exist")
    monkeypatch.setitem(stack.env, "EVENT_BUS_NAME", "lms-bus-that-does-not-exist")
    get_settings.cache_clear()
    try:
        failing = pump.drain(max_rounds=3)
        assert failing.failures > 0
        assert "CoursePublished" not in handled_types(tenant)
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()
    pump.drain()
    assert "CoursePublished" in handled_types(tenant)
