"""The progress context's items in the single table (access patterns: docs/data-model.md)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pynamodb.attributes import JSONAttribute, UnicodeAttribute

from lms import audit, clock, keys
from lms.auth import Principal
from lms.errors import Conflict
from lms.events import DomainEvent, EventEnvelope
from lms.events.progress import LessonCompleted, LessonCompletionUndone
from lms.pagination import decode_cursor, encode_cursor
from lms.persistence.inbox import record_in
from lms.persistence.outbox import outbox_item
from lms.persistence.table import GSI1, Item, VersionedItem
from lms.persistence.transactions import Transaction
from lms.progress import course_access
from lms.progress.domain import (
    Achievement,
    CourseOutline,
    Earned,
    Enrollment,
    LearnerProgress,
    LearningActivity,
)
from lms.progress.errors import (
    CourseAlreadyCompleted,
    CourseNotFound,
    LearningClosed,
    LessonNotFound,
    NotEnrolled,
)
from lms.progress.service import EarnedAchievement, LessonCompletion, StudentCourse

CONSUMER = "progress"
"""The progress consumer's name in its inbox records."""

COMPLETION_ENTITY = "lesson-completion"
SUMMARY_ENTITY = "progress-summary"
OUTLINE_ENTITY = "progress-outline"
ACTIVITY_ENTITY = "learning-activity"
ACHIEVEMENT_ENTITY = "achievement"


# The catalog's states these checks rely on (the courses context writes them).
class CompletionItem(Item):
    student_id = UnicodeAttribute()
    course_id = UnicodeAttribute()
    lesson_id = UnicodeAttribute()
    completed_at = UnicodeAttribute()


class SummaryItem(VersionedItem):
    # Set only while the student is enrolled: the class list is a sparse index.
    GSI1PK = UnicodeAttribute(null=True)
    GSI1SK = UnicodeAttribute(null=True)
    learners = GSI1()

    student_id = UnicodeAttribute()
    course_id = UnicodeAttribute()
    completed_at = UnicodeAttribute(null=True)  # the prerequisite contract: set once the course is completed
    last_activity_at = UnicodeAttribute(null=True)
    document = JSONAttribute()  # LearnerProgress


class OutlineItem(VersionedItem):
    course_id = UnicodeAttribute()
    document = JSONAttribute()  # CourseOutline


class ActivityItem(VersionedItem):
    student_id = UnicodeAttribute()
    document = JSONAttribute()  # LearningActivity


class AchievementItem(Item):
    student_id = UnicodeAttribute()
    achievement = UnicodeAttribute()
    course_id = UnicodeAttribute(null=True)
    earned_at = UnicodeAttribute()


class _CourseClosed(Exception):
    """The course is not published: read it to tell which refusal applies."""


class _AlreadyCompleted(Exception):
    """The completion exists: the request is a repeat."""


class _NotCompleted(Exception):
    """No completion to undo: the request is a repeat."""


class StateChanged(Exception):
    """Another event changed the progress state between read and write; retrying re-reads it."""


def _time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _completion(item: CompletionItem) -> LessonCompletion:
    return LessonCompletion(
        student_id=item.student_id,
        course_id=item.course_id,
        lesson_id=item.lesson_id,
        completed_at=datetime.fromisoformat(item.completed_at),
    )


def learner_progress(item: SummaryItem) -> LearnerProgress:
    return LearnerProgress.model_validate({**item.document, "version": int(item.version)})


def course_outline(item: OutlineItem) -> CourseOutline:
    return CourseOutline.model_validate({**item.document, "version": int(item.version)})


def _summary_item(institution_id: str, progress: LearnerProgress) -> SummaryItem:
    enrolled = progress.enrollment == Enrollment.ENROLLED
    return SummaryItem(
        keys.course_progress_pk(institution_id, progress.student_id, progress.course_id),
        keys.PROGRESS_SUMMARY_SK,
        entity=SUMMARY_ENTITY,
        GSI1PK=keys.course_learners_pk(institution_id, progress.course_id) if enrolled else None,
        GSI1SK=progress.student_id if enrolled else None,
        student_id=progress.student_id,
        course_id=progress.course_id,
        completed_at=clock.rfc3339(progress.completed_at) if progress.completed_at else None,
        last_activity_at=clock.rfc3339(progress.last_activity_at) if progress.last_activity_at else None,
        document=progress.model_dump(mode="json", exclude={"version"}),
        version=progress.version + 1,
    )


def _versioned(item_cls: type[VersionedItem], version: int) -> Any:
    """The condition that the stored item is the one read (absent when it was new)."""
    return item_cls.PK.does_not_exist() if version == 0 else item_cls.version == version


@dataclass
class ProgressChange:
    """What handling one event writes, in one transaction with its inbox record and events."""

    institution_id: str
    actor: Principal
    envelope: EventEnvelope | None = None  # recorded in the inbox; None for a derived change
    outline: CourseOutline | None = None  # written
    outline_read: CourseOutline | None = None  # not written, but must not have changed
    progress: LearnerProgress | None = None
    activity: LearningActivity | None = None
    earned: list[Earned] = field(default_factory=list)
    events: list[DomainEvent] = field(default_factory=list)
    at: datetime = field(default_factory=clock.now)


class DynamoProgressRepository:
    """API reads are one request each; every change is one TransactWriteItems with its events."""

    # ------------------------------------------------------------ API: completions

    def _course_checks(
        self, tx: Transaction, inst: str, student_id: str, course_id: str, lesson_id: str
    ) -> None:
        course_access.check_completable(
            tx,
            inst,
            course_id,
            student_id,
            lesson_id,
            closed=_CourseClosed(),
            not_enrolled=NotEnrolled("Enroll in the course to record progress in it."),
            no_lesson=LessonNotFound(f"The course has no lesson {lesson_id!r}."),
        )

    def _why_closed(self, inst: str, course_id: str) -> Exception:
        status = course_access.course_status(inst, course_id)
        if status == course_access.ARCHIVED:
            return LearningClosed("The course is archived.")
        if status == course_access.PUBLISHED:
            return Conflict("The course changed while this request was applied; retry.")
        return CourseNotFound(
            f"No course {course_id!r}."
        )  # unknown, or a draft: it exists only for its staff

    def complete_lesson(
        self, actor: Principal, completion: LessonCompletion, event: LessonCompleted
    ) -> tuple[LessonCompletion, bool]:
        inst = actor.institution_id
        pk = keys.course_progress_pk(inst, completion.student_id, completion.course_id)
        sk = keys.completion_sk(completion.lesson_id)
        tx = Transaction()
        self._course_checks(tx, inst, completion.student_id, completion.course_id, completion.lesson_id)
        item = CompletionItem(
            pk,
            sk,
            entity=COMPLETION_ENTITY,
            student_id=completion.student_id,
            course_id=completion.course_id,
            lesson_id=completion.lesson_id,
            completed_at=clock.rfc3339(completion.completed_at),
        )
        tx.put(item, CompletionItem.PK.does_not_exist(), _AlreadyCompleted())
        tx.put(outbox_item(event, inst, actor))
        try:
            tx.commit()
        except _CourseClosed:
            raise self._why_closed(inst, completion.course_id) from None
        except _AlreadyCompleted:
            return _completion(CompletionItem.get(pk, sk, consistent_read=True)), False
        return _completion(item), True

    def undo_completion(self, actor: Principal, event: LessonCompletionUndone) -> bool:
        inst = actor.institution_id
        pk = keys.course_progress_pk(inst, event.student_id, event.course_id)
        tx = Transaction()
        self._course_checks(tx, inst, event.student_id, event.course_id, event.lesson_id)
        tx.check(
            SummaryItem,
            pk,
            keys.PROGRESS_SUMMARY_SK,
            SummaryItem.completed_at.does_not_exist(),
            CourseAlreadyCompleted("The course is completed; its lessons stay completed."),
        )
        tx.delete(
            CompletionItem(pk, keys.completion_sk(event.lesson_id)),
            CompletionItem.PK.exists(),
            _NotCompleted(),
        )
        tx.put(outbox_item(event, inst, actor))
        try:
            tx.commit()
        except _CourseClosed:
            raise self._why_closed(inst, event.course_id) from None
        except _NotCompleted:
            return False
        return True

    # ------------------------------------------------------------ API: reads

    def get_outline(self, institution_id: str, course_id: str) -> CourseOutline | None:
        try:
            item = OutlineItem.get(
                keys.progress_outline_pk(institution_id, course_id),
                keys.PROGRESS_OUTLINE_SK,
                consistent_read=True,
            )
        except OutlineItem.DoesNotExist:
            return None
        return course_outline(item)

    def student_course(self, institution_id: str, student_id: str, course_id: str) -> StudentCourse:
        # One partition holds the completions and the summary: one Query (at most 500 small items).
        pk = keys.course_progress_pk(institution_id, student_id, course_id)
        completions: list[LessonCompletion] = []
        summary = None
        for page in CompletionItem.query(pk, consistent_read=True).page_iter:
            for raw in page.get("Items", []):
                entity = raw.get("entity", {}).get("S")
                if entity == COMPLETION_ENTITY:
                    completions.append(_completion(CompletionItem.from_raw_data(raw)))
                elif entity == SUMMARY_ENTITY:
                    summary = learner_progress(SummaryItem.from_raw_data(raw))
        return StudentCourse(completions=completions, summary=summary)

    def list_learners(
        self, institution_id: str, course_id: str, limit: int, cursor: str | None
    ) -> tuple[list[LearnerProgress], str | None]:
        partition = keys.course_learners_pk(institution_id, course_id)
        start = decode_cursor(cursor, partition_attr="GSI1PK", partition=partition)
        results = SummaryItem.learners.query(partition, last_evaluated_key=start, page_size=limit)
        page = next(results.page_iter)
        learners = [learner_progress(SummaryItem.from_raw_data(raw)) for raw in page.get("Items", [])]
        return learners, encode_cursor(page.get("LastEvaluatedKey"))

    def list_achievements(
        self, institution_id: str, student_id: str, limit: int, cursor: str | None
    ) -> tuple[list[EarnedAchievement], str | None]:
        partition = keys.achievements_pk(institution_id, student_id)
        start = decode_cursor(cursor, partition_attr="PK", partition=partition)
        results = AchievementItem.query(
            partition,
            AchievementItem.SK.startswith(keys.ACHIEVEMENT_SK_PREFIX),
            last_evaluated_key=start,
            page_size=limit,
        )
        page = next(results.page_iter)
        found = []
        for raw in page.get("Items", []):
            item = AchievementItem.from_raw_data(raw)
            earned = Earned(achievement=Achievement(item.achievement), course_id=item.course_id)
            found.append(EarnedAchievement(earned, datetime.fromisoformat(item.earned_at)))
        return found, encode_cursor(page.get("LastEvaluatedKey"))

    def record_read(self, actor: Principal, course_id: str, student_id: str) -> None:
        """Staff reading one student's progress leave an entry in the audit trail."""
        audit.record_read(
            actor,
            "GetStudentProgress",
            f"progress/courses/{course_id}/students/{student_id}",
            subject_user_id=student_id,
        )

    def record_class_read(self, actor: Principal, course_id: str, students: int) -> None:
        """Staff reading a page of a course's progress leave one entry in the audit trail."""
        audit.record_class_read(
            actor, "ListCourseProgress", f"progress/courses/{course_id}/students", students=students
        )

    # ------------------------------------------------------------ consumer: state

    def load_progress(self, institution_id: str, student_id: str, course_id: str) -> LearnerProgress | None:
        try:
            item = SummaryItem.get(
                keys.course_progress_pk(institution_id, student_id, course_id),
                keys.PROGRESS_SUMMARY_SK,
                consistent_read=True,
            )
        except SummaryItem.DoesNotExist:
            return None
        return learner_progress(item)

    def load_activity(self, institution_id: str, student_id: str) -> LearningActivity:
        try:
            item = ActivityItem.get(
                keys.achievements_pk(institution_id, student_id),
                keys.LEARNING_ACTIVITY_SK,
                consistent_read=True,
            )
        except ActivityItem.DoesNotExist:
            return LearningActivity(student_id=student_id)
        return LearningActivity.model_validate({**item.document, "version": int(item.version)})

    def learners_to_settle(self, institution_id: str, course_id: str) -> list[str]:
        """Enrolled students whose course is not completed (every page: a consumer, not a request)."""
        partition = keys.course_learners_pk(institution_id, course_id)
        found = SummaryItem.learners.query(
            partition, filter_condition=SummaryItem.completed_at.does_not_exist()
        )
        return [str(item.attribute_values["student_id"]) for item in found]

    def commit(self, change: ProgressChange) -> None:
        """One transaction: inbox record, state (each conditional on the version read), events."""
        inst = change.institution_id
        tx = Transaction()
        if change.outline_read is not None:
            tx.check(
                OutlineItem,
                keys.progress_outline_pk(inst, change.outline_read.course_id),
                keys.PROGRESS_OUTLINE_SK,
                _versioned(OutlineItem, change.outline_read.version),
                StateChanged(),
            )
        if change.envelope is not None:
            record_in(tx, CONSUMER, change.envelope)
        if change.outline is not None:
            outline = change.outline
            tx.put(
                OutlineItem(
                    keys.progress_outline_pk(inst, outline.course_id),
                    keys.PROGRESS_OUTLINE_SK,
                    entity=OUTLINE_ENTITY,
                    course_id=outline.course_id,
                    document=outline.model_dump(mode="json", exclude={"version"}),
                    version=outline.version + 1,
                ),
                _versioned(OutlineItem, outline.version),
                StateChanged(),
            )
        if change.progress is not None:
            tx.put(
                _summary_item(inst, change.progress),
                _versioned(SummaryItem, change.progress.version),
                StateChanged(),
            )
        if change.activity is not None:
            activity = change.activity
            tx.put(
                ActivityItem(
                    keys.achievements_pk(inst, activity.student_id),
                    keys.LEARNING_ACTIVITY_SK,
                    entity=ACTIVITY_ENTITY,
                    student_id=activity.student_id,
                    document=activity.model_dump(mode="json", exclude={"version"}),
                    version=activity.version + 1,
                ),
                _versioned(ActivityItem, activity.version),
                StateChanged(),
            )
            for earned in change.earned:
                tx.put(
                    AchievementItem(
                        keys.achievements_pk(inst, activity.student_id),
                        keys.achievement_sk(earned.achievement, earned.course_id),
                        entity=ACHIEVEMENT_ENTITY,
                        student_id=activity.student_id,
                        achievement=earned.achievement.value,
                        course_id=earned.course_id,
                        earned_at=clock.rfc3339(change.at),
                    ),
                    AchievementItem.PK.does_not_exist(),
                    StateChanged(),
                )
        for event in change.events:
            tx.put(outbox_item(event, inst, change.actor))
        tx.commit()
