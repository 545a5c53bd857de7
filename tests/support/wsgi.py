"""The in-process API as a WSGI application, for test clients that speak WSGI (schemathesis).

Each request goes through the API Gateway emulation like `client.InProcess`, so a Scan in a
request path fails the test here too.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from http import HTTPStatus
from typing import Any

from tests.support.client import InProcess

StartResponse = Callable[[str, list[tuple[str, str]]], Any]


def _headers(environ: dict[str, Any]) -> dict[str, str]:
    headers = {
        key.removeprefix("HTTP_").replace("_", "-").title(): str(value)
        for key, value in environ.items()
        if key.startswith("HTTP_")
    }
    for key, name in (("CONTENT_TYPE", "Content-Type"), ("CONTENT_LENGTH", "Content-Length")):
        if environ.get(key):
            headers[name] = str(environ[key])
    return headers


class GatewayApp:
    """A WSGI application answering with the in-process gateway."""

    def __init__(self, transport: InProcess) -> None:
        self.transport = transport

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        raw = environ["wsgi.input"].read(length) if length else b""
        query = environ.get("QUERY_STRING", "")
        path = environ.get("PATH_INFO", "/") + (f"?{query}" if query else "")
        # API Gateway hands a text body to the function as it came; bytes that are not UTF-8 are replaced.
        body = raw.decode("utf-8", errors="replace") if raw else None
        response, _ = self.transport.send(environ["REQUEST_METHOD"], path, _headers(environ), {}, body)
        reason = HTTPStatus(response.status).phrase
        start_response(f"{response.status} {reason}", list(response.headers.items()))
        return [response.body_bytes()]
