"""Routes of the LTI API for launches: parsing, the auto-posting page, wiring; the rules live in lms.lti.

The authorization endpoint is public (the browser brings the tool's request, no Cognito token):
what it trusts is the hint the platform signed. Its refusals are problems like every other, and
each is logged with its reason, since nobody signed in will report them.
"""

from __future__ import annotations

import base64
import hashlib
import html
from functools import cache
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.types import OpenAPIResponse
from lti_api import TAGS, app, logger, platform
from pydantic import ValidationError

from lms.errors import Problem
from lms.http import principal, problem_response
from lms.lti import course_access
from lms.lti.errors import LtiInvalidRequest, LtiRefusal
from lms.lti.launches import FormPost, LaunchService
from lms.lti.platform_keys import platform_keys
from lms.lti.repository import DynamoToolRepository
from lms.lti.schemas import AuthorizationRequest, LaunchRequest, LaunchStart

AUTHORIZE = "/lti/authorize"
AUTO_POST = "document.forms[0].submit();"
AUTO_POST_HASH = base64.b64encode(hashlib.sha256(AUTO_POST.encode()).digest()).decode()
HTML_ANSWER: dict[int, OpenAPIResponse] = {
    200: {"description": "A page that posts the id_token to the tool", "content": {"text/html": {}}},
    400: {"description": "Not an authentication request of a registered tool, or one already used"},
    403: {"description": "The tool is disabled"},
}


@cache
def launches() -> LaunchService:
    return LaunchService(DynamoToolRepository(), course_access.load, course_access.outline, platform_keys())


def _refused(refusal: Problem) -> Response[Any]:
    logger.warning("lti refusal", extra={"problem": refusal.slug, "detail": refusal.detail})
    return problem_response(refusal, app.current_event.path)


app.exception_handler(LtiRefusal)(_refused)


@app.post(
    "/lti/launches",
    summary="Launch the tool of an lti lesson: where the browser goes (the tool's login, with a hint)",
    tags=TAGS,
    operation_id="StartLtiLaunch",
)
def start_launch(launch: LaunchRequest) -> LaunchStart:
    return launches().start(principal(app), launch.course_id, launch.lesson_id, platform())


@app.get(
    AUTHORIZE,
    summary="OIDC authorization endpoint of LTI launches (public; the tool's authentication request)",
    tags=TAGS,
    operation_id="AuthorizeLtiLaunch",
    responses=HTML_ANSWER,
)
def authorize() -> Response[str]:
    return _authorized(dict(app.current_event.query_string_parameters or {}))


@app.post(
    AUTHORIZE,
    summary="OIDC authorization endpoint of LTI launches, the request sent as a form (public)",
    tags=TAGS,
    operation_id="AuthorizeLtiLaunchByForm",
    responses=HTML_ANSWER,
)
def authorize_by_form() -> Response[str]:
    body = app.current_event.decoded_body or ""
    return _authorized(dict(parse_qsl(body, keep_blank_values=False)))


def _authorized(params: dict[str, str]) -> Response[str]:
    try:
        request = AuthorizationRequest.model_validate(params)
    except ValidationError as invalid:
        names = sorted({".".join(str(part) for part in error["loc"]) for error in invalid.errors()})
        raise LtiInvalidRequest(f"Missing or invalid parameters: {', '.join(names)}.") from invalid
    return _form_post_page(launches().authorize(request, platform()))


def _form_post_page(answer: FormPost) -> Response[str]:
    """The OIDC form_post answer: a page whose one script posts the fields to the tool, and nothing else."""
    inputs = "".join(
        f'<input type="hidden" name="{html.escape(name)}" value="{html.escape(value)}">'
        for name, value in answer.fields.items()
    )
    page = (
        '<!DOCTYPE html><html><head><meta charset="utf-8"><title>Launching</title></head><body>'
        f'<form method="post" action="{html.escape(answer.redirect_uri)}">{inputs}'
        '<noscript><button type="submit">Continue</button></noscript></form>'
        f"<script>{AUTO_POST}</script></body></html>"
    )
    target = urlsplit(answer.redirect_uri)
    policy = (
        f"default-src 'none'; script-src 'sha256-{AUTO_POST_HASH}'; "
        f"form-action {target.scheme}://{target.netloc}; frame-ancestors 'none'"
    )
    return Response(
        status_code=200,
        content_type="text/html; charset=utf-8",
        body=page,
        headers={"Content-Security-Policy": policy},
    )
