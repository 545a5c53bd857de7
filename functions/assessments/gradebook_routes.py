"""Routes of the assessments API for the gradebook part: request parsing and wiring only."""

from __future__ import annotations

from functools import cache
from typing import Annotated, Any

from assessments_api import app
from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Header, Query

from lms.assessments.course_access import DynamoCourseCatalog
from lms.assessments.gradebook.domain import COURSE_GRADE_RULES
from lms.assessments.gradebook.files import BucketExports
from lms.assessments.gradebook.repository import DynamoGradebookRepository
from lms.assessments.gradebook.schemas import (
    ClassGradesPage,
    GradebookSettingsBody,
    GradebookSettingsView,
    StudentGradesView,
)
from lms.assessments.gradebook.service import EXPORT_INLINE_MAX_BYTES, GradebookService
from lms.http import expected_version, path_id, principal, respond
from lms.pagination import DEFAULT_LIMIT, MAX_LIMIT
from lms.settings import get_settings
from lms.users.queries import display_names

SETTINGS = "/assessments/gradebook/courses/<course_id>/settings"
CSV = "text/csv"


def gradebook() -> GradebookService:
    return _gradebook(_export_inline_max_bytes())


def _export_inline_max_bytes() -> int:
    """Exports up to this many bytes are answered inline; GRADEBOOK_EXPORT_INLINE_MAX_BYTES may lower it."""
    configured = get_settings().gradebook_export_inline_max_bytes
    return min(configured, EXPORT_INLINE_MAX_BYTES) if configured else EXPORT_INLINE_MAX_BYTES


@cache
def _gradebook(export_inline_max_bytes: int) -> GradebookService:
    return GradebookService(
        DynamoGradebookRepository(),
        DynamoCourseCatalog(),
        display_names,
        BucketExports(),
        export_inline_max_bytes,
    )


@app.get(
    SETTINGS,
    summary="A course's gradebook settings: categories, weights, drops, letters (its staff)",
    tags=["gradebook"],
    operation_id="GetGradebookSettings",
)
def get_gradebook_settings(course_id: str) -> Response[GradebookSettingsView]:
    view = gradebook().settings(principal(app), path_id(course_id, "course"))
    return respond(view, version=view.version)


@app.put(
    SETTINGS,
    summary="Replace a course's gradebook settings (its staff; If-Match once they exist)",
    tags=["gradebook"],
    operation_id="UpdateGradebookSettings",
    responses={
        200: {
            "description": "The settings as stored, with their new version (ETag).",
            "content": {"application/json": {"model": GradebookSettingsView}},
        },
        412: {"description": "If-Match names an older version (`version-mismatch`)."},
        428: {"description": "The settings exist and If-Match is missing (`if-match-required`)."},
    },
)
def put_settings(
    course_id: str,
    body: GradebookSettingsBody,
    if_match: Annotated[
        str | None,
        Header(
            description='The version you read (`"3"`); not needed for the first settings of a course.',
        ),
    ] = None,
) -> Response[GradebookSettingsView]:
    expected = expected_version(app) if if_match is not None else None
    view = gradebook().change_settings(principal(app), path_id(course_id, "course"), body, expected)
    return respond(view, version=view.version)


@app.get(
    "/assessments/gradebook/courses/<course_id>/me",
    summary="Your grades in a course: counted scores, category percents, course percent and letter",
    tags=["gradebook"],
    operation_id="GetMyGrades",
    description=COURSE_GRADE_RULES,
)
def my_grades(course_id: str) -> StudentGradesView:
    return gradebook().my_grades(principal(app), path_id(course_id, "course"))


@app.get(
    "/assessments/gradebook/courses/<course_id>/students",
    summary="The grades of a course's enrolled students (its staff)",
    tags=["gradebook"],
    operation_id="ListCourseGrades",
    description=COURSE_GRADE_RULES,
)
def class_grades(
    course_id: str,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
    cursor: Annotated[str | None, Query(max_length=2048)] = None,
) -> ClassGradesPage:
    return gradebook().class_grades(principal(app), path_id(course_id, "course"), limit, cursor)


@app.get(
    "/assessments/gradebook/courses/<course_id>/students/<student_id>",
    summary="One student's grades in a course (its staff; recorded in the audit trail)",
    tags=["gradebook"],
    operation_id="GetStudentGrades",
    description=COURSE_GRADE_RULES,
)
def student_grades(course_id: str, student_id: str) -> StudentGradesView:
    return gradebook().student_grades(
        principal(app), path_id(course_id, "course"), path_id(student_id, "student")
    )


@app.get(
    "/assessments/gradebook/courses/<course_id>/export",
    summary="The class gradebook as CSV, one row per enrolled student (its staff; audited)",
    tags=["gradebook"],
    operation_id="ExportGradebook",
    description="Columns: `student_id`, `display_name`, one per published assessment (`title (id)`: the "
    "counted score, empty while there is none), one per category (`name (%)`), `final (%)` and "
    "`letter`.\n\n" + COURSE_GRADE_RULES,
    responses={
        200: {
            "description": "RFC 4180 CSV: a header row, then one row per enrolled student.",
            "content": {CSV: {"schema": {"type": "string"}}},
        },
        303: {
            "description": (
                "The CSV is too large for a response (over 4 MB): it was stored, and `Location` is a "
                "presigned GET of it (same content, `text/csv; charset=utf-8`, as an attachment) "
                "that expires in 5 minutes."
            ),
            "headers": {"Location": {"schema": {"type": "string", "format": "uri"}}},
            "content": {},
        },
    },
)
def export(course_id: str) -> Response[Any]:
    result = gradebook().export(principal(app), path_id(course_id, "course"))
    if result.download_url is not None:
        return Response(status_code=303, headers={"Location": result.download_url}, body="")
    return Response(
        status_code=200,
        content_type=f"{CSV}; charset=utf-8",
        body=result.text,
        headers={"Content-Disposition": f'attachment; filename="{result.file_name}"'},
    )
