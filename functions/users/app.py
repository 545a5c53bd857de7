"""Identity API (/institutions, /users): routes, request parsing and wiring; the rules live in lms.users."""

from __future__ import annotations

import base64
import json
from datetime import timedelta
from functools import cache
from typing import Annotated, Any

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Query
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from lms.http import (
    create_resolver,
    created,
    expected_version,
    idempotency_key,
    idempotent_request,
    path_id,
    principal,
    respond,
)
from lms.idempotency import IdempotentRequest
from lms.keys import SAFE_PART_PATTERN
from lms.notifications.mail.queries import email_deliverability
from lms.pagination import DEFAULT_LIMIT, MAX_LIMIT
from lms.privacy.files import S3Documents
from lms.privacy.registry import contributors
from lms.privacy.repository import DynamoPrivacyRepository
from lms.privacy.schemas import ErasureView, ExportJobPage, ExportJobView
from lms.privacy.service import PrivacyService
from lms.settings import METRICS_NAMESPACE, get_settings
from lms.users.access import gate
from lms.users.cognito import CognitoDirectory
from lms.users.domain import UserProfile, UserRole, UserStatus
from lms.users.imports.repository import DynamoImportRepository
from lms.users.imports.roster_csv import MEDIA_TYPE as CSV_MEDIA_TYPE
from lms.users.imports.schemas import ImportJobView, RosterSubmission
from lms.users.imports.service import RosterImports
from lms.users.repository import DynamoIdentityRepository
from lms.users.schemas import (
    AdminInvitation,
    AuditEventPage,
    InstitutionDraft,
    InstitutionPage,
    InstitutionPatch,
    InstitutionView,
    Invitation,
    InvitedUserView,
    ProfilePatch,
    ProfileView,
    RoleChange,
    UserPage,
    UserView,
)
from lms.users.service import IdentityService, PeopleQuery

logger = Logger()
tracer = Tracer()
metrics = Metrics(namespace=METRICS_NAMESPACE)
app = create_resolver(admit=gate.admit, logger=logger)

Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT)]
Cursor = Annotated[str | None, Query(max_length=2048)]


@cache
def identity() -> IdentityService:
    return IdentityService(DynamoIdentityRepository(), CognitoDirectory())


@cache
def privacy() -> PrivacyService:
    return PrivacyService(
        DynamoPrivacyRepository(), DynamoIdentityRepository(), CognitoDirectory(), S3Documents(), contributors
    )


@cache
def roster_imports() -> RosterImports:
    # Template parameter ImportRetentionDays: rosters hold emails and names.
    retention = timedelta(days=get_settings().import_retention_days)
    return RosterImports(DynamoImportRepository(), identity(), CognitoDirectory(), retention=retention)


def _institution_response(view: InstitutionView, status: int = 200, **kw: Any) -> Response[InstitutionView]:
    return respond(view, status=status, version=view.version, **kw)


def _user_response(user: UserProfile) -> Response[UserView]:
    return respond(UserView.of(user), version=user.version)


def _profile_response(user: UserProfile) -> Response[ProfileView]:
    # A display read of the e-mail channel's own items (docs/architecture.md: cross-context reads).
    deliverability = email_deliverability(user.institution_id, user.id, user.email)
    view = ProfileView(**UserView.of(user).model_dump(), email_deliverability=deliverability)
    return respond(view, version=user.version)


def _invited(user: UserProfile, temporary_password: str | None) -> Response[InvitedUserView]:
    metrics.add_metric(name="UserInvited", unit=MetricUnit.Count, value=1)
    view = InvitedUserView(**UserView.of(user).model_dump(), temporary_password=temporary_password)
    return respond(view, status=201, version=user.version, location=f"/users/{user.id}")


# ---------------------------------------------------------------- institutions (platform admins)


@app.post(
    "/institutions",
    summary="Create an institution (platform admins; Idempotency-Key)",
    tags=["institutions"],
    operation_id="CreateInstitution",
    responses=created(InstitutionView),
)
def create_institution(draft: InstitutionDraft) -> Response[InstitutionView]:
    institution = identity().create_institution(principal(app), draft, idempotent_request(app, draft))
    view = InstitutionView.of(institution)
    return _institution_response(view, 201, location=f"/institutions/{view.id}")


@app.get(
    "/institutions",
    summary="List institutions by slug (platform admins)",
    tags=["institutions"],
    operation_id="ListInstitutions",
)
def list_institutions(limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None) -> InstitutionPage:
    found, next_cursor = identity().list_institutions(principal(app), limit, cursor)
    return InstitutionPage(items=[InstitutionView.of(i) for i in found], next_cursor=next_cursor)


@app.get(
    "/institutions/<institution_id>",
    summary="Read an institution (platform admins; institution admins their own)",
    tags=["institutions"],
    operation_id="GetInstitution",
)
def get_institution(institution_id: str) -> Response[InstitutionView]:
    institution = identity().get_institution(principal(app), path_id(institution_id, "institution"))
    return _institution_response(InstitutionView.of(institution))


@app.patch(
    "/institutions/<institution_id>",
    summary="Edit an institution (If-Match; platform admins)",
    tags=["institutions"],
    operation_id="UpdateInstitution",
)
def update_institution(institution_id: str, patch: InstitutionPatch) -> Response[InstitutionView]:
    institution = identity().update_institution(
        principal(app), path_id(institution_id, "institution"), patch, expected_version(app)
    )
    return _institution_response(InstitutionView.of(institution))


@app.post(
    "/institutions/<institution_id>/admins",
    summary="Invite an institution admin (platform admins; Idempotency-Key)",
    tags=["institutions"],
    operation_id="AddInstitutionAdmin",
    responses=created(InvitedUserView),
)
def add_institution_admin(institution_id: str, invitation: AdminInvitation) -> Response[InvitedUserView]:
    institution_id = path_id(institution_id, "institution")
    # The same key and body for another institution is another request.
    request = IdempotentRequest.of(
        idempotency_key(app), {"institution_id": institution_id, **invitation.model_dump(mode="json")}
    )
    user, password = identity().add_institution_admin(principal(app), institution_id, invitation, request)
    return _invited(user, password)


@app.get(
    "/institutions/<institution_id>/audit-events",
    summary="Page through the institution's audit trail, newest first",
    tags=["institutions"],
    operation_id="ListAuditEvents",
)
def list_audit_events(
    institution_id: str, limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None
) -> AuditEventPage:
    entries, next_cursor = identity().list_audit_events(
        principal(app), path_id(institution_id, "institution"), limit, cursor
    )
    return AuditEventPage(items=entries, next_cursor=next_cursor)


# ---------------------------------------------------------------- people (institution admins)


@app.post(
    "/users",
    summary="Invite a person: an account with a temporary password, and a profile (Idempotency-Key)",
    tags=["users"],
    operation_id="InviteUser",
    responses=created(InvitedUserView),
)
def invite_user(invitation: Invitation) -> Response[InvitedUserView]:
    user, password = identity().invite_user(principal(app), invitation, idempotent_request(app, invitation))
    return _invited(user, password)


@app.get("/users", summary="List the people of your institution", tags=["users"], operation_id="ListUsers")
def list_users(
    role: Annotated[UserRole | None, Query()] = None,
    status: Annotated[UserStatus | None, Query()] = None,
    search: Annotated[
        str | None, Query(min_length=1, max_length=100, description="In names and email")
    ] = None,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> UserPage:
    query = PeopleQuery(role=role, status=status, search=search, limit=limit, cursor=cursor)
    found, next_cursor = identity().list_users(principal(app), query)
    return UserPage(items=[UserView.of(u) for u in found], next_cursor=next_cursor)


@app.post(
    "/users/imports",
    summary="Import a roster of up to 1,000 people; processed in the background (Idempotency-Key)",
    description=(
        'The roster is JSON (`{"rows": [...]}`) or a CSV file sent as `Content-Type: text/csv`: UTF-8'
        " (with or without BOM), a header row naming `email`, `given_name`, `family_name` and `role` in"
        " any order and case (other columns are ignored), then one line per person. A file that cannot"
        " be read answers 400 `malformed-roster`; a bad line fails alone, like a bad JSON row."
    ),
    tags=["users"],
    operation_id="ImportRoster",
    responses=created(ImportJobView, 202),
)
def import_roster(submission: RosterSubmission) -> Response[ImportJobView]:
    job = roster_imports().submit(principal(app), submission, idempotent_request(app, submission))
    metrics.add_metric(name="RosterRowsSubmitted", unit=MetricUnit.Count, value=job.total)
    return respond(ImportJobView.of(job), status=202, location=f"/users/imports/{job.id}")


@app.get(
    "/users/imports/<job_id>",
    summary="Read a roster import: status, counts and the outcome of every row processed",
    tags=["users"],
    operation_id="GetImportJob",
)
def get_import_job(job_id: str) -> ImportJobView:
    return ImportJobView.of(roster_imports().get_job(principal(app), path_id(job_id, "import job")))


# Before /users/<user_id>: "me" is not a user id.
@app.get("/users/me", summary="Read your own profile", tags=["profile"], operation_id="GetMyProfile")
def get_my_profile() -> Response[ProfileView]:
    return _profile_response(identity().my_profile(principal(app)))


@app.patch(
    "/users/me",
    summary="Edit your own profile (If-Match; 0 for a profile not saved yet)",
    tags=["profile"],
    operation_id="UpdateMyProfile",
)
def update_my_profile(patch: ProfilePatch) -> Response[UserView]:
    return _user_response(identity().update_my_profile(principal(app), patch, expected_version(app)))


@app.get("/users/<user_id>", summary="Read a person's profile", tags=["users"], operation_id="GetUser")
def get_user(user_id: str) -> Response[ProfileView]:
    return _profile_response(identity().get_user(principal(app), path_id(user_id, "user")))


@app.patch(
    "/users/<user_id>/role",
    summary="Change a person's role (If-Match)",
    tags=["users"],
    operation_id="ChangeUserRole",
)
def change_user_role(user_id: str, change: RoleChange) -> Response[UserView]:
    user = identity().change_role(
        principal(app), path_id(user_id, "user"), change.role, expected_version(app)
    )
    return _user_response(user)


@app.post(
    "/users/<user_id>/suspend",
    summary="Suspend a person: signed out everywhere, every call refused",
    tags=["users"],
    operation_id="SuspendUser",
)
def suspend_user(user_id: str) -> Response[UserView]:
    user = identity().suspend(principal(app), path_id(user_id, "user"))
    metrics.add_metric(name="UserSuspended", unit=MetricUnit.Count, value=1)
    return _user_response(user)


@app.post(
    "/users/<user_id>/reactivate",
    summary="Reactivate a suspended person",
    tags=["users"],
    operation_id="ReactivateUser",
)
def reactivate_user(user_id: str) -> Response[UserView]:
    return _user_response(identity().reactivate(principal(app), path_id(user_id, "user")))


# ---------------------------------------------------------------- privacy (lms.privacy)


@app.post(
    "/users/<user_id>/exports",
    summary="Export everything the platform holds about a person (themself or an admin; Idempotency-Key)",
    tags=["privacy"],
    operation_id="RequestUserExport",
    responses=created(ExportJobView, 202),
)
def request_user_export(user_id: str) -> Response[ExportJobView]:
    person = path_id(user_id, "user")
    request = IdempotentRequest.of(idempotency_key(app), {"user_id": person})
    job = privacy().request_export(principal(app), person, request)
    metrics.add_metric(name="UserExportsRequested", unit=MetricUnit.Count, value=1)
    return respond(ExportJobView.of(job), status=202, location=f"/users/{person}/exports/{job.id}")


@app.get(
    "/users/<user_id>/exports",
    summary="A person's export jobs, newest first (themself or an admin)",
    tags=["privacy"],
    operation_id="ListUserExports",
)
def list_user_exports(user_id: str, limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None) -> ExportJobPage:
    jobs, next_cursor = privacy().list_exports(principal(app), path_id(user_id, "user"), limit, cursor)
    return ExportJobPage(items=[ExportJobView.of(job) for job in jobs], next_cursor=next_cursor)


@app.get(
    "/users/<user_id>/exports/<export_id>",
    summary="Read an export job; while ready it carries a short-lived download link",
    tags=["privacy"],
    operation_id="GetUserExport",
)
def get_user_export(user_id: str, export_id: str) -> ExportJobView:
    return privacy().get_export(principal(app), path_id(user_id, "user"), path_id(export_id, "export"))


@app.delete(
    "/users/<user_id>",
    summary="Erase a person: personal data removed in every context, the account deleted (admins)",
    tags=["privacy"],
    operation_id="EraseUser",
    responses=created(ErasureView, 202),
)
def erase_user(
    user_id: str,
    institution_id: Annotated[
        str | None,
        Query(pattern=SAFE_PART_PATTERN, description="The person's institution (platform admins only)"),
    ] = None,
) -> Response[ErasureView]:
    erasure = privacy().erase_user(principal(app), path_id(user_id, "user"), institution_id)
    metrics.add_metric(name="UserErasures", unit=MetricUnit.Count, value=1)
    return respond(ErasureView.of(erasure), status=202)


@app.get(
    "/users/<user_id>/erasure",
    summary="Follow a person's erasure: `complete` once every context has erased their data (admins)",
    tags=["privacy"],
    operation_id="GetUserErasure",
)
def get_user_erasure(
    user_id: str,
    institution_id: Annotated[
        str | None,
        Query(pattern=SAFE_PART_PATTERN, description="The person's institution (platform admins only)"),
    ] = None,
) -> ErasureView:
    return ErasureView.of(privacy().get_erasure(principal(app), path_id(user_id, "user"), institution_id))


def _csv_roster_as_json(event: dict[str, Any]) -> dict[str, Any]:
    """A text/csv roster goes to the resolver, which validates JSON only, as one JSON string.

    RosterSubmission reads the rows from that string, so CSV and JSON rosters are validated, sized,
    fingerprinted for Idempotency-Key and stored alike; the OpenAPI document keeps the JSON schema.
    """
    if event.get("httpMethod") != "POST" or event.get("resource") != "/users/imports":
        return event
    headers = event.get("headers") or {}
    content_type = next((v for k, v in headers.items() if k.lower() == "content-type"), "")
    if content_type.split(";")[0].strip().lower() != CSV_MEDIA_TYPE:
        return event
    body = event.get("body") or ""
    if event.get("isBase64Encoded"):
        body = base64.b64decode(body).decode("utf-8", errors="replace")
    json_type = {"Content-Type": "application/json"}
    others = {k: v for k, v in headers.items() if k.lower() != "content-type"}
    multi = {k: v for k, v in (event.get("multiValueHeaders") or {}).items() if k.lower() != "content-type"}
    return {
        **event,
        "headers": {**others, **json_type},
        "multiValueHeaders": {**multi, "Content-Type": ["application/json"]},
        "body": json.dumps(body),
        "isBase64Encoded": False,
    }


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(_csv_roster_as_json(event), context)
