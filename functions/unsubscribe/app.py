"""Unsubscribe API: the public one-click unsubscribe link of every e-mail (no sign-in; the link's
signature is its authority). POST acts (RFC 8058); GET only shows what a POST would do."""

from __future__ import annotations

from functools import cache
from html import escape
from typing import Annotated

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Query
from aws_lambda_powertools.event_handler.openapi.types import OpenAPIResponse
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from lms.auth import Principal
from lms.errors import Unauthenticated
from lms.http import create_resolver
from lms.notifications.mail.schemas import UnsubscribedView
from lms.notifications.mail.signing import verify_unsubscribe
from lms.notifications.mail.unsubscribe import Unsubscribe
from lms.notifications.repository import DynamoPreferencesRepository
from lms.settings import METRICS_NAMESPACE

logger = Logger()
tracer = Tracer()
metrics = Metrics(namespace=METRICS_NAMESPACE)


def _nobody(principal: Principal) -> Principal:
    # Every route here is public: none asks for a principal, so none is ever admitted.
    raise Unauthenticated("The unsubscribe link needs no sign-in.")


app = create_resolver(admit=_nobody, logger=logger)
Token = Annotated[
    str, Query(min_length=1, max_length=1024, description="The signed token of the e-mail's link.")
]

# Public routes that check their own token declare the refusals of that check.
REFUSALS: dict[int, OpenAPIResponse] = {
    400: {"description": "The link is incomplete, altered or not ours"},
    410: {"description": "The link has expired"},
}
PAGE_ANSWER: dict[int, OpenAPIResponse] = {
    200: {"description": "What the link would switch off", "content": {"text/html": {}}},
    **REFUSALS,
}

_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Unsubscribe</title></head>
<body><h1>Unsubscribe</h1>
<p>Stop e-mail about: {categories}.</p>
<form method="post" action="?token={token}"><button type="submit">Unsubscribe</button></form>
<p>You can change your notification preferences in the app at any time.</p>
</body></html>
"""


@cache
def unsubscribe() -> Unsubscribe:
    return Unsubscribe(DynamoPreferencesRepository(), verify_unsubscribe)


@app.get(
    "/notifications/unsubscribe",
    summary="Show what an e-mail's unsubscribe link would switch off (public; changes nothing)",
    tags=["notifications"],
    operation_id="ShowUnsubscribe",
    responses=PAGE_ANSWER,
)
def show_unsubscribe(token: Token) -> Response[str]:
    categories = unsubscribe().check(token)
    page = _PAGE.format(categories=escape(", ".join(categories) or "nothing"), token=escape(token))
    return Response(status_code=200, content_type="text/html; charset=utf-8", body=page)


@app.post(
    "/notifications/unsubscribe",
    summary="Switch e-mail off with an e-mail's one-click unsubscribe link (public, RFC 8058)",
    tags=["notifications"],
    operation_id="Unsubscribe",
    responses={
        200: {"description": "OK", "content": {"application/json": {"model": UnsubscribedView}}},
        **REFUSALS,
    },
)
def one_click_unsubscribe(token: Token) -> UnsubscribedView:
    return UnsubscribedView(categories=unsubscribe().unsubscribe(token))


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, object], context: LambdaContext) -> dict[str, object]:
    return app.resolve(event, context)
