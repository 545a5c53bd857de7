"""The gradebook consumer: publication, grading and roster events become gradebook columns and rows.

The gradebook is a read model: quizzes, assignments and LTI tools never call it, they publish
events (the contracts of lms.events.assessments and lms.events.lti: an LTI line item is a column,
a tool's score a grade) and this consumer keeps the gradebook's copy. Delivery is
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
from decimal import Decimal
from functools import cache

from lms.assessments.gradebook import domain
from lms.assessments.gradebook.domain import Column, GradebookRow, GradebookRowStatus, Score
from lms.assessments.gradebook.repository import CONSUMER, DynamoGradebookRepository, StateChanged
from lms.consumer import EventConsumer
from lms.events import EventEnvelope
from lms.events import assessments as assessment_events
from lms.events import courses as course_events
from lms.events import lti as lti_events
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


def _lti_line_item_saved(envelope: EventEnvelope, event: lti_events.LtiLineItemSaved) -> bool:
    """A tool's line item is a column like a published assessment, in the category it names."""
    column = Column(
        assessment_id=event.line_item_id,
        kind="lti",
        title=event.label,
        points=event.score_maximum,
        category=event.gradebook_category,
        due_at=event.end_date_time,
        published_at=envelope.occurred_at,
    )
    return _column(envelope, event.course_id, column)


def _lti_line_item_deleted(envelope: EventEnvelope, event: lti_events.LtiLineItemDeleted) -> bool:
    """The column stays as a tombstone (removed) that no older description brings back."""
    column = Column(
        assessment_id=event.line_item_id,
        kind="lti",
        title="",
        points=Decimal(0),
        category="",
        due_at=None,
        published_at=envelope.occurred_at,
        removed=True,
    )
    return _column(envelope, event.course_id, column)


def _lti_score_posted(envelope: EventEnvelope, event: lti_events.LtiScorePosted) -> bool:
    """A fully graded score counts, scaled to the line item's maximum; any other withdraws the grade.

    The tool's timestamp orders a student's scores for a line item (in microseconds, the revision).
    """
    revision = int(event.timestamp.timestamp() * 1_000_000)
    if not event.counts or event.result_score is None:
        return _row_change(
            envelope,
            event.course_id,
            event.user_id,
            lambda row: domain.withdraw_score(row, event.line_item_id, revision),
        )
    score = Score(
        kind="lti",
        score=event.result_score,
        points=event.result_maximum,
        revision=revision,
        counted_at=event.timestamp,
    )
    return _row_change(
        envelope,
        event.course_id,
        event.user_id,
        lambda row: domain.count_score(row, event.line_item_id, score),
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
        lti_events.LtiLineItemSaved: _lti_line_item_saved,
        lti_events.LtiLineItemDeleted: _lti_line_item_deleted,
        lti_events.LtiScorePosted: _lti_score_posted,
    },
    # Another event changed the same item meanwhile: read it again (then SQS retries the message).
    conflicts=(StateChanged,),
)
