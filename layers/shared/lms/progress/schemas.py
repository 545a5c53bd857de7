"""Response bodies of the progress API (the OpenAPI document is generated from them)."""

from __future__ import annotations

from typing import Literal

from pydantic import AwareDatetime, Field

from lms.lazy_model import LazyModel
from lms.progress.domain import Achievement, Enrollment


class LessonCompletionView(LazyModel):
    course_id: str
    lesson_id: str
    completed_at: AwareDatetime = Field(description="When the student first marked it complete.")


PERCENT = (
    "Whole percent of what completes the course: its lessons and its required assessments, each"
    " counting one; 100 only when every lesson is completed and every required assessment passed."
)
COMPLETED_AT = (
    "When every lesson was first completed and every required assessment passed. A completed"
    " course stays completed: a regrade that fails an assessment, or a lesson or required"
    " assessment added later, does not reopen it."
)


class RequiredAssessmentView(LazyModel):
    """An assessment a student must pass to complete the course (a quiz published as required)."""

    assessment_id: str
    kind: Literal["quiz"]
    title: str
    lesson_id: str | None = Field(description="The lesson the quiz belongs to, if any.")


class CourseProgressView(LazyModel):
    """One student's progress in one course."""

    course_id: str
    student_id: str
    title: str
    enrollment: Enrollment | None = Field(
        description="As the progress context last learned it; null until the enrollment reaches it."
    )
    completed_lessons: list[str] = Field(description="Completed lessons that count, in outline order.")
    lesson_count: int
    required_assessments: list[RequiredAssessmentView] = Field(
        description="Assessments required for completion, in the order they were published."
    )
    passed_assessments: list[str] = Field(
        description="Ids of the required assessments the student's latest grade passes, in the order of"
        " `required_assessments` (a regrade may take one out)."
    )
    percent: int = Field(ge=0, le=100, description=PERCENT)
    next_lesson_id: str | None = Field(description="The first lesson not completed, in outline order.")
    last_activity_at: AwareDatetime | None
    completed_at: AwareDatetime | None = Field(description=COMPLETED_AT)


class LearnerProgressView(LazyModel):
    """One enrolled student's progress, as the course's staff see it in the class list."""

    student_id: str
    display_name: str | None = Field(
        default=None,
        description="The student's display name (an erased student's pseudonym); null for an account"
        " without a profile.",
    )
    completed_lesson_count: int
    lesson_count: int
    passed_assessment_count: int = Field(
        description="Required assessments the student's latest grade passes."
    )
    required_assessment_count: int = Field(description="Assessments required for completion.")
    percent: int = Field(ge=0, le=100, description=PERCENT)
    last_activity_at: AwareDatetime | None
    completed_at: AwareDatetime | None = Field(description=COMPLETED_AT)


class LearnerPage(LazyModel):
    course_id: str
    items: list[LearnerProgressView]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last page.")


class AchievementView(LazyModel):
    achievement: Achievement
    course_id: str | None = Field(description="The course a `course-completed` achievement is for.")
    earned_at: AwareDatetime


class AchievementPage(LazyModel):
    items: list[AchievementView]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last page.")
