"""What the due-soon reminders need to know of assessments: what comes due, and who is done with it.

Cross-context reads of the assessments context's items (it owns assignments, quizzes, submissions,
extensions and their due markers, lms.assessments.due_index), named here and nowhere else in the
context. Nothing is written from them, so no rule is re-checked at commit.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pynamodb.attributes import NumberAttribute, UnicodeAttribute

from lms import keys
from lms.notifications import course_access
from lms.notifications.reminders import ComingDue
from lms.persistence.table import GSI1, Item

ASSIGNMENT = "assignment"
EXTENSION_PREFIX = "EXTENSION#"
SCORE_PREFIX = "SCORE#"


class DueMarker(Item):
    """An assessments-context due marker (lms.assessments.due_index; never written here)."""

    GSI1PK = UnicodeAttribute()
    GSI1SK = UnicodeAttribute()
    by_due_time = GSI1()

    institution_id = UnicodeAttribute()
    course_id = UnicodeAttribute()
    kind = UnicodeAttribute()
    assessment_id = UnicodeAttribute()
    title = UnicodeAttribute()
    due_at = UnicodeAttribute()
    student_id = UnicodeAttribute(null=True)


class AssessmentPartItem(Item):
    """An item of an assignment's or quiz's partition: whose it is, and its status (never written here)."""

    student_id = UnicodeAttribute(null=True)
    status = UnicodeAttribute(null=True)
    submitted = NumberAttribute(null=True)


def coming_due(after: str, until: str) -> Iterator[ComingDue]:
    """The markers due after `after` and by `until`: a Query of each shard of the sparse index,
    page by page."""
    lower, upper = keys.due_assessments_between(after, until)
    for shard in range(keys.DUE_ASSESSMENT_SHARDS):
        results = DueMarker.by_due_time.query(
            keys.due_assessments_pk(shard), DueMarker.GSI1SK.between(lower, upper)
        )
        pages: Any = results.page_iter
        for page in pages:
            for raw in page.get("Items", []):
                item = DueMarker.from_raw_data(raw)
                yield ComingDue(
                    institution_id=item.institution_id,
                    course_id=item.course_id,
                    kind=item.kind,
                    assessment_id=item.assessment_id,
                    title=item.title,
                    due_at=item.due_at,
                    student_id=item.student_id,
                )


def _partition(due: ComingDue) -> str:
    if due.kind == ASSIGNMENT:
        return keys.assignment_pk(due.institution_id, due.assessment_id)
    return keys.quiz_pk(due.institution_id, due.assessment_id)


def _student_items(pk: str, prefix: str) -> list[dict[str, Any]]:
    results = AssessmentPartItem.query(
        pk, AssessmentPartItem.SK.startswith(prefix), attributes_to_get=["student_id", "submitted"]
    )
    pages: Any = results.page_iter
    return [raw for page in pages for raw in page.get("Items", []) if "student_id" in raw]


def submitted(due: ComingDue) -> set[str]:
    """Who submitted: an assignment's student records, a quiz's scores with a submitted attempt
    (a Query of the item's partition, page by page)."""
    if due.kind == ASSIGNMENT:
        raws = _student_items(_partition(due), keys.ASSIGNMENT_STUDENT_PREFIX)
        return {raw["student_id"]["S"] for raw in raws}
    raws = _student_items(_partition(due), SCORE_PREFIX)
    return {raw["student_id"]["S"] for raw in raws if int(raw.get("submitted", {}).get("N", "0")) > 0}


def with_extension(due: ComingDue) -> set[str]:
    """The students with their own due date for an assignment (quizzes have none): a Query, page by page."""
    if due.kind != ASSIGNMENT:
        return set()
    return {raw["student_id"]["S"] for raw in _student_items(_partition(due), EXTENSION_PREFIX)}


def published(due: ComingDue) -> bool:
    """Whether the item is published (an extension may be granted on a draft): one GetItem."""
    sort_key = keys.ASSIGNMENT_SK if due.kind == ASSIGNMENT else keys.QUIZ_SK
    try:
        item = AssessmentPartItem.get(_partition(due), sort_key, attributes_to_get=["PK", "SK", "status"])
    except AssessmentPartItem.DoesNotExist:
        return False
    return item.status == "published"


class TableDueIndex:
    """The reminders' port (lms.notifications.reminders.DueIndex) over these reads and the roster's."""

    def coming_due(self, after: str, until: str) -> Iterator[ComingDue]:
        return coming_due(after, until)

    def submitted(self, due: ComingDue) -> set[str]:
        return submitted(due)

    def with_extension(self, due: ComingDue) -> set[str]:
        return with_extension(due)

    def published(self, due: ComingDue) -> bool:
        return published(due)

    def enrolled(self, due: ComingDue, student_id: str) -> bool:
        return course_access.is_enrolled(due.institution_id, due.course_id, student_id)
