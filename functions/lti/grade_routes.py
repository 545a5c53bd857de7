"""Routes of LTI Assignment and Grade Services: line items, scores, results; the rules live in lms.lti.ags.

Public for API Gateway, like the other services: each route authenticates the tool by its access
token and the scope the route needs. Bodies come in the AGS media types, so each route reads its
own (lms.lti.ags.schemas) rather than through the resolver's JSON validation.
"""

from __future__ import annotations

import json
from functools import cache
from typing import Annotated, Any
from urllib.parse import urlencode

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Query
from aws_lambda_powertools.event_handler.openapi.types import OpenAPIResponse
from lti_api import TAGS, app, logger, platform
from service_routes import tokens

from lms.http import expected_version, idempotent_request, path_id
from lms.idempotency import Replay
from lms.keys import SAFE_PART_PATTERN
from lms.lti import course_access
from lms.lti.ags.domain import (
    LINE_ITEM_CONTAINER_MEDIA_TYPE,
    LINE_ITEM_MEDIA_TYPE,
    LINE_ITEM_READERS,
    LINE_ITEM_SCOPE,
    RESULT_CONTAINER_MEDIA_TYPE,
    RESULT_READONLY_SCOPE,
    SCORE_SCOPE,
    LineItem,
)
from lms.lti.ags.repository import DynamoGradeRepository, LineItemFilter
from lms.lti.ags.schemas import line_item_body, line_item_document, result_document, score_body
from lms.lti.ags.service import GradeService
from lms.lti.domain import PlatformEndpoints
from lms.lti.repository import DynamoToolRepository
from lms.lti.tokens import ServiceCaller
from lms.pagination import DEFAULT_LIMIT, MAX_LIMIT

LINE_ITEMS = "/lti/courses/<course_id>/lineitems"
LINE_ITEM = LINE_ITEMS + "/<line_item_id>"
Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT)]
Cursor = Annotated[str | None, Query(max_length=2048)]
Filter = Annotated[str | None, Query(min_length=1, max_length=255)]
UserFilter = Annotated[str | None, Query(pattern=SAFE_PART_PATTERN)]

TOOL_REFUSALS: dict[int, OpenAPIResponse] = {
    401: {"description": "No valid access token of the platform"},
    403: {"description": "The access token does not grant the scope, or the tool is disabled"},
    404: {"description": "No such course launched the tool, or no such line item of the tool"},
}
BODY_REFUSALS: dict[int, OpenAPIResponse] = {
    400: {"description": "The body is not a valid line item or score (`errors` names the fields)"},
    413: {"description": "The body is too large"},
}
CHANGE_REFUSALS: dict[int, OpenAPIResponse] = {
    409: {"description": "The line item changed meanwhile"},
    412: {"description": "If-Match names another version of the line item"},
}


def _answer(status: int, media_type: str, description: str) -> dict[int, OpenAPIResponse]:
    return {status: {"description": description, "content": {media_type: {}}}}


@cache
def grades() -> GradeService:
    return GradeService(DynamoGradeRepository(), DynamoToolRepository(), course_access.linked_lesson)


def _caller(scope: str | frozenset[str], endpoints: PlatformEndpoints) -> ServiceCaller:
    return tokens().caller(app.current_event.headers.get("Authorization"), scope, endpoints)


def _if_match() -> int | None:
    """Tools send no If-Match as a rule (AGS has none); one that does gets its version checked."""
    headers = {name.lower() for name in app.current_event.headers}
    return expected_version(app) if "if-match" in headers else None


def _line_item_response(item: LineItem, endpoints: PlatformEndpoints, status: int = 200) -> Response[str]:
    url = endpoints.line_item_url(item.course_id, item.id)
    headers = {"ETag": f'"{item.version}"'}
    if status == 201:
        headers["Location"] = url
    body = json.dumps(line_item_document(item, url))
    return Response(status_code=status, content_type=LINE_ITEM_MEDIA_TYPE, body=body, headers=headers)


def _next_link(url: str, query: dict[str, Any], next_cursor: str | None) -> dict[str, str]:
    if not next_cursor:
        return {}
    given = {name: value for name, value in query.items() if value is not None}
    return {"Link": f'<{url}?{urlencode({**given, "cursor": next_cursor})}>; rel="next"'}


@app.post(
    LINE_ITEMS,
    summary="Create a line item of the tool in a course (public; access token with the lineitem scope)",
    tags=TAGS,
    operation_id="CreateLtiLineItem",
    responses={
        **_answer(201, LINE_ITEM_MEDIA_TYPE, "The line item (a retried Idempotency-Key: the first answer)"),
        **TOOL_REFUSALS,
        **BODY_REFUSALS,
        422: {"description": "The Idempotency-Key was used for another request"},
    },
)
def create_line_item(course_id: str) -> Response[str]:
    endpoints = platform()
    caller = _caller(LINE_ITEM_SCOPE, endpoints)
    body = line_item_body(app.current_event.decoded_body)
    course = path_id(course_id, "course")

    def answer(item: LineItem) -> str:
        return json.dumps(line_item_document(item, endpoints.line_item_url(course, item.id)))

    try:
        item = grades().create_line_item(caller, course, body, idempotent_request(app, body), answer)
    except Replay as seen:  # a retry with the same Idempotency-Key: the first answer, in its media type
        headers = {"Idempotent-Replayed": "true"}
        return Response(seen.response.status, LINE_ITEM_MEDIA_TYPE, seen.response.body, headers)
    return _line_item_response(item, endpoints, status=201)


@app.get(
    LINE_ITEMS,
    summary="The tool's line items in a course, filtered, paged with Link headers (public; access token)",
    tags=TAGS,
    operation_id="ListLtiLineItems",
    responses={**_answer(200, LINE_ITEM_CONTAINER_MEDIA_TYPE, "A page of line items"), **TOOL_REFUSALS},
)
def list_line_items(
    course_id: str,
    resource_link_id: Filter = None,
    resource_id: Filter = None,
    tag: Filter = None,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> Response[str]:
    endpoints = platform()
    caller = _caller(LINE_ITEM_READERS, endpoints)
    course = path_id(course_id, "course")
    wanted = LineItemFilter(resource_link_id=resource_link_id, resource_id=resource_id, tag=tag)
    found, next_cursor = grades().line_items(caller, course, wanted, limit, cursor)
    body = json.dumps([line_item_document(i, endpoints.line_item_url(course, i.id)) for i in found])
    query = {"resource_link_id": resource_link_id, "resource_id": resource_id, "tag": tag, "limit": limit}
    headers = _next_link(endpoints.line_items_url(course), query, next_cursor)
    return Response(status_code=200, content_type=LINE_ITEM_CONTAINER_MEDIA_TYPE, body=body, headers=headers)


@app.get(
    LINE_ITEM,
    summary="Read a line item of the tool (public; access token with a lineitem scope)",
    tags=TAGS,
    operation_id="GetLtiLineItem",
    responses={**_answer(200, LINE_ITEM_MEDIA_TYPE, "The line item"), **TOOL_REFUSALS},
)
def get_line_item(course_id: str, line_item_id: str) -> Response[str]:
    endpoints = platform()
    caller = _caller(LINE_ITEM_READERS, endpoints)
    item = grades().line_item(caller, path_id(course_id, "course"), path_id(line_item_id, "line item"))
    return _line_item_response(item, endpoints)


@app.put(
    LINE_ITEM,
    summary="Replace a line item's values (public; access token with the lineitem scope)",
    tags=TAGS,
    operation_id="UpdateLtiLineItem",
    responses={
        **_answer(200, LINE_ITEM_MEDIA_TYPE, "The line item"),
        **TOOL_REFUSALS,
        **BODY_REFUSALS,
        **CHANGE_REFUSALS,
    },
)
def update_line_item(course_id: str, line_item_id: str) -> Response[str]:
    endpoints = platform()
    caller = _caller(LINE_ITEM_SCOPE, endpoints)
    body = line_item_body(app.current_event.decoded_body)
    item = grades().update_line_item(
        caller, path_id(course_id, "course"), path_id(line_item_id, "line item"), body, _if_match()
    )
    return _line_item_response(item, endpoints)


@app.delete(
    LINE_ITEM,
    summary="Delete a line item: its gradebook column and scores go (public; access token, lineitem scope)",
    tags=TAGS,
    operation_id="DeleteLtiLineItem",
    responses={204: {"description": "Deleted"}, **TOOL_REFUSALS, **CHANGE_REFUSALS},
)
def delete_line_item(course_id: str, line_item_id: str) -> Response[None]:
    caller = _caller(LINE_ITEM_SCOPE, platform())
    grades().delete_line_item(
        caller, path_id(course_id, "course"), path_id(line_item_id, "line item"), _if_match()
    )
    return Response(status_code=204)


@app.post(
    LINE_ITEM + "/scores",
    summary="Post a student's score to a line item (public; access token with the score scope)",
    tags=TAGS,
    operation_id="PostLtiScore",
    responses={
        204: {"description": "Kept, or ignored when the kept score is of the same or a later timestamp"},
        **TOOL_REFUSALS,
        **BODY_REFUSALS,
        422: {"description": "The userId is not a student enrolled in the course"},
    },
)
def post_score(course_id: str, line_item_id: str) -> Response[None]:
    caller = _caller(SCORE_SCOPE, platform())
    body = score_body(app.current_event.decoded_body)
    kept = grades().post_score(caller, path_id(course_id, "course"), path_id(line_item_id, "line item"), body)
    if not kept:
        logger.info("lti score ignored", extra={"reason": "a score of the same or a later time is kept"})
    return Response(status_code=204)


@app.get(
    LINE_ITEM + "/results",
    summary="The line item's results, one per student, paged with Link headers (public; access token)",
    tags=TAGS,
    operation_id="ListLtiResults",
    responses={**_answer(200, RESULT_CONTAINER_MEDIA_TYPE, "A page of results"), **TOOL_REFUSALS},
)
def list_results(
    course_id: str,
    line_item_id: str,
    user_id: UserFilter = None,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> Response[str]:
    endpoints = platform()
    caller = _caller(RESULT_READONLY_SCOPE, endpoints)
    course, line = path_id(course_id, "course"), path_id(line_item_id, "line item")
    found, next_cursor = grades().results(caller, course, line, user_id, limit, cursor)
    url = endpoints.line_item_url(course, line)
    body = json.dumps([result_document(result, url) for result in found])
    headers = _next_link(f"{url}/results", {"user_id": user_id, "limit": limit}, next_cursor)
    return Response(status_code=200, content_type=RESULT_CONTAINER_MEDIA_TYPE, body=body, headers=headers)
