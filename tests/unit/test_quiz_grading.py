"""Auto-grading of every question type (tables) and its invariants (properties)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lms.assessments.quizzes.errors import InvalidAnswer
from lms.assessments.quizzes.grading import ScoringPolicy, deciding_attempt, grade, quiz_score
from lms.assessments.quizzes.questions import (
    Matching,
    MatchingKey,
    MultipleChoice,
    MultipleChoiceKey,
    Numeric,
    NumericKey,
    Option,
    Ordering,
    OrderingKey,
    ShortText,
    ShortTextKey,
    SingleChoice,
    SingleChoiceKey,
    TrueFalse,
    TrueFalseKey,
    key_problems,
    parse_answer,
)


def options(*ids: str) -> list[Option]:
    return [Option(id=i, text=f"option {i}") for i in ids]


def multiple(
    points: str = "4", *, partial: bool = True, penalty: bool = True, ids: str = "abcde"
) -> MultipleChoice:
    return MultipleChoice(
        id="q",
        prompt="Pick",
        points=Decimal(points),
        options=options(*ids),
        partial_credit=partial,
        wrong_pick_penalty=penalty,
    )


SINGLE = SingleChoice(id="q", prompt="Pick one", points=Decimal(2), options=options("a", "b", "c"))
TF = TrueFalse(id="q", prompt="True?", points=Decimal(1))
NUMERIC = Numeric(id="q", prompt="How much?", points=Decimal(3))
TEXT = ShortText(id="q", prompt="Name it", points=Decimal(2))
MATCHING = Matching(
    id="q", prompt="Match", points=Decimal(3), prompts=options("1", "2", "3"), choices=options("x", "y", "z")
)
ORDERING = Ordering(id="q", prompt="Order", points=Decimal(3), items=options("a", "b", "c", "d"))


@pytest.mark.parametrize(
    ("question", "key", "answer", "score"),
    [
        (SINGLE, SingleChoiceKey(correct_option_id="b"), "b", "2.00"),
        (SINGLE, SingleChoiceKey(correct_option_id="b"), "a", "0.00"),
        (SINGLE, SingleChoiceKey(correct_option_id="b"), None, "0.00"),
        (TF, TrueFalseKey(correct=False), False, "1.00"),
        (TF, TrueFalseKey(correct=False), True, "0.00"),
        (NUMERIC, NumericKey(value=Decimal("3.14"), tolerance=Decimal("0.01")), "3.15", "3.00"),
        (NUMERIC, NumericKey(value=Decimal("3.14"), tolerance=Decimal("0.01")), "3.16", "0.00"),
        (NUMERIC, NumericKey(value=Decimal("10")), "10.000", "3.00"),
        (NUMERIC, NumericKey(value=Decimal("10")), "-10", "0.00"),
        (TEXT, ShortTextKey(accepted_answers=["Paris", "Paree"]), "  paris ", "2.00"),
        (TEXT, ShortTextKey(accepted_answers=["Paris", "Paree"]), "PAREE", "2.00"),
        (TEXT, ShortTextKey(accepted_answers=["New  York"]), "new york", "2.00"),
        (TEXT, ShortTextKey(accepted_answers=["Paris"], case_sensitive=True), "paris", "0.00"),
        (TEXT, ShortTextKey(accepted_answers=["Paris"]), "Lyon", "0.00"),
        (multiple(), MultipleChoiceKey(correct_option_ids=["a", "b"]), ["a", "b"], "4.00"),
        (multiple(), MultipleChoiceKey(correct_option_ids=["a", "b"]), ["a"], "2.00"),
        (
            multiple(),
            MultipleChoiceKey(correct_option_ids=["a", "b"]),
            ["a", "c"],
            "0.66",
        ),  # 2 - 4/3, cut to the cent
        (multiple(), MultipleChoiceKey(correct_option_ids=["a", "b"]), ["a", "b", "c", "d", "e"], "0.00"),
        (multiple(), MultipleChoiceKey(correct_option_ids=["a", "b"]), ["c", "d"], "0.00"),
        (multiple(penalty=False), MultipleChoiceKey(correct_option_ids=["a", "b"]), ["a", "c"], "2.00"),
        (multiple(partial=False), MultipleChoiceKey(correct_option_ids=["a", "b"]), ["a"], "0.00"),
        (multiple(partial=False), MultipleChoiceKey(correct_option_ids=["a", "b"]), ["b", "a"], "4.00"),
        (MATCHING, MatchingKey(pairs={"1": "x", "2": "y", "3": "z"}), {"1": "x", "2": "y", "3": "z"}, "3.00"),
        (MATCHING, MatchingKey(pairs={"1": "x", "2": "y", "3": "z"}), {"1": "x", "2": "z", "3": "y"}, "1.00"),
        (MATCHING, MatchingKey(pairs={"1": "x", "2": "y", "3": "z"}), {"1": "x"}, "1.00"),
        (
            MATCHING.model_copy(update={"partial_credit": False}),
            MatchingKey(pairs={"1": "x", "2": "y", "3": "z"}),
            {"1": "x", "2": "y"},
            "0.00",
        ),
        (ORDERING, OrderingKey(order=["a", "b", "c", "d"]), ["a", "b", "c", "d"], "3.00"),
        (ORDERING, OrderingKey(order=["a", "b", "c", "d"]), ["d", "c", "b", "a"], "0.00"),
        (ORDERING, OrderingKey(order=["a", "b", "c", "d"]), ["b", "a", "c", "d"], "2.50"),  # 5 of 6 pairs
        (ORDERING, OrderingKey(order=["a", "b", "c", "d"]), ["d", "a", "b", "c"], "1.50"),  # 3 of 6 pairs
        (
            ORDERING.model_copy(update={"partial_credit": False}),
            OrderingKey(order=["a", "b", "c", "d"]),
            ["b", "a", "c", "d"],
            "0.00",
        ),
    ],
)
def test_each_question_type_is_graded(question: Any, key: Any, answer: Any, score: str) -> None:
    assert grade(question, key, answer) == Decimal(score)


@pytest.mark.parametrize(
    ("policy", "scores", "expected", "deciding"),
    [
        (ScoringPolicy.HIGHEST, ["3", "9", "9", "5"], "9", "a2"),
        (ScoringPolicy.LATEST, ["3", "9", "5"], "5", "a3"),
        (ScoringPolicy.AVERAGE, ["3", "9", "5"], "5.67", "a3"),
        (ScoringPolicy.AVERAGE, ["1", "2"], "1.50", "a2"),
    ],
)
def test_the_scoring_policy_picks_the_quiz_score(
    policy: ScoringPolicy, scores: list[str], expected: str, deciding: str
) -> None:
    values = [Decimal(s) for s in scores]
    assert quiz_score(policy, values) == Decimal(expected)
    assert deciding_attempt(policy, [(f"a{i + 1}", v) for i, v in enumerate(values)]) == deciding
    assert quiz_score(policy, []) is None


# ---------------------------------------------------------------- properties

points = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("1000"), places=2)
option_count = st.integers(min_value=2, max_value=8)


@st.composite
def multiple_choice_case(draw: st.DrawFn) -> tuple[MultipleChoice, MultipleChoiceKey, list[str]]:
    count = draw(option_count)
    ids = [f"o{i}" for i in range(count)]
    right = draw(st.lists(st.sampled_from(ids), min_size=1, unique=True))
    picked = draw(st.lists(st.sampled_from(ids), unique=True))
    question = MultipleChoice(
        id="q",
        prompt="Pick",
        points=draw(points),
        options=options(*ids),
        partial_credit=draw(st.booleans()),
        wrong_pick_penalty=draw(st.booleans()),
    )
    return question, MultipleChoiceKey(correct_option_ids=right), picked


@given(multiple_choice_case())
def test_a_multiple_choice_score_stays_within_zero_and_the_points(
    case: tuple[MultipleChoice, MultipleChoiceKey, list[str]],
) -> None:
    question, key, picked = case
    assert Decimal(0) <= grade(question, key, picked) <= question.points


@given(multiple_choice_case(), st.data())
def test_partial_credit_grows_with_each_right_pick(
    case: tuple[MultipleChoice, MultipleChoiceKey, list[str]], data: st.DataObject
) -> None:
    question, key, picked = case
    missing = [o for o in key.correct_option_ids if o not in picked]
    if not missing:
        return
    more = [*picked, data.draw(st.sampled_from(missing))]
    assert grade(question, key, more) >= grade(question, key, picked)


@given(multiple_choice_case())
def test_the_wrong_pick_penalty_never_goes_below_zero_nor_above_no_penalty(
    case: tuple[MultipleChoice, MultipleChoiceKey, list[str]],
) -> None:
    question, key, picked = case
    penalized = question.model_copy(update={"partial_credit": True, "wrong_pick_penalty": True})
    lenient = question.model_copy(update={"partial_credit": True, "wrong_pick_penalty": False})
    assert Decimal(0) <= grade(penalized, key, picked) <= grade(lenient, key, picked)


@given(points, st.permutations(["a", "b", "c", "d", "e"]), st.booleans())
def test_an_ordering_score_stays_within_zero_and_the_points(
    worth: Decimal, answer: list[str], partial: bool
) -> None:
    question = Ordering(id="q", prompt="Order", points=worth, items=options(*"abcde"), partial_credit=partial)
    score = grade(question, OrderingKey(order=list("abcde")), answer)
    assert Decimal(0) <= score <= worth
    assert (score == worth) == (answer == list("abcde"))


@given(points, st.dictionaries(st.sampled_from("123"), st.sampled_from("xyz")))
def test_a_matching_score_stays_within_zero_and_the_points(worth: Decimal, answer: dict[str, str]) -> None:
    question = MATCHING.model_copy(update={"points": worth})
    score = grade(question, MatchingKey(pairs={"1": "x", "2": "y", "3": "z"}), answer)
    assert Decimal(0) <= score <= worth


scores = st.lists(st.decimals(min_value=0, max_value=100, places=2), min_size=1, max_size=20)


@given(scores)
def test_highest_is_the_maximum_latest_the_last_average_between(values: list[Decimal]) -> None:
    assert quiz_score(ScoringPolicy.HIGHEST, values) == max(values)
    assert quiz_score(ScoringPolicy.LATEST, values) == values[-1]
    average = quiz_score(ScoringPolicy.AVERAGE, values)
    assert average is not None
    assert min(values) <= average <= max(values)
    assert abs(average - sum(values) / len(values)) <= Decimal("0.005")


# ---------------------------------------------------------------- answers and keys


@pytest.mark.parametrize(
    ("question", "raw", "stored"),
    [
        (SINGLE, "a", "a"),
        (multiple(), ["c", "a"], ["a", "c"]),
        (multiple(), [], []),
        (TF, True, True),
        (NUMERIC, 0.1, "0.1"),
        (NUMERIC, "-2.50", "-2.50"),
        (TEXT, "Paris", "Paris"),
        (MATCHING, {"2": "y", "1": "x"}, {"1": "x", "2": "y"}),
        (ORDERING, ["d", "c", "b", "a"], ["d", "c", "b", "a"]),
    ],
)
def test_answers_are_stored_in_a_canonical_form(question: Any, raw: Any, stored: Any) -> None:
    assert parse_answer(question, raw) == stored


@pytest.mark.parametrize(
    ("question", "raw"),
    [
        (SINGLE, "d"),
        (TF, 1),
        (NUMERIC, "Infinity"),
        (NUMERIC, "1e20"),
        (NUMERIC, None),
        (ORDERING, ["a", "b", "c"]),
        (ORDERING, ["a", "b", "c", "c"]),
        (MATCHING, {"4": "x"}),
    ],
)
def test_answers_that_do_not_fit_are_refused(question: Any, raw: Any) -> None:
    with pytest.raises(InvalidAnswer):
        parse_answer(question, raw)


def test_a_well_formed_question_has_no_key_problems() -> None:
    assert key_problems(SINGLE, SingleChoiceKey(correct_option_id="a")) == []
    assert key_problems(SINGLE, None) == ["it has no answer key"]
    assert key_problems(ORDERING, OrderingKey(order=["a", "b", "c"])) == ["the key must name every item once"]
