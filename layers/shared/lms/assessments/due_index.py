"""Due markers: where the due-soon reminders learn which assignments and quizzes come due.

A published assignment or quiz with a due date has one marker beside it (`keys.assessment_due_sk`),
and each extension of a published assignment one of its own (the student's due date). The marker
follows the item in the same transaction that publishes it, changes its due date or title, or
grants or revokes the extension; it also sits in a sparse GSI1 index of every institution,
sharded and ordered by due time (`keys.due_assessments_pk`), which the reminders read a day ahead.
"""

from __future__ import annotations

from datetime import datetime

from pynamodb.attributes import UnicodeAttribute

from lms import clock, keys
from lms.persistence.table import GSI1, Item
from lms.persistence.transactions import Transaction

DUE_MARKER_ENTITY = "assessment-due"
ASSIGNMENT = "assignment"
QUIZ = "quiz"


class DueMarkerItem(Item):
    GSI1PK = UnicodeAttribute()
    GSI1SK = UnicodeAttribute()
    by_due_time = GSI1()

    institution_id = UnicodeAttribute()
    course_id = UnicodeAttribute()
    kind = UnicodeAttribute()  # ASSIGNMENT or QUIZ
    assessment_id = UnicodeAttribute()
    title = UnicodeAttribute()
    due_at = UnicodeAttribute()  # RFC 3339
    student_id = UnicodeAttribute(null=True)  # an extension's student


def _partition(institution_id: str, kind: str, assessment_id: str) -> str:
    if kind == ASSIGNMENT:
        return keys.assignment_pk(institution_id, assessment_id)
    return keys.quiz_pk(institution_id, assessment_id)


def follow(
    tx: Transaction,
    institution_id: str,
    kind: str,
    *,
    course_id: str,
    assessment_id: str,
    title: str,
    due_at: datetime | None,
    published: bool,
    student_id: str | None = None,
) -> None:
    """Put the marker of a published item with a due date; delete it otherwise (a draft has none)."""
    pk = _partition(institution_id, kind, assessment_id)
    sk = keys.assessment_due_sk(student_id)
    if not published or due_at is None:
        if published or student_id is not None:
            tx.delete(DueMarkerItem(pk, sk))
        return
    due = clock.rfc3339(due_at)
    tx.put(
        DueMarkerItem(
            pk,
            sk,
            entity=DUE_MARKER_ENTITY,
            GSI1PK=keys.due_assessments_pk(keys.due_assessment_shard(assessment_id)),
            GSI1SK=keys.due_assessment_sk(due, assessment_id, student_id),
            institution_id=institution_id,
            course_id=course_id,
            kind=kind,
            assessment_id=assessment_id,
            title=title,
            due_at=due,
            student_id=student_id,
        )
    )
