"""The progress consumer: catalog, enrollment, completion and quiz grade events become progress,
completions and achievements.

Each event is handled in one transaction with its inbox record (so a redelivery changes nothing)
and the events it causes. An event that needs state another event brings (a completion before the
enrollment or the published course reached progress) raises EventArrivedEarly: the message goes
back to the queue and is retried, and after the queue's redrive count it rests in the dead-letter
queue, never dropped in silence.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

from lms.consumer import EventConsumer, actor
from lms.events import EventEnvelope
from lms.events import assessments as assessment_events
from lms.events import courses as course_events
from lms.events import progress as progress_events
from lms.persistence.inbox import record_handled
from lms.progress import domain
from lms.progress.domain import CatalogOrder, CourseOutline, Enrollment, LearnerProgress, LearningActivity
from lms.progress.errors import EventArrivedEarly
from lms.progress.repository import CONSUMER, DynamoProgressRepository, ProgressChange


@cache
def _store() -> DynamoProgressRepository:
    return DynamoProgressRepository()


def _commit(change: ProgressChange) -> bool:
    _store().commit(change)
    return True


# ---------------------------------------------------------------- the course outline


def _outline_change(
    envelope: EventEnvelope, course_id: str, apply: Callable[[CourseOutline], CourseOutline]
) -> bool:
    inst = envelope.institution_id
    outline = _store().get_outline(inst, course_id) or CourseOutline(course_id=course_id)
    updated = apply(outline)
    change = ProgressChange(inst, actor(envelope), envelope, at=envelope.occurred_at)
    if updated != outline:
        change.outline = updated
    return _commit(change)


def _order(course_version: int | None, lesson_ids: list[str] | None) -> CatalogOrder | None:
    """The lesson order a catalog event carries (events committed before they carried one: None)."""
    if course_version is None or lesson_ids is None:
        return None
    return CatalogOrder(course_version=course_version, lesson_ids=lesson_ids)


def _course_published(envelope: EventEnvelope, event: course_events.CoursePublished) -> bool:
    return _outline_change(
        envelope,
        event.course_id,
        lambda o: domain.publish(
            o, event.title, event.lesson_ids, event.instructor_ids, envelope.occurred_at, event.course_version
        ),
    )


def _course_updated(envelope: EventEnvelope, event: course_events.CourseUpdated) -> bool:
    instructors = event.instructor_ids
    order = _order(event.version, event.lesson_ids)  # sections added, moved or removed
    if instructors is None and order is None:
        return record_handled(CONSUMER, envelope)

    def apply(outline: CourseOutline) -> CourseOutline:
        if instructors is not None:
            outline = domain.change_instructors(outline, instructors, envelope.occurred_at)
        return domain.arrange(outline, order)

    return _outline_change(envelope, event.course_id, apply)


def _course_archived(envelope: EventEnvelope, event: course_events.CourseArchived) -> bool:
    return _outline_change(envelope, event.course_id, lambda o: domain.archive(o, envelope.occurred_at))


def _lesson_added(envelope: EventEnvelope, event: course_events.LessonAdded) -> bool:
    return _outline_change(
        envelope,
        event.course_id,
        lambda o: domain.add_lesson(
            o,
            event.lesson_id,
            event.section_id,
            event.position,
            envelope.occurred_at,
            _order(event.course_version, event.lesson_ids),
        ),
    )


def _lesson_updated(envelope: EventEnvelope, event: course_events.LessonUpdated) -> bool:
    """A lesson moved or edited: the outline takes the catalog's order at that course version."""
    order = _order(event.course_version, event.lesson_ids)
    if order is None:
        return record_handled(CONSUMER, envelope)
    return _outline_change(envelope, event.course_id, lambda o: domain.arrange(o, order))


def _lesson_removed(envelope: EventEnvelope, event: course_events.LessonRemoved) -> bool:
    order = _order(event.course_version, event.lesson_ids)
    first_time = _outline_change(
        envelope, event.course_id, lambda o: domain.remove_lesson(o, event.lesson_id, order)
    )
    # Settled on a redelivery too: if completing the course for its students failed half-way, the
    # retry finishes it (each completion is conditional, so none happens twice).
    _settle_course(envelope, event.course_id)
    return first_time


def _settle_course(envelope: EventEnvelope, course_id: str) -> None:
    """Complete the course for every enrolled student whose remaining lessons are all done."""
    inst = envelope.institution_id
    store = _store()
    outline = store.get_outline(inst, course_id)
    if outline is None:
        return
    for student_id in store.learners_to_settle(inst, course_id):
        progress = store.load_progress(inst, student_id, course_id)
        if progress is None or not domain.completes(progress, outline):
            continue
        activity = store.load_activity(inst, student_id)
        learned = domain.settle(progress, outline, activity, envelope.occurred_at)
        change = _learned_change(envelope, student_id, progress, outline, activity, learned, record=False)
        store.commit(change)


# ---------------------------------------------------------------- one student in one course


def _enrollment(envelope: EventEnvelope, course_id: str, student_id: str, status: Enrollment) -> bool:
    inst = envelope.institution_id
    progress = _store().load_progress(inst, student_id, course_id) or LearnerProgress(
        student_id=student_id, course_id=course_id
    )
    updated = domain.change_enrollment(progress, status, envelope.occurred_at)
    change = ProgressChange(inst, actor(envelope), envelope, at=envelope.occurred_at)
    if updated != progress:
        change.progress = updated
    return _commit(change)


def _student_enrolled(envelope: EventEnvelope, event: course_events.StudentEnrolled) -> bool:
    return _enrollment(envelope, event.course_id, event.student_id, Enrollment.ENROLLED)


def _student_dropped(envelope: EventEnvelope, event: course_events.StudentDropped) -> bool:
    return _enrollment(envelope, event.course_id, event.student_id, Enrollment.DROPPED)


def _known_state(
    envelope: EventEnvelope, student_id: str, course_id: str, lesson_id: str
) -> tuple[LearnerProgress, CourseOutline]:
    inst = envelope.institution_id
    progress = _store().load_progress(inst, student_id, course_id)
    if progress is None:
        raise EventArrivedEarly(f"{envelope.type} {envelope.id}: the enrollment has not reached progress yet")
    outline = _store().get_outline(inst, course_id)
    if outline is None or not outline.published or not outline.knows(lesson_id):
        raise EventArrivedEarly(
            f"{envelope.type} {envelope.id}: the course or lesson has not reached progress yet"
        )
    return progress, outline


def _learned_change(
    envelope: EventEnvelope,
    student_id: str,
    before: LearnerProgress,
    outline: CourseOutline,
    activity: LearningActivity,
    learned: domain.Learned,
    *,
    record: bool = True,
) -> ProgressChange:
    """The writes of what one event taught: changed state only, the completion and achievements."""
    change = ProgressChange(
        envelope.institution_id,
        actor(envelope),
        envelope if record else None,
        outline_read=outline,
        at=envelope.occurred_at,
    )
    change.progress = learned.progress if learned.progress != before else None
    change.activity = learned.activity if learned.activity != activity else None
    change.earned = list(learned.earned)
    if learned.course_completed:
        completed = progress_events.CourseCompleted(student_id=student_id, course_id=outline.course_id)
        change.events.append(completed)
    change.events += [
        progress_events.AchievementEarned(
            student_id=student_id, achievement=earned.achievement.value, course_id=earned.course_id
        )
        for earned in learned.earned
    ]
    return change


def _lesson_mark(
    envelope: EventEnvelope, student_id: str, course_id: str, lesson_id: str, done: bool, timezone: str
) -> bool:
    progress, outline = _known_state(envelope, student_id, course_id, lesson_id)
    activity = _store().load_activity(envelope.institution_id, student_id)
    learned = domain.learn(
        progress,
        outline,
        activity,
        lesson_id=lesson_id,
        done=done,
        at=envelope.occurred_at,
        event_id=envelope.id,
        timezone=timezone,
    )
    return _commit(_learned_change(envelope, student_id, progress, outline, activity, learned))


def _lesson_completed(envelope: EventEnvelope, event: progress_events.LessonCompleted) -> bool:
    return _lesson_mark(envelope, event.student_id, event.course_id, event.lesson_id, True, event.timezone)


def _lesson_undone(envelope: EventEnvelope, event: progress_events.LessonCompletionUndone) -> bool:
    return _lesson_mark(
        envelope, event.student_id, event.course_id, event.lesson_id, False, domain.DEFAULT_TIMEZONE
    )


# ---------------------------------------------------------------- quizzes required for completion


def _quiz_published(envelope: EventEnvelope, event: assessment_events.QuizPublished) -> bool:
    """A quiz required for completion joins the course's outline; any other quiz is not progress's."""
    if not event.required_for_completion:
        return record_handled(CONSUMER, envelope)
    return _outline_change(
        envelope,
        event.course_id,
        lambda o: domain.require_quiz(o, event.quiz_id, event.title, event.lesson_id, envelope.occurred_at),
    )


def _quiz_graded(envelope: EventEnvelope, event: assessment_events.QuizGraded) -> bool:
    """The student's pass state of a required quiz (newer revisions only); may complete the course.

    The grade is kept even before the quiz's publication reaches progress (the outline decides
    what is required), so only the enrollment has to arrive first.
    """
    if not event.required_for_completion:
        return record_handled(CONSUMER, envelope)
    inst = envelope.institution_id
    progress = _store().load_progress(inst, event.student_id, event.course_id)
    if progress is None:
        raise EventArrivedEarly(f"{envelope.type} {envelope.id}: the enrollment has not reached progress yet")
    outline = _store().get_outline(inst, event.course_id) or CourseOutline(course_id=event.course_id)
    activity = _store().load_activity(inst, event.student_id)
    learned = domain.learn_quiz(
        progress,
        outline,
        activity,
        quiz_id=event.quiz_id,
        passed=event.passed,
        revision=event.revision,
        at=envelope.occurred_at,
    )
    return _commit(_learned_change(envelope, event.student_id, progress, outline, activity, learned))


consumer = EventConsumer(
    CONSUMER,
    {
        course_events.CoursePublished: _course_published,
        course_events.CourseUpdated: _course_updated,
        course_events.CourseArchived: _course_archived,
        course_events.LessonAdded: _lesson_added,
        course_events.LessonUpdated: _lesson_updated,
        course_events.LessonRemoved: _lesson_removed,
        course_events.StudentEnrolled: _student_enrolled,
        course_events.StudentDropped: _student_dropped,
        progress_events.LessonCompleted: _lesson_completed,
        progress_events.LessonCompletionUndone: _lesson_undone,
        assessment_events.QuizPublished: _quiz_published,
        assessment_events.QuizGraded: _quiz_graded,
    },
)
