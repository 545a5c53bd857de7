"""The LTI resolver and telemetry, shared by the route modules of this function."""

from __future__ import annotations

from aws_lambda_powertools import Logger, Metrics, Tracer

from lms.http import create_resolver
from lms.lti.domain import PlatformEndpoints
from lms.settings import METRICS_NAMESPACE, get_settings
from lms.users.access import gate

logger = Logger()
tracer = Tracer()
metrics = Metrics(namespace=METRICS_NAMESPACE)
app = create_resolver(admit=gate.admit, logger=logger)

TAGS = ["lti"]


def platform() -> PlatformEndpoints:
    """The issuer: the LtiIssuer parameter, else the API's URL as this request reached it."""
    configured = get_settings().lti_issuer
    if configured:
        return PlatformEndpoints(configured.rstrip("/"))
    event = app.current_event
    headers = {name.lower(): value for name, value in event.headers.items()}
    scheme = headers.get("x-forwarded-proto", "https")
    # The stage (or a custom domain's base path) is what the gateway's path has before the route's.
    base_path = event.request_context.path.removesuffix(event.path)
    host = headers.get("host", event.request_context.domain_name)
    return PlatformEndpoints(f"{scheme}://{host}{base_path}")
