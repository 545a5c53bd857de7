"""The edge every API answer shares: security headers, CORS, correlation ids and the request log line."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest

from infra.gateway import ApiGateway
from infra.provision import Stack
from infra.template import load_template
from lms.edge import SECURITY_HEADERS
from tests.support.client import Caller
from tests.support.tenant import Tenant

WEB_ORIGIN = str(load_template()["Parameters"]["WebOrigin"]["Default"])

# One route of every API function, answered by the route itself (catalog reads set their own
# Cache-Control: tests/integration/test_catalog_api.py).
OWN_ROUTES = {
    "courses": "/enrollments",
    "users": "/users/me",
    "progress": "/progress/achievements",
    "assessments": "/assessments/quizzes?course_id=no-such-course",
}


@pytest.fixture(scope="module")
def student(stack: Stack, gateway: ApiGateway) -> Caller:
    return Tenant(stack, gateway).student()


def _request_lines(caplog: pytest.LogCaptureFixture) -> list[dict[str, Any]]:
    """The request lines logged, as the function's own Powertools formatter writes them."""
    lines = []
    for record in caplog.records:
        if record.getMessage() == "request":
            formatter = logging.getLogger(record.name).handlers[0].formatter
            assert formatter is not None
            lines.append(json.loads(formatter.format(record)))
    return lines


def test_the_default_web_origin_is_one_origin_not_a_wildcard() -> None:
    assert WEB_ORIGIN.startswith("http")
    assert "*" not in WEB_ORIGIN


@pytest.mark.parametrize("service", sorted(OWN_ROUTES))
def test_every_function_answers_with_the_security_headers_and_the_web_origin(
    student: Caller, service: str
) -> None:
    response = student.get(OWN_ROUTES[service])

    assert response.status < 500, response.body
    for name, value in SECURITY_HEADERS.items():
        assert response.header(name) == value, name
    assert response.header("Access-Control-Allow-Origin") == WEB_ORIGIN
    assert "X-Correlation-Id" in (response.header("Access-Control-Expose-Headers") or "")


def test_personal_data_is_never_stored_by_a_cache(student: Caller) -> None:
    response = student.get("/users/me")

    assert response.status == 200
    assert response.header("Cache-Control") == "no-store"


def test_problems_and_validation_failures_carry_the_same_headers(student: Caller) -> None:
    missing = student.get("/courses/no-such-course")
    invalid = student.get("/courses", query={"limit": "0"})

    for response in (missing, invalid):
        assert response.header("Content-Type") == "application/problem+json"
        assert response.header("Strict-Transport-Security") == SECURITY_HEADERS["Strict-Transport-Security"]
        assert response.header("Access-Control-Allow-Origin") == WEB_ORIGIN
    assert (missing.status, invalid.status) == (404, 422)


def test_the_gateway_s_own_refusals_carry_the_headers_and_a_status(gateway: ApiGateway) -> None:
    unknown = gateway.handle("GET", "/no/such/route", {})
    unauthenticated = gateway.handle("GET", "/courses", {})

    assert unknown.status == 404
    assert unknown.json()["status"] == 404
    assert unauthenticated.status == 401
    assert unauthenticated.json()["status"] == 401
    for response in (unknown, unauthenticated):
        assert response.header("Content-Type") == "application/problem+json"
        assert response.header("X-Content-Type-Options") == "nosniff"
        assert response.header("Cache-Control") == "no-store"
        assert response.header("Access-Control-Allow-Origin") == WEB_ORIGIN


def test_a_preflight_is_answered_by_the_gateway_without_a_token_or_a_function(gateway: ApiGateway) -> None:
    headers = {
        "Origin": WEB_ORIGIN,
        "Access-Control-Request-Method": "PATCH",
        "Access-Control-Request-Headers": "authorization,content-type,if-match",
    }
    response = gateway.handle("OPTIONS", "/courses/some-course", headers)

    assert response.status == 200
    assert response.header("Access-Control-Allow-Origin") == WEB_ORIGIN
    assert "PATCH" in (response.header("Access-Control-Allow-Methods") or "")
    allowed = (response.header("Access-Control-Allow-Headers") or "").lower()
    assert {"authorization", "content-type", "if-match", "idempotency-key"} <= set(allowed.split(","))


def test_a_preflight_of_an_unknown_path_is_not_found(gateway: ApiGateway) -> None:
    assert gateway.handle("OPTIONS", "/no/such/route", {}).status == 404


def test_a_client_s_correlation_id_is_adopted_echoed_and_logged(
    student: Caller, caplog: pytest.LogCaptureFixture
) -> None:
    response = student.get("/users/me", headers={"X-Correlation-Id": "web-7f3a9c1e-0001"})

    assert response.header("X-Correlation-Id") == "web-7f3a9c1e-0001"
    (line,) = _request_lines(caplog)
    assert line["correlation_id"] == "web-7f3a9c1e-0001"


@pytest.mark.parametrize("sent", ["", "short", "has spaces in it", "x" * 200, "<script>alert(1)</script>"])
def test_an_invalid_correlation_id_is_replaced_by_the_request_id(student: Caller, sent: str) -> None:
    response = student.get("/users/me", headers={"X-Correlation-Id": sent})

    assert response.header("X-Correlation-Id") == response.header("x-amzn-RequestId")


@pytest.mark.parametrize("service", sorted(OWN_ROUTES))
def test_one_request_line_per_call_names_the_function_route_caller_and_outcome(
    student: Caller, stack: Stack, service: str, caplog: pytest.LogCaptureFixture
) -> None:
    response = student.get(OWN_ROUTES[service])

    (line,) = _request_lines(caplog)
    function = next(f for f in stack.functions if f.environment.get("POWERTOOLS_SERVICE_NAME") == service)
    assert line["level"] == "INFO"
    assert line["function"] == function.name
    assert line["method"] == "GET"
    assert line["route"] == OWN_ROUTES[service].split("?")[0]
    assert line["status"] == response.status
    assert line["user"] == student.user_id
    assert line["institution"] == student.institution_id
    assert line["correlation_id"] == response.header("x-amzn-RequestId")
    assert isinstance(line["latency_ms"], float)
