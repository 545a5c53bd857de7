"""How every operation reads its body: JSON only, bounded in size, depth and number range.

Powertools' validation reads bodies of other media types too (form data, multipart) and lets the
parser's own limits escape as errors (a missing multipart boundary, Python's recursion and integer
digit limits). Here each of those is a refusal the caller can act on, decided before the body
reaches pydantic, so nothing is changed by a request that cannot be read.
"""

from __future__ import annotations

import json
import math
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools.event_handler.middlewares.openapi_validation import (
    OpenAPIRequestValidationMiddleware,
)

from lms.errors import MalformedBody, PayloadTooLarge, UnsupportedMediaType

if TYPE_CHECKING:
    from aws_lambda_powertools.event_handler.types import EventHandlerInstance

JSON_MEDIA_TYPE = "application/json"
MAX_BODY_BYTES = 1024 * 1024
"""The largest body any operation reads (a roster of 1,000 people fits several times over)."""
MAX_DEPTH = 32
"""How deeply a body may nest objects and arrays; the deepest schema nests five."""
MAX_SAFE_INTEGER = 2**53 - 1
"""Integers beyond this lose precision in JavaScript clients (I-JSON, RFC 7493), so none is accepted."""


def read_json(text: str) -> Any:
    """Parse a body, refusing what no operation takes: deep nesting, huge or non-finite numbers."""
    try:
        document = json.loads(text, parse_int=_integer, parse_float=_float, parse_constant=_constant)
    except RecursionError as exc:
        raise _too_deep() from exc
    _check_depth(document)
    return document


class JsonBodies(OpenAPIRequestValidationMiddleware):
    """The request validation of every resolver, reading only bounded JSON bodies."""

    def __init__(self) -> None:
        super().__init__()  # type: ignore[no-untyped-call]  # Powertools leaves its __init__ unannotated

    def _get_body(self, app: EventHandlerInstance) -> dict[str, Any]:
        event = app.current_event
        content_type = event.headers.get("content-type") or event.headers.get("Content-Type") or ""
        _check_media_type(content_type)
        try:
            text = event.decoded_body or ""
        except ValueError as exc:
            raise MalformedBody("The body is not UTF-8 text.", field="body") from exc
        if len(text.encode("utf-8", "surrogatepass")) > MAX_BODY_BYTES:
            raise PayloadTooLarge(f"Bodies are at most {MAX_BODY_BYTES} bytes.", max_bytes=MAX_BODY_BYTES)
        body: dict[str, Any] = self._parse_json_data(app)
        return body


def _check_media_type(content_type: str) -> None:
    if not content_type.strip():
        return
    media_type, *parameters = (part.strip() for part in content_type.split(";"))
    charsets = [p.split("=", 1)[1].strip('"').lower() for p in parameters if p.lower().startswith("charset=")]
    if media_type.lower() != JSON_MEDIA_TYPE or any(c != "utf-8" for c in charsets):
        raise UnsupportedMediaType(f"Cannot read a body of type {content_type!r}; send {JSON_MEDIA_TYPE}.")


def _integer(digits: str) -> int:
    # Checked on the text first: Python refuses to convert more than 4,300 digits at all.
    if len(digits) > 17 or abs(value := int(digits)) > MAX_SAFE_INTEGER:
        raise MalformedBody(f"Integers must lie within ±{MAX_SAFE_INTEGER}.", field="body")
    return value


def _float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise MalformedBody("Numbers must be finite.", field="body")
    return value


def _constant(name: str) -> float:
    raise MalformedBody(f"{name} is not a JSON number.", field="body")


def _check_depth(document: Any) -> None:
    pending = [(document, 1)]
    while pending:
        value, depth = pending.pop()
        if isinstance(value, dict):
            children = list(value.values())
        elif isinstance(value, list):
            children = value
        else:
            continue
        if depth > MAX_DEPTH:
            raise _too_deep()
        pending.extend((child, depth + 1) for child in children)


def _too_deep() -> MalformedBody:
    return MalformedBody(f"Objects and arrays nest at most {MAX_DEPTH} deep.", field="body")
