"""Late-policy deductions, rubric scores and deadlines: exact decimals, table tests and properties."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lms.assessments.assignments import domain
from lms.assessments.assignments.domain import (
    Assignment,
    Extension,
    LatePolicy,
    RubricCriterion,
    RubricLevel,
    SubmissionType,
)
from lms.assessments.assignments.errors import InvalidGrade, InvalidRubric, SubmissionClosed

DUE = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
D = Decimal


def policy(per_day: str, floor: str = "0", **cutoff: object) -> LatePolicy:
    return LatePolicy(percent_per_day=D(per_day), floor_percent=D(floor), **cutoff)  # type: ignore[arg-type]


def assignment(**overrides: object) -> Assignment:
    values: dict[str, object] = {
        "id": "a1",
        "course_id": "c1",
        "title": "Essay",
        "instructions": "",
        "due_at": DUE,
        "points": D(10),
        "submission_types": [SubmissionType.TEXT],
        "created_by": "teacher",
        "created_at": DUE,
        "updated_at": DUE,
        **overrides,
    }
    return Assignment.model_validate(values)


RUBRIC = [
    RubricCriterion(
        id="argument",
        title="Argument",
        levels=[
            RubricLevel(id="weak", title="W", points=D(0)),
            RubricLevel(id="strong", title="S", points=D("6.5")),
        ],
    ),
    RubricCriterion(
        id="style",
        title="Style",
        levels=[
            RubricLevel(id="poor", title="P", points=D(1)),
            RubricLevel(id="good", title="G", points=D("3.5")),
        ],
    ),
]


@pytest.mark.parametrize(
    ("submitted", "days"),
    [
        (DUE - timedelta(days=3), 0),
        (DUE, 0),
        (DUE + timedelta(seconds=1), 1),
        (DUE + timedelta(days=1), 1),
        (DUE + timedelta(days=1, seconds=1), 2),
        (DUE + timedelta(days=9, hours=23), 10),
    ],
)
def test_a_started_day_counts_as_a_day_late(submitted: datetime, days: int) -> None:
    assert domain.days_late(submitted, DUE) == days


@pytest.mark.parametrize(
    ("raw", "late_policy", "days", "final"),
    [
        ("10", None, 5, "10"),
        ("10", policy("10"), 0, "10"),
        ("10", policy("10"), 1, "9"),
        ("7.5", policy("12.5", "80"), 2, "6"),
        ("7.5", policy("12.5", "80"), 1, "6.5625"),
        ("8", policy("10", "50"), 9, "4"),
        ("8", policy("10"), 12, "0"),
        ("0.01", policy("33.33"), 1, "0.006667"),
        ("9.99", policy("0"), 30, "9.99"),
    ],
)
def test_the_late_deduction_is_exact_and_stops_at_the_floor(
    raw: str, late_policy: LatePolicy | None, days: int, final: str
) -> None:
    assert str(domain.final_score(D(raw), late_policy, days)) == final


def test_a_rubric_grade_adds_the_chosen_levels() -> None:
    assert domain.rubric_score(RUBRIC, {"argument": "strong", "style": "poor"}) == D("7.5")
    with pytest.raises(InvalidGrade):
        domain.rubric_score(RUBRIC, {"argument": "strong"})
    with pytest.raises(InvalidGrade):
        domain.rubric_score(RUBRIC, {"argument": "strong", "style": "superb"})
    with pytest.raises(InvalidGrade):
        domain.rubric_score(RUBRIC, {"argument": "strong", "style": "good", "tone": "good"})


def test_a_rubric_must_add_up_to_the_points() -> None:
    domain.check_rubric(RUBRIC, D(10))
    with pytest.raises(InvalidRubric):
        domain.check_rubric(RUBRIC, D(12))
    with pytest.raises(InvalidRubric):
        domain.check_rubric([RUBRIC[0], RUBRIC[0]], D(13))


def test_an_extension_moves_the_due_date_and_keeps_the_grace_period() -> None:
    absolute = assignment(late_policy=policy("10", cutoff_at=DUE + timedelta(days=2)))
    extended = Extension(student_id="s", due_at=DUE + timedelta(days=5), granted_by="t", granted_at=DUE)
    assert domain.deadlines(absolute, None).cutoff_at == DUE + timedelta(days=2)
    assert domain.deadlines(absolute, extended).cutoff_at == DUE + timedelta(days=7)
    relative = assignment(late_policy=policy("10", cutoff_days=1))
    assert domain.deadlines(relative, extended).cutoff_at == DUE + timedelta(days=6)
    own = extended.model_copy(update={"cutoff_at": DUE + timedelta(days=5, hours=1)})
    assert domain.deadlines(relative, own).cutoff_at == DUE + timedelta(days=5, hours=1)
    assert domain.deadlines(assignment(), extended).cutoff_at is None
    with pytest.raises(SubmissionClosed):
        domain.ensure_open(domain.deadlines(relative, None), DUE + timedelta(days=1, seconds=1))
    domain.ensure_open(domain.deadlines(relative, None), DUE + timedelta(days=1))


def test_file_names_become_safe_key_parts() -> None:
    assert domain.safe_file_name("../../etc/passwd") == "passwd"
    assert domain.safe_file_name("My Essay (final).pdf") == "My_Essay_final_.pdf"
    assert domain.safe_file_name("...") == "file"
    assert domain.safe_file_name("C:\\Users\\me\\work.docx") == "work.docx"


# ---------------------------------------------------------------- properties

percents = st.decimals(min_value=0, max_value=100, places=2, allow_nan=False, allow_infinity=False)
points = st.decimals(min_value=D("0.01"), max_value=10_000, places=2, allow_nan=False, allow_infinity=False)
days = st.integers(min_value=0, max_value=400)


@st.composite
def graded_submissions(draw: st.DrawFn) -> tuple[Decimal, Decimal, LatePolicy]:
    worth = draw(points)
    raw = draw(st.decimals(min_value=0, max_value=worth, places=2, allow_nan=False, allow_infinity=False))
    return worth, raw, policy(str(draw(percents)), str(draw(percents)))


@given(graded_submissions(), days)
def test_the_final_score_stays_within_zero_and_the_points(
    case: tuple[Decimal, Decimal, LatePolicy], late: int
) -> None:
    worth, raw, late_policy = case
    assert D(0) <= domain.final_score(raw, late_policy, late) <= worth


@given(graded_submissions(), days, days)
def test_more_days_late_never_raise_the_score(
    case: tuple[Decimal, Decimal, LatePolicy], a: int, b: int
) -> None:
    _, raw, late_policy = case
    fewer, more = sorted((a, b))
    assert domain.final_score(raw, late_policy, more) <= domain.final_score(raw, late_policy, fewer)


@given(graded_submissions(), days)
def test_a_late_submission_keeps_at_least_the_floor(
    case: tuple[Decimal, Decimal, LatePolicy], late: int
) -> None:
    _, raw, late_policy = case
    assert domain.final_score(raw, late_policy, late) >= raw * late_policy.floor_percent / 100


@given(
    st.lists(st.sampled_from(["weak", "strong"]), min_size=1, max_size=1), st.sampled_from(["poor", "good"])
)
def test_a_rubric_grade_never_exceeds_the_points(argument: list[str], style: str) -> None:
    score = domain.rubric_score(RUBRIC, {"argument": argument[0], "style": style})
    assert D(0) <= score <= D(10)
