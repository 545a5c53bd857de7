"""Auto-grading: pure functions from a question, its key and an answer to a score.

Scores are exact decimals, cut down to the cent (a partial answer never rounds up to full
marks), always within [0, points]:

- single choice, true/false, numeric (|answer - value| <= tolerance), short text (trimmed,
  inner whitespace collapsed, case-insensitive unless the key says otherwise, any accepted
  answer): all or nothing.
- multiple choice with partial credit: each right pick earns points / right options; with the
  wrong-pick penalty each wrong pick takes points / wrong options away; never below 0. Without
  partial credit: full points for exactly the right set, else 0.
- matching with partial credit: points x right pairs / prompts.
- ordering with partial credit: points x (item pairs in the right relative order) / (all pairs),
  so one misplaced item costs little and a reversed list scores 0; otherwise exact order only.

The quiz score of a student follows the scoring policy over their submitted attempts (an average
is rounded half-up to the cent).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from enum import StrEnum
from fractions import Fraction
from itertools import combinations
from typing import Any

from lms.assessments.quizzes.questions import (
    Matching,
    MatchingKey,
    MultipleChoice,
    MultipleChoiceKey,
    NumericKey,
    Ordering,
    OrderingKey,
    ShortTextKey,
    SingleChoiceKey,
    TrueFalseKey,
)

CENT = Decimal("0.01")


class ScoringPolicy(StrEnum):
    HIGHEST = "highest"
    LATEST = "latest"
    AVERAGE = "average"


def _share(points: Decimal, fraction: Fraction) -> Decimal:
    fraction = min(max(fraction, Fraction(0)), Fraction(1))
    exact = Decimal(fraction.numerator) * points / Decimal(fraction.denominator)
    return exact.quantize(CENT, rounding=ROUND_DOWN)


def _normalize(text: str, case_sensitive: bool) -> str:
    collapsed = " ".join(text.split())
    return collapsed if case_sensitive else collapsed.casefold()


def grade(question: Any, key: Any, answer: Any) -> Decimal:
    """The score of one answer (None: unanswered, 0) to one question."""
    points: Decimal = question.points
    if answer is None:
        return _share(points, Fraction(0))
    if isinstance(key, SingleChoiceKey):
        return _share(points, Fraction(int(answer == key.correct_option_id)))
    if isinstance(key, TrueFalseKey):
        return _share(points, Fraction(int(answer is key.correct)))
    if isinstance(key, NumericKey):
        return _share(points, Fraction(int(abs(Decimal(answer) - key.value) <= key.tolerance)))
    if isinstance(key, ShortTextKey):
        given = _normalize(answer, key.case_sensitive)
        accepted = {_normalize(a, key.case_sensitive) for a in key.accepted_answers}
        return _share(points, Fraction(int(given in accepted)))
    if isinstance(key, MultipleChoiceKey):
        assert isinstance(question, MultipleChoice)
        return _share(points, multiple_choice_fraction(question, key, answer))
    if isinstance(key, MatchingKey):
        assert isinstance(question, Matching)
        right = sum(1 for prompt, choice in key.pairs.items() if answer.get(prompt) == choice)
        if not question.partial_credit:
            return _share(points, Fraction(int(right == len(key.pairs))))
        return _share(points, Fraction(right, len(key.pairs)))
    assert isinstance(key, OrderingKey)
    assert isinstance(question, Ordering)
    return _share(points, ordering_fraction(key.order, answer, partial=question.partial_credit))


def multiple_choice_fraction(
    question: MultipleChoice, key: MultipleChoiceKey, picked: Sequence[str]
) -> Fraction:
    right = set(key.correct_option_ids)
    wrong_options = {o.id for o in question.options} - right
    chosen = set(picked)
    if not question.partial_credit:
        return Fraction(int(chosen == right))
    earned = Fraction(len(chosen & right), len(right))
    if question.wrong_pick_penalty and wrong_options:
        earned -= Fraction(len(chosen - right), len(wrong_options))
    return max(earned, Fraction(0))


def ordering_fraction(order: Sequence[str], answer: Sequence[str], *, partial: bool) -> Fraction:
    if list(answer) == list(order):
        return Fraction(1)
    if not partial or len(order) < 2:
        return Fraction(0)
    place = {item: index for index, item in enumerate(answer)}
    pairs = list(combinations(order, 2))
    kept = sum(1 for first, second in pairs if place.get(first, -1) < place.get(second, -1))
    return Fraction(kept, len(pairs))


def grade_attempt(
    questions: Sequence[Any], keys: Mapping[str, Any], answers: Mapping[str, Any]
) -> dict[str, Decimal]:
    """Each question's score, by question id."""
    return {q.id: grade(q, keys[q.id], answers.get(q.id)) for q in questions}


def quiz_score(policy: ScoringPolicy, scores: Sequence[Decimal]) -> Decimal | None:
    """The quiz score under the policy; `scores` in submission order (None before any)."""
    if not scores:
        return None
    if policy == ScoringPolicy.HIGHEST:
        return max(scores)
    if policy == ScoringPolicy.LATEST:
        return scores[-1]
    return (sum(scores, Decimal(0)) / len(scores)).quantize(CENT, rounding=ROUND_HALF_UP)


def deciding_attempt(policy: ScoringPolicy, scores: Sequence[tuple[str, Decimal]]) -> str:
    """The attempt the quiz score comes from (the latest for `average`, the first best for `highest`)."""
    if policy == ScoringPolicy.HIGHEST:
        best = max(score for _, score in scores)
        return next(attempt for attempt, score in scores if score == best)
    return scores[-1][0]
