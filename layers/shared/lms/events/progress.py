"""Events of the progress context (source `lms.progress`)."""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field

from lms.events.envelope import DomainEvent


class ProgressEvent(DomainEvent):
    source: ClassVar[str] = "lms.progress"

    student_id: str


class LessonCompleted(ProgressEvent):
    """The student marked a lesson of a course they are enrolled in as complete."""

    name: ClassVar[str] = "LessonCompleted"

    course_id: str
    lesson_id: str
    timezone: str = Field(
        default="UTC",
        description="The student's IANA time zone when they completed it: learning streaks count their days.",
    )


class LessonCompletionUndone(ProgressEvent):
    """The student took back a lesson completion."""

    name: ClassVar[str] = "LessonCompletionUndone"

    course_id: str
    lesson_id: str


class CourseCompleted(ProgressEvent):
    """Every lesson (and required assessment) of the course is complete; emitted once per student."""

    name: ClassVar[str] = "CourseCompleted"

    course_id: str


class AchievementEarned(ProgressEvent):
    """The student earned an achievement (`achievement` is its stable slug)."""

    name: ClassVar[str] = "AchievementEarned"

    achievement: str
    course_id: str | None = None
