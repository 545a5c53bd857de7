"""Request and response bodies of the quiz API (the OpenAPI document is generated from them).

A student's responses are built from `Question` (no key) and `StudentQuizView` (no questions):
no student response model has a field that can hold an answer key, except `correct_answer`, which
is filled only when the quiz's `show_correct_answers` allows it.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any

from pydantic import AwareDatetime, Field, StringConstraints

from lms.assessments.quizzes.domain import (
    MAX_ATTEMPTS,
    MAX_QUESTIONS,
    Attempt,
    AttemptStatus,
    Quiz,
    QuizKeys,
    QuizStatus,
    ShowCorrectAnswers,
)
from lms.assessments.quizzes.grading import ScoringPolicy
from lms.assessments.quizzes.questions import (
    AnswerKey,
    AuthoredQuestion,
    Question,
    QuestionId,
    QuestionType,
    join,
)
from lms.lazy_model import LazyModel
from lms.schemas import HTML_FORMAT, SANITIZED_HTML, Body, Patch

Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Instructions = Annotated[str, StringConstraints(max_length=10_000), SANITIZED_HTML, HTML_FORMAT]
Id = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_.:-]{1,64}$")]
Category = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", max_length=64)]
Minutes = Annotated[int, Field(ge=1, le=1440)]
Attempts = Annotated[int, Field(ge=1, le=MAX_ATTEMPTS)]
Score = Annotated[Decimal, Field(ge=0, le=100_000, max_digits=8, decimal_places=2, allow_inf_nan=False)]
AuthoredQuestions = Annotated[list[AuthoredQuestion], Field(max_length=MAX_QUESTIONS)]


class QuizDraft(Body):
    course_id: Id
    lesson_id: Id | None = Field(default=None, description="The lesson the quiz belongs to, if any.")
    title: Title
    instructions: Instructions = ""
    available_from: AwareDatetime | None = None
    due_at: AwareDatetime | None = None
    time_limit_minutes: Minutes | None = Field(default=None, description="None: no time limit.")
    max_attempts: Attempts = 1
    scoring_policy: ScoringPolicy = ScoringPolicy.HIGHEST
    shuffle_questions: bool = Field(
        default=False, description="Each attempt shows the questions in its own order."
    )
    show_correct_answers: ShowCorrectAnswers = ShowCorrectAnswers.NEVER
    required_for_completion: bool = False
    passing_score: Score | None = None
    gradebook_category: Category = "quizzes"
    questions: AuthoredQuestions = Field(
        default_factory=list, description="Each with its answer key under `key` (staff only)."
    )


class QuizPatch(Patch):
    """After publication only title, instructions, dates, show_correct_answers and questions'
    keys and points change (the questions themselves stay)."""

    nullable = frozenset({"lesson_id", "available_from", "due_at", "time_limit_minutes", "passing_score"})

    lesson_id: Id | None = None
    title: Title | None = None
    instructions: Instructions | None = None
    available_from: AwareDatetime | None = None
    due_at: AwareDatetime | None = None
    time_limit_minutes: Minutes | None = None
    max_attempts: Attempts | None = None
    scoring_policy: ScoringPolicy | None = None
    shuffle_questions: bool | None = None
    show_correct_answers: ShowCorrectAnswers | None = None
    required_for_completion: bool | None = None
    passing_score: Score | None = None
    gradebook_category: Category | None = None
    questions: AuthoredQuestions | None = None


class AnswersRequest(Body):
    answers: dict[QuestionId, Any] = Field(
        max_length=MAX_QUESTIONS,
        description="Question id -> answer; replaces the attempt's saved answers. single_choice: an "
        "option id; multiple_choice: a list of option ids; true_false: a boolean; numeric: a number; "
        "short_text: a string; matching: {prompt id: choice id}; ordering: every item id, in order.",
    )


# ---------------------------------------------------------------- responses


class QuizSummaryView(LazyModel):
    id: str
    course_id: str
    lesson_id: str | None
    title: str
    instructions: str
    available_from: AwareDatetime | None
    due_at: AwareDatetime | None
    time_limit_minutes: int | None
    max_attempts: int
    scoring_policy: ScoringPolicy
    shuffle_questions: bool
    show_correct_answers: ShowCorrectAnswers
    required_for_completion: bool
    passing_score: Decimal | None
    gradebook_category: str
    question_count: int
    points: Decimal
    status: QuizStatus
    version: int
    created_at: AwareDatetime
    updated_at: AwareDatetime
    published_at: AwareDatetime | None

    @classmethod
    def of(cls, quiz: Quiz) -> QuizSummaryView:
        data = quiz.model_dump(exclude={"institution_id", "questions"})
        return cls(**data, question_count=len(quiz.questions), points=quiz.points)


class QuizView(QuizSummaryView):
    """The quiz; `questions` with their keys for staff, null for students (an attempt hands them out)."""

    questions: list[AuthoredQuestion] | None

    @classmethod
    def for_staff(cls, quiz: Quiz, keys: QuizKeys) -> QuizView:
        authored = [join(q, keys.key_for(q)) for q in quiz.questions]
        return cls(**QuizSummaryView.of(quiz).model_dump(), questions=authored)

    @classmethod
    def for_student(cls, quiz: Quiz) -> QuizView:
        return cls(**QuizSummaryView.of(quiz).model_dump(), questions=None)


class QuizPage(LazyModel):
    items: list[QuizSummaryView]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last page.")


class QuestionResult(LazyModel):
    question_id: str
    score: Decimal
    points: Decimal
    correct_answer: AnswerKey | None = Field(
        description="The key, when `show_correct_answers` allows it (always for staff)."
    )


class AttemptView(LazyModel):
    id: str
    quiz_id: str
    course_id: str
    student_id: str
    number: int
    status: AttemptStatus
    started_at: AwareDatetime
    deadline: AwareDatetime | None = Field(description="Submissions are accepted until 2 minutes after it.")
    submitted_at: AwareDatetime | None
    questions: list[Question] = Field(description="In this attempt's order; never with keys.")
    answers: dict[str, Any]
    score: Decimal | None
    points: Decimal
    results: list[QuestionResult] | None = Field(
        description="Each question's score and correct answer: for staff, and for the student when "
        "`show_correct_answers` allows it."
    )

    @classmethod
    def of(cls, attempt: Attempt, quiz: Quiz, keys: QuizKeys | None) -> AttemptView:
        """`keys`: None hides the per-question results."""
        by_id = {q.id: q for q in quiz.questions}
        ordered = [by_id[i] for i in attempt.question_order if i in by_id]
        results = None
        if keys is not None and attempt.submitted:
            results = [
                QuestionResult(
                    question_id=q.id,
                    score=attempt.results.get(q.id, Decimal(0)),
                    points=q.points,
                    correct_answer=keys.key_for(q),
                )
                for q in ordered
            ]
        return cls(
            id=attempt.id,
            quiz_id=attempt.quiz_id,
            course_id=attempt.course_id,
            student_id=attempt.student_id,
            number=attempt.number,
            status=attempt.status,
            started_at=attempt.started_at,
            deadline=attempt.deadline,
            submitted_at=attempt.submitted_at,
            questions=ordered,
            answers=attempt.answers,
            score=attempt.score,
            points=quiz.points,
            results=results,
        )


class AttemptSummaryView(LazyModel):
    id: str
    student_id: str
    number: int
    status: AttemptStatus
    started_at: AwareDatetime
    deadline: AwareDatetime | None
    submitted_at: AwareDatetime | None
    score: Decimal | None

    @classmethod
    def of(cls, attempt: Attempt) -> AttemptSummaryView:
        return cls(**attempt.model_dump(include=set(cls.model_fields)))


class AttemptPage(LazyModel):
    items: list[AttemptSummaryView]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last page.")
    quiz_score: Decimal | None = Field(
        default=None,
        description="A student's own list: their quiz score under the scoring policy (null before a "
        "submission, and for staff lists).",
    )


class QuestionStatistics(LazyModel):
    question_id: str
    type: QuestionType
    points: Decimal
    attempts: int = Field(description="Submitted attempts that include the question.")
    answered: int
    average_score: Decimal | None
    full_marks_percent: Decimal | None
    answer_distribution: dict[str, int] | None = Field(
        description="Choice questions: how many attempts picked each option (`true`/`false`)."
    )


class QuizStatistics(LazyModel):
    quiz_id: str
    submitted_attempts: int
    complete: bool = Field(description="False when more attempts exist than one statistics read covers.")
    average_score: Decimal | None
    questions: list[QuestionStatistics]


class RegradeReport(LazyModel):
    quiz_id: str
    attempts_checked: int
    attempts_changed: int
    students_rescored: int = Field(description="Students whose quiz score changed (a QuizGraded each).")
    regraded_at: datetime
