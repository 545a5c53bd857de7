"""Assessments API: quizzes, assignments and the gradebook; the rules live in lms.assessments."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from assessments_api import app, logger, metrics, tracer
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

__all__ = ["app", "handler"]

# Each part registers its routes on the resolver when the first request of its paths imports it.
app.routes_on_demand(
    Path(__file__).parent,
    {
        "quiz_routes": ("/assessments/quizzes",),
        "assignment_routes": ("/assessments/assignments",),
        "gradebook_routes": ("/assessments/gradebook",),
    },
)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
