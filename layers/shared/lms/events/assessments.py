"""Events of the assessments context (source `lms.assessments`).

Scores are exact decimals (JSON strings in the envelope). No event carries an answer key, a
student's answers or feedback text: events say what happened and to whom, not the content.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import ClassVar, Literal

from pydantic import Field

from lms.events.envelope import DomainEvent

AssessmentKind = Literal["quiz", "assignment"]


class AssessmentEvent(DomainEvent):
    source: ClassVar[str] = "lms.assessments"

    course_id: str


class QuizPublished(AssessmentEvent):
    """An instructor published a quiz: students of the course may attempt it from `available_from`."""

    name: ClassVar[str] = "QuizPublished"

    quiz_id: str
    lesson_id: str | None = None
    title: str
    points: Decimal = Field(description="The most a student can score.")
    gradebook_category: str = Field(description="The gradebook category the quiz counts in.")
    required_for_completion: bool
    passing_score: Decimal | None = None
    available_from: datetime | None = None
    due_at: datetime | None = None


class QuizAttemptSubmitted(AssessmentEvent):
    """A student submitted an attempt (it is graded in the same step: see QuizGraded)."""

    name: ClassVar[str] = "QuizAttemptSubmitted"

    quiz_id: str
    attempt_id: str
    student_id: str
    attempt_number: int
    submitted_at: datetime


class QuizGraded(AssessmentEvent):
    """A student's quiz score changed: an attempt was graded or regraded.

    `score` is the quiz score under the quiz's scoring policy (highest, latest, average), the
    one the gradebook shows; `revision` grows with every change of it for this student and
    quiz, so a consumer applies a delivery only when it is newer than what it holds.
    """

    name: ClassVar[str] = "QuizGraded"

    quiz_id: str
    student_id: str
    attempt_id: str
    attempt_score: Decimal
    score: Decimal
    points: Decimal
    passed: bool
    required_for_completion: bool
    revision: int
    regrade: bool = False
    graded_at: datetime


class AssignmentPublished(AssessmentEvent):
    """An instructor published an assignment: students of the course may submit to it."""

    name: ClassVar[str] = "AssignmentPublished"

    assignment_id: str
    title: str
    points: Decimal
    gradebook_category: str
    due_at: datetime | None = None


class AssignmentSubmitted(AssessmentEvent):
    """A student submitted (or resubmitted: `version` > 1) to an assignment."""

    name: ClassVar[str] = "AssignmentSubmitted"

    assignment_id: str
    submission_id: str
    student_id: str
    version: int
    submitted_at: datetime
    late: bool


class SubmissionGraded(AssessmentEvent):
    """An instructor graded a submission; students see it only once the grade is released."""

    name: ClassVar[str] = "SubmissionGraded"

    assignment_id: str
    submission_id: str
    student_id: str
    score: Decimal
    points: Decimal
    graded_at: datetime


class GradeReleased(AssessmentEvent):
    """A student's grade for an assessment became visible to them and counts in the gradebook.

    `revision` grows with every release for this student and assessment (a re-release after a
    new grade), so a consumer applies a delivery only when it is newer than what it holds.
    """

    name: ClassVar[str] = "GradeReleased"

    assessment_id: str
    kind: AssessmentKind
    student_id: str
    score: Decimal
    points: Decimal
    revision: int
    released_at: datetime


class GradebookSettingsChanged(AssessmentEvent):
    """A course's staff changed its gradebook: categories, their weights and drops, the letter scheme."""

    name: ClassVar[str] = "GradebookSettingsChanged"

    version: int
    categories: list[str] = Field(description="The category names, in the gradebook's order.")
    weights: list[Decimal] = Field(description="Each category's percent of the course grade.")
    letters: list[str] = Field(description="The letter scheme, highest first.")
