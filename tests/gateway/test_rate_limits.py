"""The template's AWS WAF rate limits, as the local gateway evaluates them (infra.waf)."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from infra.functions import FunctionSpec, Route
from infra.gateway import ApiGateway, TokenVerifier
from infra.provision import Stack
from infra.template import Resolver, load_template
from infra.waf import WebAcl, web_acl
from tests.support.tokens import forge, id_claims

LIMITS = {"StudentRequestsPerMinute": "10", "StaffRequestsPerMinute": "20"}

PING = """
def handler(event, context):
    return {"statusCode": 200, "headers": {"Content-Type": "application/json"}, "body": "{}"}
"""


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def acl(stack: Stack, clock: Clock) -> WebAcl:
    template = load_template()
    found = web_acl(template)
    assert found is not None, "template.yaml associates no web ACL with the API"
    resolver = Resolver(template, parameters=LIMITS, region="us-east-1", account_id="1", stack_name="lms")
    return WebAcl(resolver.resolve(found[1]), clock=clock)


def token(stack: Stack, groups: list[str], sub: str = "6c1f0c52-0000-4000-8000-000000000001") -> str:
    return forge(id_claims(stack, **{"cognito:groups": groups, "sub": sub}))


def burst(acl: WebAcl, bearer: str, times: int) -> list[int]:
    return [
        (blocked.status if (blocked := acl.inspect({"Authorization": bearer}, "10.0.0.1")) else 200)
        for _ in range(times)
    ]


def test_a_student_token_is_refused_past_the_students_limit_with_retry_after(
    stack: Stack, acl: WebAcl
) -> None:
    student = token(stack, ["students"])

    assert burst(acl, student, 10) == [200] * 10
    refused = acl.inspect({"Authorization": student}, "10.0.0.1")

    assert refused is not None
    assert refused.status == 429
    assert refused.headers["Retry-After"] == "60"
    assert refused.headers["Content-Type"] == "application/json"
    body = json.loads(refused.body)
    assert (body["status"], body["type"]) == (429, "urn:lms:problem:rate-limited")


@pytest.mark.parametrize(
    "groups", [["instructors"], ["institution-admins"], ["platform-admins"], ["instructors", "students"]]
)
def test_staff_tokens_have_the_staff_limit_and_a_student_in_any_group_the_students(
    stack: Stack, acl: WebAcl, groups: list[str]
) -> None:
    limit = 10 if "students" in groups else 20

    statuses = burst(acl, token(stack, groups), limit + 1)

    assert statuses == [200] * limit + [429]


def test_each_token_counts_alone_so_one_student_s_burst_leaves_others_untouched(
    stack: Stack, acl: WebAcl
) -> None:
    burst(acl, token(stack, ["students"], sub="00000000-0000-4000-8000-00000000000a"), 15)

    assert (
        burst(acl, token(stack, ["students"], sub="00000000-0000-4000-8000-00000000000b"), 10) == [200] * 10
    )


@pytest.mark.parametrize("email", ["a@x.example", "ab@x.example", "abc@x.example"])
def test_the_students_group_is_recognised_at_every_alignment_of_the_token_payload(
    stack: Stack, acl: WebAcl, email: str
) -> None:
    student = forge(id_claims(stack, email=email))

    assert burst(acl, student, 11)[-1] == 429


def test_the_limit_is_per_minute(stack: Stack, acl: WebAcl, clock: Clock) -> None:
    student = token(stack, ["students"])
    burst(acl, student, 11)

    clock.now += 61

    assert burst(acl, student, 1) == [200]


def test_requests_without_a_token_are_not_counted(acl: WebAcl) -> None:
    assert all(acl.inspect({}, "10.0.0.1") is None for _ in range(50))


def test_the_local_gateway_answers_the_block_before_routing_or_authorizing(
    stack: Stack, tmp_path: Path
) -> None:
    (tmp_path / "app.py").write_text(PING)
    ping = FunctionSpec("PingFunction", tmp_path, "app.handler", routes=(Route("GET", "/ping", public=True),))
    limited = dataclasses.replace(stack, functions=[ping], parameters={**stack.parameters, **LIMITS})
    gateway = ApiGateway(limited, TokenVerifier.for_stack(stack), rate_limits=True)
    student = {"Authorization": token(stack, ["students"], sub="00000000-0000-4000-8000-00000000000c")}

    statuses = [gateway.handle("GET", "/ping", student).status for _ in range(11)]
    refused = gateway.handle("GET", "/no/such/route", student)

    assert statuses == [200] * 10 + [429]
    assert (refused.status, refused.header("Retry-After")) == (429, "60")
    assert refused.header("Access-Control-Allow-Origin") == stack.parameters.get(
        "WebOrigin", load_template()["Parameters"]["WebOrigin"]["Default"]
    )
