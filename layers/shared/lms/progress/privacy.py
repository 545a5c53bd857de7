"""The progress context's personal data: lesson completions, progress summaries, activity, achievements.

A student's progress lives in one partition per course (keys.course_progress_pk), so the export
first learns the student's courses from the courses context's enrollment index (GSI1,
keys.student_enrollments_pk): a cross-context read of keys only (docs/architecture.md), and a complete one,
since a completion is only ever written while the enrollment item exists (the completion's
transaction checks it) and enrollment items are never deleted. Then one Query per course, and one
Query of the student's achievements partition (activity and achievements together).

Erasure deletes the learning activity (the days the person learned) and the achievements, which
no aggregate is built from. Completions and summaries stay under the student's id, a pseudonym
once the profile is erased: they carry no name, and course completion rates are counted from them.
Runs before the courses context's erasure (lms.privacy.registry), which leaves the index intact.
"""

from __future__ import annotations

from typing import Any

from pynamodb.attributes import UnicodeAttribute

from lms import keys
from lms.auth import Principal
from lms.persistence.table import GSI1, Item
from lms.privacy import Contributor, ExportRecord, ExportSections
from lms.progress.repository import (
    ACHIEVEMENT_ENTITY,
    ACTIVITY_ENTITY,
    COMPLETION_ENTITY,
    SUMMARY_ENTITY,
    AchievementItem,
    ActivityItem,
    CompletionItem,
    SummaryItem,
)


class StudentCourseView(Item):
    """The courses context's enrollment items seen through its per-student index: course ids only."""

    GSI1PK = UnicodeAttribute()
    GSI1SK = UnicodeAttribute()
    by_student = GSI1()

    course_id = UnicodeAttribute()


def _course_ids(institution_id: str, student_id: str) -> list[str]:
    partition = keys.student_enrollments_pk(institution_id, student_id)
    pages = StudentCourseView.by_student.query(partition, attributes_to_get=["course_id"]).page_iter
    return sorted({raw["course_id"]["S"] for page in pages for raw in page.get("Items", [])})


def _raw_items(partition: str) -> list[dict[str, Any]]:
    return [raw for page in CompletionItem.query(partition).page_iter for raw in page.get("Items", [])]


def _entity(raw: dict[str, Any]) -> str:
    return str(raw.get("entity", {}).get("S", ""))


def export(institution_id: str, user_id: str) -> ExportSections:
    summaries: list[ExportRecord] = []
    completions: list[ExportRecord] = []
    for course_id in _course_ids(institution_id, user_id):
        for raw in _raw_items(keys.course_progress_pk(institution_id, user_id, course_id)):
            if _entity(raw) == COMPLETION_ENTITY:
                completion = CompletionItem.from_raw_data(raw)
                completions.append(
                    {
                        "course_id": completion.course_id,
                        "lesson_id": completion.lesson_id,
                        "completed_at": completion.completed_at,
                    }
                )
            elif _entity(raw) == SUMMARY_ENTITY:
                summary = SummaryItem.from_raw_data(raw)
                summaries.append(
                    {
                        "course_id": summary.course_id,
                        "completed_at": summary.completed_at,
                        "last_activity_at": summary.last_activity_at,
                        "progress": summary.document,
                    }
                )
    activity: list[ExportRecord] = []
    achievements: list[ExportRecord] = []
    for raw in _raw_items(keys.achievements_pk(institution_id, user_id)):
        if _entity(raw) == ACTIVITY_ENTITY:
            activity.append(ActivityItem.from_raw_data(raw).document)
        elif _entity(raw) == ACHIEVEMENT_ENTITY:
            earned = AchievementItem.from_raw_data(raw)
            achievements.append(
                {
                    "achievement": earned.achievement,
                    "course_id": earned.course_id,
                    "earned_at": earned.earned_at,
                }
            )
    return {
        "course_progress": summaries,
        "lesson_completions": completions,
        "learning_activity": activity,
        "achievements": achievements,
    }


def erase(institution_id: str, user_id: str, actor: Principal) -> None:
    """Delete the learning activity and the achievements; deleting what is gone changes nothing."""
    for raw in _raw_items(keys.achievements_pk(institution_id, user_id)):
        if _entity(raw) in (ACTIVITY_ENTITY, ACHIEVEMENT_ENTITY):
            Item(raw["PK"]["S"], raw["SK"]["S"]).delete()


CONTRIBUTOR = Contributor(
    name="progress",
    exported=(CompletionItem, SummaryItem, ActivityItem, AchievementItem),
    export=export,
    erase=erase,
)
