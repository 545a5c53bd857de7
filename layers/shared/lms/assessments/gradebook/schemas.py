"""Request and response bodies of the gradebook API (the OpenAPI document is generated from them).

Scores, weights and percents are exact decimals, sent and answered as JSON strings ("87.50").
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from pydantic import AwareDatetime, Field, StringConstraints

from lms.assessments.gradebook.domain import MAX_CATEGORIES, MAX_DROP_LOWEST, MAX_LETTERS, GradebookRowStatus
from lms.lazy_model import LazyModel
from lms.schemas import Body

CategoryName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]
Letter = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=8)]
Percent = Annotated[Decimal, Field(ge=0, le=100, max_digits=5, decimal_places=2)]


class CategorySetting(Body):
    name: CategoryName = Field(description="Assessments count in the category their event names.")
    weight: Percent = Field(description="Percent of the course grade; the weights sum to 100.")
    drop_lowest: int = Field(
        default=0, ge=0, le=MAX_DROP_LOWEST, description="Leave out this many lowest grades (never the last)."
    )


class LetterSetting(Body):
    letter: Letter
    min_percent: Percent = Field(description="The lowest displayed percent that earns this letter.")


class GradebookSettingsBody(Body):
    categories: list[CategorySetting] = Field(min_length=1, max_length=MAX_CATEGORIES)
    letters: list[LetterSetting] = Field(
        min_length=1,
        max_length=MAX_LETTERS,
        description="Highest threshold first, strictly descending; the last threshold is 0.",
    )


class GradebookSettingsView(LazyModel):
    course_id: str
    categories: list[CategorySetting]
    letters: list[LetterSetting]
    version: int = Field(description="0 until the course's staff first save settings (the defaults).")


class ColumnView(LazyModel):
    """A published assessment: one column of the gradebook."""

    assessment_id: str
    kind: str
    title: str
    points: Decimal
    category: str
    due_at: AwareDatetime | None


class ScoreView(LazyModel):
    """A counted grade (a graded quiz, a released assignment grade)."""

    assessment_id: str
    kind: str
    title: str | None = Field(
        description="Null while the assessment's publication has not reached the gradebook."
    )
    category: str | None
    score: Decimal
    points: Decimal
    counted_at: AwareDatetime
    dropped: bool = Field(description="Left out of its category by `drop_lowest`.")


class CategoryView(LazyModel):
    name: str
    weight: Decimal
    percent: Decimal | None = Field(
        description="Rounded half up to 2 decimals; null without a counted grade."
    )
    counted: int = Field(description="Grades that count in the category (after dropping).")


class StudentGradesView(LazyModel):
    """One student's row: counted scores, category percents, the course percent and letter."""

    course_id: str
    student_id: str
    display_name: str | None = Field(
        default=None,
        description="The student's display name in class lists (an erased student's pseudonym); null"
        " in a student's own view and for an account without a profile.",
    )
    status: GradebookRowStatus
    scores: list[ScoreView]
    categories: list[CategoryView]
    final_percent: Decimal | None = Field(
        description="The weighted average over categories with a counted grade (weights re-normalised), "
        "rounded half up to 2 decimals; null without any counted grade."
    )
    letter: str | None


class ClassGradesPage(LazyModel):
    course_id: str
    columns: list[ColumnView]
    items: list[StudentGradesView] = Field(
        description="Enrolled students by id; a page may hold fewer than `limit` "
        "when dropped students are skipped."
    )
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last page.")
