"""The progress consumer over moto: quizzes required for completion and their grades, lessons and
sections moved in the catalog; duplicates, out-of-order deliveries, the rules and the DLQ.

A module of its own: a fresh table (moto's transactions slow down as the table grows).
"""

from __future__ import annotations

import json

import boto3
import pytest

from infra.provision import Stack
from infra.pump import EventPump
from lms.auth import Principal, Role
from lms.events import EventEnvelope
from lms.events.courses import CourseUpdated, LessonRemoved, LessonUpdated
from lms.persistence.outbox import outbox_item
from lms.progress.consumer import consumer
from lms.progress.errors import EventArrivedEarly
from tests.support.events import put_on_bus
from tests.support.progress import EXPECTED_EVENTS, Scene, comparable, deliver


@pytest.fixture
def scene(stack: Stack) -> Scene:
    return Scene(stack)


# ---------------------------------------------------------------- lessons and sections moved


def _moved(scene: Scene, version: int, order: list[str], minutes: float) -> EventEnvelope:
    moved = LessonUpdated(
        course_id=scene.course_id,
        lesson_id=order[0],
        section_id=scene.section_id,
        position=1,
        changed_fields=["position"],
        course_version=version,
        lesson_ids=order,
    )
    return scene.envelope(moved, minutes, scene.instructor)


def _lesson_ids(scene: Scene) -> list[str]:
    return [lesson["id"] for lesson in scene.outline()["lessons"]]


def test_a_moved_lesson_takes_its_new_place_and_an_older_move_arriving_late_changes_nothing(
    scene: Scene,
) -> None:
    l1, l2, l3, _ = scene.lessons
    deliver(scene.history()[:6])  # published, from events that carried no order
    newer, older = _moved(scene, 10, [l3, l1, l2], 30), _moved(scene, 9, [l2, l1, l3], 20)
    assert consumer.handle(newer) is True
    assert _lesson_ids(scene) == [l3, l1, l2]
    before = scene.items()
    assert consumer.handle(older) is True
    assert consumer.handle(newer) is False
    assert [i for i in scene.items() if i["entity"] != "inbox"] == [
        i for i in before if i["entity"] != "inbox"
    ]
    assert scene.outline()["order_version"] == 10


def test_a_section_move_reorders_the_lessons_and_a_lesson_removed_later_never_returns(scene: Scene) -> None:
    l1, l2, l3, _ = scene.lessons
    deliver(scene.history()[:6])
    sections_moved = CourseUpdated(
        course_id=scene.course_id, version=11, changed_fields=["sections"], lesson_ids=[l2, l3, l1]
    )
    removed = LessonRemoved(course_id=scene.course_id, lesson_id=l2, course_version=12, lesson_ids=[l3, l1])
    deliver([scene.envelope(removed, 40), scene.envelope(sections_moved, 30)])
    assert _lesson_ids(scene) == [l3, l1]
    assert l2 in scene.outline()["removed"]


def test_moves_reach_the_consumer_through_the_rules(scene: Scene) -> None:
    l1, l2, l3, _ = scene.lessons
    sections_moved = CourseUpdated(
        course_id=scene.course_id, version=11, changed_fields=["sections"], lesson_ids=[l2, l3, l1]
    )
    put_on_bus(
        scene.stack,
        *scene.history()[:6],
        _moved(scene, 10, [l3, l1, l2], 30),
        scene.envelope(sections_moved, 31),
    )
    assert EventPump(scene.stack).drain(max_rounds=50).settled
    assert _lesson_ids(scene) == [l2, l3, l1]


# ---------------------------------------------------------------- quizzes required for completion


def test_a_required_quiz_keeps_the_course_open_until_the_student_passes_it(scene: Scene) -> None:
    history = scene.quiz_history()
    assert all(deliver(history[:-1]))
    summary = scene.summary(scene.student)
    assert "completed_at" not in summary
    assert summary["document"]["quizzes"] == {scene.quiz_id: {"passed": False, "revision": 1}}
    assert scene.outline()["required_quizzes"][0]["id"] == scene.quiz_id
    assert "CourseCompleted/" not in scene.emitted()
    assert consumer.handle(history[-1]) is True
    summary = scene.summary(scene.student)
    assert summary["completed_at"] == "2026-03-02T09:20:00.000Z"
    assert summary["document"]["quizzes"] == {scene.quiz_id: {"passed": True, "revision": 2}}
    assert scene.emitted() == EXPECTED_EVENTS


def test_a_duplicate_of_each_quiz_event_changes_nothing(scene: Scene) -> None:
    history = scene.quiz_history()
    deliver(history)
    before = scene.items()
    quiz_events = [e for e in history if e.source == "lms.assessments"]
    assert [consumer.handle(e) for e in quiz_events] == [False, False, False]
    assert scene.items() == before


def test_quiz_events_in_reverse_reach_the_same_state_and_complete_once(stack: Stack) -> None:
    in_order = Scene(stack)
    reversed_order = Scene(
        stack,
        course_id=in_order.course_id,
        lessons=in_order.lessons,
        section_id=in_order.section_id,
        quiz_id=in_order.quiz_id,
    )
    deliver(in_order.quiz_history())
    deliver(list(reversed(reversed_order.quiz_history())))
    assert comparable(reversed_order) == comparable(in_order)
    assert reversed_order.emitted() == EXPECTED_EVENTS
    document = reversed_order.summary(reversed_order.student)["document"]
    assert document["quizzes"] == {in_order.quiz_id: {"passed": True, "revision": 2}}


def test_a_grade_before_the_enrollment_is_retried_not_lost(scene: Scene) -> None:
    graded = scene.quiz_graded(12.5, passed=True, revision=1)
    with pytest.raises(EventArrivedEarly):
        consumer.handle(graded)
    assert scene.items() == []
    deliver([scene.history()[6]])  # StudentEnrolled
    assert consumer.handle(graded) is True
    assert scene.summary(scene.student)["document"]["quizzes"][scene.quiz_id]["passed"] is True


def test_a_pass_graded_before_the_quiz_s_publication_counts_once_it_is_required(scene: Scene) -> None:
    history = scene.history()[:-1]
    deliver([*history, scene.quiz_graded(12.5, passed=True, revision=1)])  # completes: quiz unknown
    assert scene.summary(scene.student)["completed_at"]
    deliver([scene.quiz_published(6.5)])
    assert scene.emitted() == EXPECTED_EVENTS


def test_a_regrade_that_fails_the_quiz_leaves_the_completed_course_completed(scene: Scene) -> None:
    deliver(scene.quiz_history())
    assert consumer.handle(scene.quiz_graded(30, passed=False, revision=3)) is True
    summary = scene.summary(scene.student)
    assert summary["completed_at"] == "2026-03-02T09:20:00.000Z"
    assert summary["document"]["quizzes"] == {scene.quiz_id: {"passed": False, "revision": 3}}
    assert consumer.handle(scene.quiz_graded(25, passed=True, revision=2)) is True  # older: changes nothing
    assert scene.summary(scene.student)["document"]["quizzes"][scene.quiz_id]["revision"] == 3
    assert scene.emitted() == EXPECTED_EVENTS


def test_a_quiz_not_required_for_completion_is_ignored(scene: Scene) -> None:
    history = scene.history()[:-1]
    optional = [
        scene.quiz_published(6.5, required=False),
        scene.quiz_graded(12.5, passed=False, revision=1, required=False),
    ]
    assert all(deliver([*history[:6], *optional, *history[6:]]))
    assert scene.outline()["required_quizzes"] == []
    assert scene.summary(scene.student)["document"]["quizzes"] == {}
    assert scene.emitted() == EXPECTED_EVENTS


def test_required_quiz_events_reach_the_consumer_through_the_rules_and_others_do_not(scene: Scene) -> None:
    history = scene.quiz_history()
    optional = scene.quiz_graded(21, passed=False, revision=3, required=False)
    put_on_bus(scene.stack, *history, optional)
    assert EventPump(scene.stack, consumers={"ProgressConsumerFunction"}).drain(max_rounds=60).settled
    assert scene.emitted() == EXPECTED_EVENTS
    handled = {i["PK"].rsplit("#", 1)[1] for i in scene.items() if "#INBOX#progress#" in i["PK"]}
    assert {e.id for e in history} <= handled
    assert optional.id not in handled


def test_quiz_events_written_through_the_outbox_complete_the_course(scene: Scene) -> None:
    """The assessments context writes its events as outbox items; the relay puts them on the bus."""
    history = scene.quiz_history()
    published, *grades = [e for e in history if e.source == "lms.assessments"]
    assessments = Principal(
        user_id=scene.instructor, institution_id=scene.institution_id, roles=frozenset({Role.INSTRUCTOR})
    )

    def through_the_outbox(envelopes: list[EventEnvelope]) -> None:
        for envelope in envelopes:
            outbox_item(envelope.parse_data(), scene.institution_id, assessments).save()
        assert EventPump(scene.stack, consumers={"ProgressConsumerFunction"}).drain(max_rounds=60).settled

    through_the_outbox([published])
    put_on_bus(scene.stack, *[e for e in history if e.source != "lms.assessments"])
    assert EventPump(scene.stack, consumers={"ProgressConsumerFunction"}).drain(max_rounds=60).settled
    assert "CourseCompleted/" not in scene.emitted()
    through_the_outbox(grades)
    assert scene.summary(scene.student)["completed_at"]
    assert [e for e in scene.emitted() if not e.startswith("Quiz")] == EXPECTED_EVENTS


def test_a_malformed_quiz_grade_ends_in_the_dlq_while_the_rest_proceed(scene: Scene) -> None:
    history = scene.quiz_history()
    poison = {
        "id": "poison-quiz",
        "type": "lms.assessments.QuizGraded.v1",
        "data": {"required_for_completion": True, "passed": "perhaps"},
    }
    put_on_bus(scene.stack, *history)
    boto3.client("events", region_name=scene.stack.region).put_events(
        Entries=[
            {
                "EventBusName": scene.stack.bus_name,
                "Source": "lms.assessments",
                "DetailType": "QuizGraded",
                "Detail": json.dumps(poison),
            }
        ]
    )
    pump = EventPump(scene.stack, consumers={"ProgressConsumerFunction"})
    assert pump.drain(max_rounds=60).settled
    dead = [json.loads(m["body"])["detail"] for m in pump.dead_letters("ProgressEventsQueue")]
    assert poison in dead
    assert not {e.id for e in history} & {d["id"] for d in dead}
    assert scene.emitted() == EXPECTED_EVENTS
