"""Line items, scores and results as LTI AGS 2.0 defines them (pure: no AWS, no HTTP).

A line item is a column a tool grades into, in one course; a score is what the tool posts for one
student; the result is the latest score the platform kept, scaled to the line item's maximum.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import Any

AGS = "https://purl.imsglobal.org/spec/lti-ags/scope/"
LINE_ITEM_SCOPE = AGS + "lineitem"
LINE_ITEM_READONLY_SCOPE = AGS + "lineitem.readonly"
RESULT_READONLY_SCOPE = AGS + "result.readonly"
SCORE_SCOPE = AGS + "score"
AGS_SCOPES = (LINE_ITEM_SCOPE, LINE_ITEM_READONLY_SCOPE, RESULT_READONLY_SCOPE, SCORE_SCOPE)
LINE_ITEM_READERS = frozenset({LINE_ITEM_SCOPE, LINE_ITEM_READONLY_SCOPE})
"""Either scope reads line items; only `lineitem` changes them."""

AGS_CLAIM = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
LINE_ITEM_MEDIA_TYPE = "application/vnd.ims.lis.v2.lineitem+json"
LINE_ITEM_CONTAINER_MEDIA_TYPE = "application/vnd.ims.lis.v2.lineitemcontainer+json"
SCORE_MEDIA_TYPE = "application/vnd.ims.lis.v1.score+json"
RESULT_CONTAINER_MEDIA_TYPE = "application/vnd.ims.lis.v2.resultcontainer+json"

GRADEBOOK_CATEGORY = "urn:lms:lti:gradebook_category"
"""The line item's extension property naming the gradebook category its scores count in."""
DEFAULT_CATEGORY = "assignments"
"""Where a line item counts unless it names a category: one of the gradebook's default categories."""
RESOURCE_LINK_SCORE_MAXIMUM = Decimal(100)
"""The maximum of a resource link's own line item until the tool changes it."""
RESULT_PLACES = Decimal("0.000001")


class GradingProgress(StrEnum):
    FULLY_GRADED = "FullyGraded"
    PENDING = "Pending"
    PENDING_MANUAL = "PendingManual"
    FAILED = "Failed"
    NOT_READY = "NotReady"


class ActivityProgress(StrEnum):
    INITIALIZED = "Initialized"
    STARTED = "Started"
    IN_PROGRESS = "InProgress"
    SUBMITTED = "Submitted"
    COMPLETED = "Completed"


@dataclass(frozen=True)
class LineItem:
    """A tool's column of grades in a course; the resource link's own one has the lesson's id."""

    id: str
    institution_id: str
    tool_id: str
    course_id: str
    label: str
    score_maximum: Decimal
    resource_link_id: str | None
    resource_id: str | None
    tag: str | None
    start_date_time: datetime | None
    end_date_time: datetime | None
    gradebook_category: str
    version: int
    created_at: datetime
    updated_at: datetime

    def changed(self, now: datetime, **changes: object) -> LineItem:
        return replace(self, **changes, version=self.version + 1, updated_at=now)  # type: ignore[arg-type]


@dataclass(frozen=True)
class Score:
    """What a tool posts for one student; `score_given` None clears the student's score."""

    user_id: str
    score_given: Decimal | None
    score_maximum: Decimal | None
    activity_progress: ActivityProgress
    grading_progress: GradingProgress
    timestamp: datetime
    comment: str | None = None


@dataclass(frozen=True)
class Result:
    """The latest score of a student for a line item, as the platform keeps it."""

    line_item: LineItem
    score: Score
    result_score: Decimal | None
    result_maximum: Decimal

    @property
    def counts(self) -> bool:
        """Only a fully graded score counts in the gradebook; any other progress holds no grade yet."""
        return self.result_score is not None and self.score.grading_progress == GradingProgress.FULLY_GRADED


def result_of(line_item: LineItem, score: Score) -> Result:
    """The score scaled to the line item's maximum (a score above its maximum stays above: extra credit)."""
    if score.score_given is None or score.score_maximum is None:
        return Result(line_item, score, None, line_item.score_maximum)
    scaled = score.score_given * line_item.score_maximum / score.score_maximum
    return Result(
        line_item,
        score,
        scaled.quantize(RESULT_PLACES, rounding=ROUND_HALF_UP).normalize(),
        line_item.score_maximum,
    )


def resource_link_line_item(
    institution_id: str,
    tool_id: str,
    course_id: str,
    lesson_id: str,
    title: str,
    category: str | None,
    now: datetime,
    hint: Mapping[str, Any] | None = None,
) -> LineItem:
    """The line item of an `lti` lesson, made the first time its tool uses it, in the lesson's category;
    with the maximum, label, resource id and tag the tool asked for when it deep linked the lesson."""
    hint = hint or {}
    maximum = hint.get("score_maximum")
    return LineItem(
        id=lesson_id,
        institution_id=institution_id,
        tool_id=tool_id,
        course_id=course_id,
        label=str(hint.get("label") or title or "LTI activity"),
        score_maximum=Decimal(str(maximum)) if maximum else RESOURCE_LINK_SCORE_MAXIMUM,
        resource_link_id=lesson_id,
        resource_id=hint.get("resource_id"),
        tag=hint.get("tag"),
        start_date_time=None,
        end_date_time=None,
        gradebook_category=category or DEFAULT_CATEGORY,
        version=1,
        created_at=now,
        updated_at=now,
    )
