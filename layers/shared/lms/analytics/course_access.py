"""What analytics needs to know of the catalog: the course, the student's enrollment, the lesson.

A cross-context read (docs/architecture.md, "Cross-context reads"), named here and nowhere else
in the context: recording that a learner opened a lesson must not wait for the enrollment to
reach analytics through the bus, so it reads the courses context's course, enrollment and lesson
items (one BatchGetItem). Nothing is re-checked at commit: the only write is the `LessonOpened`
event, which changes nothing but the learner's activity.
"""

from __future__ import annotations

from dataclasses import dataclass

from pynamodb.attributes import UnicodeAttribute

from lms import keys
from lms.persistence.table import Item

ENROLLED = "enrolled"


class CatalogEntry(Item):
    """A courses-context course, enrollment (its `status`) or lesson item; never written here."""

    status = UnicodeAttribute(null=True)


@dataclass(frozen=True)
class LessonAccess:
    course_exists: bool
    enrolled: bool
    lesson_exists: bool


class DynamoCatalogAccess:
    def lesson_access(
        self, institution_id: str, course_id: str, lesson_id: str, student_id: str
    ) -> LessonAccess:
        pk = keys.course_pk(institution_id, course_id)
        enrollment_sk, lesson_sk = keys.enrollment_sk(student_id), keys.lesson_sk(lesson_id)
        wanted = [(pk, keys.COURSE_SK), (pk, enrollment_sk), (pk, lesson_sk)]
        found = {item.SK: item for item in CatalogEntry.batch_get(wanted)}
        enrollment = found.get(enrollment_sk)
        return LessonAccess(
            course_exists=keys.COURSE_SK in found,
            enrolled=enrollment is not None and enrollment.status == ENROLLED,
            lesson_exists=lesson_sk in found,
        )
