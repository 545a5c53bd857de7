"""What the catalog needs to know of a student's progress: whether they completed a course.

Cross-context read (docs/architecture.md, "Cross-context reads"), named here and nowhere else in
the context: the progress context owns its summaries. Enrollment checks every prerequisite as a
ConditionCheck in its transaction, so a prerequisite is met exactly when the progress context
has recorded the course as completed.
"""

from __future__ import annotations

from pynamodb.attributes import UnicodeAttribute

from lms import keys
from lms.persistence.table import Item
from lms.persistence.transactions import Transaction


class ProgressCompletion(Item):
    """The `completed_at` of a progress-context summary item (never written here)."""

    completed_at = UnicodeAttribute(null=True)


def check_completed(
    tx: Transaction, institution_id: str, student_id: str, course_id: str, refusal: Exception
) -> None:
    """The student has completed the course when the transaction commits."""
    tx.check(
        ProgressCompletion,
        keys.course_progress_pk(institution_id, student_id, course_id),
        keys.PROGRESS_SUMMARY_SK,
        ProgressCompletion.completed_at.exists(),
        refusal,
    )
