"""Routes of the LTI API for tool registrations and the platform's keys: parsing and wiring only."""

from __future__ import annotations

from functools import cache
from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Query
from lti_api import TAGS, app, platform

from lms.http import created, expected_version, idempotent_request, path_id, principal, respond
from lms.lti.platform_keys import platform_keys
from lms.lti.repository import DynamoToolRepository
from lms.lti.schemas import Jwk, Jwks, ToolPage, ToolPatch, ToolRegistration, ToolView
from lms.lti.service import ToolService
from lms.pagination import DEFAULT_LIMIT, MAX_LIMIT

TOOLS = "/lti/tools"
Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT)]
Cursor = Annotated[str | None, Query(max_length=2048)]


@cache
def tools() -> ToolService:
    return ToolService(DynamoToolRepository())


def _tool(tool_id: str) -> str:
    return path_id(tool_id, "LTI tool")


@app.get(
    "/lti/jwks",
    summary="The LTI platform's public keys (public: tools verify the platform's messages with them)",
    tags=TAGS,
    operation_id="GetLtiPlatformKeys",
)
def get_platform_keys() -> Jwks:
    return Jwks(keys=[Jwk(**key) for key in platform_keys().jwks()])


@app.post(
    TOOLS,
    summary="Register an LTI 1.3 tool (institution admins); the answer holds the values for its vendor",
    tags=TAGS,
    operation_id="RegisterLtiTool",
    responses=created(ToolView),
)
def register_tool(registration: ToolRegistration) -> Response[ToolView]:
    view = tools().register(principal(app), registration, platform(), idempotent_request(app, registration))
    return respond(view, status=201, version=view.version, location=f"{TOOLS}/{view.id}")


@app.get(TOOLS, summary="List your institution's LTI tools", tags=TAGS, operation_id="ListLtiTools")
def list_tools(limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None) -> ToolPage:
    found, next_cursor = tools().page(principal(app), limit, cursor)
    endpoints = platform()
    return ToolPage(items=[ToolView.of(tool, endpoints) for tool in found], next_cursor=next_cursor)


@app.get(
    TOOLS + "/<tool_id>", summary="Read an LTI tool's registration", tags=TAGS, operation_id="GetLtiTool"
)
def get_tool(tool_id: str) -> Response[ToolView]:
    tool = tools().get(principal(app), _tool(tool_id))
    return respond(ToolView.of(tool, platform()), version=tool.version)


@app.patch(
    TOOLS + "/<tool_id>",
    summary="Change an LTI tool's registration, or disable it (If-Match: its version)",
    tags=TAGS,
    operation_id="UpdateLtiTool",
)
def update_tool(tool_id: str, patch: ToolPatch) -> Response[ToolView]:
    tool = tools().update(principal(app), _tool(tool_id), patch, expected_version(app))
    return respond(ToolView.of(tool, platform()), version=tool.version)
