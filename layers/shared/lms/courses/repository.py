"""The courses context's items in the single table (access patterns: docs/data-model.md)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pynamodb.attributes import (
    BooleanAttribute,
    JSONAttribute,
    ListAttribute,
    NumberAttribute,
    UnicodeAttribute,
)

from lms import keys
from lms.courses.catalog.store import add_entry
from lms.courses.domain import Course, CourseStatus, Lesson
from lms.courses.enrollment.domain import Roster, WaitlistEntry
from lms.courses.enrollment.repository import (
    DynamoEnrollmentRepository,
    add_roster_plan,
    enrollment_of_raw,
    roster_of_raw,
)
from lms.courses.enrollment.service import Standing
from lms.courses.errors import ConcurrentModification, InvalidPrerequisites
from lms.courses.price import Price
from lms.courses.service import CourseChange
from lms.errors import Conflict, PreconditionFailed
from lms.idempotency import StoredResponse
from lms.persistence.idempotency import find_response, remember_answer, response_key, response_of_raw
from lms.persistence.outbox import outbox_item
from lms.persistence.table import GSI1, VersionedItem, batch_get
from lms.persistence.transactions import Transaction

COURSE_ENTITY = "course"
LESSON_ENTITY = "lesson"
_LIST_FIELDS = ("learning_objectives", "prerequisites", "instructor_ids")
_OPTIONAL_FIELDS = ("capacity", "enrollment_opens_at", "enrollment_closes_at", "published_at", "archived_at")


class CourseItem(VersionedItem):
    GSI1PK = UnicodeAttribute(null=True)  # every course of the institution (the catalog's rebuild)
    GSI1SK = UnicodeAttribute(null=True)
    by_institution = GSI1()

    course_id = UnicodeAttribute()
    title = UnicodeAttribute()
    description = UnicodeAttribute()
    category = UnicodeAttribute()
    level = UnicodeAttribute()
    language = UnicodeAttribute()
    learning_objectives = ListAttribute(of=UnicodeAttribute)
    prerequisites = ListAttribute(of=UnicodeAttribute)
    instructor_ids = ListAttribute(of=UnicodeAttribute)
    capacity = NumberAttribute(null=True)
    waitlist_enabled = BooleanAttribute(null=True)
    reviews_require_completion = BooleanAttribute(null=True)
    price_amount = UnicodeAttribute(null=True)  # exact decimal text; absent: free
    price_currency = UnicodeAttribute(null=True)
    enrollment_opens_at = UnicodeAttribute(null=True)
    enrollment_closes_at = UnicodeAttribute(null=True)
    status = UnicodeAttribute()
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()
    published_at = UnicodeAttribute(null=True)
    archived_at = UnicodeAttribute(null=True)
    sections = JSONAttribute()
    standards = JSONAttribute(null=True)  # the course's own alignments
    lesson_standards = JSONAttribute(null=True)  # the details of the standards the lessons name, once


class LessonItem(VersionedItem):
    lesson_id = UnicodeAttribute()
    course_id = UnicodeAttribute()
    document = JSONAttribute()


def _to_item(course: Course) -> CourseItem:
    data = course.model_dump(mode="json")
    item = CourseItem(
        keys.course_pk(course.institution_id, course.id),
        keys.COURSE_SK,
        entity=COURSE_ENTITY,
        GSI1PK=keys.institution_courses_pk(course.institution_id),
        GSI1SK=course.id,
        course_id=course.id,
        version=course.version,
        sections=data["sections"],
        standards=data["standards"] or None,
        lesson_standards=data["lesson_standards"] or None,
        waitlist_enabled=course.waitlist_enabled,
        reviews_require_completion=course.reviews_require_completion,
        price_amount=course.price.text() if course.price else None,
        price_currency=course.price.currency if course.price else None,
    )
    for name in (
        "title",
        "description",
        "category",
        "level",
        "language",
        "status",
        "created_at",
        "updated_at",
        *_LIST_FIELDS,
        *_OPTIONAL_FIELDS,
    ):
        setattr(item, name, data[name])
    return item


def course_of_item(institution_id: str, item: CourseItem) -> Course:
    data: dict[str, Any] = {
        name: getattr(item, name)
        for name in (
            "title",
            "description",
            "category",
            "level",
            "language",
            "status",
            "created_at",
            "updated_at",
            *_OPTIONAL_FIELDS,
        )
    }
    data.update({name: list(getattr(item, name) or []) for name in _LIST_FIELDS})
    if data["capacity"] is not None:
        data["capacity"] = int(data["capacity"])
    data["waitlist_enabled"] = bool(item.waitlist_enabled)
    data["reviews_require_completion"] = bool(item.reviews_require_completion)
    if item.price_amount and item.price_currency:
        data["price"] = Price(amount=item.price_amount, currency=item.price_currency)
    return Course(
        id=item.course_id,
        institution_id=institution_id,
        version=int(item.version),
        sections=item.sections,
        standards=item.standards or [],
        lesson_standards=item.lesson_standards or {},
        **data,
    )


def _lesson_item(institution_id: str, lesson: Lesson) -> LessonItem:
    return LessonItem(
        keys.course_pk(institution_id, lesson.course_id),
        keys.lesson_sk(lesson.id),
        entity=LESSON_ENTITY,
        lesson_id=lesson.id,
        course_id=lesson.course_id,
        version=lesson.version,
        document=lesson.model_dump(mode="json"),
    )


class DynamoCourseRepository:
    """Reads are one request each; every change is one TransactWriteItems with its outbox items."""

    def get_course(self, institution_id: str, course_id: str) -> Course | None:
        try:
            item = CourseItem.get(
                keys.course_pk(institution_id, course_id), keys.COURSE_SK, consistent_read=True
            )
        except CourseItem.DoesNotExist:
            return None
        return course_of_item(institution_id, item)

    def get_standing(
        self, institution_id: str, course_id: str, student_id: str, answer_to: tuple[str, str] | None = None
    ) -> Standing:
        """The course, the student's enrollment, the seat counter and, with `answer_to` (user, key),
        the first answer to that Idempotency-Key: one consistent BatchGetItem."""
        pk = keys.course_pk(institution_id, course_id)
        course_key, enrollment_key, roster_key = (
            (pk, keys.COURSE_SK),
            (pk, keys.enrollment_sk(student_id)),
            (pk, keys.ROSTER_SK),
        )
        answer_key = response_key(institution_id, *answer_to) if answer_to is not None else None
        wanted = [course_key, enrollment_key, roster_key] + ([answer_key] if answer_key else [])
        found = {(raw["PK"]["S"], raw["SK"]["S"]): raw for raw in batch_get(wanted)}
        course, enrollment, roster = (found.get(key) for key in (course_key, enrollment_key, roster_key))
        return Standing(
            course=course_of_item(institution_id, CourseItem.from_raw_data(course)) if course else None,
            enrollment=enrollment_of_raw(enrollment) if enrollment else None,
            roster=roster_of_raw(roster) if roster else None,
            answer=response_of_raw(found.get(answer_key)) if answer_key else None,
        )

    def get_courses(self, institution_id: str, course_ids: list[str]) -> dict[str, Course]:
        wanted = [(keys.course_pk(institution_id, cid), keys.COURSE_SK) for cid in dict.fromkeys(course_ids)]
        return {item.course_id: course_of_item(institution_id, item) for item in CourseItem.batch_get(wanted)}

    def every_course(self, institution_id: str) -> Iterator[Course]:
        """Every course of the institution, a GSI1 Query page at a time (maintenance, not a request)."""
        for item in CourseItem.by_institution.query(keys.institution_courses_pk(institution_id)):
            assert isinstance(item, CourseItem)
            yield course_of_item(institution_id, item)

    def get_course_and_lesson(
        self, institution_id: str, course_id: str, lesson_id: str
    ) -> tuple[Course | None, Lesson | None]:
        """The course and one of its lessons, both keys known: one BatchGetItem of their partition."""
        pk = keys.course_pk(institution_id, course_id)
        found = {
            raw["SK"]["S"]: raw for raw in batch_get([(pk, keys.COURSE_SK), (pk, keys.lesson_sk(lesson_id))])
        }
        course = found.get(keys.COURSE_SK)
        lesson = found.get(keys.lesson_sk(lesson_id))
        return (
            course_of_item(institution_id, CourseItem.from_raw_data(course)) if course else None,
            Lesson.model_validate(LessonItem.from_raw_data(lesson).document) if lesson else None,
        )

    def get_roster(self, institution_id: str, course_id: str) -> Roster | None:
        return DynamoEnrollmentRepository().get_roster(institution_id, course_id)

    def waitlist_head(self, institution_id: str, course_id: str, count: int) -> list[WaitlistEntry]:
        return DynamoEnrollmentRepository().waitlist_head(institution_id, course_id, count)

    def stored_response(self, institution_id: str, user_id: str, key: str) -> StoredResponse | None:
        item = find_response(institution_id, user_id, key)
        if item is None:
            return None
        return StoredResponse(fingerprint=item.fingerprint, status=int(item.status), body=item.body)

    def commit(self, change: CourseChange) -> None:
        course = change.course
        inst = course.institution_id
        tx = Transaction()
        if change.expected_version is None:
            tx.put(
                _to_item(course), CourseItem.PK.does_not_exist(), Conflict("A course with this id exists.")
            )
        else:
            tx.put(
                _to_item(course),
                CourseItem.version == change.expected_version,
                ConcurrentModification("The course changed meanwhile; read it again and retry."),
            )
        for prerequisite in change.prerequisites_to_check:
            tx.check(
                CourseItem,
                keys.course_pk(inst, prerequisite),
                keys.COURSE_SK,
                CourseItem.PK.exists() & (CourseItem.status != CourseStatus.ARCHIVED.value),
                InvalidPrerequisites(
                    f"Prerequisite {prerequisite!r} is not an active course of your institution.",
                    field="prerequisites",
                ),
            )
        if change.catalog_entry is not None:
            add_entry(tx, inst, change.catalog_entry)
        if change.lesson_put is not None:
            lesson = _lesson_item(inst, change.lesson_put)
            expected = change.lesson_expected_version
            condition = LessonItem.PK.does_not_exist() if expected is None else LessonItem.version == expected
            tx.put(lesson, condition, PreconditionFailed("The lesson changed meanwhile."))
        for added in change.new_lessons:
            tx.put(
                _lesson_item(inst, added),
                LessonItem.PK.does_not_exist(),
                Conflict("A lesson with this id exists."),
            )
        if change.lesson_delete is not None:
            tx.delete(
                LessonItem(keys.course_pk(inst, course.id), keys.lesson_sk(change.lesson_delete)),
                LessonItem.PK.exists(),
                ConcurrentModification("The lesson was removed meanwhile."),
            )
        if change.roster is not None:
            refusal = ConcurrentModification("The course's roster changed meanwhile; retry.")
            add_roster_plan(tx, inst, course.id, change.roster, course.updated_at, refusal)
        for event in change.events:
            tx.put(outbox_item(event, inst, change.actor))
        if change.idempotent and change.response:
            remember_answer(tx, inst, change.actor.user_id, change.idempotent, change.response)
        tx.commit()
