"""Course completion happens exactly once, whatever order and how often the events arrive.

The consumer applies each event with the domain's rules (lms.progress.domain); here the same rules
are folded over every delivery order hypothesis finds, with the consumer's two delivery rules: a
duplicate (same event id) changes nothing, and a completion or a quiz grade that needs the
enrollment or the published course waits until they have been applied (SQS retries it).

Two histories: the catalog's events without a lesson order (as committed before they carried
one) and with it (the course version and the order after each change, a lesson moved), the
latter with a quiz required for completion, failed and then passed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lms.progress import domain
from lms.progress.domain import CatalogOrder, CourseOutline, Enrollment, LearnerProgress, LearningActivity

T0 = datetime(2026, 3, 2, 9, tzinfo=UTC)
LESSONS = ["L1", "L2", "L3", "L4"]


@dataclass(frozen=True)
class Event:
    id: str
    kind: str  # added | removed | moved | published | enrolled | done | undone | quiz-published | graded
    minute: float
    lesson: str = ""
    position: int = 0
    lessons: tuple[str, ...] = ()
    course_version: int | None = None  # with `lessons`: the catalog's order after the change
    quiz: str = ""
    passed: bool = False
    revision: int = 0

    @property
    def order(self) -> CatalogOrder | None:
        if self.course_version is None:
            return None
        return CatalogOrder(course_version=self.course_version, lesson_ids=list(self.lessons))

    @property
    def at(self) -> datetime:
        return T0 + timedelta(minutes=self.minute)


@dataclass
class Consumer:
    """The progress consumer's state for one student in one course, in memory."""

    outline: CourseOutline = field(default_factory=lambda: CourseOutline(course_id="C"))
    progress: LearnerProgress | None = None
    activity: LearningActivity = field(default_factory=lambda: LearningActivity(student_id="S"))
    handled: set[str] = field(default_factory=set)
    completions: int = 0
    completed_after: set[str] = field(default_factory=set)  # the events applied when it completed
    applying: str = ""
    earned: list[str] = field(default_factory=list)

    def apply(self, event: Event) -> bool:
        """False when the event arrived early and must be retried."""
        if event.id in self.handled:
            return True
        self.applying = event.id
        if event.kind == "added":
            self.outline = domain.add_lesson(
                self.outline, event.lesson, "S1", event.position, event.at, event.order
            )
        elif event.kind == "removed":
            self.outline = domain.remove_lesson(self.outline, event.lesson, event.order)
            self._settle(event.at)
        elif event.kind == "moved":
            self.outline = domain.arrange(self.outline, event.order)
        elif event.kind == "published":
            self.outline = domain.publish(
                self.outline, "Optics", list(event.lessons), ["T"], event.at, event.course_version
            )
        elif event.kind == "enrolled":
            current = self.progress or LearnerProgress(student_id="S", course_id="C")
            self.progress = domain.change_enrollment(current, Enrollment.ENROLLED, event.at)
        elif event.kind == "quiz-published":
            self.outline = domain.require_quiz(self.outline, event.quiz, "Check", None, event.at)
        elif event.kind == "graded":
            if self.progress is None:
                return False
            learned = domain.learn_quiz(
                self.progress,
                self.outline,
                self.activity,
                quiz_id=event.quiz,
                passed=event.passed,
                revision=event.revision,
                at=event.at,
            )
            self._take(learned)
        else:
            if self.progress is None or not self.outline.published or not self.outline.knows(event.lesson):
                return False
            learned = domain.learn(
                self.progress,
                self.outline,
                self.activity,
                lesson_id=event.lesson,
                done=event.kind == "done",
                at=event.at,
                event_id=event.id,
            )
            self._take(learned)
        self.handled.add(event.id)
        return True

    def _settle(self, at: datetime) -> None:
        if self.progress is not None and self.progress.enrollment == Enrollment.ENROLLED:
            self._take(domain.settle(self.progress, self.outline, self.activity, at))

    def _take(self, learned: domain.Learned) -> None:
        self.progress, self.activity = learned.progress, learned.activity
        self.completions += learned.course_completed
        if learned.course_completed:
            self.completed_after = {*self.handled, self.applying}
        self.earned += [e.key for e in learned.earned]


def deliver(events: list[Event]) -> Consumer:
    consumer, pending = Consumer(), list(events)
    for _ in range(len(events) + 1):
        pending = [e for e in pending if not consumer.apply(e)]
        if not pending:
            return consumer
    raise AssertionError(f"never handled: {pending}")


def history() -> list[Event]:
    """L4 removed before publication; L1-L3 done, L2 undone and redone; the course completes."""
    return [
        *(
            Event(f"add-{lesson}", "added", i, lesson=lesson, position=i + 1)
            for i, lesson in enumerate(LESSONS)
        ),
        Event("remove-L4", "removed", 5, lesson="L4"),
        Event("publish", "published", 6, lessons=("L1", "L2", "L3")),
        Event("enroll", "enrolled", 7),
        Event("done-L1", "done", 8, lesson="L1"),
        Event("done-L2", "done", 9, lesson="L2"),
        Event("undo-L2", "undone", 10, lesson="L2"),
        Event("redo-L2", "done", 11, lesson="L2"),
        Event("done-L3", "done", 12, lesson="L3"),
    ]


def ordered(*lessons: str) -> tuple[str, ...]:
    return lessons


def history_with_a_required_quiz() -> list[Event]:
    """The history with the catalog's order on each change (L3 moved first after publication) and a
    required quiz Q, failed (revision 1) and passed (revision 2) after the last lesson."""
    added = [
        Event(f"add-{lesson}", "added", i, lesson=lesson, position=i + 1, lessons=tuple(LESSONS[: i + 1]))
        for i, lesson in enumerate(LESSONS)
    ]
    versioned = [e.__class__(**{**e.__dict__, "course_version": i + 2}) for i, e in enumerate(added)]
    return [
        *versioned,
        Event("remove-L4", "removed", 5, lesson="L4", lessons=ordered("L1", "L2", "L3"), course_version=6),
        Event("publish", "published", 6, lessons=ordered("L1", "L2", "L3"), course_version=7),
        Event("publish-Q", "quiz-published", 6.5, quiz="Q"),
        Event("enroll", "enrolled", 7),
        Event("done-L1", "done", 8, lesson="L1"),
        Event("grade-Q-1", "graded", 8.5, quiz="Q", passed=False, revision=1),
        Event("done-L2", "done", 9, lesson="L2"),
        Event("undo-L2", "undone", 10, lesson="L2"),
        Event("redo-L2", "done", 11, lesson="L2"),
        Event("move-L3", "moved", 11.5, lessons=ordered("L3", "L1", "L2"), course_version=8),
        Event("done-L3", "done", 12, lesson="L3"),
        Event("grade-Q-2", "graded", 13, quiz="Q", passed=True, revision=2),
    ]


HISTORIES = {
    "lessons, no order": (history(), ["L1", "L2", "L3"]),
    "ordered lessons and a required quiz": (history_with_a_required_quiz(), ["L3", "L1", "L2"]),
}


def deliveries(events: list[Event]) -> st.SearchStrategy[list[Event]]:
    """Every order, with some events delivered more than once."""
    return st.tuples(st.permutations(events), st.lists(st.sampled_from(events), max_size=6)).map(
        lambda pair: [*pair[0], *pair[1]]
    )


@pytest.mark.parametrize("name", HISTORIES)
@settings(max_examples=300)
@given(data=st.data())
def test_a_course_all_of_whose_lessons_end_done_completes_exactly_once(
    name: str, data: st.DataObject
) -> None:
    events, order = HISTORIES[name]
    consumer = deliver(data.draw(deliveries(events)))
    assert consumer.completions == 1
    assert consumer.progress is not None
    assert consumer.progress.completed_at is not None
    assert sorted(consumer.earned) == ["course-completed#C", "first-lesson-completed"]
    assert consumer.outline.lesson_ids() == order


@pytest.mark.parametrize("name", HISTORIES)
@settings(max_examples=300)
@given(data=st.data())
def test_a_course_completes_at_most_once_in_any_order(name: str, data: st.DataObject) -> None:
    events = [e for e in HISTORIES[name][0] if e.id != "redo-L2"]  # L2 ends undone
    consumer = deliver(data.draw(deliveries(events)))
    assert consumer.completions <= 1
    assert consumer.earned.count("course-completed#C") == consumer.completions


def quiz_known_first(events: list[Event]) -> st.SearchStrategy[list[Event]]:
    """The quiz's publication delivered first, everything else in any order and repeated."""
    published = [e for e in events if e.kind == "quiz-published"]
    return deliveries([e for e in events if e.kind != "quiz-published"]).map(lambda rest: [*published, *rest])


@settings(max_examples=300)
@given(delivery=quiz_known_first(history_with_a_required_quiz()))
def test_a_known_required_quiz_completes_the_course_only_once_passed(delivery: list[Event]) -> None:
    consumer = deliver(delivery)
    assert consumer.completions == 1
    assert "grade-Q-2" in consumer.completed_after
    assert {"done-L3", "done-L1"} <= consumer.completed_after


@settings(max_examples=200)
@given(delivery=quiz_known_first([e for e in history_with_a_required_quiz() if e.id != "grade-Q-2"]))
def test_a_required_quiz_never_passed_keeps_the_course_open(delivery: list[Event]) -> None:
    consumer = deliver(delivery)
    assert consumer.completions == 0
    assert consumer.progress is not None
    assert consumer.progress.quizzes["Q"] == domain.QuizMark(passed=False, revision=1)
    assert (
        domain.course_percent(
            consumer.outline, consumer.progress.done_lessons(), consumer.progress.passed_quizzes()
        )
        == 75
    )


@settings(max_examples=200)
@given(
    delivery=deliveries(
        [
            *history_with_a_required_quiz(),
            Event("regrade-Q-3", "graded", 20, quiz="Q", passed=False, revision=3),
        ]
    )
)
def test_a_regrade_that_fails_the_quiz_never_takes_a_completion_back(delivery: list[Event]) -> None:
    consumer = deliver(delivery)
    assert consumer.progress is not None
    assert consumer.progress.quizzes["Q"] == domain.QuizMark(passed=False, revision=3)
    assert consumer.completions <= 1
    assert (consumer.progress.completed_at is not None) == (consumer.completions == 1)
    if consumer.completions:
        assert "grade-Q-2" in consumer.completed_after or "publish-Q" not in consumer.completed_after


@settings(max_examples=200)
@given(
    delivery=deliveries(
        [e for e in history() if e.id != "done-L3"] + [Event("remove-L3", "removed", 20, lesson="L3")]
    )
)
def test_removing_the_only_lesson_left_completes_the_course_once(delivery: list[Event]) -> None:
    consumer = deliver(delivery)
    assert consumer.completions == 1
    assert consumer.outline.lesson_ids() == ["L1", "L2"]


@given(delivery=deliveries(history()))
def test_the_last_change_of_each_lesson_wins_in_any_order(delivery: list[Event]) -> None:
    consumer = deliver(delivery)
    assert consumer.progress is not None
    assert consumer.progress.done_lessons() == {"L1", "L2", "L3"}
    assert consumer.progress.marks["L2"].event_id == "redo-L2"
