"""The API edge shared by every context: resolver factory, problems, principal, headers."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any, TypeVar

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response
from aws_lambda_powertools.event_handler.exceptions import NotFoundError
from aws_lambda_powertools.event_handler.openapi.exceptions import (
    RequestValidationError,
)
from aws_lambda_powertools.event_handler.openapi.types import OpenAPIResponse
from pydantic import BaseModel, ValidationError

from lms.auth import Principal, principal_from_claims
from lms.edge import ApiResolver
from lms.errors import (
    BadRequest,
    ChangedMeanwhile,
    MalformedBody,
    NotFound,
    PayloadTooLarge,
    PreconditionFailed,
    PreconditionRequired,
    Problem,
    ValidationFailed,
)
from lms.idempotency import IdempotentRequest, Replay
from lms.keys import is_safe_part
from lms.request_body import MAX_BODY_BYTES, JsonBodies, read_json

PROBLEM_JSON = "application/problem+json"
BodyModel = TypeVar("BodyModel", bound=BaseModel)


NO_CONTENT: dict[int, OpenAPIResponse] = {204: {"description": "Done; no content."}}
"""The OpenAPI answer of an operation that answers 204."""


def created(model: type[BaseModel], status: int = 201) -> dict[int, OpenAPIResponse]:
    """The OpenAPI answer of an operation that creates (201) or accepts (202) a resource."""
    description = "Created" if status == 201 else "Accepted"
    return {status: {"description": description, "content": {"application/json": {"model": model}}}}


def problem_response(problem: Problem, instance: str | None = None) -> Response[Any]:
    return Response(
        status_code=problem.status,
        content_type=PROBLEM_JSON,
        body=json.dumps(problem.to_dict(instance)),
        headers=problem.headers() or None,
    )


def _field_errors(exc: RequestValidationError) -> list[dict[str, str]]:
    errors = []
    for error in exc.errors():
        loc = [str(part) for part in error.get("loc", ())]
        # Drop the location kind ("body", "query", "header", "path") but keep it when alone.
        where = loc[0] if loc else ""
        field = ".".join(loc[1:]) or where
        message = str(error.get("msg", "invalid"))
        if error.get("type") == "extra_forbidden":
            message = "Unknown field"
        errors.append({"field": field, "in": where, "message": message})
    return errors


def parse_body(model: type[BodyModel], text: str) -> BodyModel:
    """A body the route reads itself (a signed one, after its signature): bounded JSON, then the model.

    The refusals are those of every other body (lms.request_body, the resolver's validation).
    """
    if len(text.encode("utf-8", "surrogatepass")) > MAX_BODY_BYTES:
        raise PayloadTooLarge(f"Bodies are at most {MAX_BODY_BYTES} bytes.", max_bytes=MAX_BODY_BYTES)
    try:
        document = read_json(text)
    except ValueError as unreadable:
        raise MalformedBody("The body is not valid JSON.", field="body") from unreadable
    try:
        return model.model_validate(document)
    except ValidationError as invalid:
        errors = [
            {
                "field": ".".join(str(part) for part in error["loc"]) or "body",
                "in": "body",
                "message": "Unknown field" if error["type"] == "extra_forbidden" else error["msg"],
            }
            for error in invalid.errors()
        ]
        names = ", ".join(sorted({e["field"] for e in errors}))
        raise ValidationFailed(f"Invalid or missing fields: {names}.", errors=errors) from invalid


class Resolver(ApiResolver):
    """A context's resolver; `admit` is the account check every caller passes (see `principal`)."""

    def __init__(self, admit: Callable[[Principal], Principal], logger: Logger | None = None) -> None:
        super().__init__(logger, json_body_deserializer=read_json)
        self.admit = admit


def create_resolver(admit: Callable[[Principal], Principal], logger: Logger | None = None) -> Resolver:
    """A resolver that validates with pydantic and answers every refusal as an RFC 9457 problem.

    `admit` checks the caller's account on every request; the function wires the users context's
    (lms.users.access.gate.admit), so the kernel imports no context. `logger` is the function's own:
    the request line and unhandled errors name the function.
    """
    app = Resolver(admit, logger)
    app._request_validation_middleware = JsonBodies()

    @app.exception_handler(Problem)
    def _problem(exc: Problem) -> Response[Any]:
        if isinstance(exc, ChangedMeanwhile) and _if_match(app) is not None:
            # RFC 9110 13.1.1: a failed If-Match is 412, whether it fails at the read or the commit.
            exc = PreconditionFailed(exc.detail)
        return problem_response(exc, app.current_event.path)

    @app.exception_handler(Replay)
    def _replay(exc: Replay) -> Response[Any]:
        stored = exc.response
        return Response(
            status_code=stored.status,
            content_type="application/json",
            body=stored.body,
            headers={"Idempotent-Replayed": "true"},
        )

    @app.exception_handler(NotModified)
    def _not_modified(exc: NotModified) -> Response[Any]:
        return Response(status_code=304, headers=exc.headers)

    @app.exception_handler(RequestValidationError)
    def _invalid(exc: RequestValidationError) -> Response[Any]:
        errors = _field_errors(exc)
        names = ", ".join(sorted({e["field"] for e in errors}))
        return problem_response(
            ValidationFailed(f"Invalid or missing fields: {names}.", errors=errors), app.current_event.path
        )

    @app.exception_handler(NotFoundError)
    def _no_route(exc: NotFoundError) -> Response[Any]:
        return problem_response(NotFound("No such resource."), app.current_event.path)

    @app.exception_handler(Exception)
    def _unexpected(exc: Exception) -> Response[Any]:
        app.log.exception("unhandled error")
        body = {"type": "about:blank", "title": "Internal server error", "status": 500}
        return Response(status_code=500, content_type=PROBLEM_JSON, body=json.dumps(body))

    return app


def principal(app: Resolver) -> Principal:
    """The verified caller; the tenant comes from the token's claims only.

    Every context loads its caller here, so every context refuses a suspended account (403) and
    applies a changed role at once: lms.users.access (one cached GetItem per user and container).
    """
    return app.admit(principal_from_claims(app.current_event.request_context.authorizer.claims))


def path_id(value: str, name: str) -> str:
    """Ids from the path become key parts: anything unsafe cannot name an item, so it is not found."""
    if not is_safe_part(value):
        raise NotFound(f"No {name.replace('_', ' ')} {value!r}.")
    return value


def expected_version(app: APIGatewayRestResolver) -> int:
    """The version the caller read, from If-Match (428 without it, 400 when it is not a version)."""
    raw = _if_match(app)
    if raw is None:
        raise PreconditionRequired("Send If-Match with the version you read (the ETag).")
    text = raw.strip().removeprefix("W/").strip('"')
    if not text.isdigit():
        raise BadRequest("If-Match must be the resource version, as in its ETag.", field="If-Match")
    return int(text)


def _if_match(app: APIGatewayRestResolver) -> str | None:
    headers = app.current_event.headers
    raw: str | None = headers.get("If-Match") or headers.get("if-match")
    return raw


def idempotent_request(app: APIGatewayRestResolver, body: BaseModel) -> IdempotentRequest | None:
    """The request's Idempotency-Key with a fingerprint of its path and body, if it sent one.

    The path is part of it: the same key and body sent to another resource (a section for
    another course) is another request, refused as a reused key rather than answered with
    the first resource's response.
    """
    request = {"path": app.current_event.path, "body": body.model_dump(mode="json")}
    return IdempotentRequest.of(idempotency_key(app), request)


def idempotency_key(app: APIGatewayRestResolver) -> str | None:
    raw = app.current_event.headers.get("Idempotency-Key") or app.current_event.headers.get("idempotency-key")
    if raw is None:
        return None
    if not is_safe_part(raw):
        raise BadRequest("Idempotency-Key must be 1-64 letters, digits or '_.:-'.", field="Idempotency-Key")
    return raw


def respond(
    model: BaseModel,
    *,
    status: int = 200,
    version: int | None = None,
    location: str | None = None,
) -> Response[Any]:
    headers: dict[str, str] = {}
    if version is not None:
        headers["ETag"] = f'"{version}"'
    if location:
        headers["Location"] = location
    return Response(
        status_code=status,
        content_type="application/json",
        body=model,
        headers=headers,
    )


CATALOG_CACHE_CONTROL = "private, max-age=5"
"""Catalog reads: a browser may keep them for the 5 s a catalog change takes to be searchable."""


def cacheable(model: type[BaseModel]) -> dict[int, OpenAPIResponse]:
    """The OpenAPI answers of a read that honours If-None-Match: 200 with the model, or 304."""
    return {
        200: {"description": "Successful Response", "content": {"application/json": {"model": model}}},
        304: {"description": "Not modified: the `ETag` sent in `If-None-Match` is still current."},
    }


class NotModified(Exception):
    """The client's copy is current: answered 304 by the resolver, outside the route's response model."""

    def __init__(self, headers: dict[str, str]) -> None:
        super().__init__("not modified")
        self.headers = headers


def _if_none_match(app: APIGatewayRestResolver) -> list[str]:
    headers = app.current_event.headers
    raw: str = headers.get("If-None-Match") or headers.get("if-none-match") or ""
    return [tag.strip().removeprefix("W/") for tag in raw.split(",") if tag.strip()]


def content_tag(model: BaseModel) -> str:
    """A strong ETag of what the model serialises to, for answers that have no version of their own."""
    digest = hashlib.sha256(model.model_dump_json().encode()).hexdigest()[:32]
    return f'"{digest}"'


def respond_cacheable(
    app: APIGatewayRestResolver, model: BaseModel, *, etag: str, cache_control: str = CATALOG_CACHE_CONTROL
) -> Response[Any]:
    """200 with ETag and Cache-Control, or 304 without a body when If-None-Match names the ETag."""
    headers = {"ETag": etag, "Cache-Control": cache_control}
    sent = _if_none_match(app)
    if "*" in sent or etag in sent:
        raise NotModified(headers)
    return Response(status_code=200, content_type="application/json", body=model, headers=headers)
