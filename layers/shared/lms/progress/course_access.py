"""What progress needs to know of a course at the moment a student completes one of its lessons.

Cross-context reads (docs/architecture.md, "Cross-context reads"), named here and nowhere else in
the context: the catalog owns the course, its lessons and its roster. The rule "only enrolled
students of a published course complete its lessons" is checked inside the completion's
transaction, so it holds at commit time, not at some earlier read; `course_status` explains a
refusal afterwards.
"""

from __future__ import annotations

from pynamodb.attributes import UnicodeAttribute

from lms import keys
from lms.persistence.table import Item
from lms.persistence.transactions import Transaction

PUBLISHED = "published"
ARCHIVED = "archived"
ENROLLED = "enrolled"


class CatalogStatus(Item):
    """The `status` of a courses-context item (course, enrollment, lesson), never written here."""

    status = UnicodeAttribute(null=True)


def check_completable(
    tx: Transaction,
    institution_id: str,
    course_id: str,
    student_id: str,
    lesson_id: str,
    *,
    closed: Exception,
    not_enrolled: Exception,
    no_lesson: Exception,
) -> None:
    """The course is published, the student enrolled in it, and the lesson one of its lessons."""
    course = keys.course_pk(institution_id, course_id)
    tx.check(CatalogStatus, course, keys.COURSE_SK, CatalogStatus.status == PUBLISHED, closed)
    tx.check(
        CatalogStatus, course, keys.enrollment_sk(student_id), CatalogStatus.status == ENROLLED, not_enrolled
    )
    tx.check(CatalogStatus, course, keys.lesson_sk(lesson_id), CatalogStatus.PK.exists(), no_lesson)


def course_status(institution_id: str, course_id: str) -> str | None:
    """The course's status (None when unknown); one consistent GetItem."""
    try:
        course = CatalogStatus.get(
            keys.course_pk(institution_id, course_id), keys.COURSE_SK, consistent_read=True
        )
    except CatalogStatus.DoesNotExist:
        return None
    return course.status
