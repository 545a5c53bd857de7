"""Assignments, submissions and grades, and their rules; pure: no AWS, no persistence, no HTTP.

Scores are `Decimal` end to end. Late policy: a submission `days_late` days after the student's
due date (partial days count as whole ones) loses `percent_per_day` percent of its raw score per
day, but keeps at least `floor_percent` percent of it; after the hard cut-off nothing is taken.
A rubric's best levels add up to the assignment's `points` exactly, so a rubric grade is the sum
of the chosen levels and never exceeds the points.
"""

from __future__ import annotations

import math
import re
from datetime import datetime, timedelta
from decimal import Decimal
from enum import StrEnum

from pydantic import ConfigDict, Field

from lms.assessments.assignments.errors import (
    FileNotAllowed,
    InvalidFileRules,
    InvalidGrade,
    InvalidLatePolicy,
    InvalidRubric,
    SubmissionClosed,
    SubmissionTypeNotAllowed,
)
from lms.lazy_model import LazyModel

HUNDRED = Decimal(100)
DAY = timedelta(days=1)

MAX_FILE_BYTES = 100 * 1024 * 1024
"""The platform's largest submission file (one presigned POST, no multipart)."""
DEFAULT_MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_FILES_PER_SUBMISSION = 10
MAX_VERSIONS = 100
"""Versions a student keeps of one assignment: every resubmission is kept, up to this many."""

PLATFORM_CONTENT_TYPES = frozenset(
    {
        "application/pdf",
        "application/zip",
        "text/plain",
        "text/markdown",
        "text/csv",
        "image/png",
        "image/jpeg",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "application/vnd.oasis.opendocument.text",
    }
)
"""Content types the platform stores for submissions; an assignment accepts a subset."""


class SubmissionType(StrEnum):
    TEXT = "text"
    URL = "url"
    FILE = "file"


class AssignmentStatus(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"


class LatePolicy(LazyModel):
    """Deduction per day late, the share of the raw score always kept, and an optional hard cut-off."""

    model_config = ConfigDict(extra="forbid")

    percent_per_day: Decimal = Field(ge=0, le=100, decimal_places=2)
    floor_percent: Decimal = Field(
        default=Decimal(0),
        ge=0,
        le=100,
        decimal_places=2,
        description="The least share of the raw score a late submission keeps, in percent.",
    )
    cutoff_at: datetime | None = Field(default=None, description="No submissions after this moment.")
    cutoff_days: int | None = Field(
        default=None, ge=0, le=365, description="No submissions this many days after the student's due date."
    )


class RubricLevel(LazyModel):
    model_config = ConfigDict(extra="forbid")

    id: str
    title: str
    points: Decimal


class RubricCriterion(LazyModel):
    model_config = ConfigDict(extra="forbid")

    id: str
    title: str
    description: str = ""
    levels: list[RubricLevel]

    @property
    def best(self) -> Decimal:
        return max(level.points for level in self.levels)


class Assignment(LazyModel):
    model_config = ConfigDict(extra="forbid")

    id: str
    course_id: str
    title: str
    instructions: str
    due_at: datetime
    points: Decimal
    late_policy: LatePolicy | None = None
    rubric: list[RubricCriterion] | None = None
    submission_types: list[SubmissionType]
    file_content_types: list[str] = Field(default_factory=list)
    max_file_bytes: int = DEFAULT_MAX_FILE_BYTES
    gradebook_category: str = "assignments"
    status: AssignmentStatus = AssignmentStatus.DRAFT
    version: int = 1
    created_by: str
    created_at: datetime
    updated_at: datetime
    published_at: datetime | None = None

    @property
    def published(self) -> bool:
        return self.status == AssignmentStatus.PUBLISHED


class Extension(LazyModel):
    """One student's own due date (and, optionally, own hard cut-off) for an assignment."""

    model_config = ConfigDict(extra="forbid")

    student_id: str
    due_at: datetime
    cutoff_at: datetime | None = None
    granted_by: str
    granted_at: datetime


class SubmittedFile(LazyModel):
    model_config = ConfigDict(extra="forbid")

    upload_id: str
    file_name: str
    content_type: str
    size: int
    key: str


class Upload(LazyModel):
    """A presigned upload handed to a student: where the file goes and what it must be."""

    model_config = ConfigDict(extra="forbid")

    id: str
    assignment_id: str
    student_id: str
    file_name: str
    content_type: str
    size: int
    key: str
    created_at: datetime


class Grade(LazyModel):
    model_config = ConfigDict(extra="forbid")

    raw_score: Decimal
    days_late: int
    deduction_percent: Decimal
    score: Decimal
    rubric_levels: dict[str, str] | None = None
    feedback: str = ""
    graded_by: str
    graded_at: datetime


class Submission(LazyModel):
    """One version of a student's work; `number` counts the student's versions from 1."""

    model_config = ConfigDict(extra="forbid")

    id: str
    assignment_id: str
    course_id: str
    student_id: str
    number: int
    text: str | None = None
    url: str | None = None
    files: list[SubmittedFile] = Field(default_factory=list)
    submitted_at: datetime
    due_at: datetime
    days_late: int
    grade: Grade | None = None
    released_grade: Grade | None = None
    released_at: datetime | None = None
    revision: int = 1

    @property
    def release_pending(self) -> bool:
        """Graded, and the grade the student sees (if any) is not the current one."""
        return self.grade is not None and self.grade != self.released_grade


class StudentRecord(LazyModel):
    """Where one student stands on an assignment: their latest version and their release count."""

    model_config = ConfigDict(extra="forbid")

    student_id: str
    latest_number: int = 0
    latest_submission_id: str | None = None
    release_revision: int = 0
    version: int = 0  # 0: not stored yet


# ---------------------------------------------------------------- scores


def exact(value: Decimal) -> Decimal:
    """The same number without trailing zeros, never in exponent notation (85.500000 -> 85.5)."""
    if value == value.to_integral_value():
        return value.quantize(Decimal(1))
    return value.normalize()


def days_late(submitted_at: datetime, due_at: datetime) -> int:
    """Whole days after the due date, a started day counting as one; 0 when on time."""
    if submitted_at <= due_at:
        return 0
    return math.ceil((submitted_at - due_at) / DAY)


def deduction_percent(policy: LatePolicy | None, late_days: int) -> Decimal:
    """`percent_per_day` per day late, never more than leaves `floor_percent` of the score."""
    if policy is None or late_days <= 0:
        return Decimal(0)
    return min(policy.percent_per_day * late_days, HUNDRED - policy.floor_percent)


def final_score(raw_score: Decimal, policy: LatePolicy | None, late_days: int) -> Decimal:
    """The raw score less the late deduction, exactly (no rounding: decimal arithmetic)."""
    kept = HUNDRED - deduction_percent(policy, late_days)
    return exact(raw_score * kept / HUNDRED)


def rubric_score(rubric: list[RubricCriterion], levels: dict[str, str]) -> Decimal:
    """The sum of the level chosen for every criterion; each criterion needs exactly one."""
    by_id = {criterion.id: criterion for criterion in rubric}
    unknown = sorted(set(levels) - set(by_id))
    if unknown:
        raise InvalidGrade(f"The rubric has no criterion {unknown[0]!r}.", field="rubric_levels")
    missing = [criterion.id for criterion in rubric if criterion.id not in levels]
    if missing:
        raise InvalidGrade(
            "Choose a level for every criterion of the rubric.", field="rubric_levels", missing=missing
        )
    total = Decimal(0)
    for criterion_id, level_id in levels.items():
        level = next((lv for lv in by_id[criterion_id].levels if lv.id == level_id), None)
        if level is None:
            raise InvalidGrade(
                f"Criterion {criterion_id!r} has no level {level_id!r}.",
                field=f"rubric_levels.{criterion_id}",
            )
        total += level.points
    return total


def raw_score(assignment: Assignment, score: Decimal | None, levels: dict[str, str] | None) -> Decimal:
    """The grader's score: from the rubric when the assignment has one, else as given."""
    if assignment.rubric:
        if score is not None:
            raise InvalidGrade(
                "A rubric assignment is graded per criterion, not with a score.", field="score"
            )
        if levels is None:
            raise InvalidGrade("Choose a level for every criterion of the rubric.", field="rubric_levels")
        return rubric_score(assignment.rubric, levels)
    if levels is not None:
        raise InvalidGrade("The assignment has no rubric: grade it with a score.", field="rubric_levels")
    if score is None:
        raise InvalidGrade("A score is required.", field="score")
    if not Decimal(0) <= score <= assignment.points:
        raise InvalidGrade(f"The score must be between 0 and {assignment.points}.", field="score")
    return score


# ---------------------------------------------------------------- authoring rules


def check_rubric(rubric: list[RubricCriterion] | None, points: Decimal) -> None:
    """Unique ids, and the best level of every criterion adds up to the assignment's points."""
    if not rubric:
        return
    ids = [criterion.id for criterion in rubric]
    if len(set(ids)) != len(ids):
        raise InvalidRubric("Two criteria share an id.", field="rubric")
    for criterion in rubric:
        level_ids = [level.id for level in criterion.levels]
        if len(set(level_ids)) != len(level_ids):
            raise InvalidRubric(f"Two levels of {criterion.id!r} share an id.", field="rubric")
    best = sum((criterion.best for criterion in rubric), Decimal(0))
    if best != points:
        raise InvalidRubric(
            f"The rubric's best levels add up to {exact(best)}, the assignment is worth {exact(points)}.",
            field="rubric",
            rubric_points=str(exact(best)),
        )


def check_late_policy(policy: LatePolicy | None, due_at: datetime) -> None:
    if policy is None:
        return
    if policy.cutoff_at is not None and policy.cutoff_days is not None:
        raise InvalidLatePolicy("Give cutoff_at or cutoff_days, not both.", field="late_policy")
    if policy.cutoff_at is not None and policy.cutoff_at < due_at:
        raise InvalidLatePolicy(
            "The hard cut-off cannot come before the due date.", field="late_policy.cutoff_at"
        )


def check_file_rules(types: list[SubmissionType], content_types: list[str], max_file_bytes: int) -> None:
    if SubmissionType.FILE in types and not content_types:
        raise InvalidFileRules(
            "A file assignment names the content types it accepts.", field="file_content_types"
        )
    outside = sorted(set(content_types) - PLATFORM_CONTENT_TYPES)
    if outside:
        raise InvalidFileRules(
            f"The platform does not store {outside[0]!r} files.",
            field="file_content_types",
            allowed=sorted(PLATFORM_CONTENT_TYPES),
        )
    if not 1 <= max_file_bytes <= MAX_FILE_BYTES:
        raise InvalidFileRules(
            f"max_file_bytes must be between 1 and {MAX_FILE_BYTES}.", field="max_file_bytes"
        )


def check_assignment(assignment: Assignment) -> None:
    """Every authoring rule at once: after a create or an edit."""
    check_rubric(assignment.rubric, assignment.points)
    check_late_policy(assignment.late_policy, assignment.due_at)
    check_file_rules(assignment.submission_types, assignment.file_content_types, assignment.max_file_bytes)


def check_extension(due_at: datetime, cutoff_at: datetime | None) -> None:
    if cutoff_at is not None and cutoff_at < due_at:
        raise InvalidLatePolicy("The student's cut-off cannot come before their due date.", field="cutoff_at")


# ---------------------------------------------------------------- submitting


class Deadlines(LazyModel):
    """One student's due date and hard cut-off (None: late submissions are always taken)."""

    due_at: datetime
    cutoff_at: datetime | None


def deadlines(assignment: Assignment, extension: Extension | None) -> Deadlines:
    """The student's due date, and the cut-off moved with it: an extension keeps the grace period."""
    due = extension.due_at if extension else assignment.due_at
    policy = assignment.late_policy
    cutoff: datetime | None = None
    if extension is not None and extension.cutoff_at is not None:
        cutoff = extension.cutoff_at
    elif policy is not None and policy.cutoff_days is not None:
        cutoff = due + policy.cutoff_days * DAY
    elif policy is not None and policy.cutoff_at is not None:
        cutoff = policy.cutoff_at + (due - assignment.due_at)
    if cutoff is not None and cutoff < due:
        cutoff = due
    return Deadlines(due_at=due, cutoff_at=cutoff)


def ensure_open(limits: Deadlines, at: datetime) -> None:
    if limits.cutoff_at is not None and at > limits.cutoff_at:
        raise SubmissionClosed("The hard cut-off has passed.", closed_at=limits.cutoff_at.isoformat())


def check_submission_types(
    assignment: Assignment, text: str | None, url: str | None, has_files: bool
) -> None:
    sent = [
        kind
        for kind, present in (
            (SubmissionType.TEXT, text is not None),
            (SubmissionType.URL, url is not None),
            (SubmissionType.FILE, has_files),
        )
        if present
    ]
    allowed = [str(kind) for kind in assignment.submission_types]
    if not sent:
        raise SubmissionTypeNotAllowed("Send a text, a url or files.", allowed=allowed)
    for kind in sent:
        if kind not in assignment.submission_types:
            raise SubmissionTypeNotAllowed(
                f"The assignment does not take {kind} submissions.", allowed=allowed
            )


def check_file(assignment: Assignment, content_type: str, size: int) -> None:
    if SubmissionType.FILE not in assignment.submission_types:
        raise SubmissionTypeNotAllowed(
            "The assignment does not take files.", allowed=[str(k) for k in assignment.submission_types]
        )
    if content_type not in assignment.file_content_types or not 1 <= size <= assignment.max_file_bytes:
        raise FileNotAllowed(
            f"The assignment accepts {', '.join(assignment.file_content_types)} files of at most "
            f"{assignment.max_file_bytes} bytes.",
            allowed=assignment.file_content_types,
            max_bytes=assignment.max_file_bytes,
        )


_UNSAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


def safe_file_name(name: str) -> str:
    """A file name usable in an object key: letters, digits, '.', '_' and '-', at most 100 characters."""
    cleaned = _UNSAFE_NAME.sub("_", name.rsplit("/", 1)[-1].rsplit("\\", 1)[-1]).strip("._")
    return cleaned[-100:] or "file"
