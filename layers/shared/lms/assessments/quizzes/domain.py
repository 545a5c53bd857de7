"""Quizzes, attempts and a student's quiz score, and their rules; pure: no AWS, no HTTP."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Any

from pydantic import ConfigDict, Field

from lms.assessments.quizzes import grading
from lms.assessments.quizzes.errors import (
    AttemptsExhausted,
    AttemptTimeExpired,
    InvalidQuestions,
    InvalidQuizSchedule,
    QuizAlreadyPublished,
    QuizClosed,
    QuizFieldLocked,
    QuizNotOpen,
    QuizNotPublishable,
    QuizNotPublished,
)
from lms.assessments.quizzes.grading import ScoringPolicy
from lms.assessments.quizzes.questions import Question, key_problems, load_key, split
from lms.lazy_model import LazyModel

GRACE = timedelta(minutes=2)
"""A submission this long after the deadline still counts (network and clock slack)."""
MAX_QUESTIONS = 100
MAX_ATTEMPTS = 100
DEFAULT_CATEGORY = "quizzes"

SAFE_AFTER_PUBLISH = frozenset(
    {"title", "instructions", "available_from", "due_at", "show_correct_answers", "questions"}
)
"""What a published quiz still lets staff change; questions only in their keys, points and standards."""


class QuizStatus(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"


class ShowCorrectAnswers(StrEnum):
    NEVER = "never"
    AFTER_SUBMISSION = "after_submission"
    AFTER_DUE_DATE = "after_due_date"


class AttemptStatus(StrEnum):
    OPEN = "open"
    SUBMITTED = "submitted"


class Quiz(LazyModel):
    """A quiz and its questions as students may read them; the keys live in `QuizKeys`."""

    model_config = ConfigDict(extra="forbid")

    id: str
    institution_id: str
    course_id: str
    lesson_id: str | None = None
    title: str
    instructions: str = ""
    available_from: datetime | None = None
    due_at: datetime | None = None
    time_limit_minutes: int | None = None
    max_attempts: int = 1
    scoring_policy: ScoringPolicy = ScoringPolicy.HIGHEST
    shuffle_questions: bool = False
    show_correct_answers: ShowCorrectAnswers = ShowCorrectAnswers.NEVER
    required_for_completion: bool = False
    passing_score: Decimal | None = None
    gradebook_category: str = DEFAULT_CATEGORY
    questions: list[Question] = Field(default_factory=list)
    status: QuizStatus = QuizStatus.DRAFT
    version: int = 1
    created_at: datetime
    updated_at: datetime
    published_at: datetime | None = None

    @property
    def points(self) -> Decimal:
        return sum((q.points for q in self.questions), Decimal(0))

    @property
    def published(self) -> bool:
        return self.status == QuizStatus.PUBLISHED

    def question(self, question_id: str) -> Any:
        return next(q for q in self.questions if q.id == question_id)

    def passed(self, score: Decimal) -> bool:
        """Passing needs `passing_score` when one is set; without one, every graded attempt passes."""
        return self.passing_score is None or score >= self.passing_score


class QuizKeys(LazyModel):
    """The answer keys of a quiz, by question id (raw; read per question with `key_for`)."""

    model_config = ConfigDict(extra="forbid")

    version: int = 1
    keys: dict[str, dict[str, Any]] = Field(default_factory=dict)

    def key_for(self, question: Any) -> Any:
        return load_key(question, self.keys.get(question.id))


class Attempt(LazyModel):
    model_config = ConfigDict(extra="forbid")

    id: str
    quiz_id: str
    course_id: str
    student_id: str
    number: int
    status: AttemptStatus = AttemptStatus.OPEN
    started_at: datetime
    deadline: datetime | None = None
    question_order: list[str]
    answers: dict[str, Any] = Field(default_factory=dict)
    submitted_at: datetime | None = None
    score: Decimal | None = None
    results: dict[str, Decimal] = Field(default_factory=dict)
    key_version: int | None = None
    version: int = 1

    @property
    def submitted(self) -> bool:
        return self.status == AttemptStatus.SUBMITTED


class AttemptScore(LazyModel):
    model_config = ConfigDict(extra="forbid")

    attempt_id: str
    number: int
    score: Decimal
    submitted_at: datetime


class StudentScore(LazyModel):
    """One student's standing in one quiz: attempts started and submitted, each score, the quiz score.

    `started` is the counter a start is conditional on (`started < max_attempts`); `scores` holds
    every submitted attempt's score, so grading never reads the attempts themselves.
    """

    model_config = ConfigDict(extra="forbid")

    quiz_id: str
    course_id: str
    student_id: str
    started: int = 0
    submitted: int = 0
    scores: list[AttemptScore] = Field(default_factory=list)
    score: Decimal | None = None
    points: Decimal | None = None  # the quiz's points when the score was last computed
    revision: int = 0


# ---------------------------------------------------------------- authoring


def check_schedule(available_from: datetime | None, due_at: datetime | None) -> None:
    if available_from and due_at and available_from >= due_at:
        raise InvalidQuizSchedule("available_from must be before due_at.", field="due_at")


def split_questions(authored: list[Any]) -> tuple[list[Any], dict[str, dict[str, Any]]]:
    """The questions students read and the keys staff read, refusing repeated question ids."""
    ids = [q.id for q in authored]
    repeated = sorted({i for i in ids if ids.count(i) > 1})
    if repeated:
        raise InvalidQuestions(
            f"Question ids must be unique: {', '.join(repeated)}.",
            field="questions",
            problems=[{"question_id": i, "problem": "the id is used twice"} for i in repeated],
        )
    questions, keys = [], {}
    for item in authored:
        question, key = split(item)
        questions.append(question)
        if key is not None:
            keys[question.id] = key.model_dump(mode="json")
    return questions, keys


def check_published_questions(before: list[Any], after: list[Any]) -> None:
    """A published quiz's questions change only in their points and standards (keys are stored apart)."""

    def shape(questions: list[Any]) -> list[dict[str, Any]]:
        return [q.model_dump(mode="json", exclude={"points", "standards"}) for q in questions]

    if shape(before) != shape(after):
        raise QuizFieldLocked(
            "A published quiz keeps its questions; only their keys, points and standards may change.",
            fields=["questions"],
        )


def check_patch_allowed(quiz: Quiz, fields: set[str]) -> None:
    if quiz.published and fields - SAFE_AFTER_PUBLISH:
        locked = sorted(fields - SAFE_AFTER_PUBLISH)
        raise QuizFieldLocked(f"A published quiz no longer changes {', '.join(locked)}.", fields=locked)


def publish_problems(quiz: Quiz, keys: QuizKeys) -> list[dict[str, str]]:
    problems = [
        {"question_id": q.id, "problem": problem}
        for q in quiz.questions
        for problem in key_problems(q, keys.key_for(q))
    ]
    if not quiz.questions:
        problems.append({"question_id": "", "problem": "the quiz has no questions"})
    if quiz.passing_score is not None and quiz.passing_score > quiz.points:
        problems.append(
            {
                "question_id": "",
                "problem": f"passing_score {quiz.passing_score} is above the {quiz.points} points",
            }
        )
    return problems


def publish(quiz: Quiz, keys: QuizKeys, at: datetime) -> Quiz:
    if quiz.published:
        raise QuizAlreadyPublished("The quiz is already published.")
    problems = publish_problems(quiz, keys)
    if problems:
        raise QuizNotPublishable(
            "Fix these before publishing: " + "; ".join(p["problem"] for p in problems) + ".",
            problems=problems,
        )
    return quiz.model_copy(update={"status": QuizStatus.PUBLISHED, "published_at": at})


# ---------------------------------------------------------------- attempts


def ensure_open(quiz: Quiz, now: datetime) -> None:
    if not quiz.published:
        raise QuizNotPublished("The quiz is not published yet.")
    if quiz.available_from and now < quiz.available_from:
        raise QuizNotOpen(f"The quiz opens at {quiz.available_from.isoformat()}.")
    if quiz.due_at and now > quiz.due_at:
        raise QuizClosed(f"The quiz closed at {quiz.due_at.isoformat()}.")


def ensure_attempts_left(quiz: Quiz, standing: StudentScore) -> None:
    if standing.started >= quiz.max_attempts:
        raise AttemptsExhausted(
            f"You have used all {quiz.max_attempts} attempt(s) of this quiz.", max_attempts=quiz.max_attempts
        )


def deadline(quiz: Quiz, started_at: datetime) -> datetime | None:
    """When the attempt ends: the time limit or the due date, whichever comes first."""
    limits = [started_at + timedelta(minutes=quiz.time_limit_minutes)] if quiz.time_limit_minutes else []
    if quiz.due_at:
        limits.append(quiz.due_at)
    return min(limits) if limits else None


def question_order(quiz: Quiz, attempt_id: str) -> list[str]:
    """The order this attempt shows the questions in: shuffled once per attempt, then kept."""
    order = [q.id for q in quiz.questions]
    if quiz.shuffle_questions:
        random.Random(attempt_id).shuffle(order)  # noqa: S311 - an order, not a secret
    return order


def ensure_in_time(attempt: Attempt, now: datetime) -> None:
    if attempt.deadline and now > attempt.deadline + GRACE:
        raise AttemptTimeExpired(
            f"The attempt ended at {attempt.deadline.isoformat()}.", deadline=attempt.deadline.isoformat()
        )


def shows_answers(quiz: Quiz, attempt: Attempt, now: datetime) -> bool:
    """Whether the student sees each question's score and correct answer in this attempt."""
    if not attempt.submitted:
        return False
    if quiz.show_correct_answers == ShowCorrectAnswers.AFTER_SUBMISSION:
        return True
    if quiz.show_correct_answers == ShowCorrectAnswers.AFTER_DUE_DATE:
        return quiz.due_at is not None and now > quiz.due_at
    return False


def grade(quiz: Quiz, keys: QuizKeys, answers: dict[str, Any]) -> tuple[Decimal, dict[str, Decimal]]:
    results = grading.grade_attempt(quiz.questions, {q.id: keys.key_for(q) for q in quiz.questions}, answers)
    return sum(results.values(), Decimal(0)), results


def submit(attempt: Attempt, quiz: Quiz, keys: QuizKeys, at: datetime) -> Attempt:
    score, results = grade(quiz, keys, attempt.answers)
    return attempt.model_copy(
        update={
            "status": AttemptStatus.SUBMITTED,
            "submitted_at": at,
            "score": score,
            "results": results,
            "key_version": keys.version,
            "version": attempt.version + 1,
        }
    )


def record_score(quiz: Quiz, standing: StudentScore, attempt: Attempt) -> StudentScore:
    """The standing after one more submitted attempt; the revision grows with every change."""
    assert attempt.score is not None
    assert attempt.submitted_at is not None
    scores = [
        *standing.scores,
        AttemptScore(
            attempt_id=attempt.id,
            number=attempt.number,
            score=attempt.score,
            submitted_at=attempt.submitted_at,
        ),
    ]
    return standing.model_copy(
        update={
            "submitted": standing.submitted + 1,
            "scores": scores,
            "score": grading.quiz_score(quiz.scoring_policy, [s.score for s in scores]),
            "points": quiz.points,
            "revision": standing.revision + 1,
        }
    )


def rescore(quiz: Quiz, standing: StudentScore, regraded: dict[str, Decimal]) -> StudentScore:
    """The standing with some attempts' new scores; the revision grows when the score or points change."""
    scores = [s.model_copy(update={"score": regraded.get(s.attempt_id, s.score)}) for s in standing.scores]
    score = grading.quiz_score(quiz.scoring_policy, [s.score for s in scores])
    changed = score != standing.score or quiz.points != standing.points
    return standing.model_copy(
        update={
            "scores": scores,
            "score": score,
            "points": quiz.points,
            "revision": standing.revision + (1 if changed else 0),
        }
    )


def deciding_attempt(quiz: Quiz, standing: StudentScore) -> AttemptScore:
    chosen = grading.deciding_attempt(quiz.scoring_policy, [(s.attempt_id, s.score) for s in standing.scores])
    return next(s for s in standing.scores if s.attempt_id == chosen)
