"""The courses context's items in the single table (access patterns: docs/data-model.md)."""

from __future__ import annotations

from typing import Any

from pynamodb.attributes import (
    BooleanAttribute,
    JSONAttribute,
    ListAttribute,
    NumberAttribute,
    UnicodeAttribute,
)
from pynamodb.expressions.condition import Condition

from lms import keys
from lms.courses.domain import Course, CourseStatus, Lesson
from lms.courses.enrollment.domain import Roster, WaitlistEntry
from lms.courses.enrollment.repository import DynamoEnrollmentRepository, add_roster_plan
from lms.courses.errors import ConcurrentModification, InvalidPrerequisites
from lms.courses.service import CatalogQuery, CourseChange
from lms.errors import Conflict, PreconditionFailed
from lms.idempotency import DuplicateRequest, StoredResponse
from lms.pagination import decode_cursor, encode_cursor
from lms.persistence.idempotency import find_response, remember_answer
from lms.persistence.outbox import outbox_item
from lms.persistence.table import GSI1, VersionedItem, batch_get
from lms.persistence.transactions import Transaction

COURSE_ENTITY = "course"
LESSON_ENTITY = "lesson"
_LIST_FIELDS = ("learning_objectives", "prerequisites", "instructor_ids")
_OPTIONAL_FIELDS = ("capacity", "enrollment_opens_at", "enrollment_closes_at", "published_at", "archived_at")


class CourseItem(VersionedItem):
    GSI1PK = UnicodeAttribute()
    GSI1SK = UnicodeAttribute()
    catalog = GSI1()

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
    enrollment_opens_at = UnicodeAttribute(null=True)
    enrollment_closes_at = UnicodeAttribute(null=True)
    status = UnicodeAttribute()
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()
    published_at = UnicodeAttribute(null=True)
    archived_at = UnicodeAttribute(null=True)
    sections = JSONAttribute()
    search_text = UnicodeAttribute()  # lower-cased title and description, for `search`


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
        GSI1PK=keys.catalog_pk(course.institution_id, course.status),
        GSI1SK=keys.catalog_sk(course.category, course.level, data["created_at"], course.id),
        course_id=course.id,
        version=course.version,
        sections=data["sections"],
        search_text=f"{course.title}\n{course.description}".lower(),
        waitlist_enabled=course.waitlist_enabled,
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


def _to_course(institution_id: str, item: CourseItem) -> Course:
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
    return Course(
        id=item.course_id,
        institution_id=institution_id,
        version=int(item.version),
        sections=item.sections,
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
        return _to_course(institution_id, item)

    def get_courses(self, institution_id: str, course_ids: list[str]) -> dict[str, Course]:
        wanted = [(keys.course_pk(institution_id, cid), keys.COURSE_SK) for cid in dict.fromkeys(course_ids)]
        return {item.course_id: _to_course(institution_id, item) for item in CourseItem.batch_get(wanted)}

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
            _to_course(institution_id, CourseItem.from_raw_data(course)) if course else None,
            Lesson.model_validate(LessonItem.from_raw_data(lesson).document) if lesson else None,
        )

    def list_courses(self, institution_id: str, query: CatalogQuery) -> tuple[list[Course], str | None]:
        partition = keys.catalog_pk(institution_id, query.status)
        start = decode_cursor(query.cursor, partition_attr="GSI1PK", partition=partition)
        range_condition = None
        if query.category and query.level:
            range_condition = CourseItem.GSI1SK.startswith(keys.catalog_prefix(query.category, query.level))
        elif query.category:
            range_condition = CourseItem.GSI1SK.startswith(keys.catalog_prefix(query.category))
        filters: list[Condition] = []
        if query.level and not query.category:
            filters.append(CourseItem.level == query.level)
        if query.search:
            filters.append(CourseItem.search_text.contains(query.search.lower()))
        if query.taught_by:
            filters.append(CourseItem.instructor_ids.contains(query.taught_by))
        filter_condition = None
        for condition in filters:
            filter_condition = condition if filter_condition is None else filter_condition & condition
        results = CourseItem.catalog.query(
            partition,
            range_key_condition=range_condition,
            filter_condition=filter_condition,
            last_evaluated_key=start,
            page_size=query.limit,
        )
        # Exactly one Query per page: a filtered page may hold fewer than `limit` items.
        page = next(results.page_iter)
        courses = [_to_course(institution_id, CourseItem.from_raw_data(raw)) for raw in page.get("Items", [])]
        return courses, encode_cursor(page.get("LastEvaluatedKey"))

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
        if change.lesson_put is not None:
            lesson = _lesson_item(inst, change.lesson_put)
            expected = change.lesson_expected_version
            condition = LessonItem.PK.does_not_exist() if expected is None else LessonItem.version == expected
            tx.put(lesson, condition, PreconditionFailed("The lesson changed meanwhile."))
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
            remember_answer(
                tx, inst, change.actor.user_id, change.idempotent, change.response, DuplicateRequest()
            )
        tx.commit()
