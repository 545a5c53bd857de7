"""LTI Advantage services through the gateway emulation: the token endpoint and names and roles.

The tool's keys are served over HTTP from this process, as a tool serves its JWKS: the platform
fetches them when it verifies the tool's client assertion.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt
import pytest

from bench.expectations import expected_calls, expected_requests
from infra.gateway import ApiGateway, ApiResponse
from infra.provision import Stack
from tests.support.client import Caller, InProcess, problem
from tests.support.courses import create_course, enroll
from tests.support.lti_services import ToolKeys, register_and_launch, served_jwks
from tests.support.tenant import Tenant

NRPS = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"
LIS = "http://purl.imsglobal.org/vocab/lis/v2/"
JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"


@pytest.fixture(scope="module")
def tool_keys() -> Iterator[tuple[ToolKeys, str]]:
    with served_jwks() as served:
        yield served


@dataclass
class World:
    tenant: Tenant
    admin: Caller
    instructor: Caller
    student: Caller
    tool: dict[str, Any]
    keys: ToolKeys
    course_id: str
    lesson_id: str

    def anonymous(self) -> Caller:
        return Caller(InProcess(self.tenant.gateway), None)

    def assertion(self, kid: str | None = None, **overrides: Any) -> str:
        kid = kid or self.keys.published[0]
        now = datetime.now(UTC)
        claims = {
            "iss": self.tool["client_id"],
            "sub": self.tool["client_id"],
            "aud": self.tool["platform"]["token_url"],
            "iat": int(now.timestamp()),
            "exp": int((now + timedelta(minutes=5)).timestamp()),
            "jti": uuid.uuid4().hex,
            **overrides,
        }
        return jwt.encode(claims, self.keys.keys[kid], algorithm="RS256", headers={"kid": kid})

    def ask_token(self, assertion: str | None = None, **form: str) -> ApiResponse:
        body = {
            "grant_type": "client_credentials",
            "client_assertion_type": JWT_BEARER,
            "client_assertion": assertion or self.assertion(),
            "scope": NRPS,
            **form,
        }
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        return self.anonymous().request("POST", "/lti/token", body=urlencode(body), headers=headers)

    def token(self) -> str:
        response = self.ask_token()
        assert response.status == 200, response.body
        token: str = response.json()["access_token"]
        return token

    def memberships(self, token: str | None, course_id: str | None = None, **query: str) -> ApiResponse:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        path = f"/lti/courses/{course_id or self.course_id}/memberships"
        return self.anonymous().request("GET", path, headers=headers, query=query)


@pytest.fixture(scope="module")
def world(stack: Stack, gateway: ApiGateway, tool_keys: tuple[ToolKeys, str]) -> World:
    keys, jwks_url = tool_keys
    tenant = Tenant(stack, gateway)
    admin, instructor, student = tenant.admin(), tenant.instructor(), tenant.student()
    launched = register_and_launch(tenant, admin, instructor, keys, jwks_url)
    enroll(tenant, launched.course_id, student)
    return World(
        tenant, admin, instructor, student, launched.tool, keys, launched.course_id, launched.lesson_id
    )


def test_a_tool_gets_an_access_token_with_a_client_assertion_signed_by_its_key(world: World) -> None:
    response = world.ask_token(scope=f"{NRPS} https://example.com/scope/unknown")
    assert response.status == 200, response.body
    answer = response.json()
    assert (answer["token_type"], answer["expires_in"], answer["scope"]) == ("Bearer", 3600, NRPS)
    claims = jwt.decode(answer["access_token"], options={"verify_signature": False})
    assert claims["sub"] == world.tool["client_id"]
    anonymous = world.anonymous()
    anonymous.request(
        "POST",
        "/lti/token",
        body=urlencode(
            {
                "grant_type": "client_credentials",
                "client_assertion_type": JWT_BEARER,
                "client_assertion": world.assertion(),
                "scope": NRPS,
            }
        ),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert anonymous.last_calls == expected_requests("POST", "/lti/token")
    assert anonymous.last_calls_of("kms") == expected_calls("kms", "POST", "/lti/token")


def test_a_client_assertion_is_accepted_once(world: World) -> None:
    assertion = world.assertion()
    assert world.ask_token(assertion).status == 200
    problem(world.ask_token(assertion), 401, "lti-invalid-client")


@pytest.mark.parametrize(
    "claims",
    [
        pytest.param({"exp": int((datetime.now(UTC) - timedelta(minutes=1)).timestamp())}, id="expired"),
        pytest.param({"aud": "https://elsewhere.example/token"}, id="another-audience"),
        pytest.param({"sub": "someone-else"}, id="another-subject"),
        pytest.param({"exp": int((datetime.now(UTC) + timedelta(hours=2)).timestamp())}, id="lives-too-long"),
    ],
)
def test_a_client_assertion_that_is_not_valid_is_refused(world: World, claims: dict[str, Any]) -> None:
    problem(world.ask_token(world.assertion(**claims)), 401, "lti-invalid-client")


def test_a_key_the_tool_rotated_out_is_refused_and_its_new_key_accepted(world: World) -> None:
    old = world.keys.published[0]
    signed_before = world.assertion(old)
    new = world.keys.rotate()
    try:
        problem(world.ask_token(signed_before), 401, "lti-invalid-client")
        assert world.ask_token(world.assertion(new)).status == 200
    finally:
        world.keys.published = [new]


@pytest.mark.parametrize(
    ("form", "status", "slug"),
    [
        ({"grant_type": "password"}, 400, "lti-invalid-request"),
        ({"client_assertion_type": "basic"}, 400, "lti-invalid-request"),
        ({"scope": "https://example.com/scope/unknown"}, 400, "lti-invalid-request"),
        ({"client_assertion": "not-a-jwt"}, 401, "lti-invalid-client"),
    ],
)
def test_a_token_request_that_is_not_client_credentials_with_a_jwt_is_refused(
    world: World, form: dict[str, str], status: int, slug: str
) -> None:
    problem(world.ask_token(**form), status, slug)


def test_an_unknown_client_is_refused(world: World) -> None:
    unknown = f"{world.tenant.institution_id}~01UNKNOWNTOOL"
    problem(world.ask_token(world.assertion(iss=unknown, sub=unknown)), 401, "lti-invalid-client")


def test_the_course_roster_is_read_with_lis_roles_and_paged_with_link_headers(world: World) -> None:
    token = world.token()
    first = world.memberships(token, limit="1")
    assert first.status == 200, first.body
    assert first.header("Content-Type") == "application/vnd.ims.lti-nrps.v2.membershipcontainer+json"
    page = first.json()
    assert page["context"]["id"] == world.course_id
    assert page["id"] == world.tool["platform"]["issuer"] + f"/lti/courses/{world.course_id}/memberships"
    members = {m["user_id"]: m["roles"] for m in page["members"]}
    assert members[world.instructor.user_id] == [LIS + "membership#Instructor"]
    pages = [page["members"]]
    link = first.header("Link")
    while link:
        assert link.endswith('>; rel="next"')
        query = {k: v[0] for k, v in parse_qs(urlsplit(link[1 : link.index(">")]).query).items()}
        assert query["limit"] == "1"
        following = world.memberships(token, **query)
        pages.append(following.json()["members"])
        link = following.header("Link")
    students = [
        (m["user_id"], m["roles"]) for p in pages for m in p if m["user_id"] != world.instructor.user_id
    ]
    assert students == [(world.student.user_id, [LIS + "membership#Learner"])]


def test_the_roster_needs_a_valid_token_of_a_tool_launched_from_the_course(
    world: World, stack: Stack, gateway: ApiGateway
) -> None:
    problem(world.memberships(None), 401, "lti-invalid-token")
    token = world.token()
    problem(world.memberships(token[:-3] + "abc"), 401, "lti-invalid-token")
    other_course = create_course(world.instructor, title="Not launched")
    problem(world.memberships(token, other_course["id"]), 404, "lti-course-not-found")
    problem(world.memberships(token, "01UNKNOWNCOURSE"), 404, "lti-course-not-found")


def test_a_disabled_tool_gets_no_token_and_its_tokens_serve_nothing(
    stack: Stack, gateway: ApiGateway, tool_keys: tuple[ToolKeys, str]
) -> None:
    keys, jwks_url = tool_keys
    tenant = Tenant(stack, gateway)
    admin, instructor = tenant.admin(), tenant.instructor()
    launched = register_and_launch(tenant, admin, instructor, keys, jwks_url)
    tool = launched.tool
    world = World(tenant, admin, instructor, instructor, tool, keys, launched.course_id, launched.lesson_id)
    token = world.token()
    assert admin.patch(f"/lti/tools/{tool['id']}", {"enabled": False}, version=1).status == 200
    problem(world.ask_token(), 403, "lti-tool-disabled")
    problem(world.memberships(token), 403, "lti-tool-disabled")
