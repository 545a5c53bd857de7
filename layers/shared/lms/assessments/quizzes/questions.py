"""Question types: what a student reads (the question) and its answer key, kept apart.

A question's content (`Question`) is what students receive; its key (`AnswerKey`) is stored in
another item and only staff read it. An authored question (`AuthoredQuestion`) carries both, and
`split` separates them before anything is stored.

Every type is graded by `lms.assessments.quizzes.grading`; answers are checked against their
question by `parse_answer` before they are saved.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from lms.assessments.quizzes.errors import InvalidAnswer
from lms.lazy_model import LazyModel
from lms.schemas import HTML_FORMAT, SANITIZED, SANITIZED_HTML_WITH_TEXT
from lms.standards import Alignments

QuestionId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{1,40}$")]
OptionId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{1,40}$")]
Text = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=2000),
    SANITIZED_HTML_WITH_TEXT,
    HTML_FORMAT,
]
Points = Annotated[Decimal, Field(gt=0, le=1000, max_digits=6, decimal_places=2, allow_inf_nan=False)]
Exact = Annotated[Decimal, Field(max_digits=20, decimal_places=6, allow_inf_nan=False)]
Accepted = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
MAX_TEXT_ANSWER = 500


class QuestionType(StrEnum):
    SINGLE_CHOICE = "single_choice"
    MULTIPLE_CHOICE = "multiple_choice"
    TRUE_FALSE = "true_false"
    NUMERIC = "numeric"
    SHORT_TEXT = "short_text"
    MATCHING = "matching"
    ORDERING = "ordering"


CHOICE_TYPES = frozenset({QuestionType.SINGLE_CHOICE, QuestionType.MULTIPLE_CHOICE, QuestionType.TRUE_FALSE})
"""Types whose statistics include the distribution of the answers picked."""


class Option(LazyModel):
    model_config = ConfigDict(extra="forbid")

    id: OptionId
    text: Text


Options = Annotated[list[Option], Field(min_length=2, max_length=20)]


class _Question(LazyModel):
    model_config = ConfigDict(extra="forbid")

    id: QuestionId
    prompt: Text
    points: Points
    standards: Alignments = Field(default_factory=list)


class SingleChoice(_Question):
    """One option is right."""

    type: Literal["single_choice"] = "single_choice"
    options: Options


class MultipleChoice(_Question):
    """Several options are right; the student picks any number of them."""

    type: Literal["multiple_choice"] = "multiple_choice"
    options: Options
    partial_credit: bool = Field(
        default=True, description="Each right pick earns its share of the points; otherwise all or nothing."
    )
    wrong_pick_penalty: bool = Field(
        default=True,
        description="With partial credit, each wrong pick takes away its share of the points "
        "(points / wrong options), never below 0: picking every option then scores 0.",
    )


class TrueFalse(_Question):
    type: Literal["true_false"] = "true_false"


class Numeric(_Question):
    """A number, right within the key's tolerance."""

    type: Literal["numeric"] = "numeric"


class ShortText(_Question):
    """A short text compared with the key's accepted answers (whitespace-trimmed)."""

    type: Literal["short_text"] = "short_text"


class Matching(_Question):
    """Each prompt is matched with one choice."""

    type: Literal["matching"] = "matching"
    prompts: Options
    choices: Options
    partial_credit: bool = Field(
        default=True, description="Each right pair earns its share of the points; otherwise all or nothing."
    )


class Ordering(_Question):
    """The items are put in order."""

    type: Literal["ordering"] = "ordering"
    items: Options
    partial_credit: bool = Field(
        default=True,
        description="The share of item pairs placed in the right relative order earns that share of "
        "the points (a reversed list scores 0); otherwise only the exact order scores.",
    )


Question = Annotated[
    SingleChoice | MultipleChoice | TrueFalse | Numeric | ShortText | Matching | Ordering,
    Field(discriminator="type"),
]


# ---------------------------------------------------------------- answer keys (staff only)


class _Key(LazyModel):
    model_config = ConfigDict(extra="forbid")


class SingleChoiceKey(_Key):
    correct_option_id: OptionId


class MultipleChoiceKey(_Key):
    correct_option_ids: list[OptionId] = Field(min_length=1, max_length=20)


class TrueFalseKey(_Key):
    correct: bool


class NumericKey(_Key):
    value: Exact
    tolerance: Exact = Field(default=Decimal(0), ge=0)


class ShortTextKey(_Key):
    accepted_answers: list[Accepted] = Field(min_length=1, max_length=20)
    case_sensitive: bool = False


class MatchingKey(_Key):
    pairs: dict[OptionId, OptionId] = Field(description="prompt id -> choice id, one per prompt.")


class OrderingKey(_Key):
    order: list[OptionId] = Field(description="Every item id, in the right order.")


AnswerKey = (
    SingleChoiceKey | MultipleChoiceKey | TrueFalseKey | NumericKey | ShortTextKey | MatchingKey | OrderingKey
)

KEY_TYPES: dict[QuestionType, type[_Key]] = {
    QuestionType.SINGLE_CHOICE: SingleChoiceKey,
    QuestionType.MULTIPLE_CHOICE: MultipleChoiceKey,
    QuestionType.TRUE_FALSE: TrueFalseKey,
    QuestionType.NUMERIC: NumericKey,
    QuestionType.SHORT_TEXT: ShortTextKey,
    QuestionType.MATCHING: MatchingKey,
    QuestionType.ORDERING: OrderingKey,
}


# ---------------------------------------------------------------- authored: question + key


class SingleChoiceAuthored(SingleChoice):
    key: SingleChoiceKey | None = None


class MultipleChoiceAuthored(MultipleChoice):
    key: MultipleChoiceKey | None = None


class TrueFalseAuthored(TrueFalse):
    key: TrueFalseKey | None = None


class NumericAuthored(Numeric):
    key: NumericKey | None = None


class ShortTextAuthored(ShortText):
    key: ShortTextKey | None = None


class MatchingAuthored(Matching):
    key: MatchingKey | None = None


class OrderingAuthored(Ordering):
    key: OrderingKey | None = None


AuthoredQuestion = Annotated[
    SingleChoiceAuthored
    | MultipleChoiceAuthored
    | TrueFalseAuthored
    | NumericAuthored
    | ShortTextAuthored
    | MatchingAuthored
    | OrderingAuthored,
    Field(discriminator="type"),
]
"""A question as staff write and read it: the content and, under `key`, its answer key."""

_CONTENT_TYPES: dict[str, type[_Question]] = {
    "single_choice": SingleChoice,
    "multiple_choice": MultipleChoice,
    "true_false": TrueFalse,
    "numeric": Numeric,
    "short_text": ShortText,
    "matching": Matching,
    "ordering": Ordering,
}
_AUTHORED_TYPES: dict[str, type[_Question]] = {
    "single_choice": SingleChoiceAuthored,
    "multiple_choice": MultipleChoiceAuthored,
    "true_false": TrueFalseAuthored,
    "numeric": NumericAuthored,
    "short_text": ShortTextAuthored,
    "matching": MatchingAuthored,
    "ordering": OrderingAuthored,
}


def question_type(question: BaseModel) -> QuestionType:
    return QuestionType(getattr(question, "type"))  # noqa: B009 - every question model has `type`


def split(authored: BaseModel) -> tuple[Any, _Key | None]:
    """The content students may read, and the key (None when not written yet)."""
    data = authored.model_dump()
    key = data.pop("key", None)
    content = _CONTENT_TYPES[data["type"]].model_validate(data, context=SANITIZED)
    key_type = KEY_TYPES[QuestionType(data["type"])]
    return content, key_type.model_validate(key) if key is not None else None


def join(question: BaseModel, key: _Key | None) -> Any:
    """The authored form of a stored question and its key (staff views)."""
    data = question.model_dump()
    data["key"] = key.model_dump() if key is not None else None
    return _AUTHORED_TYPES[data["type"]].model_validate(data, context=SANITIZED)


def load_key(question: BaseModel, raw: dict[str, Any] | None) -> _Key | None:
    """A stored key, read as the key of its question's type."""
    if raw is None:
        return None
    return KEY_TYPES[question_type(question)].model_validate(raw)


# ---------------------------------------------------------------- answers


def _ids(question: Any) -> tuple[set[str], set[str]]:
    """The ids an answer may name: (left or only side, right side)."""
    if isinstance(question, Matching):
        return {p.id for p in question.prompts}, {c.id for c in question.choices}
    if isinstance(question, Ordering):
        return {i.id for i in question.items}, set()
    if isinstance(question, SingleChoice | MultipleChoice):
        return {o.id for o in question.options}, set()
    return set(), set()


def parse_answer(question: Any, raw: Any) -> Any:
    """Check a student's answer against its question; returns it in stored (JSON) form.

    single_choice: an option id; multiple_choice: a list of distinct option ids; true_false: a
    boolean; numeric: a number (or its decimal string); short_text: a string; matching: an object
    prompt id -> choice id; ordering: every item id once, in the student's order.
    """
    kind = question_type(question)
    field = f"answers.{question.id}"
    ids, right = _ids(question)

    def refuse(message: str) -> InvalidAnswer:
        return InvalidAnswer(f"Question {question.id!r} ({kind}): {message}", field=field)

    if kind == QuestionType.SINGLE_CHOICE:
        if not isinstance(raw, str) or raw not in ids:
            raise refuse("answer with one of the option ids.")
        return raw
    if kind == QuestionType.MULTIPLE_CHOICE:
        if not isinstance(raw, list) or not all(isinstance(x, str) and x in ids for x in raw):
            raise refuse("answer with a list of option ids.")
        if len(set(raw)) != len(raw):
            raise refuse("an option is picked twice.")
        return sorted(raw)
    if kind == QuestionType.TRUE_FALSE:
        if not isinstance(raw, bool):
            raise refuse("answer with true or false.")
        return raw
    if kind == QuestionType.NUMERIC:
        if isinstance(raw, bool) or not isinstance(raw, int | float | str):
            raise refuse("answer with a number.")
        try:
            number = Decimal(str(raw))
        except InvalidOperation:
            raise refuse("answer with a number.") from None
        if not number.is_finite() or abs(number) >= Decimal("1e15"):
            raise refuse("answer with a finite number below 10^15.")
        return str(number)
    if kind == QuestionType.SHORT_TEXT:
        if not isinstance(raw, str) or len(raw) > MAX_TEXT_ANSWER:
            raise refuse(f"answer with a text of at most {MAX_TEXT_ANSWER} characters.")
        return raw
    if kind == QuestionType.MATCHING:
        if not isinstance(raw, dict) or not all(
            isinstance(k, str) and k in ids and isinstance(v, str) and v in right for k, v in raw.items()
        ):
            raise refuse("answer with an object mapping prompt ids to choice ids.")
        return dict(sorted(raw.items()))
    if (
        not isinstance(raw, list)
        or sorted(x for x in raw if isinstance(x, str)) != sorted(ids)
        or len(raw) != len(ids)
    ):
        raise refuse("answer with every item id once, in your order.")
    return list(raw)


def key_problems(question: Any, key: _Key | None) -> list[str]:
    """What keeps a question from being graded: a missing key, or one that names unknown ids."""
    if key is None:
        return ["it has no answer key"]
    ids, right = _ids(question)
    problems: list[str] = []
    options = getattr(question, "options", None)
    if options is not None and len({o.id for o in options}) != len(options):
        problems.append("two options share an id")
    if isinstance(key, SingleChoiceKey) and key.correct_option_id not in ids:
        problems.append("the key names an option the question does not have")
    if isinstance(key, MultipleChoiceKey):
        if not set(key.correct_option_ids) <= ids:
            problems.append("the key names an option the question does not have")
        if len(set(key.correct_option_ids)) != len(key.correct_option_ids):
            problems.append("the key names an option twice")
    if isinstance(key, MatchingKey):
        if set(key.pairs) != ids or not set(key.pairs.values()) <= right:
            problems.append("the key must pair every prompt with one of the choices")
        if len(ids) != len(question.prompts) or len(right) != len(question.choices):
            problems.append("two prompts or choices share an id")
    if isinstance(key, OrderingKey) and (sorted(key.order) != sorted(ids) or len(ids) != len(question.items)):
        problems.append("the key must name every item once")
    return problems
