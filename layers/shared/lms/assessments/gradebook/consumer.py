"""The gradebook consumer: publication, grading and roster events become gradebook columns and rows.

The gradebook is a read model: quizzes and assignments never call it, they publish events (the
contract of lms.events.assessments) and this consumer keeps the gradebook's copy. Delivery is
at least once and in any order, so:

- each event is handled in one transaction with its inbox record: a redelivery changes nothing;
- a grade is applied only when its `revision` is newer than the one the row holds for that
  assessment, so an older grade delivered late never replaces a newer one;
- roster changes apply in the order they happened (time, then event id), whatever the delivery;
- an assessment's description is the latest `*Published` event's.

A grade may arrive before the student's enrollment or the assessment's publication: the row is
created from the grade (as enrolled, until a roster event says otherwise) and the score counts as
soon as its column arrives. Nothing has to wait, so nothing is sent back to the queue for order.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

from lms.assessments.gradebook import domain
from lms.assessments.gradebook.domain import Column, GradebookRow, GradebookRowStatus, Score
from lms.assessments.gradebook.repository import CONSUMER, DynamoGradebookRepository, StateChanged
from lms.consumer import EventConsumer
from lms.events import EventEnvelope
from lms.events import assessments as assessment_events
from lms.events import courses as course_events
from lms.persistence.inbox import record_handled


@cache
def _store() -> DynamoGradebookRepository:
    return DynamoGradebookRepository()


def _row_change(
    envelope: EventEnvelope, course_id: str, student_id: str, apply: Callable[[GradebookRow], GradebookRow]
) -> bool:
    inst = envelope.institution_id
    row = _store().row(inst, course_id, student_id)
    updated = apply(row)
    if updated == row:  # stale, or nothing to change: the inbox record alone
        return record_handled(CONSUMER, envelope)
    _store().commit_row(inst, course_id, updated, envelope)
    return True


def _column(envelope: EventEnvelope, course_id: str, column: Column) -> bool:
    inst = envelope.institution_id
    columns, version = _store().columns(inst, course_id)
    updated = domain.publish_column(columns, column)
    if updated == columns:
        return record_handled(CONSUMER, envelope)
    _store().commit_columns(inst, course_id, updated, version, envelope)
    return True


def _quiz_published(envelope: EventEnvelope, event: assessment_events.QuizPublished) -> bool:
    column = Column(
        assessment_id=event.quiz_id,
        kind="quiz",
        title=event.title,
        points=event.points,
        category=event.gradebook_category,
        due_at=event.due_at,
        published_at=envelope.occurred_at,
    )
    return _column(envelope, event.course_id, column)


def _assignment_published(envelope: EventEnvelope, event: assessment_events.AssignmentPublished) -> bool:
    column = Column(
        assessment_id=event.assignment_id,
        kind="assignment",
        title=event.title,
        points=event.points,
        category=event.gradebook_category,
        due_at=event.due_at,
        published_at=envelope.occurred_at,
    )
    return _column(envelope, event.course_id, column)


def _quiz_graded(envelope: EventEnvelope, event: assessment_events.QuizGraded) -> bool:
    """A quiz's score counts as soon as it is graded (the score under the quiz's scoring policy)."""
    score = Score(
        kind="quiz",
        score=event.score,
        points=event.points,
        revision=event.revision,
        counted_at=event.graded_at,
    )
    return _row_change(
        envelope, event.course_id, event.student_id, lambda row: domain.count_score(row, event.quiz_id, score)
    )


def _grade_released(envelope: EventEnvelope, event: assessment_events.GradeReleased) -> bool:
    """An assignment's grade counts once released; quizzes count through QuizGraded alone."""
    if event.kind != "assignment":
        return record_handled(CONSUMER, envelope)
    score = Score(
        kind="assignment",
        score=event.score,
        points=event.points,
        revision=event.revision,
        counted_at=event.released_at,
    )
    return _row_change(
        envelope,
        event.course_id,
        event.student_id,
        lambda row: domain.count_score(row, event.assessment_id, score),
    )


def _student_enrolled(envelope: EventEnvelope, event: course_events.StudentEnrolled) -> bool:
    return _row_change(
        envelope,
        event.course_id,
        event.student_id,
        lambda row: domain.change_enrollment(
            row, GradebookRowStatus.ENROLLED, envelope.occurred_at, envelope.id
        ),
    )


def _student_dropped(envelope: EventEnvelope, event: course_events.StudentDropped) -> bool:
    if event.was_waitlisted:  # never held a seat: no row to mark
        return record_handled(CONSUMER, envelope)
    return _row_change(
        envelope,
        event.course_id,
        event.student_id,
        lambda row: domain.change_enrollment(
            row, GradebookRowStatus.DROPPED, envelope.occurred_at, envelope.id
        ),
    )


consumer = EventConsumer(
    CONSUMER,
    {
        assessment_events.QuizPublished: _quiz_published,
        assessment_events.AssignmentPublished: _assignment_published,
        assessment_events.QuizGraded: _quiz_graded,
        assessment_events.GradeReleased: _grade_released,
        course_events.StudentEnrolled: _student_enrolled,
        course_events.StudentDropped: _student_dropped,
    },
    # Another event changed the same item meanwhile: read it again (then SQS retries the message).
    conflicts=(StateChanged,),
)
