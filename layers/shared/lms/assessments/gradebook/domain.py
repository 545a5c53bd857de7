"""The gradebook's rules: settings, columns and rows built from events, and the course grade.

Pure: no AWS, no HTTP. Scores are `Decimal` as the events carry them; the course grade is
computed with `Fraction`, so nothing is lost on the way (1/3 stays 1/3), and only the displayed
percentages are rounded: half up, to two decimals (`display_percent`).

How a course grade is computed: COURSE_GRADE_RULES, which the API's descriptions of grades
repeat to its clients.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction

MAX_CATEGORIES = 20
MAX_LETTERS = 20
MAX_DROP_LOWEST = 50
HUNDRED = Decimal(100)


COURSE_GRADE_RULES = """How a course grade is computed (the rules a student can check by hand):

1. Only counted grades take part: a quiz's score as soon as it is graded (`QuizGraded`), an
   assignment's once the grade is released (`GradeReleased`), an LTI tool's score once the tool
   posts it fully graded (`LtiScorePosted`). An assessment without a grade yet counts neither as
   zero nor at all; a tool that clears a score, or posts one not fully graded, withdraws it.
2. Per category, the `drop_lowest` grades with the lowest percentage (score / points) are left
   out, but never the last one: a category with grades always keeps at least one. Dropping the
   lowest percentage never lowers the category's percent.
3. A category's percent is the sum of its kept scores over the sum of their points (points
   weigh in: a 100-point assignment counts ten times a 10-point quiz of the same category).
4. The course percent is the weighted average of the categories that have at least one counted
   grade, their weights re-normalised to sum to 100 (as Canvas does): a student with quiz grades
   only is graded on quizzes only, not given zero for the assignments to come.
5. The letter is the first of the scheme whose threshold the displayed percent reaches, so the
   percent and letter a student sees never disagree (89.995 shows as 90.00 and earns the 90 letter).

Percents are computed exactly and shown rounded half up to two decimals.
"""


class GradebookRowStatus(StrEnum):
    ENROLLED = "enrolled"
    DROPPED = "dropped"
    ERASED = "erased"


# ---------------------------------------------------------------- settings


@dataclass(frozen=True)
class Category:
    name: str
    weight: Decimal  # percent of the course grade
    drop_lowest: int = 0


@dataclass(frozen=True)
class LetterGrade:
    letter: str
    min_percent: Decimal


@dataclass(frozen=True)
class GradebookSettings:
    """A course's categories and letter scheme; `version` 0 means the defaults (never stored)."""

    categories: tuple[Category, ...]
    letters: tuple[LetterGrade, ...]
    version: int = 0


DEFAULT_SETTINGS = GradebookSettings(
    categories=(Category("quizzes", Decimal(40)), Category("assignments", Decimal(60))),
    letters=(
        LetterGrade("A", Decimal(90)),
        LetterGrade("B", Decimal(80)),
        LetterGrade("C", Decimal(70)),
        LetterGrade("D", Decimal(60)),
        LetterGrade("F", Decimal(0)),
    ),
)
"""What a course's gradebook uses until its staff save settings: the events' default categories."""


def settings_errors(categories: Iterable[Category], letters: Iterable[LetterGrade]) -> list[tuple[str, str]]:
    """What is wrong with the settings, as (field, message) pairs; empty when they are valid.

    Categories: 1 to 20, unique names (ignoring case), weights from 0 to 100 that sum to exactly
    100, `drop_lowest` from 0 to 50. Letters: 1 to 20, unique, thresholds strictly descending
    within [0, 100], the last one 0, so every percent has a letter.
    """
    errors: list[tuple[str, str]] = []
    cats, scheme = list(categories), list(letters)
    if not 1 <= len(cats) <= MAX_CATEGORIES:
        errors.append(("categories", f"between 1 and {MAX_CATEGORIES} categories"))
    seen: set[str] = set()
    for index, category in enumerate(cats):
        where = f"categories.{index}"
        if category.name.casefold() in seen:
            errors.append((f"{where}.name", f"category {category.name!r} is named twice"))
        seen.add(category.name.casefold())
        if not (category.weight.is_finite() and 0 <= category.weight <= HUNDRED):
            errors.append((f"{where}.weight", "a percent from 0 to 100"))
        if not 0 <= category.drop_lowest <= MAX_DROP_LOWEST:
            errors.append((f"{where}.drop_lowest", f"from 0 to {MAX_DROP_LOWEST}"))
    weights = [c.weight for c in cats if c.weight.is_finite()]
    if cats and len(weights) == len(cats) and sum(weights, Decimal(0)) != HUNDRED:
        errors.append(("categories", f"the weights sum to {sum(weights, Decimal(0))}, not 100"))
    if not 1 <= len(scheme) <= MAX_LETTERS:
        errors.append(("letters", f"between 1 and {MAX_LETTERS} letters"))
    letters_seen: set[str] = set()
    for index, grade in enumerate(scheme):
        where = f"letters.{index}"
        if grade.letter in letters_seen:
            errors.append((f"{where}.letter", f"letter {grade.letter!r} appears twice"))
        letters_seen.add(grade.letter)
        if not (grade.min_percent.is_finite() and 0 <= grade.min_percent <= HUNDRED):
            errors.append((f"{where}.min_percent", "a percent from 0 to 100"))
        elif (
            index
            and scheme[index - 1].min_percent.is_finite()
            and grade.min_percent >= scheme[index - 1].min_percent
        ):
            errors.append((f"{where}.min_percent", "thresholds must be strictly descending"))
    if scheme and scheme[-1].min_percent != 0:
        errors.append((f"letters.{len(scheme) - 1}.min_percent", "the last threshold must be 0"))
    return errors


# ---------------------------------------------------------------- columns (assessments)


@dataclass(frozen=True)
class Column:
    """A published assessment, as its `*Published` (or `LtiLineItemSaved`) event describes it.

    A removed column (an LTI line item its tool deleted) is kept as a tombstone, so a late
    description of it does not bring it back; it shows nowhere and its scores count nowhere.
    """

    assessment_id: str
    kind: str  # quiz | assignment | lti
    title: str
    points: Decimal
    category: str
    due_at: datetime | None
    published_at: datetime  # when the event happened: the latest description wins
    removed: bool = False


def publish_column(columns: Mapping[str, Column], column: Column) -> dict[str, Column]:
    """The columns with this assessment's description, unless a later one is already held."""
    held = columns.get(column.assessment_id)
    if held is not None and held.published_at >= column.published_at:
        return dict(columns)
    return {**columns, column.assessment_id: column}


def ordered_columns(columns: Iterable[Column]) -> list[Column]:
    """Columns in the order a gradebook shows them: by due date (undated last), then publication."""
    return sorted(
        (c for c in columns if not c.removed),
        key=lambda c: (c.due_at is None, c.due_at or c.published_at, c.published_at, c.assessment_id),
    )


# ---------------------------------------------------------------- rows (students)


@dataclass(frozen=True)
class Score:
    """A counted grade; `revision` orders the deliveries of one student's grade for one assessment."""

    kind: str
    score: Decimal
    points: Decimal
    revision: int
    counted_at: datetime


@dataclass(frozen=True)
class GradebookRow:
    """One student in one course: counted scores by assessment id, and their enrollment.

    `status_at`/`status_event` order roster changes (the latest wins); a row first learned from a
    grade is `enrolled` with no `status_at`, so any roster event overrides it. An erased row is a
    tombstone: it keeps no score and nothing changes it again.
    """

    student_id: str
    status: GradebookRowStatus = GradebookRowStatus.ENROLLED
    status_at: datetime | None = None
    status_event: str | None = None
    scores: Mapping[str, Score] = field(default_factory=dict)
    version: int = 0  # 0: not stored yet
    withdrawn: Mapping[str, int] = field(default_factory=dict)  # assessment id: revision withdrawn at


def _held_revision(row: GradebookRow, assessment_id: str) -> int | None:
    held = row.scores.get(assessment_id)
    return held.revision if held is not None else row.withdrawn.get(assessment_id)


def count_score(row: GradebookRow, assessment_id: str, score: Score) -> GradebookRow:
    """The row with this grade, unless it holds the same or a newer revision (then unchanged)."""
    if row.status == GradebookRowStatus.ERASED:
        return row
    held = _held_revision(row, assessment_id)
    if held is not None and held >= score.revision:
        return row
    withdrawn = {aid: revision for aid, revision in row.withdrawn.items() if aid != assessment_id}
    return replace(row, scores={**row.scores, assessment_id: score}, withdrawn=withdrawn)


def withdraw_score(row: GradebookRow, assessment_id: str, revision: int) -> GradebookRow:
    """The row without this grade as of `revision` (an older grade delivered later stays out)."""
    if row.status == GradebookRowStatus.ERASED:
        return row
    held = _held_revision(row, assessment_id)
    if held is not None and held >= revision:
        return row
    scores = {aid: score for aid, score in row.scores.items() if aid != assessment_id}
    return replace(row, scores=scores, withdrawn={**row.withdrawn, assessment_id: revision})


def change_enrollment(
    row: GradebookRow, status: GradebookRowStatus, at: datetime, event_id: str
) -> GradebookRow:
    """The row with the roster's newer status; an older roster event changes nothing."""
    if row.status == GradebookRowStatus.ERASED:
        return row
    if row.status_at is not None and (row.status_at, row.status_event or "") >= (at, event_id):
        return row
    return replace(row, status=status, status_at=at, status_event=event_id)


def erase(row: GradebookRow) -> GradebookRow:
    """The tombstone of an erased student's row: no scores, excluded from every class view."""
    return replace(row, status=GradebookRowStatus.ERASED, scores={}, withdrawn={})


# ---------------------------------------------------------------- the course grade


@dataclass(frozen=True)
class CategoryGrade:
    name: str
    weight: Decimal
    percent: Fraction | None  # None: no counted grade in the category
    counted: tuple[str, ...]  # assessment ids kept
    dropped: tuple[str, ...]  # assessment ids left out by drop_lowest


@dataclass(frozen=True)
class CourseGrade:
    categories: tuple[CategoryGrade, ...]
    percent: Fraction | None  # None: no counted grade in any weighted category
    letter: str | None
    uncategorised: tuple[str, ...] = ()  # counted grades whose assessment is in no known category


def shown_scores(columns: Mapping[str, Column], scores: Mapping[str, Score]) -> dict[str, Score]:
    """The scores without those of removed columns (a deleted LTI line item's)."""
    return {aid: score for aid, score in scores.items() if not (aid in columns and columns[aid].removed)}


def display_percent(value: Fraction | None) -> Decimal | None:
    """A percent for display: rounded half up to two decimals, exactly (no float on the way)."""
    if value is None:
        return None
    scaled = value * 100
    hundredths = math.floor(scaled + Fraction(1, 2)) if scaled >= 0 else -math.floor(-scaled + Fraction(1, 2))
    return Decimal(hundredths).scaleb(-2)


def letter_for(percent: Fraction | None, letters: Iterable[LetterGrade]) -> str | None:
    shown = display_percent(percent)
    if shown is None:
        return None
    for grade in letters:
        if shown >= grade.min_percent:
            return grade.letter
    return None


def category_grade(category: Category, grades: Mapping[str, Score]) -> CategoryGrade:
    """Drop the lowest percentages (never the last grade), then sum(score) / sum(points)."""
    weighed = sorted(
        ((aid, s) for aid, s in grades.items() if s.points > 0),
        key=lambda item: (Fraction(item[1].score) / Fraction(item[1].points), item[0]),
    )
    drop = min(category.drop_lowest, max(len(weighed) - 1, 0))
    dropped = [aid for aid, _ in weighed[:drop]]
    kept = {aid: s for aid, s in grades.items() if aid not in dropped}
    points = sum((Fraction(s.points) for s in kept.values()), Fraction(0))
    scored = sum((Fraction(s.score) for s in kept.values()), Fraction(0))
    percent = scored * 100 / points if points > 0 else None
    return CategoryGrade(
        name=category.name,
        weight=category.weight,
        percent=percent,
        counted=tuple(sorted(kept)) if percent is not None else (),
        dropped=tuple(sorted(dropped)),
    )


def course_grade(
    settings: GradebookSettings, columns: Mapping[str, Column], scores: Mapping[str, Score]
) -> CourseGrade:
    """The course grade from the counted scores (see the module's rules)."""
    by_category: dict[str, dict[str, Score]] = {c.name: {} for c in settings.categories}
    uncategorised = []
    for assessment_id, score in shown_scores(columns, scores).items():
        column = columns.get(assessment_id)
        if column is not None and column.category in by_category:
            by_category[column.category][assessment_id] = score
        else:
            uncategorised.append(assessment_id)
    categories = tuple(category_grade(c, by_category[c.name]) for c in settings.categories)
    graded = [c for c in categories if c.percent is not None]
    weights = sum((Fraction(c.weight) for c in graded), Fraction(0))
    percent = None
    if weights > 0:
        percent = sum((Fraction(c.weight) * c.percent for c in graded if c.percent is not None), Fraction(0))
        percent /= weights
    return CourseGrade(
        categories=categories,
        percent=percent,
        letter=letter_for(percent, settings.letters),
        uncategorised=tuple(sorted(uncategorised)),
    )
