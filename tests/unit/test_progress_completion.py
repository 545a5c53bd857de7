"""Course completion happens exactly once, whatever order and how often the events arrive.

The consumer applies each event with the domain's rules (lms.progress.domain); here the same rules
are folded over every delivery order hypothesis finds, with the consumer's two delivery rules: a
duplicate (same event id) changes nothing, and a completion that needs the enrollment or the
published course waits until they have been applied (SQS retries it).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from lms.progress import domain
from lms.progress.domain import CourseOutline, Enrollment, LearnerProgress, LearningActivity

T0 = datetime(2026, 3, 2, 9, tzinfo=UTC)
LESSONS = ["L1", "L2", "L3", "L4"]


@dataclass(frozen=True)
class Event:
    id: str
    kind: str  # added | removed | published | enrolled | done | undone
    minute: int
    lesson: str = ""
    position: int = 0
    lessons: tuple[str, ...] = ()

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
    earned: list[str] = field(default_factory=list)

    def apply(self, event: Event) -> bool:
        """False when the event arrived early and must be retried."""
        if event.id in self.handled:
            return True
        if event.kind == "added":
            self.outline = domain.add_lesson(self.outline, event.lesson, "S1", event.position, event.at)
        elif event.kind == "removed":
            self.outline = domain.remove_lesson(self.outline, event.lesson)
            self._settle(event.at)
        elif event.kind == "published":
            self.outline = domain.publish(self.outline, "Optics", list(event.lessons), ["T"], event.at)
        elif event.kind == "enrolled":
            current = self.progress or LearnerProgress(student_id="S", course_id="C")
            self.progress = domain.change_enrollment(current, Enrollment.ENROLLED, event.at)
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


def deliveries(events: list[Event]) -> st.SearchStrategy[list[Event]]:
    """Every order, with some events delivered more than once."""
    return st.tuples(st.permutations(events), st.lists(st.sampled_from(events), max_size=6)).map(
        lambda pair: [*pair[0], *pair[1]]
    )


@settings(max_examples=300)
@given(delivery=deliveries(history()))
def test_a_course_all_of_whose_lessons_end_done_completes_exactly_once(delivery: list[Event]) -> None:
    consumer = deliver(delivery)
    assert consumer.completions == 1
    assert consumer.progress is not None
    assert consumer.progress.completed_at is not None
    assert sorted(consumer.earned) == ["course-completed#C", "first-lesson-completed"]
    assert consumer.outline.lesson_ids() in (["L1", "L2", "L3"],)


@settings(max_examples=300)
@given(
    delivery=deliveries(
        [e for e in history() if e.id != "redo-L2"]  # L2 ends undone
    )
)
def test_a_course_completes_at_most_once_in_any_order(delivery: list[Event]) -> None:
    consumer = deliver(delivery)
    assert consumer.completions <= 1
    assert consumer.earned.count("course-completed#C") == consumer.completions


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
