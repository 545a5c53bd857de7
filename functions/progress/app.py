"""Progress API: routes, request parsing and wiring; the rules live in lms.progress."""

from __future__ import annotations

from functools import cache
from typing import Annotated, Any

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Query
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from lms.http import NO_CONTENT, create_resolver, path_id, principal, respond
from lms.pagination import DEFAULT_LIMIT, MAX_LIMIT
from lms.progress.repository import DynamoProgressRepository
from lms.progress.schemas import (
    AchievementPage,
    CourseProgressView,
    LearnerPage,
    LessonCompletionView,
)
from lms.progress.service import ProgressService
from lms.settings import METRICS_NAMESPACE
from lms.users.access import gate
from lms.users.queries import display_names

logger = Logger()
tracer = Tracer()
metrics = Metrics(namespace=METRICS_NAMESPACE)
app = create_resolver(admit=gate.admit, logger=logger)

_ZONEINFO_CLAIM = "zoneinfo"


@cache
def progress() -> ProgressService:
    return ProgressService(DynamoProgressRepository())


def _timezone() -> str | None:
    """The student's time zone from the token's standard `zoneinfo` claim (no profile holds it yet)."""
    claims = app.current_event.request_context.authorizer.claims or {}
    value = claims.get(_ZONEINFO_CLAIM)
    return str(value) if value else None


@app.put(
    "/progress/courses/<course_id>/lessons/<lesson_id>",
    summary="Mark a lesson complete (repeating it changes nothing)",
    tags=["progress"],
    operation_id="CompleteLesson",
)
def complete_lesson(course_id: str, lesson_id: str) -> Response[LessonCompletionView]:
    completion, first_time = progress().complete_lesson(
        principal(app), path_id(course_id, "course"), path_id(lesson_id, "lesson"), _timezone()
    )
    if first_time:
        metrics.add_metric(name="LessonCompleted", unit=MetricUnit.Count, value=1)
    view = LessonCompletionView(
        course_id=completion.course_id, lesson_id=completion.lesson_id, completed_at=completion.completed_at
    )
    return respond(view)


@app.delete(
    "/progress/courses/<course_id>/lessons/<lesson_id>",
    summary="Undo a lesson's completion (undoing one not completed changes nothing)",
    tags=["progress"],
    operation_id="UndoLessonCompletion",
    responses=NO_CONTENT,
)
def undo_completion(course_id: str, lesson_id: str) -> Response[None]:
    progress().undo_completion(principal(app), path_id(course_id, "course"), path_id(lesson_id, "lesson"))
    return Response(status_code=204)


@app.get(
    "/progress/courses/<course_id>",
    summary="Your progress in a course",
    tags=["progress"],
    operation_id="GetMyProgress",
)
def my_progress(course_id: str) -> CourseProgressView:
    return progress().my_progress(principal(app), path_id(course_id, "course"))


@app.get(
    "/progress/courses/<course_id>/students",
    summary="The progress of a course's enrolled students (its instructors and admins)",
    tags=["progress"],
    operation_id="ListCourseProgress",
)
def course_progress(
    course_id: str,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
    cursor: Annotated[str | None, Query(max_length=2048)] = None,
) -> LearnerPage:
    course_id = path_id(course_id, "course")
    caller = principal(app)
    learners, next_cursor = progress().course_progress(caller, course_id, limit, cursor)
    names = display_names(caller.institution_id, [learner.student_id for learner in learners])
    items = [
        learner.model_copy(update={"display_name": names.get(learner.student_id)}) for learner in learners
    ]
    return LearnerPage(course_id=course_id, items=items, next_cursor=next_cursor)


@app.get(
    "/progress/courses/<course_id>/students/<student_id>",
    summary="One student's progress in a course (its instructors and admins)",
    tags=["progress"],
    operation_id="GetStudentProgress",
)
def student_progress(course_id: str, student_id: str) -> CourseProgressView:
    return progress().student_progress(
        principal(app), path_id(course_id, "course"), path_id(student_id, "student")
    )


@app.get(
    "/progress/achievements",
    summary="Your achievements",
    tags=["progress"],
    operation_id="ListMyAchievements",
)
def my_achievements(
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
    cursor: Annotated[str | None, Query(max_length=2048)] = None,
) -> AchievementPage:
    found, next_cursor = progress().my_achievements(principal(app), limit, cursor)
    return AchievementPage(items=found, next_cursor=next_cursor)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
