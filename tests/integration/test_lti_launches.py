"""LTI launches through the gateway emulation: the signed hint, the authorization endpoint, the id_token."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from html import unescape
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt
import pytest

from bench.expectations import expected_calls, expected_requests
from infra.gateway import ApiGateway, ApiResponse
from infra.provision import Stack
from lms.lti.messages import HINT_TYPE
from lms.lti.platform_keys import platform_keys
from tests.support.client import Caller, InProcess, problem
from tests.support.courses import add_lesson, add_section, create_course, enroll, publish
from tests.support.events import drained
from tests.support.people import export_document, request_export
from tests.support.tenant import Tenant

TOOL = "https://tool.example"
LTI = "https://purl.imsglobal.org/spec/lti/claim/"
LIS = "http://purl.imsglobal.org/vocab/lis/v2/"


@dataclass
class World:
    tenant: Tenant
    admin: Caller
    instructor: Caller
    student: Caller
    tool: dict[str, Any]
    course_id: str
    lesson_id: str
    text_lesson_id: str

    def start(self, caller: Caller | None = None, lesson_id: str | None = None) -> ApiResponse:
        body = {"course_id": self.course_id, "lesson_id": lesson_id or self.lesson_id}
        return (caller or self.student).post("/lti/launches", body)

    def params(self, caller: Caller | None = None) -> dict[str, str]:
        response = self.start(caller)
        assert response.status == 200, response.body
        params: dict[str, str] = response.json()["params"]
        return params

    def anonymous(self) -> Caller:
        return Caller(InProcess(self.tenant.gateway), None)


def auth_request(login: dict[str, str], **overrides: str) -> dict[str, str]:
    """The authentication request a tool sends back after its OIDC login initiation."""
    return {
        "scope": "openid",
        "response_type": "id_token",
        "response_mode": "form_post",
        "prompt": "none",
        "client_id": login["client_id"],
        "redirect_uri": f"{TOOL}/launch",
        "login_hint": login["login_hint"],
        "lti_message_hint": login["lti_message_hint"],
        "state": f"state-{uuid.uuid4().hex}",
        "nonce": uuid.uuid4().hex,
        **overrides,
    }


def form_fields(response: ApiResponse) -> tuple[str, dict[str, str]]:
    """The auto-posting page's form: where it posts, and its fields."""
    assert response.status == 200, response.body
    assert response.header("Content-Type").startswith("text/html")
    action = unescape(re.search(r'<form method="post" action="([^"]+)"', response.body).group(1))  # type: ignore[union-attr]
    fields = {
        unescape(n): unescape(v) for n, v in re.findall(r'name="([^"]+)" value="([^"]*)"', response.body)
    }
    return action, fields


def id_token_claims(world: World, token: str) -> dict[str, Any]:
    keys = world.anonymous().get("/lti/jwks").json()["keys"]
    kid = jwt.get_unverified_header(token)["kid"]
    key = jwt.PyJWK(next(k for k in keys if k["kid"] == kid))
    claims: dict[str, Any] = jwt.decode(token, key, algorithms=["RS256"], audience=world.tool["client_id"])
    return claims


@pytest.fixture(scope="module")
def world(stack: Stack, gateway: ApiGateway) -> World:
    tenant = Tenant(stack, gateway)
    admin, instructor, student = tenant.admin(), tenant.instructor(), tenant.student()
    registration = {
        "name": "Coding lab",
        "jwks_url": f"{TOOL}/jwks",
        "oidc_login_url": f"{TOOL}/login",
        "redirect_uris": [f"{TOOL}/launch"],
        "target_link_uri": f"{TOOL}/launch",
    }
    tool = admin.post("/lti/tools", registration).json()
    course = create_course(instructor, title="Systems programming")
    section = add_section(instructor, course["id"])
    link = {"tool_id": tool["id"], "custom": {"exercise": "pointers-1"}}
    lesson = add_lesson(
        instructor, course["id"], section["id"], "Pointer lab", content_type="lti", content=None, lti=link
    )
    text = add_lesson(instructor, course["id"], section["id"], "Reading")
    publish(instructor, course["id"])
    enroll(tenant, course["id"], student)
    return World(tenant, admin, instructor, student, tool, course["id"], lesson["id"], text["id"])


def test_a_student_starts_a_launch_at_the_tools_login_with_a_signed_hint(world: World) -> None:
    response = world.start()
    assert response.status == 200, response.body
    assert world.student.last_calls == expected_requests("POST", "/lti/launches")
    assert world.student.last_calls_of("kms") == expected_calls("kms", "POST", "/lti/launches")
    start = response.json()
    params = start["params"]
    assert start["login_initiation_url"] == f"{TOOL}/login"
    assert parse_qs(urlsplit(start["login_url"]).query) == {name: [value] for name, value in params.items()}
    assert params["iss"] == world.tool["platform"]["issuer"]
    assert params["login_hint"] == world.student.user_id
    assert params["client_id"] == world.tool["client_id"]
    assert params["lti_deployment_id"] == world.tool["deployment_id"]
    assert params["target_link_uri"] == f"{TOOL}/launch"
    assert jwt.get_unverified_header(params["lti_message_hint"])["typ"] == HINT_TYPE


def test_the_tools_authentication_request_is_answered_with_an_id_token_posted_to_it(world: World) -> None:
    request = auth_request(world.params())
    anonymous = world.anonymous()
    anonymous.get("/lti/jwks")  # a warm container: the public keys were read once already
    response = anonymous.get("/lti/authorize", query=request)
    assert anonymous.last_calls == expected_requests("GET", "/lti/authorize")
    assert anonymous.last_calls_of("kms") == expected_calls("kms", "GET", "/lti/authorize")
    action, fields = form_fields(response)
    assert action == f"{TOOL}/launch"
    assert fields["state"] == request["state"]
    assert "form-action https://tool.example" in response.header("Content-Security-Policy")
    claims = id_token_claims(world, fields["id_token"])
    assert claims["iss"] == world.tool["platform"]["issuer"]
    assert (claims["sub"], claims["nonce"], claims["azp"]) == (
        world.student.user_id,
        request["nonce"],
        world.tool["client_id"],
    )
    assert claims[LTI + "message_type"] == "LtiResourceLinkRequest"
    assert claims[LTI + "version"] == "1.3.0"
    assert claims[LTI + "deployment_id"] == world.tool["deployment_id"]
    assert claims[LTI + "target_link_uri"] == f"{TOOL}/launch"
    assert claims[LTI + "resource_link"] == {"id": world.lesson_id, "title": "Pointer lab"}
    assert claims[LTI + "context"]["id"] == world.course_id
    assert claims[LTI + "context"]["title"] == "Systems programming"
    assert claims[LTI + "custom"] == {"exercise": "pointers-1"}
    assert claims[LTI + "roles"] == [LIS + "membership#Learner", LIS + "institution/person#Student"]
    nrps = claims["https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"]
    assert nrps["context_memberships_url"] == f"{claims['iss']}/lti/courses/{world.course_id}/memberships"
    launched = [e for e in world.tenant.events() if e["type"] == "lms.lti.LtiLaunched.v1"][-1]
    assert launched["data"]["lesson_id"] == world.lesson_id
    assert launched["data"]["user_id"] == world.student.user_id


def test_the_request_may_come_as_a_form(world: World) -> None:
    body = urlencode(auth_request(world.params()))
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    response = world.anonymous().request("POST", "/lti/authorize", body=body, headers=headers)
    action, fields = form_fields(response)
    assert action == f"{TOOL}/launch"
    assert fields["id_token"]


def test_the_course_staff_launch_with_their_own_roles(world: World) -> None:
    request = auth_request(world.params(world.instructor))
    _, fields = form_fields(world.anonymous().get("/lti/authorize", query=request))
    roles = id_token_claims(world, fields["id_token"])[LTI + "roles"]
    assert roles == [LIS + "membership#Instructor", LIS + "institution/person#Faculty"]
    request = auth_request(world.params(world.admin))
    _, fields = form_fields(world.anonymous().get("/lti/authorize", query=request))
    roles = id_token_claims(world, fields["id_token"])[LTI + "roles"]
    assert roles == [LIS + "membership#Administrator", LIS + "institution/person#Administrator"]


def test_a_replayed_nonce_or_hint_is_refused(world: World) -> None:
    first = auth_request(world.params())
    anonymous = world.anonymous()
    form_fields(anonymous.get("/lti/authorize", query=first))
    problem(anonymous.get("/lti/authorize", query=first), 400, "lti-replayed")
    same_hint = {**first, "nonce": uuid.uuid4().hex}
    problem(anonymous.get("/lti/authorize", query=same_hint), 400, "lti-replayed")
    same_nonce = auth_request(world.params(), nonce=first["nonce"])
    problem(anonymous.get("/lti/authorize", query=same_nonce), 400, "lti-replayed")


def _hint_claims(world: World) -> dict[str, Any]:
    return jwt.decode(world.params()["lti_message_hint"], options={"verify_signature": False})


@pytest.mark.parametrize(
    "forge",
    [
        pytest.param(
            lambda token, claims: token[:-4] + ("AAAA" if token[-4:] != "AAAA" else "BBBB"), id="tampered"
        ),
        pytest.param(
            lambda token, claims: jwt.encode(claims, "a-secret-nobody-should-trust-32b!", algorithm="HS256"),
            id="not-signed-by-the-platform",
        ),
        pytest.param(
            lambda token, claims: platform_keys().sign(
                {**claims, "exp": int((datetime.now(UTC) - timedelta(minutes=1)).timestamp())}, typ=HINT_TYPE
            ),
            id="expired",
        ),
        pytest.param(lambda token, claims: platform_keys().sign(claims), id="an-id-token-not-a-hint"),
        pytest.param(
            lambda token, claims: platform_keys().sign(
                {**claims, "aud": "https://elsewhere.example"}, typ=HINT_TYPE
            ),
            id="another-audience",
        ),
    ],
)
def test_a_hint_the_platform_did_not_sign_as_it_is_refused(world: World, forge: Any) -> None:
    login = world.params()
    claims = jwt.decode(login["lti_message_hint"], options={"verify_signature": False})
    forged = forge(login["lti_message_hint"], claims)
    request = auth_request(login, lti_message_hint=forged)
    problem(world.anonymous().get("/lti/authorize", query=request), 400, "lti-invalid-hint")


def test_the_hint_binds_the_person_and_the_tool(world: World) -> None:
    login = world.params()
    anonymous = world.anonymous()
    someone_else = auth_request(login, login_hint=world.instructor.user_id)
    problem(anonymous.get("/lti/authorize", query=someone_else), 400, "lti-invalid-hint")
    another_tool = auth_request(login, client_id=f"{world.tenant.institution_id}~01OTHERTOOL")
    problem(anonymous.get("/lti/authorize", query=another_tool), 400, "lti-invalid-hint")


def test_a_redirect_uri_the_tool_did_not_register_is_refused(world: World) -> None:
    request = auth_request(world.params(), redirect_uri="https://attacker.example/launch")
    problem(world.anonymous().get("/lti/authorize", query=request), 400, "lti-redirect-uri-not-registered")


@pytest.mark.parametrize(
    "change",
    [
        {"response_type": "code"},
        {"scope": "profile"},
        {"response_mode": "query"},
        {"prompt": "login"},
        {"nonce": ""},
        {"nonce": "n" * 300},
    ],
)
def test_a_request_that_is_not_lti_oidc_is_refused(world: World, change: dict[str, str]) -> None:
    request = auth_request(world.params(), **change)
    problem(world.anonymous().get("/lti/authorize", query=request), 400, "lti-invalid-request")


@pytest.mark.parametrize("missing", ["nonce", "lti_message_hint", "client_id", "redirect_uri", "login_hint"])
def test_a_request_without_a_required_parameter_is_refused(world: World, missing: str) -> None:
    request = auth_request(world.params())
    del request[missing]
    problem(world.anonymous().get("/lti/authorize", query=request), 400, "lti-invalid-request")


def test_only_members_launch_and_only_lti_lessons(world: World, tenant: Tenant) -> None:
    problem(world.start(world.tenant.student()), 403, "lti-launch-forbidden")
    problem(world.start(world.tenant.instructor()), 403, "lti-launch-forbidden")
    problem(world.start(lesson_id=world.text_lesson_id), 404, "lti-lesson-not-found")
    problem(world.start(lesson_id="01UNKNOWNLESSON"), 404, "lti-lesson-not-found")
    unknown_course = {"course_id": "01UNKNOWNCOURSE", "lesson_id": world.lesson_id}
    problem(world.student.post("/lti/launches", unknown_course), 404, "lti-course-not-found")
    outsider = {"course_id": world.course_id, "lesson_id": world.lesson_id}
    problem(tenant.student().post("/lti/launches", outsider), 404, "lti-course-not-found")
    problem(world.student.post("/lti/launches", {"course_id": world.course_id}), 422, "validation-failed")


def test_a_disabled_tool_neither_launches_nor_finishes_a_launch_begun_before(
    stack: Stack, gateway: ApiGateway
) -> None:
    tenant = Tenant(stack, gateway)
    admin, instructor = tenant.admin(), tenant.instructor()
    registration = {
        "name": "Proctoring",
        "jwks_url": f"{TOOL}/jwks",
        "oidc_login_url": f"{TOOL}/login",
        "redirect_uris": [f"{TOOL}/launch"],
        "target_link_uri": f"{TOOL}/launch",
    }
    tool = admin.post("/lti/tools", registration).json()
    course = create_course(instructor)
    section = add_section(instructor, course["id"])
    lesson = add_lesson(
        instructor, course["id"], section["id"], content_type="lti", content=None, lti={"tool_id": tool["id"]}
    )
    body = {"course_id": course["id"], "lesson_id": lesson["id"]}
    begun = instructor.post("/lti/launches", body).json()["params"]
    assert admin.patch(f"/lti/tools/{tool['id']}", {"enabled": False}, version=1).status == 200
    problem(instructor.post("/lti/launches", body), 403, "lti-tool-disabled")
    anonymous = Caller(InProcess(gateway), None)
    problem(anonymous.get("/lti/authorize", query=auth_request(begun)), 403, "lti-tool-disabled")


@pytest.mark.parametrize(
    "lesson",
    [
        {"content_type": "lti", "content": None},
        {
            "content_type": "lti",
            "content": None,
            "content_url": "https://tool.example/x",
            "lti": {"tool_id": "t1"},
        },
        {"content_type": "text", "lti": {"tool_id": "t1"}},
        {"content_type": "lti", "content": None, "lti": {"tool_id": "t1", "custom": {"bad name": "x"}}},
        {"content_type": "lti", "content": None, "lti": {"tool_id": "t1", "custom": {"long": "x" * 300}}},
    ],
)
def test_an_lti_lesson_needs_its_link_and_nothing_else(world: World, lesson: dict[str, Any]) -> None:
    section = add_section(world.instructor, world.course_id, "More")
    body = {"section_id": section["id"], "title": "Lab", "duration_minutes": 5, "content": "x", **lesson}
    response = world.instructor.post(f"/courses/{world.course_id}/lessons", body)
    assert response.status == 422, response.body


def test_a_persons_launches_are_in_their_export_and_gone_on_erasure(world: World, stack: Stack) -> None:
    student = world.tenant.invited(world.admin)
    enroll(world.tenant, world.course_id, student)
    form_fields(world.anonymous().get("/lti/authorize", query=auth_request(world.params(student))))
    job = request_export(student, student.user_id)
    drained(stack)
    launches = export_document(stack, world.tenant, student.user_id, job["export_id"])["contexts"]["lti"]
    assert [(e["lesson_id"], e["tool_id"]) for e in launches["launches"]] == [
        (world.lesson_id, world.tool["id"])
    ]
    assert world.admin.delete(f"/users/{student.user_id}").status == 202
    drained(stack)
    launches_pk = f"INST#{world.tenant.institution_id}#USER#{student.user_id}#LTI-LAUNCHES"
    assert [i for i in world.tenant.items() if i["PK"] == launches_pk] == []
