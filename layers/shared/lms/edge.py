"""What every API response passes through, whatever answered it: a route, a problem or a crash.

One resolver class for every API function (lms.http.create_resolver builds it), so a new context gets
the security headers, CORS, the correlation id and the request log line by being an API function.
API Gateway's own answers (401, 404 of an unknown path, 429 ...) carry the same headers from the
template's GatewayResponses.
"""

from __future__ import annotations

import importlib
import re
import sys
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import APIGatewayRestResolver

from lms.correlation import correlation_id
from lms.settings import get_settings

CORRELATION_HEADER = "X-Correlation-Id"
# A client's id is adopted when it could be an id (a UUID, a ULID, a trace id), never free text:
# it is written to every log line and stored on events and audit entries.
_CORRELATION_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{7,127}")

# OWASP's headers for a JSON API. Everything the API answers is someone's data behind a token, so
# nothing may be stored by a browser or a shared cache (Cache-Control: no-store).
SECURITY_HEADERS: Mapping[str, str] = {
    "Strict-Transport-Security": "max-age=31536000; includeSubDomains",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}

EXPOSED_HEADERS = "ETag,Location,Retry-After,Idempotent-Replayed,X-Correlation-Id"
"""Response headers the web frontend's scripts may read (CORS hides the others)."""


def adopted_correlation_id(headers: Mapping[str, str] | None, request_id: str) -> str:
    """The client's X-Correlation-Id when it is a well-formed id, else API Gateway's request id."""
    for name, value in (headers or {}).items():
        if name.lower() == "x-correlation-id" and _CORRELATION_ID.fullmatch(value or ""):
            return value
    return request_id


class ApiResolver(APIGatewayRestResolver):
    """Powertools' REST resolver, with the edge every response of this API shares."""

    def __init__(self, logger: Logger | None = None, *, json_body_deserializer: Callable[[str], Any]) -> None:
        super().__init__(enable_validation=True, json_body_deserializer=json_body_deserializer)
        self._logger = logger
        self._on_demand: dict[str, tuple[str, ...]] = {}
        self._routes_folder = ""

    def routes_on_demand(self, folder: Path, modules: Mapping[str, tuple[str, ...]]) -> None:
        """Route modules of `folder` imported by the first request under one of their resource prefixes.

        A cold start then imports (and builds the models of) only the part of the API it answers.
        A request under no listed prefix, and the OpenAPI document, import every module first.
        """
        self._routes_folder = str(folder)
        self._on_demand.update(modules)

    def _import_routes(self, resource: str | None) -> None:
        wanted = [
            module
            for module, prefixes in self._on_demand.items()
            if resource is not None and any(resource == p or resource.startswith(p + "/") for p in prefixes)
        ]
        # The function's folder is on the path in Lambda; a process hosting several functions (the
        # local stack, the tests) puts it there only while it imports the handler.
        added = self._routes_folder not in sys.path
        if added:
            sys.path.insert(0, self._routes_folder)
        try:
            for module in wanted or list(self._on_demand):
                importlib.import_module(module)
                self._on_demand.pop(module, None)
        finally:
            if added:
                sys.path.remove(self._routes_folder)

    def import_all_routes(self) -> None:
        """Every route module now: for whatever reads the whole API (its OpenAPI document, its docs)."""
        self._import_routes(None)

    def get_openapi_schema(self, *args: Any, **kwargs: Any) -> Any:
        self.import_all_routes()
        return super().get_openapi_schema(*args, **kwargs)

    @property
    def log(self) -> Logger:
        """The function's own logger, so every line names the function that wrote it."""
        if self._logger is None:
            self._logger = Logger()
        return self._logger

    def resolve(self, event: Mapping[str, Any], context: Any) -> dict[str, Any]:
        started = time.perf_counter()
        request = event.get("requestContext") or {}
        chosen = adopted_correlation_id(event.get("headers"), str(request.get("requestId") or ""))
        token = correlation_id.set(chosen)
        self.log.set_correlation_id(chosen)
        if self._on_demand:
            self._import_routes(event.get("resource"))
        try:
            response = super().resolve(event, context)
        finally:
            correlation_id.reset(token)
        _add_headers(response, {**SECURITY_HEADERS, **_cors_headers(), CORRELATION_HEADER: chosen})
        claims = (request.get("authorizer") or {}).get("claims") or {}
        self.log.info(
            "request",
            extra={
                "method": event.get("httpMethod"),
                "route": event.get("resource"),
                "status": response.get("statusCode"),
                "latency_ms": round((time.perf_counter() - started) * 1000, 1),
                "user": claims.get("sub"),
                "institution": claims.get("custom:institution_id"),
                "function": getattr(context, "function_name", None),
            },
        )
        return response


def _cors_headers() -> dict[str, str]:
    origin = get_settings().web_origin
    if not origin:
        return {}
    return {"Access-Control-Allow-Origin": origin, "Access-Control-Expose-Headers": EXPOSED_HEADERS}


def _add_headers(response: dict[str, Any], headers: Mapping[str, str]) -> None:
    """Add what the route did not set itself (a route may answer its own Cache-Control)."""
    multi = "multiValueHeaders" in response
    present = response.setdefault("multiValueHeaders" if multi else "headers", {}) or {}
    response["multiValueHeaders" if multi else "headers"] = present
    taken = {name.lower() for name in present}
    for name, value in headers.items():
        if name.lower() not in taken:
            present[name] = [value] if multi else value
