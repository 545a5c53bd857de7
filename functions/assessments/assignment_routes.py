"""Routes of the assessments API for the assignment part: request parsing and wiring only."""

from __future__ import annotations

from functools import cache
from typing import Annotated

from assessments_api import app, metrics
from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Query
from aws_lambda_powertools.metrics import MetricUnit

from lms.assessments.assignments.repository import DynamoAssignmentRepository
from lms.assessments.assignments.schemas import (
    AssignmentDraft,
    AssignmentPage,
    AssignmentPatch,
    AssignmentView,
    ExtensionRequest,
    ExtensionView,
    GradeRequest,
    ReleaseSummary,
    SubmissionPage,
    SubmissionRequest,
    SubmissionView,
    UploadRequest,
    UploadView,
)
from lms.assessments.assignments.service import AssignmentService, SubmissionRead
from lms.assessments.assignments.storage import BucketFiles
from lms.assessments.course_access import DynamoCourseCatalog
from lms.http import NO_CONTENT, created, expected_version, idempotent_request, path_id, principal, respond
from lms.pagination import DEFAULT_LIMIT, MAX_LIMIT

TAGS = ["assignments"]
ASSIGNMENT = "/assessments/assignments/<assignment_id>"
SUBMISSION = ASSIGNMENT + "/submissions/<submission_id>"


@cache
def assignments() -> AssignmentService:
    return AssignmentService(DynamoAssignmentRepository(), DynamoCourseCatalog(), BucketFiles())


def _assignment(view: AssignmentView, status: int = 200) -> Response[AssignmentView]:
    location = f"/assessments/assignments/{view.id}" if status == 201 else None
    return respond(view, status=status, version=view.version, location=location)


def _submission(read: SubmissionRead, status: int = 200) -> Response[SubmissionView]:
    view = assignments().view(read)
    location = (
        f"/assessments/assignments/{view.assignment_id}/submissions/{view.id}" if status == 201 else None
    )
    return respond(view, status=status, version=view.revision, location=location)


@app.post(
    "/assessments/assignments",
    summary="Create a draft assignment in a course you teach",
    tags=TAGS,
    operation_id="CreateAssignment",
    responses=created(AssignmentView),
)
def create_assignment(draft: AssignmentDraft) -> Response[AssignmentView]:
    made = assignments().create_assignment(principal(app), draft, idempotent_request(app, draft))
    metrics.add_metric(name="AssignmentCreated", unit=MetricUnit.Count, value=1)
    return _assignment(AssignmentView.of(made), 201)


@app.get(
    "/assessments/assignments",
    summary="List a course's assignments (students: published ones of their courses)",
    tags=TAGS,
    operation_id="ListAssignments",
)
def list_assignments(
    course_id: Annotated[str, Query(pattern=r"^[A-Za-z0-9_.:-]{1,64}$")],
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
    cursor: Annotated[str | None, Query(max_length=2048)] = None,
) -> AssignmentPage:
    found, next_cursor = assignments().list_assignments(principal(app), course_id, limit, cursor)
    return AssignmentPage(items=[AssignmentView.of(a) for a in found], next_cursor=next_cursor)


@app.get(ASSIGNMENT, summary="Read an assignment", tags=TAGS, operation_id="GetAssignment")
def get_assignment(assignment_id: str) -> Response[AssignmentView]:
    found = assignments().get_assignment(principal(app), path_id(assignment_id, "assignment"))
    return _assignment(AssignmentView.of(found))


@app.patch(
    ASSIGNMENT,
    summary="Edit an assignment (If-Match: its version; points and rubric only while a draft)",
    tags=TAGS,
    operation_id="UpdateAssignment",
)
def update_assignment(assignment_id: str, patch: AssignmentPatch) -> Response[AssignmentView]:
    updated = assignments().update_assignment(
        principal(app), path_id(assignment_id, "assignment"), patch, expected_version(app)
    )
    return _assignment(AssignmentView.of(updated))


@app.post(
    ASSIGNMENT + "/publish",
    summary="Publish an assignment: its course's students may submit",
    tags=TAGS,
    operation_id="PublishAssignment",
)
def publish_assignment(assignment_id: str) -> Response[AssignmentView]:
    published = assignments().publish_assignment(principal(app), path_id(assignment_id, "assignment"))
    metrics.add_metric(name="AssignmentPublished", unit=MetricUnit.Count, value=1)
    return _assignment(AssignmentView.of(published))


@app.put(
    ASSIGNMENT + "/extensions/<student_id>",
    summary="Give an enrolled student their own due date (and cut-off); replaces an earlier one",
    tags=TAGS,
    operation_id="GrantExtension",
)
def grant_extension(assignment_id: str, student_id: str, body: ExtensionRequest) -> ExtensionView:
    aid = path_id(assignment_id, "assignment")
    extension = assignments().grant_extension(principal(app), aid, path_id(student_id, "student"), body)
    return ExtensionView.of(aid, extension)


@app.delete(
    ASSIGNMENT + "/extensions/<student_id>",
    summary="Take a student's extension back: the assignment's due date applies again",
    tags=TAGS,
    operation_id="RevokeExtension",
    responses=NO_CONTENT,
)
def revoke_extension(assignment_id: str, student_id: str) -> Response[None]:
    assignments().revoke_extension(
        principal(app), path_id(assignment_id, "assignment"), path_id(student_id, "student")
    )
    return Response(status_code=204)


@app.post(
    ASSIGNMENT + "/uploads",
    summary="Get a presigned POST to upload one file of a submission straight to storage",
    tags=TAGS,
    operation_id="CreateSubmissionUpload",
    responses=created(UploadView),
)
def create_upload(assignment_id: str, body: UploadRequest) -> Response[UploadView]:
    upload = assignments().create_upload(principal(app), path_id(assignment_id, "assignment"), body)
    return respond(upload, status=201)


@app.post(
    ASSIGNMENT + "/submissions",
    summary="Submit (or resubmit: every version is kept) your work",
    tags=TAGS,
    operation_id="SubmitAssignment",
    responses=created(SubmissionView),
)
def submit(assignment_id: str, body: SubmissionRequest) -> Response[SubmissionView]:
    read = assignments().submit(
        principal(app), path_id(assignment_id, "assignment"), body, idempotent_request(app, body)
    )
    metrics.add_metric(name="AssignmentSubmitted", unit=MetricUnit.Count, value=1)
    return _submission(read, 201)


@app.get(
    ASSIGNMENT + "/submissions",
    summary="Staff: each student's latest submission. Students: their own versions, newest first",
    tags=TAGS,
    operation_id="ListSubmissions",
)
def list_submissions(
    assignment_id: str,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
    cursor: Annotated[str | None, Query(max_length=2048)] = None,
) -> SubmissionPage:
    service = assignments()
    found, next_cursor = service.list_submissions(
        principal(app), path_id(assignment_id, "assignment"), limit, cursor
    )
    return SubmissionPage(items=[service.view(read) for read in found], next_cursor=next_cursor)


@app.get(SUBMISSION, summary="Read a submission", tags=TAGS, operation_id="GetSubmission")
def get_submission(assignment_id: str, submission_id: str) -> Response[SubmissionView]:
    read = assignments().get_submission(
        principal(app), path_id(assignment_id, "assignment"), path_id(submission_id, "submission")
    )
    return _submission(read)


@app.put(
    SUBMISSION + "/grade",
    summary="Grade a submission (If-Match: its revision); the student sees it once released",
    tags=TAGS,
    operation_id="GradeSubmission",
)
def grade_submission(assignment_id: str, submission_id: str, body: GradeRequest) -> Response[SubmissionView]:
    read = assignments().grade(
        principal(app),
        path_id(assignment_id, "assignment"),
        path_id(submission_id, "submission"),
        body,
        expected_version(app),
    )
    metrics.add_metric(name="SubmissionGraded", unit=MetricUnit.Count, value=1)
    return _submission(read)


@app.post(
    SUBMISSION + "/release",
    summary="Release a submission's grade to its student",
    tags=TAGS,
    operation_id="ReleaseGrade",
)
def release_grade(assignment_id: str, submission_id: str) -> Response[SubmissionView]:
    read = assignments().release_grade(
        principal(app), path_id(assignment_id, "assignment"), path_id(submission_id, "submission")
    )
    return _submission(read)


@app.post(
    ASSIGNMENT + "/release",
    summary="Release every graded, unreleased latest submission (up to 250 per call; `more` says call again)",
    tags=TAGS,
    operation_id="ReleaseAssignmentGrades",
)
def release_all(assignment_id: str) -> ReleaseSummary:
    return assignments().release_all(principal(app), path_id(assignment_id, "assignment"))
