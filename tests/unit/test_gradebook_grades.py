"""The gradebook's rules: course grades exactly, drops, re-normalised weights, revisions, settings."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lms.assessments.gradebook.domain import (
    DEFAULT_SETTINGS,
    Category,
    Column,
    GradebookRow,
    GradebookRowStatus,
    GradebookSettings,
    LetterGrade,
    Score,
    category_grade,
    change_enrollment,
    count_score,
    course_grade,
    display_percent,
    erase,
    letter_for,
    ordered_columns,
    publish_column,
    settings_errors,
    shown_scores,
    withdraw_score,
)
from lms.assessments.gradebook.export import safe_cell

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
LETTERS = (LetterGrade("A", Decimal(90)), LetterGrade("B", Decimal(80)), LetterGrade("F", Decimal(0)))


def s(score: str, points: str = "10", revision: int = 1, kind: str = "quiz") -> Score:
    return Score(kind=kind, score=Decimal(score), points=Decimal(points), revision=revision, counted_at=T0)


def column(assessment_id: str, category: str, points: str = "10") -> Column:
    return Column(assessment_id, "quiz", assessment_id, Decimal(points), category, None, T0)


def settings(*categories: Category) -> GradebookSettings:
    return GradebookSettings(categories=categories, letters=LETTERS)


# ---------------------------------------------------------------- table tests


@pytest.mark.parametrize(
    ("grades", "drop", "percent", "dropped"),
    [
        ({"q1": s("8"), "q2": s("4")}, 0, Fraction(60), ()),
        ({"q1": s("8"), "q2": s("4")}, 1, Fraction(80), ("q2",)),
        ({"q1": s("8"), "q2": s("4")}, 5, Fraction(80), ("q2",)),  # never the last grade
        ({"q1": s("8")}, 1, Fraction(80), ()),
        ({}, 1, None, ()),
        # points weigh in: 50/100 and 10/10 are 60/110, not the mean of 50% and 100%
        ({"big": s("50", "100"), "small": s("10")}, 0, Fraction(6000, 110), ()),
        # by percentage, not by score: 9/100 (9%) is dropped before 1/2 (50%)
        ({"a": s("9", "100"), "b": s("1", "2")}, 1, Fraction(50), ("a",)),
        ({"a": s("1", "3")}, 0, Fraction(100, 3), ()),
    ],
)
def test_a_category_percent_is_its_kept_scores_over_their_points(
    grades: dict[str, Score], drop: int, percent: Fraction | None, dropped: tuple[str, ...]
) -> None:
    result = category_grade(Category("quizzes", Decimal(100), drop), grades)
    assert result.percent == percent
    assert result.dropped == dropped


def test_the_final_is_the_weighted_average_of_graded_categories_re_normalised() -> None:
    book = settings(Category("quizzes", Decimal(40)), Category("assignments", Decimal(60)))
    columns = {"q": column("q", "quizzes"), "a": column("a", "assignments", "100")}
    both = course_grade(book, columns, {"q": s("8"), "a": s("90", "100")})
    assert both.percent == Fraction(86)
    assert both.letter == "B"
    quizzes_only = course_grade(book, columns, {"q": s("8")})
    assert quizzes_only.percent == Fraction(80)  # 40 re-normalised to 100, not 80 * 0.4
    assert course_grade(book, columns, {}).percent is None
    assert course_grade(book, columns, {}).letter is None


def test_grades_outside_any_category_do_not_count() -> None:
    book = settings(Category("quizzes", Decimal(100)))
    columns = {"q": column("q", "quizzes"), "lab": column("lab", "labs")}
    grade = course_grade(book, columns, {"q": s("5"), "lab": s("10"), "unknown": s("0")})
    assert grade.percent == Fraction(50)
    assert grade.uncategorised == ("lab", "unknown")


def test_zero_weight_categories_alone_give_no_final() -> None:
    book = settings(Category("practice", Decimal(0)), Category("exams", Decimal(100)))
    grade = course_grade(book, {"p": column("p", "practice")}, {"p": s("10")})
    assert grade.percent is None


@pytest.mark.parametrize(
    ("value", "shown", "letter"),
    [
        (Fraction(89995, 1000), Decimal("90.00"), "A"),  # half up, and the letter follows what is shown
        (Fraction(89994, 1000), Decimal("89.99"), "B"),
        (Fraction(200, 3), Decimal("66.67"), "F"),
        (Fraction(100), Decimal("100.00"), "A"),
        (Fraction(0), Decimal("0.00"), "F"),
        (Fraction(1, 800), Decimal("0.00"), "F"),
        (Fraction(1, 200), Decimal("0.01"), "F"),
    ],
)
def test_display_rounds_half_up_to_two_decimals_exactly(value: Fraction, shown: Decimal, letter: str) -> None:
    assert display_percent(value) == shown
    assert str(display_percent(value)) == str(shown)
    assert letter_for(value, LETTERS) == letter


# ---------------------------------------------------------------- rows and columns


def test_only_a_newer_revision_replaces_a_grade() -> None:
    row = GradebookRow("s1")
    second = count_score(row, "q", s("7", revision=2))
    assert count_score(second, "q", s("3", revision=1)) == second
    assert count_score(second, "q", s("9", revision=2)) == second
    assert count_score(second, "q", s("9", revision=3)).scores["q"].score == Decimal(9)


@given(st.permutations([("count", 1), ("withdraw", 2), ("count", 3), ("withdraw", 4)]))
def test_the_latest_of_counted_and_withdrawn_lti_scores_wins_whatever_the_delivery_order(
    deliveries: list[tuple[str, int]],
) -> None:
    row = GradebookRow("stu")
    for kind, revision in deliveries:
        if kind == "count":
            row = count_score(row, "line", s(str(revision), revision=revision, kind="lti"))
        else:
            row = withdraw_score(row, "line", revision)
    assert "line" not in row.scores
    assert row.withdrawn == {"line": 4}
    recounted = count_score(row, "line", s("5", revision=5, kind="lti"))
    assert recounted.scores["line"].score == 5
    assert recounted.withdrawn == {}


def test_a_removed_column_shows_nowhere_and_its_scores_count_nowhere() -> None:
    removed = Column("line", "lti", "", Decimal(0), "", None, T0 + timedelta(days=1), removed=True)
    columns = {"q": column("q", "quizzes"), "line": removed}
    scores = {"q": s("5"), "line": s("10", kind="lti")}
    assert [c.assessment_id for c in ordered_columns(columns.values())] == ["q"]
    assert shown_scores(columns, scores) == {"q": s("5")}
    grade = course_grade(settings(Category("quizzes", Decimal(100))), columns, scores)
    assert (grade.percent, grade.uncategorised) == (Fraction(50), ())
    late_description = column("line", "quizzes")
    assert publish_column(columns, late_description) == columns


def test_the_latest_roster_change_wins_whatever_the_delivery_order() -> None:
    row = GradebookRow("s1")
    enrolled_at, dropped_at = T0, T0 + timedelta(hours=1)
    in_order = change_enrollment(
        change_enrollment(row, GradebookRowStatus.ENROLLED, enrolled_at, "e1"),
        GradebookRowStatus.DROPPED,
        dropped_at,
        "e2",
    )
    reversed_ = change_enrollment(
        change_enrollment(row, GradebookRowStatus.DROPPED, dropped_at, "e2"),
        GradebookRowStatus.ENROLLED,
        enrolled_at,
        "e1",
    )
    assert in_order.status == reversed_.status == GradebookRowStatus.DROPPED


def test_an_erased_row_keeps_no_score_and_never_changes_again() -> None:
    row = erase(count_score(GradebookRow("s1"), "q", s("5")))
    assert row.scores == {}
    assert count_score(row, "q", s("9", revision=9)) == row
    assert change_enrollment(row, GradebookRowStatus.ENROLLED, T0, "e") == row


def test_the_latest_publication_describes_a_column() -> None:
    first = Column("q", "quiz", "Old", Decimal(10), "quizzes", None, T0)
    later = Column("q", "quiz", "New", Decimal(20), "quizzes", None, T0 + timedelta(minutes=1))
    assert publish_column(publish_column({}, later), first)["q"].title == "New"
    assert publish_column(publish_column({}, first), later)["q"].title == "New"


def test_columns_are_ordered_by_due_date_undated_last() -> None:
    undated = Column("u", "quiz", "U", Decimal(1), "quizzes", None, T0)
    late = Column("l", "quiz", "L", Decimal(1), "quizzes", T0 + timedelta(days=2), T0)
    early = Column("e", "quiz", "E", Decimal(1), "quizzes", T0 + timedelta(days=1), T0 + timedelta(days=1))
    assert [c.assessment_id for c in ordered_columns([undated, late, early])] == ["e", "l", "u"]


# ---------------------------------------------------------------- settings and cells


def test_the_default_settings_are_valid() -> None:
    assert settings_errors(DEFAULT_SETTINGS.categories, DEFAULT_SETTINGS.letters) == []


@pytest.mark.parametrize(
    ("categories", "letters", "field"),
    [
        ((Category("a", Decimal(50)),), LETTERS, "categories"),
        ((Category("a", Decimal(50)), Category("A", Decimal(50))), LETTERS, "categories.1.name"),
        ((Category("a", Decimal(100), 51),), LETTERS, "categories.0.drop_lowest"),
        ((Category("a", Decimal(100)),), (LetterGrade("A", Decimal(10)),), "letters.0.min_percent"),
        (
            (Category("a", Decimal(100)),),
            (LetterGrade("A", Decimal(0)), LetterGrade("B", Decimal(0))),
            "letters.1.min_percent",
        ),
        ((), LETTERS, "categories"),
    ],
)
def test_invalid_settings_name_their_field(
    categories: tuple[Category, ...], letters: tuple[LetterGrade, ...], field: str
) -> None:
    assert field in [name for name, _ in settings_errors(categories, letters)]


@pytest.mark.parametrize(
    ("cell", "written"),
    [("=1+1", "'=1+1"), ("+1", "'+1"), ("-1", "'-1"), ("@SUM(A1)", "'@SUM(A1)"), ("Quiz", "Quiz"), ("", "")],
)
def test_cells_that_a_spreadsheet_would_run_are_written_as_text(cell: str, written: str) -> None:
    assert safe_cell(cell) == written


# ---------------------------------------------------------------- properties

points = st.decimals(min_value=Decimal("0.5"), max_value=Decimal(1000), places=2)


@st.composite
def scores(draw: st.DrawFn) -> Score:
    total = draw(points)
    score = draw(st.decimals(min_value=Decimal(0), max_value=total, places=2))
    return s(str(score), str(total))


grade_maps = st.dictionaries(st.text("abcdef", min_size=1, max_size=3), scores(), max_size=8)


@given(grade_maps, st.integers(min_value=0, max_value=10))
def test_dropping_never_lowers_a_category_percent(grades: dict[str, Score], drop: int) -> None:
    kept_all = category_grade(Category("c", Decimal(100), 0), grades).percent
    dropped = category_grade(Category("c", Decimal(100), drop), grades).percent
    assert (kept_all is None) == (dropped is None)
    if kept_all is not None and dropped is not None:
        assert dropped >= kept_all
        assert 0 <= dropped <= 100


@st.composite
def weights(draw: st.DrawFn) -> tuple[Decimal, Decimal, Decimal]:
    a = draw(st.integers(min_value=0, max_value=100))
    b = draw(st.integers(min_value=0, max_value=100 - a))
    return Decimal(a), Decimal(b), Decimal(100 - a - b)


@given(weights(), grade_maps, grade_maps, grade_maps)
def test_the_final_stays_within_0_and_100_and_weights_re_normalise(
    split: tuple[Decimal, Decimal, Decimal],
    first: dict[str, Score],
    second: dict[str, Score],
    third: dict[str, Score],
) -> None:
    names = ("one", "two", "three")
    book = settings(*(Category(n, w, 1) for n, w in zip(names, split, strict=True)))
    scores: dict[str, Score] = {}
    columns: dict[str, Column] = {}
    for name, grades in zip(names, (first, second, third), strict=True):
        for key, one in grades.items():
            scores[f"{name}-{key}"] = one
            columns[f"{name}-{key}"] = column(f"{name}-{key}", name)
    grade = course_grade(book, columns, scores)
    graded_categories = [c for c in grade.categories if c.percent is not None and c.weight > 0]
    if not graded_categories:
        assert grade.percent is None
        return
    assert grade.percent is not None
    assert 0 <= grade.percent <= 100
    lowest = min(c.percent for c in graded_categories if c.percent is not None)
    highest = max(c.percent for c in graded_categories if c.percent is not None)
    assert lowest <= grade.percent <= highest  # a weighted mean of the graded categories only
    weight = sum(Fraction(c.weight) for c in graded_categories)
    expected = (
        sum(Fraction(c.weight) * c.percent for c in graded_categories if c.percent is not None) / weight
    )
    assert grade.percent == expected
    shown = display_percent(grade.percent)
    assert shown is not None
    assert Decimal(0) <= shown <= Decimal(100)
