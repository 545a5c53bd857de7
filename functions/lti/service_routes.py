"""Routes of the LTI Advantage services: the token endpoint and the names and roles service.

Both are public for API Gateway (tools hold no Cognito token): the token endpoint authenticates
the tool by the JWT it signed, the services by the access token the platform issued it.
"""

from __future__ import annotations

import json
from functools import cache
from typing import Annotated, Any
from urllib.parse import parse_qsl, urlencode

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Query
from aws_lambda_powertools.event_handler.openapi.types import OpenAPIResponse
from lti_api import TAGS, app, platform

from lms.http import path_id
from lms.lti import course_access, tool_keys
from lms.lti.memberships import MEDIA_TYPE, MembershipService
from lms.lti.platform_keys import platform_keys
from lms.lti.repository import DynamoToolRepository
from lms.lti.tokens import NRPS_SCOPE, TokenService
from lms.pagination import DEFAULT_LIMIT, MAX_LIMIT
from lms.users.queries import display_names

Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT)]
Cursor = Annotated[str | None, Query(max_length=2048)]
# Public routes that authenticate the tool themselves declare the refusals of that authentication.
JSON_ANSWER: dict[int, OpenAPIResponse] = {
    200: {"description": "OK", "content": {"application/json": {}}},
    400: {"description": "Not a client-credentials request for the platform's scopes"},
    401: {"description": "The client assertion authenticates no tool"},
    403: {"description": "The tool is disabled"},
}
MEMBERSHIPS_ANSWER: dict[int, OpenAPIResponse] = {
    200: {"description": "A page of the course's members", "content": {MEDIA_TYPE: {}}},
    401: {"description": "No valid access token of the platform"},
    403: {"description": "The access token does not grant the names and roles scope"},
}


@cache
def tokens() -> TokenService:
    return TokenService(
        DynamoToolRepository(), DynamoToolRepository(), platform_keys(), tool_keys.signing_key
    )


@cache
def memberships() -> MembershipService:
    return MembershipService(DynamoToolRepository(), course_access.roster_page, display_names)


@app.post(
    "/lti/token",
    summary="Token endpoint of LTI Advantage services (public; the tool signs a client assertion)",
    tags=TAGS,
    operation_id="IssueLtiAccessToken",
    responses=JSON_ANSWER,
)
def issue_token() -> Response[str]:
    form = dict(parse_qsl(app.current_event.decoded_body or ""))
    answer = tokens().issue(form, platform())
    return Response(status_code=200, content_type="application/json", body=json.dumps(answer))


@app.get(
    "/lti/courses/<course_id>/memberships",
    summary="Names and roles of a course's members, for a tool launched from it (public; access token)",
    tags=TAGS,
    operation_id="ListLtiMemberships",
    responses=MEMBERSHIPS_ANSWER,
)
def list_memberships(course_id: str, limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None) -> Response[str]:
    endpoints = platform()
    caller = tokens().caller(app.current_event.headers.get("Authorization"), NRPS_SCOPE, endpoints)
    course = path_id(course_id, "course")
    page = memberships().page(caller, course, limit, cursor, endpoints)
    headers: dict[str, Any] = {}
    if page.next_cursor:
        query = urlencode({"limit": limit, "cursor": page.next_cursor})
        headers["Link"] = f'<{endpoints.memberships_url(course)}?{query}>; rel="next"'
    return Response(
        status_code=200, content_type=MEDIA_TYPE, body=json.dumps(page.container), headers=headers
    )
