"""Analytics API: routes, request parsing and wiring; the rules live in lms.analytics."""

from __future__ import annotations

from functools import cache
from typing import Annotated, Any, Literal

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Header, Query
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from lms.analytics.course_access import DynamoCatalogAccess
from lms.analytics.repository import DynamoAnalyticsRepository
from lms.analytics.schemas import (
    AssessmentStatistics,
    AtRiskRulesBody,
    AtRiskRulesView,
    CourseLearnerPage,
    CourseOverview,
    InstitutionOverview,
    LearnerAnalytics,
    LessonFunnel,
)
from lms.analytics.service import AnalyticsService
from lms.correlation import correlation_id
from lms.http import NO_CONTENT, create_resolver, expected_version, path_id, principal, respond
from lms.pagination import DEFAULT_LIMIT, MAX_LIMIT
from lms.settings import METRICS_NAMESPACE
from lms.users.access import gate
from lms.users.queries import display_names

logger = Logger()
tracer = Tracer()
metrics = Metrics(namespace=METRICS_NAMESPACE)
app = create_resolver(admit=gate.admit, logger=logger)

Days = Annotated[int, Query(ge=1, le=90, description="How many days of the daily series (today included).")]


@cache
def analytics() -> AnalyticsService:
    return AnalyticsService(DynamoAnalyticsRepository(), DynamoCatalogAccess())


@app.get(
    "/analytics/courses/<course_id>",
    summary="A course's overview: students, activity, progress, completion, discussion, at risk (its staff)",
    tags=["analytics"],
    operation_id="GetCourseOverview",
)
def course_overview(course_id: str, days: Days = 30) -> CourseOverview:
    return analytics().course_overview(principal(app), path_id(course_id, "course"), days)


@app.get(
    "/analytics/courses/<course_id>/funnel",
    summary="How many learners completed each lesson, in outline order (its staff)",
    tags=["analytics"],
    operation_id="GetLessonFunnel",
)
def lesson_funnel(course_id: str) -> LessonFunnel:
    return analytics().lesson_funnel(principal(app), path_id(course_id, "course"))


@app.get(
    "/analytics/courses/<course_id>/assessments",
    summary="Quiz score histograms; on-time, late and missing work per assignment (its staff)",
    tags=["analytics"],
    operation_id="GetAssessmentStatistics",
)
def assessment_statistics(course_id: str) -> AssessmentStatistics:
    return analytics().assessment_statistics(principal(app), path_id(course_id, "course"))


@app.get(
    "/analytics/courses/<course_id>/students",
    summary="A course's learners by progress or last activity, or only those at risk (its staff)",
    tags=["analytics"],
    operation_id="ListCourseLearners",
)
def course_learners(
    course_id: str,
    sort: Annotated[Literal["progress", "last_activity"], Query()] = "last_activity",
    order: Annotated[
        Literal["asc", "desc"], Query(description="asc: least progress or longest idle first.")
    ] = "asc",
    at_risk: Annotated[bool, Query(description="Only the learners at risk.")] = False,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
    cursor: Annotated[str | None, Query(max_length=2048)] = None,
) -> CourseLearnerPage:
    caller = principal(app)
    page = analytics().learners(
        caller,
        path_id(course_id, "course"),
        sort=sort,
        descending=order == "desc",
        at_risk=at_risk,
        limit=limit,
        cursor=cursor,
    )
    names = display_names(caller.institution_id, [row.student_id for row in page.items])
    items = [row.model_copy(update={"display_name": names.get(row.student_id)}) for row in page.items]
    return page.model_copy(update={"items": items})


@app.get(
    "/analytics/courses/<course_id>/students/<student_id>",
    summary="One learner's analytics in a course, with their at-risk reasons (its staff)",
    tags=["analytics"],
    operation_id="GetLearnerAnalytics",
)
def learner_analytics(course_id: str, student_id: str) -> LearnerAnalytics:
    return analytics().learner(principal(app), path_id(course_id, "course"), path_id(student_id, "student"))


@app.get(
    "/analytics/courses/<course_id>/me",
    summary="Your own analytics in a course",
    tags=["analytics"],
    operation_id="GetMyCourseAnalytics",
)
def my_analytics(course_id: str) -> LearnerAnalytics:
    return analytics().my_analytics(principal(app), path_id(course_id, "course"))


@app.post(
    "/analytics/courses/<course_id>/lessons/<lesson_id>/opened",
    summary="Record that you opened a lesson (your activity; repeating it is harmless)",
    tags=["analytics"],
    operation_id="RecordLessonOpened",
    responses=NO_CONTENT,
)
def lesson_opened(course_id: str, lesson_id: str) -> Response[None]:
    analytics().record_lesson_opened(
        principal(app), path_id(course_id, "course"), path_id(lesson_id, "lesson")
    )
    return Response(status_code=204)


@app.get(
    "/analytics/institution",
    summary="The institution's active learners, enrollments, completions and courses (its admins)",
    tags=["analytics"],
    operation_id="GetInstitutionOverview",
)
def institution_overview(days: Days = 30) -> InstitutionOverview:
    return analytics().institution_overview(principal(app), days)


@app.get(
    "/analytics/at-risk-rules",
    summary="The institution's at-risk rules (its admins)",
    tags=["analytics"],
    operation_id="GetAtRiskRules",
)
def at_risk_rules() -> Response[AtRiskRulesView]:
    view = analytics().rules(principal(app))
    return respond(view, version=view.version)


@app.put(
    "/analytics/at-risk-rules",
    summary="Replace the institution's at-risk rules (its admins; If-Match once they were saved)",
    tags=["analytics"],
    operation_id="UpdateAtRiskRules",
    responses={
        200: {
            "description": "The rules as stored, with their new version (ETag).",
            "content": {"application/json": {"model": AtRiskRulesView}},
        },
        412: {"description": "If-Match names an older version (`version-mismatch`)."},
        428: {"description": "The rules were saved before and If-Match is missing (`if-match-required`)."},
    },
)
def put_at_risk_rules(
    body: AtRiskRulesBody,
    if_match: Annotated[
        str | None, Header(description='The version you read (`"3"`); not needed while the defaults apply.')
    ] = None,
) -> Response[AtRiskRulesView]:
    expected = expected_version(app) if if_match is not None else None
    view = analytics().change_rules(principal(app), body, expected)
    return respond(view, version=view.version)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    correlation_id.set(event.get("requestContext", {}).get("requestId"))
    return app.resolve(event, context)
