"""Response bodies of the progress API (the OpenAPI document is generated from them)."""

from __future__ import annotations

from pydantic import AwareDatetime, BaseModel, Field

from lms.progress.domain import Achievement, Enrollment


class LessonCompletionView(BaseModel):
    course_id: str
    lesson_id: str
    completed_at: AwareDatetime = Field(description="When the student first marked it complete.")


class CourseProgressView(BaseModel):
    """One student's progress in one course."""

    course_id: str
    student_id: str
    title: str
    enrollment: Enrollment | None = Field(
        description="As the progress context last learned it; null until the enrollment reaches it."
    )
    completed_lessons: list[str] = Field(description="Completed lessons that count, in outline order.")
    lesson_count: int
    percent: int = Field(ge=0, le=100)
    next_lesson_id: str | None = Field(description="The first lesson not completed, in outline order.")
    last_activity_at: AwareDatetime | None
    completed_at: AwareDatetime | None = Field(
        description="When every lesson was first complete; a completed course stays completed."
    )


class LearnerProgressView(BaseModel):
    """One enrolled student's progress, as the course's staff see it in the class list."""

    student_id: str
    completed_lesson_count: int
    lesson_count: int
    percent: int = Field(ge=0, le=100)
    last_activity_at: AwareDatetime | None
    completed_at: AwareDatetime | None


class LearnerPage(BaseModel):
    course_id: str
    items: list[LearnerProgressView]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last page.")


class AchievementView(BaseModel):
    achievement: Achievement
    course_id: str | None = Field(description="The course a `course-completed` achievement is for.")
    earned_at: AwareDatetime


class AchievementPage(BaseModel):
    items: list[AchievementView]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last page.")
