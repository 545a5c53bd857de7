"""Events of the analytics context (source `lms.analytics`).

`LessonOpened` records that a learner opened a lesson (activity no other event announces);
`LearnerAtRisk` and `LearnerBackOnTrack` tell the course's staff (through the notification
service) that a learner's at-risk status changed, with the reasons the rules found.
"""

from __future__ import annotations

from typing import ClassVar

from pydantic import ConfigDict, Field

from lms.events.envelope import DomainEvent
from lms.lazy_model import LazyModel


class AnalyticsEvent(DomainEvent):
    source: ClassVar[str] = "lms.analytics"

    course_id: str
    student_id: str


class LessonOpened(AnalyticsEvent):
    """A student opened a lesson of a course they are enrolled in (their app said so)."""

    name: ClassVar[str] = "LessonOpened"

    lesson_id: str


class AtRiskReason(LazyModel):
    model_config = ConfigDict(frozen=True)

    rule: str = Field(description="`inactive`, `missed_deadlines`, `failing_grade` or `behind_schedule`.")
    detail: str = Field(description="What the rule found, in words for the course's staff.")
    assessment_ids: list[str] = Field(
        default_factory=list, description="The assessments concerned (`missed_deadlines`)."
    )


class LearnerAtRisk(AnalyticsEvent):
    """A learner became at risk in a course, or the reasons they are at risk changed."""

    name: ClassVar[str] = "LearnerAtRisk"

    reasons: list[AtRiskReason]
    instructor_ids: list[str] = Field(description="Who teaches the course (who may want to hear of it).")


class LearnerBackOnTrack(AnalyticsEvent):
    """A learner at risk in a course no longer meets any at-risk rule (or left or completed it)."""

    name: ClassVar[str] = "LearnerBackOnTrack"

    resolved: list[str] = Field(description="The rules that no longer hold.")
    instructor_ids: list[str] = Field(description="Who teaches the course (who may want to hear of it).")
