"""Routes of the assessments API for the quiz part: request parsing and wiring only."""

from __future__ import annotations

from functools import cache
from typing import Annotated, Any

from assessments_api import app, metrics
from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Query
from aws_lambda_powertools.metrics import MetricUnit

from lms.assessments.course_access import DynamoCourseCatalog
from lms.assessments.quizzes.domain import GRACE, QuizStatus
from lms.assessments.quizzes.repository import DynamoQuizRepository
from lms.assessments.quizzes.schemas import (
    AnswersRequest,
    AttemptPage,
    AttemptView,
    QuizDraft,
    QuizPage,
    QuizPatch,
    QuizStatistics,
    QuizSummaryView,
    QuizView,
    RegradeReport,
)
from lms.assessments.quizzes.service import QuizService
from lms.http import (
    created,
    expected_version,
    idempotency_key,
    idempotent_request,
    path_id,
    principal,
    respond,
)
from lms.idempotency import IdempotentRequest
from lms.pagination import DEFAULT_LIMIT, MAX_LIMIT

QUIZZES = "/assessments/quizzes"
QUIZ = QUIZZES + "/<quiz_id>"
ATTEMPTS = QUIZ + "/attempts"
ATTEMPT = ATTEMPTS + "/<attempt_id>"


@cache
def quizzes() -> QuizService:
    return QuizService(DynamoQuizRepository(), DynamoCourseCatalog())


def _quiz_response(view: QuizView, status: int = 200, **kw: Any) -> Response[QuizView]:
    return respond(view, status=status, version=view.version, **kw)


def _keyed(name: str, *ids: str) -> IdempotentRequest | None:
    """An Idempotency-Key of a body-less request, fingerprinted by the operation and its path ids."""
    return IdempotentRequest.of(idempotency_key(app), {"operation": name, "ids": list(ids)})


@app.post(
    QUIZZES,
    summary="Author a draft quiz in a course you teach",
    tags=["quizzes"],
    operation_id="CreateQuiz",
    responses=created(QuizView),
)
def create_quiz(draft: QuizDraft) -> Response[QuizView]:
    view = quizzes().create_quiz(principal(app), draft, idempotent_request(app, draft))
    metrics.add_metric(name="QuizCreated", unit=MetricUnit.Count, value=1)
    return _quiz_response(view, 201, location=f"/assessments/quizzes/{view.id}")


@app.get(
    QUIZZES,
    summary="A course's quizzes (students: published ones)",
    tags=["quizzes"],
    operation_id="ListQuizzes",
)
def list_quizzes(
    course_id: Annotated[str, Query(pattern=r"^[A-Za-z0-9_.:-]{1,64}$")],
    status: Annotated[QuizStatus | None, Query(description="Staff: one status only.")] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
    cursor: Annotated[str | None, Query(max_length=2048)] = None,
) -> QuizPage:
    found, next_cursor = quizzes().list_quizzes(principal(app), course_id, status, limit, cursor)
    return QuizPage(items=[QuizSummaryView.of(q) for q in found], next_cursor=next_cursor)


@app.get(
    QUIZ,
    summary="Read a quiz (staff: with questions and keys; students: the published quiz, no questions)",
    tags=["quizzes"],
    operation_id="GetQuiz",
)
def get_quiz(quiz_id: str) -> Response[QuizView]:
    return _quiz_response(quizzes().get_quiz(principal(app), path_id(quiz_id, "quiz")))


@app.patch(
    QUIZ,
    summary="Edit a quiz (If-Match); once published only safe fields and the keys and points",
    tags=["quizzes"],
    operation_id="UpdateQuiz",
)
def update_quiz(quiz_id: str, patch: QuizPatch) -> Response[QuizView]:
    view = quizzes().update_quiz(
        principal(app), path_id(quiz_id, "quiz"), patch, expected_version=expected_version(app)
    )
    return _quiz_response(view)


@app.post(QUIZ + "/publish", summary="Publish a draft quiz", tags=["quizzes"], operation_id="PublishQuiz")
def publish_quiz(quiz_id: str) -> Response[QuizView]:
    view = quizzes().publish_quiz(principal(app), path_id(quiz_id, "quiz"))
    metrics.add_metric(name="QuizPublished", unit=MetricUnit.Count, value=1)
    return _quiz_response(view)


@app.post(
    ATTEMPTS,
    summary="Start an attempt: the questions, without keys, and the deadline",
    tags=["quiz attempts"],
    operation_id="StartQuizAttempt",
    responses=created(AttemptView),
)
def start_attempt(quiz_id: str) -> Response[AttemptView]:
    quiz_id = path_id(quiz_id, "quiz")
    view = quizzes().start_attempt(principal(app), quiz_id, _keyed("StartQuizAttempt", quiz_id))
    metrics.add_metric(name="QuizAttemptStarted", unit=MetricUnit.Count, value=1)
    return respond(view, status=201, location=f"/assessments/quizzes/{quiz_id}/attempts/{view.id}")


@app.get(
    ATTEMPTS,
    summary="Attempts of a quiz (staff: every student's, a page at a time; a student: their own)",
    tags=["quiz attempts"],
    operation_id="ListQuizAttempts",
)
def list_attempts(
    quiz_id: str,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
    cursor: Annotated[str | None, Query(max_length=2048)] = None,
) -> AttemptPage:
    return quizzes().list_attempts(principal(app), path_id(quiz_id, "quiz"), limit, cursor)


@app.get(
    ATTEMPT,
    summary="Read an attempt (a student: their own; staff: any, audited)",
    tags=["quiz attempts"],
    operation_id="GetQuizAttempt",
)
def get_attempt(quiz_id: str, attempt_id: str) -> AttemptView:
    return quizzes().get_attempt(principal(app), path_id(quiz_id, "quiz"), path_id(attempt_id, "attempt"))


DEADLINE = (
    "An attempt ends at its time limit or at the quiz's `due_at`, whichever comes first. Answers and "
    f"submissions are still accepted for {int(GRACE.total_seconds() // 60)} minutes after (a grace "
    "period for slow networks); later ones answer 409 `attempt-time-expired`."
)


@app.put(
    ATTEMPT + "/answers",
    summary="Save your answers while the attempt is open (replaces the saved ones)",
    tags=["quiz attempts"],
    operation_id="SaveQuizAnswers",
    description=DEADLINE,
)
def save_answers(quiz_id: str, attempt_id: str, body: AnswersRequest) -> AttemptView:
    return quizzes().save_answers(
        principal(app), path_id(quiz_id, "quiz"), path_id(attempt_id, "attempt"), body.answers
    )


@app.post(
    ATTEMPT + "/submit",
    summary="Submit and grade an attempt (once: a repeat answers the submitted attempt)",
    tags=["quiz attempts"],
    operation_id="SubmitQuizAttempt",
    description=DEADLINE,
)
def submit_attempt(quiz_id: str, attempt_id: str) -> AttemptView:
    quiz_id, attempt_id = path_id(quiz_id, "quiz"), path_id(attempt_id, "attempt")
    view = quizzes().submit_attempt(
        principal(app), quiz_id, attempt_id, _keyed("SubmitQuizAttempt", quiz_id, attempt_id)
    )
    metrics.add_metric(name="QuizAttemptSubmitted", unit=MetricUnit.Count, value=1)
    return view


@app.get(
    QUIZ + "/statistics",
    summary="Per-question statistics of the submitted attempts",
    tags=["quizzes"],
    operation_id="GetQuizStatistics",
)
def statistics(quiz_id: str) -> QuizStatistics:
    return quizzes().statistics(principal(app), path_id(quiz_id, "quiz"))


@app.post(
    QUIZ + "/regrade",
    summary="Grade every submitted attempt again with the current keys",
    tags=["quizzes"],
    operation_id="RegradeQuiz",
)
def regrade(quiz_id: str) -> RegradeReport:
    return quizzes().regrade(principal(app), path_id(quiz_id, "quiz"))
