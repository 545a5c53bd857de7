"""What assessments need to know of a course: its state, its instructors, a student's enrollment.

Cross-context reads (docs/architecture.md, "Cross-context reads"), named here and nowhere else in
the context: the catalog owns the course, its instructors and its roster. A service reads them
through its `CourseCatalog` port (`DynamoCourseCatalog.load`: one GetItem or BatchGetItem), and a
change repeats the rule it relies on as a ConditionCheck in its own transaction
(`check_teaches`, `check_enrolled`, `check_published`, `check_lesson`), so the rule holds at
commit time.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from pynamodb.attributes import ListAttribute, UnicodeAttribute

from lms import keys
from lms.auth import Principal, Role
from lms.persistence.table import Item, batch_get
from lms.persistence.transactions import Transaction

PUBLISHED = "published"
ARCHIVED = "archived"
ENROLLED = "enrolled"


class CatalogCourse(Item):
    """The parts of a courses-context course item that assessments read (never written here)."""

    status = UnicodeAttribute(null=True)
    instructor_ids = ListAttribute(of=UnicodeAttribute, null=True)


class CatalogLesson(Item):
    """A courses-context lesson item, only ever checked for existence (never written here)."""


class CatalogEnrollment(Item):
    """The `status` of a courses-context enrollment item (never written here)."""

    status = UnicodeAttribute(null=True)


@dataclass(frozen=True)
class CourseAccess:
    """A course as the catalog holds it, and where the caller stands in it."""

    course_id: str
    status: str
    instructor_ids: frozenset[str]
    student_enrolled: bool = False

    @property
    def published(self) -> bool:
        return self.status == PUBLISHED

    def teaches(self, principal: Principal) -> bool:
        """Its instructors and the institution's admins manage the course's assessments."""
        return Role.INSTITUTION_ADMIN in principal.roles or (
            Role.INSTRUCTOR in principal.roles and principal.user_id in self.instructor_ids
        )


class CourseCatalog(Protocol):
    """The port through which assessments services read the catalog."""

    def load(
        self, institution_id: str, course_id: str, student_id: str | None = None
    ) -> CourseAccess | None: ...


class DynamoCourseCatalog:
    def load(self, institution_id: str, course_id: str, student_id: str | None = None) -> CourseAccess | None:
        """The course (None when unknown) and, when a student is named, whether they are enrolled.

        One GetItem, or one BatchGetItem with the student's enrollment; both consistent reads.
        """
        pk = keys.course_pk(institution_id, course_id)
        if student_id is None:
            try:
                course = CatalogCourse.get(pk, keys.COURSE_SK, consistent_read=True)
            except CatalogCourse.DoesNotExist:
                return None
            return _access(course_id, course, enrolled=False)
        found: dict[str, CatalogCourse] = {}
        for item in CatalogCourse.batch_get(
            [(pk, keys.COURSE_SK), (pk, keys.enrollment_sk(student_id))],
            consistent_read=True,
            attributes_to_get=["PK", "SK", "status", "instructor_ids"],
        ):
            found[item.SK] = item
        found_course = found.get(keys.COURSE_SK)
        if found_course is None:
            return None
        enrollment = found.get(keys.enrollment_sk(student_id))
        enrolled = enrollment is not None and enrollment.status == ENROLLED
        return _access(course_id, found_course, enrolled=enrolled)


def load_with(
    institution_id: str,
    course_id: str,
    student_id: str | None,
    extra: Sequence[tuple[str, str]],
    attributes: Iterable[str],
) -> tuple[CourseAccess | None, dict[tuple[str, str], dict[str, Any]]]:
    """`DynamoCourseCatalog.load` and the context's own items named by (PK, SK), one BatchGetItem.

    The caller decides access from the course before it uses the other items (raw, by key): they
    ride along only to save a round trip. `attributes` names what to read of them (a course item
    holds its whole outline, so the read asks for named attributes only).
    """
    pk = keys.course_pk(institution_id, course_id)
    catalog = [(pk, keys.COURSE_SK)]
    if student_id is not None:
        catalog.append((pk, keys.enrollment_sk(student_id)))
    names = {"status", "instructor_ids", *attributes}
    found = {(raw["PK"]["S"], raw["SK"]["S"]): raw for raw in batch_get([*catalog, *extra], attributes=names)}
    course = found.pop((pk, keys.COURSE_SK), None)
    enrollment = found.pop((pk, keys.enrollment_sk(student_id)), None) if student_id is not None else None
    if course is None:
        return None, {}
    enrolled = enrollment is not None and CatalogEnrollment.from_raw_data(enrollment).status == ENROLLED
    return _access(course_id, CatalogCourse.from_raw_data(course), enrolled=enrolled), found


def _access(course_id: str, course: CatalogCourse, *, enrolled: bool) -> CourseAccess:
    return CourseAccess(
        course_id=course_id,
        status=course.status or "",
        instructor_ids=frozenset(str(user_id) for user_id in course.instructor_ids or ()),
        student_enrolled=enrolled,
    )


def check_published(tx: Transaction, institution_id: str, course_id: str, refusal: Exception) -> None:
    """The course is published when the transaction commits."""
    pk = keys.course_pk(institution_id, course_id)
    tx.check(CatalogCourse, pk, keys.COURSE_SK, CatalogCourse.status == PUBLISHED, refusal)


def check_teaches(
    tx: Transaction, institution_id: str, course_id: str, principal: Principal, refusal: Exception
) -> None:
    """The course exists and, unless the caller is an institution admin, lists them as instructor."""
    pk = keys.course_pk(institution_id, course_id)
    if Role.INSTITUTION_ADMIN in principal.roles:
        tx.check(CatalogCourse, pk, keys.COURSE_SK, CatalogCourse.PK.exists(), refusal)
    else:
        condition = CatalogCourse.instructor_ids.contains(principal.user_id)
        tx.check(CatalogCourse, pk, keys.COURSE_SK, condition, refusal)


def check_enrolled(
    tx: Transaction, institution_id: str, course_id: str, student_id: str, refusal: Exception
) -> None:
    """The student is enrolled (not waitlisted, not dropped) when the transaction commits."""
    pk = keys.course_pk(institution_id, course_id)
    condition = CatalogEnrollment.status == ENROLLED
    tx.check(CatalogEnrollment, pk, keys.enrollment_sk(student_id), condition, refusal)


def check_lesson(
    tx: Transaction, institution_id: str, course_id: str, lesson_id: str, refusal: Exception
) -> None:
    """The lesson is a lesson of the course (the catalog keeps it in the course's partition)."""
    pk = keys.course_pk(institution_id, course_id)
    tx.check(CatalogLesson, pk, keys.lesson_sk(lesson_id), CatalogLesson.PK.exists(), refusal)
