"""Requests through the API Gateway emulation: routing, the authorizer, the proxy event, the response."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from infra.functions import FunctionSpec, Route
from infra.gateway import ApiGateway, TokenVerifier, authorizer_claims
from infra.provision import Stack
from infra.template import load_template
from lms.auth import Role, principal_from_claims
from tests.support.tokens import INSTITUTION, forge, id_claims, tamper

# Answers with the event it received, and notes every invocation, so tests see what the function saw.
PROBE = """
import json, os

def handler(event, context):
    with open(os.environ["PROBE_CALLS"], "a") as calls:
        calls.write(event["httpMethod"] + " " + event["path"] + "\\n")
    if event["path"] == "/things/boom":
        raise RuntimeError("the function failed")
    if event["path"] == "/things/malformed":
        return "not a proxy response"
    return {
        "statusCode": 201 if event["httpMethod"] == "POST" else 200,
        "headers": {"Content-Type": "application/json", "X-Probe": "yes"},
        "multiValueHeaders": {"Set-Cookie": ["a=1", "b=2"]},
        "body": json.dumps({"event": event, "function": context.function_name}),
    }
"""


@pytest.fixture(scope="module")
def probe_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    code = tmp_path_factory.mktemp("probe_function")
    (code / "app.py").write_text(PROBE)
    return code


@pytest.fixture
def calls(probe_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "calls.txt"
    path.write_text("")
    monkeypatch.setenv("PROBE_CALLS", str(path))
    return path


def invocations(calls: Path) -> list[str]:
    return calls.read_text().splitlines()


@pytest.fixture(scope="module")
def gateway(stack: Stack, probe_dir: Path) -> ApiGateway:
    probe = FunctionSpec(
        logical_id="ProbeFunction",
        code_dir=probe_dir,
        handler="app.handler",
        routes=(
            Route("GET", "/ping", public=True),
            Route("GET", "/things", public=False),
            Route("POST", "/things", public=False),
            Route("GET", "/things/{thing_id}", public=False),
            Route("GET", "/things/special", public=False),
            Route("DELETE", "/things/{thing_id}/parts/{part_id}", public=False),
        ),
        function_name="lms-local-probe",
    )
    return ApiGateway(dataclasses.replace(stack, functions=[probe]), TokenVerifier.for_stack(stack))


def event_of(response: Any) -> dict[str, Any]:
    seen: dict[str, Any] = response.json()["event"]
    return seen


def test_a_public_route_answers_without_a_token(gateway: ApiGateway, calls: Path) -> None:
    response = gateway.handle("GET", "/ping", {})

    assert response.status == 200
    assert "authorizer" not in event_of(response)["requestContext"]
    assert invocations(calls) == ["GET /ping"]


@pytest.mark.parametrize(
    "authorization",
    [None, "", "Bearer", "garbage", "Bearer not.a.jwt"],
    ids=["no header", "empty", "bearer only", "garbage", "bearer garbage"],
)
def test_a_protected_route_without_a_valid_token_is_401_and_the_function_is_not_invoked(
    gateway: ApiGateway, calls: Path, authorization: str | None
) -> None:
    headers = {} if authorization is None else {"Authorization": authorization}

    response = gateway.handle("GET", "/things", headers)

    assert response.status == 401
    assert response.header("Content-Type") == "application/problem+json"
    assert response.json()["title"] == "Authentication is required"
    assert response.json()["detail"] == "Unauthorized"
    assert invocations(calls) == []


def test_expired_tampered_foreign_and_wrongly_signed_tokens_are_401_and_the_function_is_not_invoked(
    gateway: ApiGateway, stack: Stack, calls: Path, student_token: str
) -> None:
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    refused = [
        forge(id_claims(stack, iat=1_700_000_000, exp=1_700_003_600)),
        tamper(student_token, **{"cognito:groups": ["institution-admins"]}),
        forge(id_claims(stack, aud="another-app-client")),
        forge(id_claims(stack), key=stranger),
    ]

    statuses = [gateway.handle("GET", "/things", {"Authorization": token}).status for token in refused]

    assert statuses == [401, 401, 401, 401]
    assert invocations(calls) == []


def test_a_valid_id_token_reaches_the_function_with_its_claims_as_the_rest_authorizer_passes_them(
    gateway: ApiGateway, stack: Stack, calls: Path, student_token: str
) -> None:
    response = gateway.handle("GET", "/things", {"Authorization": f"Bearer {student_token}"})

    assert response.status == 200
    claims = event_of(response)["requestContext"]["authorizer"]["claims"]
    assert all(isinstance(value, str) for value in claims.values())
    assert claims["cognito:groups"] == "students"
    assert claims["custom:institution_id"] == INSTITUTION
    assert claims["aud"] == stack.user_pool_client_id
    assert re.fullmatch(r"[A-Z][a-z]{2} [A-Z][a-z]{2} \d\d \d\d:\d\d:\d\d UTC \d{4}", claims["exp"])
    assert claims["auth_time"].isdigit()
    principal = principal_from_claims(claims)
    assert principal.roles == {Role.STUDENT}
    assert principal.institution_id == INSTITUTION
    assert invocations(calls) == ["GET /things"]


def test_list_and_scalar_claims_become_strings_like_api_gateway_makes_them() -> None:
    claims = authorizer_claims(
        {
            "cognito:groups": ["instructors", "institution-admins"],
            "email_verified": True,
            "auth_time": 1680629979,
            "exp": 1680633579,
            "address": {"city": "Seattle"},
        }
    )

    assert claims == {
        "cognito:groups": "instructors,institution-admins",
        "email_verified": "true",
        "auth_time": "1680629979",
        "exp": "Tue Apr 04 18:39:39 UTC 2023",
        "address": '{"city":"Seattle"}',
    }
    assert principal_from_claims({**claims, "sub": "u1", "custom:institution_id": "x"}).roles == {
        Role.INSTRUCTOR,
        Role.INSTITUTION_ADMIN,
    }


def test_the_function_receives_a_rest_proxy_event(
    gateway: ApiGateway, stack: Stack, calls: Path, student_token: str
) -> None:
    response = gateway.handle(
        "post",
        "/things?tag=a",
        {"Authorization": student_token, "Content-Type": "application/json", "User-Agent": "pytest"},
        {"tag": ["b"], "limit": ["5"]},
        '{"name": "first"}',
        source_ip="10.0.0.7",
    )

    assert response.status == 201
    event = event_of(response)
    assert event["resource"] == "/things"
    assert event["path"] == "/things"
    assert event["httpMethod"] == "POST"
    assert event["body"] == '{"name": "first"}'
    assert event["isBase64Encoded"] is False
    assert event["headers"]["Content-Type"] == "application/json"
    assert event["multiValueHeaders"]["User-Agent"] == ["pytest"]
    assert event["queryStringParameters"] == {"tag": "a", "limit": "5"}
    assert event["multiValueQueryStringParameters"] == {"tag": ["b", "a"], "limit": ["5"]}
    assert event["pathParameters"] is None
    assert event["stageVariables"] is None
    context = event["requestContext"]
    assert context["stage"] == stack.stage
    assert context["path"] == f"/{stack.stage}/things"
    assert context["resourcePath"] == "/things"
    assert context["httpMethod"] == "POST"
    assert context["identity"]["sourceIp"] == "10.0.0.7"
    assert context["identity"]["userAgent"] == "pytest"
    assert context["requestId"] == response.header("x-amzn-RequestId")
    assert isinstance(context["requestTimeEpoch"], int)
    assert response.json()["function"] == "lms-local-probe"


def test_path_parameters_come_from_the_template_path_and_literal_segments_win(
    gateway: ApiGateway, calls: Path, student_token: str
) -> None:
    auth = {"Authorization": student_token}

    by_param = event_of(gateway.handle("GET", "/things/caf%C3%A9%20au%20lait/", auth))
    literal = event_of(gateway.handle("GET", "/things/special", auth))
    nested = event_of(gateway.handle("DELETE", "/things/t1/parts/p2", auth))

    assert (by_param["resource"], by_param["pathParameters"]) == (
        "/things/{thing_id}",
        {"thing_id": "café au lait"},
    )
    assert (literal["resource"], literal["pathParameters"]) == ("/things/special", None)
    assert nested["pathParameters"] == {"thing_id": "t1", "part_id": "p2"}


def test_an_unknown_path_is_a_404_problem_without_asking_for_a_token(
    gateway: ApiGateway, calls: Path
) -> None:
    response = gateway.handle("GET", "/nowhere/at/all", {})

    assert response.status == 404
    assert response.header("Content-Type") == "application/problem+json"
    assert response.json()["status"] == 404
    assert invocations(calls) == []


def test_a_known_path_with_an_undeclared_method_is_the_templates_missing_token_response(
    gateway: ApiGateway, calls: Path, student_token: str
) -> None:
    response = gateway.handle("PUT", "/things", {"Authorization": student_token})

    # API Gateway's MISSING_AUTHENTICATION_TOKEN (403 by default); the template answers it as 404.
    assert response.status == 404
    assert response.json()["title"] == "Resource not found"
    assert response.header("x-amzn-ErrorType") == "MissingAuthenticationTokenException"
    assert invocations(calls) == []


def test_the_function_s_headers_and_multi_value_headers_are_returned(
    gateway: ApiGateway, calls: Path, student_token: str
) -> None:
    response = gateway.handle("GET", "/things", {"Authorization": student_token})

    assert response.header("X-Probe") == "yes"
    assert response.header("Set-Cookie") == "a=1, b=2"


@pytest.mark.parametrize("path", ["/things/boom", "/things/malformed"])
def test_a_failing_function_or_a_malformed_response_is_a_502_problem(
    gateway: ApiGateway, calls: Path, student_token: str, path: str, caplog: pytest.LogCaptureFixture
) -> None:
    response = gateway.handle("GET", path, {"Authorization": student_token})

    assert response.status == 502
    assert response.header("Content-Type") == "application/problem+json"
    assert "the function failed" not in response.body
    assert invocations(calls) == [f"GET {path}"]
    assert "ProbeFunction failed" in caplog.text


def test_gateway_errors_fall_back_to_api_gateway_s_own_body_when_the_template_declares_none(
    stack: Stack, probe_dir: Path
) -> None:
    template = load_template()
    for resource in template["Resources"].values():
        if resource["Type"] == "AWS::Serverless::Api":
            resource["Properties"].pop("GatewayResponses", None)
    spec = FunctionSpec("ProbeFunction", probe_dir, "app.handler", routes=(Route("GET", "/things", False),))
    bare = ApiGateway(
        dataclasses.replace(stack, functions=[spec]), TokenVerifier.for_stack(stack), template=template
    )

    response = bare.handle("GET", "/things", {})

    assert (response.status, response.json()) == (401, {"message": "Unauthorized"})
    assert response.header("Content-Type") == "application/json"


def test_the_template_s_courses_function_serves_health_publicly_and_guards_courses(stack: Stack) -> None:
    gateway = ApiGateway(stack, TokenVerifier.for_stack(stack))

    assert gateway.handle("GET", "/health", {}).status == 200
    assert gateway.handle("GET", "/courses", {}).status == 401


def test_two_functions_declaring_the_same_route_are_refused(stack: Stack, probe_dir: Path) -> None:
    route = (Route("GET", "/things", False),)
    first = FunctionSpec("First", probe_dir, "app.handler", routes=route)
    second = FunctionSpec("Second", probe_dir, "app.handler", routes=route)

    with pytest.raises(ValueError, match="GET /things"):
        ApiGateway(dataclasses.replace(stack, functions=[first, second]), TokenVerifier.for_stack(stack))
