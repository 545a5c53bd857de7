"""The progress consumer over moto: every handled event type delivered twice and out of order."""

from __future__ import annotations

import json
from datetime import timedelta

import boto3
import pytest

from infra.provision import Stack
from infra.pump import EventPump
from lms import ids, keys
from lms.events import EventEnvelope
from lms.events.courses import (
    CoursePublished,
    CourseUpdated,
    LessonAdded,
    LessonRemoved,
    StudentEnrolled,
)
from lms.events.envelope import Actor
from lms.events.progress import LessonCompleted
from lms.progress.consumer import consumer
from lms.progress.errors import EventArrivedEarly
from tests.support.events import put_on_bus
from tests.support.progress import EXPECTED_EVENTS, T0, Scene, comparable, deliver


@pytest.fixture
def scene(stack: Stack) -> Scene:
    return Scene(stack)


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


def test_reversed_delivery_reaches_the_same_state(stack: Stack) -> None:
    in_order = Scene(stack)
    reversed_order = Scene(
        stack, course_id=in_order.course_id, lessons=in_order.lessons, section_id=in_order.section_id
    )
    deliver(in_order.history())
    deliver(list(reversed(reversed_order.history())))
    assert comparable(reversed_order) == comparable(in_order)
    assert reversed_order.emitted() == EXPECTED_EVENTS


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


def test_every_event_type_reaches_the_consumer_through_its_rules(scene: Scene) -> None:
    put_on_bus(scene.stack, *scene.history())
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
    put_on_bus(scene.stack, details_only)
    EventPump(scene.stack, consumers={"ProgressConsumerFunction"}).drain()
    assert scene.items() == []


def test_an_event_that_never_becomes_handleable_ends_in_the_dlq_while_the_rest_proceed(scene: Scene) -> None:
    history = scene.history()
    orphan = scene.envelope(
        LessonCompleted(student_id="never-enrolled", course_id=scene.course_id, lesson_id=scene.lessons[0]),
        20,
    )
    poison = {"id": "poison-1", "type": "lms.progress.LessonCompleted.v1", "data": {"nonsense": True}}
    put_on_bus(scene.stack, *history[:10], orphan)
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
    pump = EventPump(scene.stack, consumers={"ProgressConsumerFunction"})
    report = pump.drain(max_rounds=60)
    receives = scene.stack.queues["ProgressEventsQueue"].max_receive_count
    assert report.failures == 2 * receives
    dead = [json.loads(m["body"])["detail"] for m in pump.dead_letters("ProgressEventsQueue")]
    assert poison in dead
    assert json.loads(orphan.model_dump_json()) in dead
    handled = {str(i["PK"]).rsplit("#", 1)[1] for i in scene.items() if i["entity"] == "inbox"}
    assert {e.id for e in history[:10]} <= handled
