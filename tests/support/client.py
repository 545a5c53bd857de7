"""The one client of the API in tests: a signed-in user calling in process or over HTTP.

In process (integration tests) each request goes through the API Gateway emulation and the AWS
calls it makes are recorded (`last_calls`: its DynamoDB requests); over HTTP (e2e) it calls the
running local stack.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Protocol

from infra.gateway import ApiGateway, ApiResponse
from infra.instrument import AwsCallRecorder, ScanInRequestPath


class Transport(Protocol):
    def send(
        self, method: str, path: str, headers: dict[str, str], query: dict[str, str], body: str | None
    ) -> tuple[ApiResponse, Counter[tuple[str, str]]]:
        """The response, and the AWS calls made while answering, by (service, operation)."""
        ...


@dataclass(frozen=True)
class InProcess:
    """Through the API Gateway emulation in this process; a Scan in a request path fails the test."""

    gateway: ApiGateway

    def send(
        self, method: str, path: str, headers: dict[str, str], query: dict[str, str], body: str | None
    ) -> tuple[ApiResponse, Counter[tuple[str, str]]]:
        recorder = AwsCallRecorder()
        with recorder.recording():
            response = self.gateway.handle(method, path, headers, {k: [v] for k, v in query.items()}, body)
        if recorder.scans:
            raise ScanInRequestPath(f"{method} {path} scanned {recorder.scans}")
        return response, recorder.calls


@dataclass(frozen=True)
class OverHttp:
    """HTTP to a running API (the local stack); redirects are followed, as a browser would."""

    base_url: str

    def send(
        self, method: str, path: str, headers: dict[str, str], query: dict[str, str], body: str | None
    ) -> tuple[ApiResponse, Counter[tuple[str, str]]]:
        url = self.base_url + path + (f"?{urllib.parse.urlencode(query)}" if query else "")
        data = None if body is None else body.encode()
        request = urllib.request.Request(url, data=data, method=method, headers=headers)  # noqa: S310
        try:
            # API Gateway's own integration timeout: the local stack queues concurrent requests.
            with urllib.request.urlopen(request, timeout=29) as response:  # noqa: S310
                answer = ApiResponse(response.status, dict(response.headers), response.read().decode())
        except urllib.error.HTTPError as error:
            answer = ApiResponse(error.code, dict(error.headers), error.read().decode())
        return answer, Counter()  # the local stack's calls are made in its own threads


@dataclass
class Caller:
    """One signed-in user (or an anonymous caller when token is None)."""

    transport: Transport
    token: str | None
    user_id: str = ""
    role: str = ""
    institution_id: str = ""
    last_aws_calls: Counter[tuple[str, str]] = field(default_factory=Counter)

    def request(
        self,
        method: str,
        path: str,
        *,
        json_body: Any = None,
        body: str | None = None,
        headers: dict[str, str] | None = None,
        query: dict[str, str] | None = None,
    ) -> ApiResponse:
        sent = dict(headers or {})
        if self.token:
            sent.setdefault("Authorization", f"Bearer {self.token}")
        if json_body is not None:
            body = json.dumps(json_body)
            sent.setdefault("Content-Type", "application/json")
        response, self.last_aws_calls = self.transport.send(method, path, sent, query or {}, body)
        return response

    def last_calls_of(self, service: str) -> dict[str, int]:
        """The last request's calls to one AWS service, by operation."""
        return {op: n for (called, op), n in sorted(self.last_aws_calls.items()) if called == service}

    @property
    def last_calls(self) -> dict[str, int]:
        """The last request's DynamoDB requests, by operation (what the data model promises)."""
        return self.last_calls_of("dynamodb")

    @property
    def dynamodb_requests(self) -> int:
        return sum(self.last_calls.values())

    def call(
        self, method: str, path: str, json_body: Any = None, headers: dict[str, str] | None = None
    ) -> tuple[int, Any]:
        """The status and the JSON body (None when empty): the short form journeys read best in."""
        response = self.request(method, path, json_body=json_body, headers=headers)
        return response.status, response.json() if response.body else None

    def get(self, path: str, **kw: Any) -> ApiResponse:
        return self.request("GET", path, **kw)

    def post(self, path: str, json_body: Any = None, **kw: Any) -> ApiResponse:
        return self.request("POST", path, json_body=json_body, **kw)

    def patch(self, path: str, json_body: Any, version: int | str | None = None, **kw: Any) -> ApiResponse:
        headers = dict(kw.pop("headers", None) or {})
        if version is not None:
            headers["If-Match"] = f'"{version}"'
        return self.request("PATCH", path, json_body=json_body, headers=headers, **kw)

    def put(self, path: str, json_body: Any = None, **kw: Any) -> ApiResponse:
        return self.request("PUT", path, json_body=json_body, **kw)

    def delete(self, path: str, **kw: Any) -> ApiResponse:
        return self.request("DELETE", path, **kw)


def problem(response: ApiResponse, status: int, slug: str) -> dict[str, Any]:
    """The response is the problem `slug` (RFC 9457) with this status; returns its body."""
    assert response.status == status, response.body
    assert response.header("Content-Type") == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert body["type"] == f"urn:lms:problem:{slug}", body
    assert body["status"] == status
    return body
