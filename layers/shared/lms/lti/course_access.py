"""What LTI needs to know of a course: the lesson a launch opens and where the caller stands, the
sections a deep link may add lessons to, and the course's people for the names and roles service.

Cross-context reads, named here and nowhere else in the context: the catalog owns the course,
its lessons and its roster. LTI changes nothing of theirs, so there is no rule to re-check at
commit: the signed hint a launch hands out lives five minutes. One exception: a score a tool
posts is for a student enrolled in the course when it commits (`check_enrolled`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pynamodb.attributes import JSONAttribute, ListAttribute, UnicodeAttribute

from lms import keys
from lms.auth import Principal, Role
from lms.pagination import decode_cursor, encode_cursor
from lms.persistence.table import Item
from lms.persistence.transactions import Transaction

DRAFT = "draft"
ENROLLMENT_PREFIX = "ENROLLMENT#"
ENROLLED = "enrolled"
LTI = "lti"


class CatalogRecord(Item):
    """The parts of a course, lesson or enrollment item a launch reads (never written here)."""

    status = UnicodeAttribute(null=True)
    title = UnicodeAttribute(null=True)
    instructor_ids = ListAttribute(of=UnicodeAttribute, null=True)
    document = JSONAttribute(null=True)
    sections = JSONAttribute(null=True)


@dataclass(frozen=True)
class LtiLesson:
    """An `lti` lesson of a course, its tool and custom parameters, and the caller's standing."""

    course_id: str
    course_title: str
    course_status: str
    instructor_ids: frozenset[str]
    lesson_id: str
    lesson_title: str
    tool_id: str
    custom: dict[str, str] = field(default_factory=dict)
    target_link_uri: str | None = None
    student_enrolled: bool = False

    def teaches(self, principal: Principal) -> bool:
        return Role.INSTRUCTOR in principal.roles and principal.user_id in self.instructor_ids

    def may_open(self, principal: Principal) -> bool:
        """Its instructors and the institution's admins; its enrolled students once it is published."""
        if principal.is_institution_admin or self.teaches(principal):
            return True
        return Role.STUDENT in principal.roles and self.student_enrolled and self.course_status != DRAFT


@dataclass(frozen=True)
class Found:
    """What the read found: None for what does not exist (or is not an `lti` lesson)."""

    course: bool
    lesson: LtiLesson | None


def load(principal: Principal, course_id: str, lesson_id: str) -> Found:
    """The course, the lesson and (for a student) their enrollment: one consistent BatchGetItem."""
    pk = keys.course_pk(principal.institution_id, course_id)
    wanted = [(pk, keys.COURSE_SK), (pk, keys.lesson_sk(lesson_id))]
    if Role.STUDENT in principal.roles:
        wanted.append((pk, keys.enrollment_sk(principal.user_id)))
    found = {
        item.SK: item
        for item in CatalogRecord.batch_get(
            wanted,
            consistent_read=True,
            attributes_to_get=["PK", "SK", "status", "title", "instructor_ids", "document"],
        )
    }
    course = found.get(keys.COURSE_SK)
    lesson = found.get(keys.lesson_sk(lesson_id))
    if course is None:
        return Found(course=False, lesson=None)
    document: dict[str, Any] = (lesson.document if lesson is not None else None) or {}
    link = document.get("lti") or {}
    if document.get("content_type") != LTI or not link.get("tool_id"):
        return Found(course=True, lesson=None)
    enrollment = found.get(keys.enrollment_sk(principal.user_id))
    return Found(
        course=True,
        lesson=LtiLesson(
            course_id=course_id,
            course_title=str(course.title or ""),
            course_status=str(course.status or ""),
            instructor_ids=frozenset(str(i) for i in course.instructor_ids or []),
            lesson_id=lesson_id,
            lesson_title=str(document.get("title") or ""),
            tool_id=str(link["tool_id"]),
            custom={str(k): str(v) for k, v in (link.get("custom") or {}).items()},
            target_link_uri=str(link["url"]) if link.get("url") else None,
            student_enrolled=enrollment is not None and enrollment.status == ENROLLED,
        ),
    )


@dataclass(frozen=True)
class CourseOutline:
    """A course's sections and staff: where a deep link may add lessons, and who may start one."""

    course_id: str
    course_title: str
    instructor_ids: frozenset[str]
    section_ids: frozenset[str]

    def teaches(self, principal: Principal) -> bool:
        return Role.INSTRUCTOR in principal.roles and principal.user_id in self.instructor_ids

    def may_edit(self, principal: Principal) -> bool:
        return principal.is_institution_admin or self.teaches(principal)


def outline(institution_id: str, course_id: str) -> CourseOutline | None:
    """The course's title, instructors and section ids (one GetItem); None for no course."""
    try:
        course = CatalogRecord.get(
            keys.course_pk(institution_id, course_id),
            keys.COURSE_SK,
            consistent_read=True,
            attributes_to_get=["PK", "SK", "title", "instructor_ids", "sections"],
        )
    except CatalogRecord.DoesNotExist:
        return None
    return CourseOutline(
        course_id=course_id,
        course_title=str(course.title or ""),
        instructor_ids=frozenset(str(i) for i in course.instructor_ids or []),
        section_ids=frozenset(str(section["id"]) for section in course.sections or []),
    )


@dataclass(frozen=True)
class CourseRoster:
    """A page of a course's people as the catalog holds them: its staff (first page) and enrolled students."""

    course_id: str
    course_title: str
    instructor_ids: tuple[str, ...]
    student_ids: tuple[str, ...]
    next_cursor: str | None


def roster_page(institution_id: str, course_id: str, limit: int, cursor: str | None) -> CourseRoster | None:
    """The course (one GetItem) and one Query page of its enrolled students; None for no course."""
    pk = keys.course_pk(institution_id, course_id)
    try:
        course = CatalogRecord.get(
            pk, keys.COURSE_SK, attributes_to_get=["PK", "SK", "title", "instructor_ids"]
        )
    except CatalogRecord.DoesNotExist:
        return None
    results = CatalogRecord.query(
        pk,
        CatalogRecord.SK.startswith(ENROLLMENT_PREFIX),
        filter_condition=CatalogRecord.status == ENROLLED,
        last_evaluated_key=decode_cursor(cursor, partition_attr="PK", partition=pk),
        limit=limit,
        page_size=limit,
        attributes_to_get=["PK", "SK", "status"],
    )
    page = next(results.page_iter)
    students = tuple(str(raw["SK"]["S"]).removeprefix(ENROLLMENT_PREFIX) for raw in page.get("Items", []))
    return CourseRoster(
        course_id=course_id,
        course_title=str(course.title or ""),
        instructor_ids=() if cursor else tuple(str(i) for i in course.instructor_ids or []),
        student_ids=students,
        next_cursor=encode_cursor(page.get("LastEvaluatedKey")),
    )


@dataclass(frozen=True)
class LinkedLesson:
    """An `lti` lesson of a course as the grade services need it: its title, its tool, its category,
    and the line item its tool asked for when it linked the lesson (deep linking), if it did."""

    lesson_id: str
    title: str
    tool_id: str
    gradebook_category: str | None = None
    line_item: dict[str, Any] | None = None


def linked_lesson(institution_id: str, course_id: str, lesson_id: str) -> LinkedLesson | None:
    """The course's `lti` lesson of this id (one GetItem); None when there is none."""
    try:
        lesson = CatalogRecord.get(
            keys.course_pk(institution_id, course_id),
            keys.lesson_sk(lesson_id),
            attributes_to_get=["PK", "SK", "document"],
        )
    except CatalogRecord.DoesNotExist:
        return None
    document: dict[str, Any] = lesson.document or {}
    link = document.get("lti") or {}
    if document.get("content_type") != LTI or not link.get("tool_id"):
        return None
    category = link.get("gradebook_category")
    hint = link.get("line_item")
    return LinkedLesson(
        lesson_id,
        str(document.get("title") or ""),
        str(link["tool_id"]),
        str(category) if category else None,
        dict(hint) if isinstance(hint, dict) else None,
    )


def check_enrolled(
    tx: Transaction, institution_id: str, course_id: str, student_id: str, refusal: Exception
) -> None:
    """A score is for a student enrolled in the course when it commits (a condition, not a read)."""
    tx.check(
        CatalogRecord,
        keys.course_pk(institution_id, course_id),
        keys.enrollment_sk(student_id),
        CatalogRecord.status == ENROLLED,
        refusal,
    )
