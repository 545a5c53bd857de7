"""What notifications need to know of a course: who studies in it and who teaches it.

Cross-context reads of the catalog's items (the courses context owns the course and its roster),
named here and nowhere else in the context. Only the audience of a notification is read: no rule
is re-checked at commit, since what is written (inbox entries) depends on no course state.
"""

from __future__ import annotations

from typing import Any

from pynamodb.attributes import ListAttribute, UnicodeAttribute

from lms import keys
from lms.persistence.table import Item

ENROLLED = "enrolled"
ENROLLMENT_PREFIX = "ENROLLMENT#"


class RosterEntry(Item):
    """A courses-context enrollment item: its `status` only (never written here)."""

    status = UnicodeAttribute(null=True)


class CourseStaff(Item):
    """A courses-context course item: its instructors only (never written here)."""

    instructor_ids = ListAttribute(of=UnicodeAttribute, null=True)


def enrolled_students(institution_id: str, course_id: str) -> list[str]:
    """The course's enrolled students: a Query of the course's enrollment items, page by page
    (about 1 MB each, a few thousand students)."""
    results = RosterEntry.query(
        keys.course_pk(institution_id, course_id),
        RosterEntry.SK.startswith(ENROLLMENT_PREFIX),
        filter_condition=RosterEntry.status == ENROLLED,
        attributes_to_get=["SK", "status"],
    )
    pages: Any = results.page_iter
    return [raw["SK"]["S"].removeprefix(ENROLLMENT_PREFIX) for page in pages for raw in page.get("Items", [])]


def instructors(institution_id: str, course_id: str) -> list[str]:
    """The course's instructors (none when the course is unknown): one GetItem."""
    try:
        course = CourseStaff.get(
            keys.course_pk(institution_id, course_id),
            keys.COURSE_SK,
            attributes_to_get=["PK", "SK", "instructor_ids"],
        )
    except CourseStaff.DoesNotExist:
        return []
    return [str(i) for i in course.instructor_ids or []]


def is_enrolled(institution_id: str, course_id: str, student_id: str) -> bool:
    """Whether the student is on the course's roster now: one GetItem of their enrollment."""
    try:
        entry = RosterEntry.get(
            keys.course_pk(institution_id, course_id),
            keys.enrollment_sk(student_id),
            attributes_to_get=["PK", "SK", "status"],
        )
    except RosterEntry.DoesNotExist:
        return False
    return entry.status == ENROLLED
