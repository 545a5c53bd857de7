"""Request and response bodies of the assignments API (the OpenAPI document is generated from them).

Scores and points are exact decimals: accepted as JSON numbers or strings, answered as strings.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from pydantic import AwareDatetime, Field, HttpUrl, StringConstraints

from lms.assessments.assignments.domain import (
    DEFAULT_MAX_FILE_BYTES,
    MAX_FILE_BYTES,
    MAX_FILES_PER_SUBMISSION,
    Assignment,
    AssignmentStatus,
    Extension,
    Grade,
    LatePolicy,
    RubricCriterion,
    RubricLevel,
    Submission,
    SubmissionType,
)
from lms.lazy_model import LazyModel
from lms.schemas import HTML_FORMAT, SANITIZED_HTML, Body, Patch

Id = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_.:-]{1,64}$")]
RubricId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{1,32}$")]
Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Instructions = Annotated[str, StringConstraints(max_length=20_000), SANITIZED_HTML, HTML_FORMAT]
Category = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", max_length=64)]
ContentType = Annotated[str, StringConstraints(pattern=r"^[a-z]+/[A-Za-z0-9.+-]{1,120}$")]
Points = Annotated[Decimal, Field(gt=0, le=10_000, decimal_places=2)]
LevelPoints = Annotated[Decimal, Field(ge=0, le=10_000, decimal_places=2)]
Percent = Annotated[Decimal, Field(ge=0, le=100, decimal_places=2)]
Feedback = Annotated[str, StringConstraints(max_length=20_000), SANITIZED_HTML, HTML_FORMAT]


class LatePolicyIn(Body):
    percent_per_day: Percent = Field(
        description="Percent of the raw score deducted per day late (a started day counts)."
    )
    floor_percent: Percent = Field(
        default=Decimal(0), description="A late submission keeps at least this percent of its raw score."
    )
    cutoff_at: AwareDatetime | None = Field(
        default=None, description="Hard cut-off: no submissions after it."
    )
    cutoff_days: int | None = Field(
        default=None, ge=0, le=365, description="Hard cut-off this many days after each student's due date."
    )

    def policy(self) -> LatePolicy:
        return LatePolicy(**self.model_dump())


class RubricLevelIn(Body):
    id: RubricId
    title: Title
    points: LevelPoints


class RubricCriterionIn(Body):
    id: RubricId
    title: Title
    description: Instructions = ""
    levels: list[RubricLevelIn] = Field(min_length=1, max_length=10)

    def criterion(self) -> RubricCriterion:
        return RubricCriterion(
            id=self.id,
            title=self.title,
            description=self.description,
            levels=[RubricLevel(**level.model_dump()) for level in self.levels],
        )


Rubric = Annotated[
    list[RubricCriterionIn],
    Field(
        min_length=1,
        max_length=30,
        description="Criteria x levels; the best levels must add up to `points` exactly.",
    ),
]
SubmissionTypes = Annotated[list[SubmissionType], Field(min_length=1, max_length=3)]
FileContentTypes = Annotated[
    list[ContentType], Field(max_length=20, description="What a file submission may be (platform subset).")
]
MaxFileBytes = Annotated[int, Field(ge=1, le=MAX_FILE_BYTES)]


class AssignmentDraft(Body):
    course_id: Id
    title: Title
    instructions: Instructions = ""
    due_at: AwareDatetime
    points: Points
    late_policy: LatePolicyIn | None = Field(default=None, description="None: late work loses nothing.")
    rubric: Rubric | None = None
    submission_types: SubmissionTypes
    file_content_types: FileContentTypes = Field(default_factory=list)
    max_file_bytes: MaxFileBytes = DEFAULT_MAX_FILE_BYTES
    gradebook_category: Category = Field(
        default="assignments", description="The gradebook category it counts in."
    )


class AssignmentPatch(Patch):
    nullable = frozenset({"late_policy", "rubric"})

    title: Title | None = None
    instructions: Instructions | None = None
    due_at: AwareDatetime | None = None
    points: Points | None = None
    late_policy: LatePolicyIn | None = None
    rubric: Rubric | None = None
    submission_types: SubmissionTypes | None = None
    file_content_types: FileContentTypes | None = None
    max_file_bytes: MaxFileBytes | None = None
    gradebook_category: Category | None = None


class ExtensionRequest(Body):
    due_at: AwareDatetime = Field(description="The student's own due date.")
    cutoff_at: AwareDatetime | None = Field(
        default=None,
        description="The student's own hard cut-off; by default the assignment's, moved with the due date.",
    )


class UploadRequest(Body):
    file_name: Annotated[str, StringConstraints(min_length=1, max_length=255)]
    content_type: ContentType
    size: Annotated[int, Field(ge=1, le=MAX_FILE_BYTES, description="The file's exact size in bytes.")]


class SubmissionRequest(Body):
    text: Annotated[str, StringConstraints(min_length=1, max_length=100_000)] | None = None
    url: HttpUrl | None = None
    upload_ids: list[Id] = Field(
        default_factory=list,
        max_length=MAX_FILES_PER_SUBMISSION,
        description="Uploads made for this assignment (POST .../uploads), each file already stored.",
    )


class GradeRequest(Body):
    score: LevelPoints | None = Field(default=None, description="The raw score, without a rubric.")
    rubric_levels: dict[RubricId, RubricId] | None = Field(
        default=None, description="The chosen level id of every criterion, with a rubric."
    )
    feedback: Feedback = ""


# ---------------------------------------------------------------- responses


class AssignmentView(LazyModel):
    id: str
    course_id: str
    title: str
    instructions: str
    due_at: AwareDatetime
    points: Decimal
    late_policy: LatePolicy | None
    rubric: list[RubricCriterion] | None
    submission_types: list[SubmissionType]
    file_content_types: list[str]
    max_file_bytes: int
    gradebook_category: str
    status: AssignmentStatus
    version: int
    created_by: str
    created_at: AwareDatetime
    updated_at: AwareDatetime
    published_at: AwareDatetime | None

    @classmethod
    def of(cls, assignment: Assignment) -> AssignmentView:
        return cls(**assignment.model_dump())


class AssignmentPage(LazyModel):
    items: list[AssignmentView]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last page.")


class ExtensionView(LazyModel):
    assignment_id: str
    student_id: str
    due_at: AwareDatetime
    cutoff_at: AwareDatetime | None
    granted_by: str
    granted_at: AwareDatetime

    @classmethod
    def of(cls, assignment_id: str, extension: Extension) -> ExtensionView:
        return cls(assignment_id=assignment_id, **extension.model_dump())


class UploadView(LazyModel):
    upload_id: str
    method: str = Field(description="POST the file as multipart/form-data: every field, then `file` last.")
    url: str
    fields: dict[str, str]
    content_type: str
    size: int
    expires_at: AwareDatetime


class FileView(LazyModel):
    upload_id: str
    file_name: str
    content_type: str
    size: int
    download_url: str = Field(description="A presigned GET, valid for a few minutes.")


class GradeView(LazyModel):
    raw_score: Decimal
    days_late: int
    deduction_percent: Decimal
    score: Decimal = Field(description="The raw score less the late deduction.")
    points: Decimal
    rubric_levels: dict[str, str] | None
    feedback: str
    graded_by: str
    graded_at: AwareDatetime

    @classmethod
    def of(cls, grade: Grade | None, points: Decimal) -> GradeView | None:
        return None if grade is None else cls(points=points, **grade.model_dump())


class SubmissionView(LazyModel):
    id: str
    assignment_id: str
    student_id: str
    version: int = Field(description="1 for the first submission, then one more per resubmission.")
    text: str | None
    url: str | None
    files: list[FileView]
    submitted_at: AwareDatetime
    due_at: AwareDatetime = Field(description="The student's due date when they submitted.")
    days_late: int
    late: bool
    grade: GradeView | None = Field(
        description="Staff: the current grade. The student: the released grade, none before release."
    )
    released_at: AwareDatetime | None
    release_pending: bool | None = Field(description="Staff only: graded, and not released as it stands.")
    revision: int = Field(description="Changes with every grade and release (the ETag; If-Match of a grade).")

    @classmethod
    def of(
        cls, submission: Submission, points: Decimal, files: list[FileView], *, staff: bool
    ) -> SubmissionView:
        grade = submission.grade if staff else submission.released_grade
        return cls(
            id=submission.id,
            assignment_id=submission.assignment_id,
            student_id=submission.student_id,
            version=submission.number,
            text=submission.text,
            url=submission.url,
            files=files,
            submitted_at=submission.submitted_at,
            due_at=submission.due_at,
            days_late=submission.days_late,
            late=submission.days_late > 0,
            grade=GradeView.of(grade, points),
            released_at=submission.released_at,
            release_pending=submission.release_pending if staff else None,
            revision=submission.revision,
        )


class SubmissionPage(LazyModel):
    items: list[SubmissionView]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last page.")


class ReleaseSummary(LazyModel):
    released: int = Field(description="Grades released by this call (each with its GradeReleased event).")
    more: bool = Field(description="True when the call stopped at its limit: call it again for the rest.")
