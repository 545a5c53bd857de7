"""Communication API: announcements, discussions and direct messages; the rules live in lms.communication.

Each part registers its routes on the shared resolver when the first request of its paths imports it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext
from communication_api import app, logger, metrics, tracer

from lms.correlation import correlation_id

__all__ = ["app", "handler"]

COURSE = "/communication/courses/{course_id}"
app.routes_on_demand(
    Path(__file__).parent,
    {
        "announcement_routes": (
            "/communication/announcements",
            "/communication/announcement-reads",
            COURSE + "/announcements",
            COURSE + "/announcement-reads",
        ),
        "discussion_routes": (
            COURSE + "/topics",
            COURSE + "/discussion-settings",
            COURSE + "/reported-posts",
        ),
        "message_routes": ("/communication/conversations", COURSE + "/people"),
    },
)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    correlation_id.set(event.get("requestContext", {}).get("requestId"))
    return app.resolve(event, context)
