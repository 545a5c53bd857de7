"""What communication needs to know of a course: that it exists, who teaches it, who studies in it.

Cross-context reads, named here and nowhere else in the context: the catalog owns the course, its
instructors and its roster. A request reads them with one GetItem or BatchGetItem (`load`), and a
change repeats the rule it relies on as a ConditionCheck in its own transaction (`check_teaches`,
`check_member`), so the rule holds at commit time.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from pynamodb.attributes import ListAttribute, UnicodeAttribute

from lms import keys
from lms.auth import Principal, Role
from lms.communication.messages.domain import CourseCircle
from lms.pagination import decode_cursor, encode_cursor
from lms.persistence.table import Item, table_connection
from lms.persistence.transactions import Transaction

PUBLISHED = "published"
ENROLLED = "enrolled"
ENROLLMENT_PREFIX = "ENROLLMENT#"


class CatalogCourse(Item):
    """The parts of a courses-context course item that communication reads (never written here)."""

    status = UnicodeAttribute(null=True)
    instructor_ids = ListAttribute(of=UnicodeAttribute, null=True)


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
        """Its instructors, and the institution's admins, speak for the course."""
        return principal.is_institution_admin or (
            Role.INSTRUCTOR in principal.roles and principal.user_id in self.instructor_ids
        )

    def is_member(self, principal: Principal) -> bool:
        """Its staff, and its students while enrolled (a dropped or waitlisted student is not)."""
        return self.teaches(principal) or (Role.STUDENT in principal.roles and self.student_enrolled)


def load(institution_id: str, course_id: str, student_id: str | None = None) -> CourseAccess | None:
    """The course (None when unknown) and, when a student is named, whether they are enrolled.

    One GetItem, or one BatchGetItem with the student's enrollment; both consistent reads.
    """
    pk = keys.course_pk(institution_id, course_id)
    if student_id is None:
        try:
            course = CatalogCourse.get(
                pk,
                keys.COURSE_SK,
                consistent_read=True,
                attributes_to_get=["PK", "SK", "status", "instructor_ids"],
            )
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
    course_found = found.get(keys.COURSE_SK)
    if course_found is None:
        return None
    enrollment = found.get(keys.enrollment_sk(student_id))
    return _access(course_id, course_found, enrolled=enrollment is not None and enrollment.status == ENROLLED)


def load_for(principal: Principal, course_id: str) -> CourseAccess | None:
    """The course as the caller stands in it: a student's enrollment is read in the same request."""
    student = principal.user_id if Role.STUDENT in principal.roles else None
    return load(principal.institution_id, course_id, student)


def load_with(
    principal: Principal, course_id: str, extra: Sequence[tuple[str, str]], attributes: Iterable[str]
) -> tuple[CourseAccess | None, list[dict[str, Any]]]:
    """`load_for`, and the context's own items named by (PK, SK) in `extra`, in one BatchGetItem.

    `attributes` names what to read of the extra items (a course item holds its whole outline, so
    the read asks for named attributes only). The course and the enrollment come back as a
    CourseAccess, the other items raw, as found.
    """
    pk = keys.course_pk(principal.institution_id, course_id)
    student = Role.STUDENT in principal.roles
    catalog = [(pk, keys.COURSE_SK)] + ([(pk, keys.enrollment_sk(principal.user_id))] if student else [])
    connection = table_connection()
    table = connection.table_name
    names = sorted({"PK", "SK", "status", "instructor_ids", *attributes})
    wanted: list[Any] = [{"PK": {"S": p}, "SK": {"S": s}} for p, s in dict.fromkeys([*catalog, *extra])]
    found: list[dict[str, Any]] = []
    while wanted:
        answer = connection.batch_get_item(wanted, consistent_read=True, attributes_to_get=names)
        found.extend(answer.get("Responses", {}).get(table, []))
        wanted = answer.get("UnprocessedKeys", {}).get(table, {}).get("Keys", [])
    course = enrollment = None
    rest = []
    for raw in found:
        if raw["PK"]["S"] != pk:
            rest.append(raw)
        elif raw["SK"]["S"] == keys.COURSE_SK:
            course = CatalogCourse.from_raw_data(raw)
        elif student and raw["SK"]["S"] == keys.enrollment_sk(principal.user_id):
            enrollment = CatalogEnrollment.from_raw_data(raw)
    if course is None:
        return None, rest
    enrolled = enrollment is not None and enrollment.status == ENROLLED
    return _access(course_id, course, enrolled=enrolled), rest


def _access(course_id: str, course: CatalogCourse, *, enrolled: bool) -> CourseAccess:
    return CourseAccess(
        course_id=course_id,
        status=course.status or "",
        instructor_ids=frozenset(str(user_id) for user_id in course.instructor_ids or ()),
        student_enrolled=enrolled,
    )


def check_teaches(
    tx: Transaction, institution_id: str, course_id: str, principal: Principal, refusal: Exception
) -> None:
    """The course exists and, unless the caller is an institution admin, lists them as instructor."""
    pk = keys.course_pk(institution_id, course_id)
    if principal.is_institution_admin:
        tx.check(CatalogCourse, pk, keys.COURSE_SK, CatalogCourse.PK.exists(), refusal)
    else:
        tx.check(
            CatalogCourse,
            pk,
            keys.COURSE_SK,
            CatalogCourse.instructor_ids.contains(principal.user_id),
            refusal,
        )


def check_member(
    tx: Transaction, institution_id: str, course_id: str, principal: Principal, refusal: Exception
) -> None:
    """The caller teaches the course, or is enrolled in it, when the transaction commits."""
    if Role.STUDENT in principal.roles and not principal.has_any({Role.INSTRUCTOR, Role.INSTITUTION_ADMIN}):
        pk = keys.course_pk(institution_id, course_id)
        condition = CatalogEnrollment.status == ENROLLED
        tx.check(CatalogEnrollment, pk, keys.enrollment_sk(principal.user_id), condition, refusal)
    else:
        check_teaches(tx, institution_id, course_id, principal, refusal)


def circle(institution_id: str, course_id: str, user_ids: list[str]) -> CourseCircle | None:
    """The course's instructors and which of `user_ids` are enrolled (None: no such course).

    One BatchGetItem of the course and each person's enrollment item: at most 1 + 50 keys, since a
    conversation has at most 50 participants (DynamoDB reads up to 100 keys in one request).
    """
    pk = keys.course_pk(institution_id, course_id)
    people = list(dict.fromkeys(user_ids))
    found = {
        item.SK: item
        for item in CatalogCourse.batch_get(
            [(pk, keys.COURSE_SK), *((pk, keys.enrollment_sk(u)) for u in people)],
            consistent_read=True,
            attributes_to_get=["PK", "SK", "status", "instructor_ids"],
        )
    }
    course = found.pop(keys.COURSE_SK, None)
    if course is None:
        return None
    return CourseCircle(
        course_id=course_id,
        instructor_ids=frozenset(str(u) for u in course.instructor_ids or ()),
        enrolled_ids=frozenset(
            u for u in people if (e := found.get(keys.enrollment_sk(u))) is not None and e.status == ENROLLED
        ),
    )


def enrolled_students(
    institution_id: str, course_id: str, limit: int, cursor: str | None
) -> tuple[list[str], str | None]:
    """One Query page of the course's enrolled students' ids (the roster, by id)."""
    pk = keys.course_pk(institution_id, course_id)
    start = decode_cursor(cursor, partition_attr="PK", partition=pk)
    results = CatalogEnrollment.query(
        pk,
        CatalogEnrollment.SK.startswith(ENROLLMENT_PREFIX),
        filter_condition=CatalogEnrollment.status == ENROLLED,
        last_evaluated_key=start,
        page_size=limit,
        attributes_to_get=["PK", "SK", "status"],
    )
    page = next(results.page_iter)
    students = [raw["SK"]["S"].removeprefix(ENROLLMENT_PREFIX) for raw in page.get("Items", [])]
    return students, encode_cursor(page.get("LastEvaluatedKey"))
