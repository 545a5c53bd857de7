"""LTI API: tool registrations, the platform's keys, launches, deep links and services; the rules
live in lms.lti.

Each part registers its routes on the shared resolver when its module is imported below.
"""

from __future__ import annotations

from typing import Any

import deep_link_routes  # noqa: F401 - registers its routes on the shared resolver
import grade_routes  # noqa: F401 - registers its routes on the shared resolver
import launch_routes  # noqa: F401 - registers its routes on the shared resolver
import service_routes  # noqa: F401 - registers its routes on the shared resolver
import tool_routes  # noqa: F401 - registers its routes on the shared resolver
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext
from lti_api import app, logger, metrics, tracer

from lms.correlation import correlation_id

__all__ = ["app", "handler"]


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    correlation_id.set(event.get("requestContext", {}).get("requestId"))
    return app.resolve(event, context)
