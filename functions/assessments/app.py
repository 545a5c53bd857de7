"""Assessments API: quizzes, assignments and the gradebook; the rules live in lms.assessments."""

from __future__ import annotations

from typing import Any

import assignment_routes  # noqa: F401 - registers its routes on the resolver
import gradebook_routes  # noqa: F401 - registers its routes on the resolver
import quiz_routes  # noqa: F401 - registers its routes on the resolver
from assessments_api import app, logger, metrics, tracer
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

__all__ = ["app", "handler"]


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
