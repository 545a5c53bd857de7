"""LTI Deep Linking through the gateway emulation: an instructor asks a tool for content from the
course editor, the tool's signed answer comes back to the return URL and becomes lessons.

The tool's keys are given at registration (a JWKS document), so no JWKS URL is served here.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from html import unescape
from typing import Any
from urllib.parse import urlencode

import jwt
import pytest

from bench.expectations import expected_calls, expected_requests
from infra.gateway import ApiGateway, ApiResponse
from infra.provision import Stack
from tests.support.client import Caller, InProcess, problem
from tests.support.courses import add_lesson, add_section, create_course, enroll, publish
from tests.support.lti_services import ToolKeys
from tests.support.tenant import Tenant

TOOL = "https://tool.example"
LTI = "https://purl.imsglobal.org/spec/lti/claim/"
DL = "https://purl.imsglobal.org/spec/lti-dl/claim/"
RETURN = "/lti/deep-links/return"


def registration(keys: ToolKeys, name: str = "Content library") -> dict[str, Any]:
    return {
        "name": name,
        "jwks": keys.jwks(),
        "oidc_login_url": f"{TOOL}/login",
        "redirect_uris": [f"{TOOL}/launch", f"{TOOL}/content"],
        "target_link_uri": f"{TOOL}/launch",
    }


@dataclass
class World:
    tenant: Tenant
    admin: Caller
    instructor: Caller
    student: Caller
    keys: ToolKeys
    tool: dict[str, Any]
    course_id: str
    section_id: str

    def anonymous(self) -> Caller:
        return Caller(InProcess(self.tenant.gateway), None)

    def start(self, caller: Caller | None = None, **overrides: str) -> ApiResponse:
        body = {"course_id": self.course_id, "section_id": self.section_id, "tool_id": self.tool["id"]}
        return (caller or self.instructor).post("/lti/deep-links", {**body, **overrides})

    def id_token(self, tool: dict[str, Any] | None = None, **start: str) -> dict[str, Any]:
        """The deep linking request's id_token, as the tool receives it (its claims, verified)."""
        started = self.start(**{"tool_id": (tool or self.tool)["id"], **start})
        assert started.status == 200, started.body
        login = started.json()["params"]
        request = {
            "scope": "openid",
            "response_type": "id_token",
            "response_mode": "form_post",
            "prompt": "none",
            "client_id": login["client_id"],
            "redirect_uri": f"{TOOL}/content",
            "login_hint": login["login_hint"],
            "lti_message_hint": login["lti_message_hint"],
            "nonce": uuid.uuid4().hex,
        }
        page = self.anonymous().get("/lti/authorize", query=request)
        assert page.status == 200, page.body
        token = unescape(re.search(r'name="id_token" value="([^"]*)"', page.body).group(1))  # type: ignore[union-attr]
        keys = self.anonymous().get("/lti/jwks").json()["keys"]
        kid = jwt.get_unverified_header(token)["kid"]
        key = jwt.PyJWK(next(k for k in keys if k["kid"] == kid))
        claims: dict[str, Any] = jwt.decode(
            token, key, algorithms=["RS256"], audience=(tool or self.tool)["client_id"]
        )
        return claims

    def answer(
        self,
        items: list[dict[str, Any]],
        tool: dict[str, Any] | None = None,
        start: dict[str, str] | None = None,
        **overrides: Any,
    ) -> dict[str, Any]:
        """The claims of the tool's deep linking response to a fresh request (pylti1p3's shape)."""
        tool = tool or self.tool
        settings = self.id_token(tool, **(start or {}))[DL + "deep_linking_settings"]
        now = datetime.now(UTC)
        return {
            "iss": tool["client_id"],
            "aud": [tool["platform"]["issuer"]],
            "iat": int(now.timestamp()),
            "exp": int((now + timedelta(minutes=10)).timestamp()),
            "nonce": f"nonce-{uuid.uuid4().hex}",
            LTI + "deployment_id": tool["deployment_id"],
            LTI + "message_type": "LtiDeepLinkingResponse",
            LTI + "version": "1.3.0",
            DL + "content_items": items,
            DL + "data": settings["data"],
            **overrides,
        }

    def post_return(self, token: str, caller: Caller | None = None) -> ApiResponse:
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        return (caller or self.anonymous()).request(
            "POST", RETURN, body=urlencode({"JWT": token}), headers=headers
        )


def resource(title: str = "Pointers quiz", **extra: Any) -> dict[str, Any]:
    return {"type": "ltiResourceLink", "title": title, "url": f"{TOOL}/launch", **extra}


@pytest.fixture(scope="module")
def world(stack: Stack, gateway: ApiGateway) -> World:
    tenant = Tenant(stack, gateway)
    admin, instructor, student = tenant.admin(), tenant.instructor(), tenant.student()
    keys = ToolKeys()
    keys.rotate()
    registered = admin.post("/lti/tools", registration(keys))
    assert registered.status == 201, registered.body
    course = create_course(instructor, title="Systems programming")
    section = add_section(instructor, course["id"])
    return World(tenant, admin, instructor, student, keys, registered.json(), course["id"], section["id"])


def test_an_instructor_starts_a_deep_link_and_the_tool_receives_its_settings(world: World) -> None:
    started = world.start()
    assert started.status == 200, started.body
    assert world.instructor.last_calls == expected_requests("POST", "/lti/deep-links")
    assert world.instructor.last_calls_of("kms") == expected_calls("kms", "POST", "/lti/deep-links")
    claims = world.id_token()
    assert claims[LTI + "message_type"] == "LtiDeepLinkingRequest"
    assert claims[LTI + "deployment_id"] == world.tool["deployment_id"]
    assert claims[LTI + "context"]["id"] == world.course_id
    assert LTI + "resource_link" not in claims
    settings = claims[DL + "deep_linking_settings"]
    assert settings["deep_link_return_url"] == world.tool["platform"]["issuer"] + RETURN
    assert settings["accept_types"] == ["ltiResourceLink"]
    assert settings["accept_presentation_document_targets"] == ["iframe", "window"]
    assert (settings["accept_multiple"], settings["auto_create"]) == (True, True)
    assert settings["data"]


def test_the_tools_resource_links_become_lessons_of_the_section(world: World) -> None:
    items = [
        resource(
            "Pointers quiz",
            custom={"exercise": "pointers-2"},
            lineItem={"scoreMaximum": 10, "label": "Pointers", "resourceId": "ptr-2", "tag": "quiz"},
        ),
        resource("Memory lab", url=f"{TOOL}/content"),
    ]
    token = world.keys.sign(world.answer(items))
    anonymous = world.anonymous()
    answered = world.post_return(token, anonymous)
    assert answered.status == 200, answered.body
    assert anonymous.last_calls == expected_requests("POST", "/lti/deep-links/return")
    assert anonymous.last_calls_of("kms") == expected_calls("kms", "POST", "/lti/deep-links/return")
    result = answered.json()
    assert (result["course_id"], result["section_id"]) == (world.course_id, world.section_id)
    assert [(lesson["title"], lesson["position"]) for lesson in result["lessons"]] == [
        ("Pointers quiz", 1),
        ("Memory lab", 2),
    ]
    first = world.instructor.get(f"/courses/{world.course_id}/lessons/{result['lessons'][0]['id']}").json()
    assert first["content_type"] == "lti"
    assert first["lti"] == {
        "tool_id": world.tool["id"],
        "custom": {"exercise": "pointers-2"},
        "url": f"{TOOL}/launch",
        "line_item": {"score_maximum": 10.0, "label": "Pointers", "resource_id": "ptr-2", "tag": "quiz"},
        "gradebook_category": None,
    }
    types = world.tenant.event_types()
    assert types[-4:] == ["LtiDeepLinkReturned", "CourseUpdated", "LessonAdded", "LessonAdded"]


def test_a_student_launches_a_linked_lesson_at_the_items_url(world: World) -> None:
    token = world.keys.sign(
        world.answer([resource("Heap lab", url=f"{TOOL}/content", custom={"lab": "heap"})])
    )
    lesson = world.post_return(token).json()["lessons"][0]
    publish(world.instructor, world.course_id)
    enroll(world.tenant, world.course_id, world.student)
    started = world.student.post("/lti/launches", {"course_id": world.course_id, "lesson_id": lesson["id"]})
    assert started.status == 200, started.body
    params = started.json()["params"]
    assert params["target_link_uri"] == f"{TOOL}/content"
    request = {
        "scope": "openid",
        "response_type": "id_token",
        "client_id": params["client_id"],
        "redirect_uri": f"{TOOL}/content",
        "login_hint": params["login_hint"],
        "lti_message_hint": params["lti_message_hint"],
        "nonce": uuid.uuid4().hex,
    }
    page = world.anonymous().get("/lti/authorize", query=request)
    assert page.status == 200, page.body
    token = unescape(re.search(r'name="id_token" value="([^"]*)"', page.body).group(1))  # type: ignore[union-attr]
    claims = jwt.decode(token, options={"verify_signature": False})
    assert claims[LTI + "resource_link"]["id"] == lesson["id"]
    assert claims[LTI + "target_link_uri"] == f"{TOOL}/content"
    assert claims[LTI + "custom"] == {"lab": "heap"}


def test_an_answer_with_no_items_adds_nothing(world: World) -> None:
    answered = world.post_return(world.keys.sign(world.answer([])))
    assert answered.status == 200, answered.body
    assert answered.json()["lessons"] == []


Tamper = Callable[[World, dict[str, Any]], str]


def _other_key(world: World, claims: dict[str, Any]) -> str:
    impostor = ToolKeys()
    impostor.rotate()
    return jwt.encode(claims, impostor.keys[impostor.published[0]], "RS256", {"kid": world.keys.published[0]})


def _changed_data(world: World, claims: dict[str, Any]) -> str:
    header, payload, signature = claims[DL + "data"].split(".")
    return world.keys.sign({**claims, DL + "data": f"{header}.{payload}x.{signature}"})


REFUSALS: dict[str, tuple[Tamper, int, str]] = {
    "bad-signature": (_other_key, 400, "lti-invalid-deep-link"),
    "wrong-audience": (
        lambda w, c: w.keys.sign({**c, "aud": "https://elsewhere.example"}),
        400,
        "lti-invalid-deep-link",
    ),
    "wrong-issuer": (lambda w, c: w.keys.sign({**c, "iss": "someone-else"}), 400, "lti-invalid-deep-link"),
    "expired": (
        lambda w, c: w.keys.sign({**c, "exp": int((datetime.now(UTC) - timedelta(minutes=1)).timestamp())}),
        400,
        "lti-invalid-deep-link",
    ),
    "no-nonce": (
        lambda w, c: w.keys.sign({k: v for k, v in c.items() if k != "nonce"}),
        400,
        "lti-invalid-deep-link",
    ),
    "unknown-deployment": (
        lambda w, c: w.keys.sign({**c, LTI + "deployment_id": "another-deployment"}),
        400,
        "lti-invalid-deep-link",
    ),
    "wrong-message-type": (
        lambda w, c: w.keys.sign({**c, LTI + "message_type": "LtiResourceLinkRequest"}),
        400,
        "lti-invalid-deep-link",
    ),
    "data-changed": (_changed_data, 400, "lti-invalid-deep-link"),
    "no-data": (
        lambda w, c: w.keys.sign({k: v for k, v in c.items() if k != DL + "data"}),
        400,
        "lti-invalid-deep-link",
    ),
    "not-a-jwt": (lambda w, c: "not-a-jwt", 400, "lti-invalid-deep-link"),
}


@pytest.mark.parametrize("case", sorted(REFUSALS))
def test_a_response_the_tool_did_not_sign_for_this_deep_link_is_refused(world: World, case: str) -> None:
    tamper, status, slug = REFUSALS[case]
    token = tamper(world, world.answer([resource()]))
    before = world.tenant.event_types()
    refused = world.post_return(token)
    problem(refused, status, slug)
    assert world.tenant.event_types() == before


@pytest.mark.parametrize(
    "item",
    [
        {"type": "link", "url": f"{TOOL}/page"},
        {"type": "html", "html": "<p>hi</p>"},
        resource(url="ftp://tool.example/launch"),
        resource(custom={"bad name": "x"}),
        resource(custom={"exercise": 3}),
        resource(lineItem={"scoreMaximum": 0}),
        resource(title="x" * 201),
    ],
    ids=["link", "html", "url", "custom-name", "custom-value", "score-maximum", "title"],
)
def test_content_items_the_platform_does_not_accept_are_refused(world: World, item: dict[str, Any]) -> None:
    refused = world.post_return(world.keys.sign(world.answer([resource("Fine"), item])))
    problem(refused, 422, "lti-unaccepted-content-item")


def test_more_items_than_one_deep_link_adds_are_refused(world: World) -> None:
    refused = world.post_return(world.keys.sign(world.answer([resource(f"Item {n}") for n in range(21)])))
    problem(refused, 422, "lti-unaccepted-content-item")


def test_a_replayed_response_is_refused(world: World) -> None:
    token = world.keys.sign(world.answer([resource("Once")]))
    assert world.post_return(token).status == 200
    problem(world.post_return(token), 400, "lti-replayed")


def test_a_second_answer_to_the_same_deep_link_is_refused(world: World) -> None:
    claims = world.answer([resource("First")])
    assert world.post_return(world.keys.sign(claims)).status == 200
    again = world.post_return(world.keys.sign({**claims, "nonce": uuid.uuid4().hex}))
    problem(again, 400, "lti-replayed")


def test_a_disabled_tools_answer_is_refused(world: World) -> None:
    tool = world.admin.post("/lti/tools", registration(world.keys, "Retired library")).json()
    claims = world.answer([resource()], tool=tool)
    assert world.admin.patch(f"/lti/tools/{tool['id']}", {"enabled": False}, version=1).status == 200
    problem(world.post_return(world.keys.sign(claims)), 403, "lti-tool-disabled")


def test_a_course_archived_meanwhile_takes_no_lessons(world: World) -> None:
    course = create_course(world.instructor, title="Retiring")
    section = add_section(world.instructor, course["id"])
    add_lesson(world.instructor, course["id"], section["id"])
    claims = world.answer([resource()], start={"course_id": course["id"], "section_id": section["id"]})
    publish(world.instructor, course["id"])
    assert world.instructor.post(f"/courses/{course['id']}/archive").status == 200
    refused = world.post_return(world.keys.sign(claims))
    assert refused.status == 409, refused.body


@pytest.mark.parametrize(
    ("who", "overrides", "status", "slug"),
    [
        ("student", {}, 403, "forbidden"),
        ("other-instructor", {}, 403, "lti-launch-forbidden"),
        ("instructor", {"section_id": "no-such-section"}, 404, "lti-section-not-found"),
        ("instructor", {"course_id": "no-such-course"}, 404, "lti-course-not-found"),
        ("instructor", {"tool_id": "no-such-tool"}, 404, "lti-tool-not-found"),
    ],
)
def test_only_the_courses_editors_start_a_deep_link_into_its_sections(
    world: World, who: str, overrides: dict[str, str], status: int, slug: str
) -> None:
    caller = {
        "student": world.student,
        "other-instructor": world.tenant.instructor(),
        "instructor": world.instructor,
    }[who]
    problem(world.start(caller, **overrides), status, slug)


def test_another_institutions_course_is_not_found(world: World, stack: Stack, gateway: ApiGateway) -> None:
    stranger = Tenant(stack, gateway).admin()
    problem(world.start(stranger), 404, "lti-course-not-found")


def test_an_admin_starts_a_deep_link_into_any_course_of_the_institution(world: World) -> None:
    assert world.start(world.admin).status == 200


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"course_id": "c", "section_id": "s"},
        {"course_id": "c", "section_id": "s", "tool_id": "t", "x": 1},
    ],
    ids=["empty", "no-tool", "unknown-field"],
)
def test_a_deep_link_start_with_missing_or_unknown_fields_is_refused(
    world: World, body: dict[str, Any]
) -> None:
    assert world.instructor.post("/lti/deep-links", body).status == 422


def test_a_return_without_the_jwt_field_is_refused(world: World) -> None:
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    refused = world.anonymous().request("POST", RETURN, body="id_token=x", headers=headers)
    problem(refused, 400, "lti-invalid-deep-link")


def test_keys_given_directly_rotate_by_updating_the_registration(world: World) -> None:
    keys = ToolKeys()
    old_kid = keys.rotate()
    tool = world.admin.post("/lti/tools", registration(keys, "Rotating library")).json()
    claims = world.answer([resource("Before")], tool=tool)
    new_kid = keys.rotate()
    stale = world.admin.patch(f"/lti/tools/{tool['id']}", {"jwks": keys.jwks()}, version=0)
    problem(stale, 412, "version-mismatch")
    rotated = world.admin.patch(f"/lti/tools/{tool['id']}", {"jwks": keys.jwks()}, version=1)
    assert rotated.status == 200, rotated.body
    assert [key["kid"] for key in rotated.json()["jwks"]["keys"]] == [new_kid]
    problem(world.post_return(keys.sign(claims, old_kid)), 400, "lti-invalid-deep-link")
    fresh = world.answer([resource("After")], tool=tool)
    assert world.post_return(keys.sign(fresh, new_kid)).status == 200


def test_a_tool_registered_with_a_pem_key_signs_without_a_kid(world: World) -> None:
    keys = ToolKeys()
    keys.rotate()
    body = {**registration(keys, "PEM library"), "public_key_pem": keys.pem()}
    del body["jwks"]
    tool = world.admin.post("/lti/tools", body).json()
    claims = world.answer([resource("From a PEM tool")], tool=tool)
    answered = world.post_return(keys.sign(claims, header_kid=False))
    assert answered.status == 200, answered.body


def test_the_line_item_a_tool_asked_for_is_the_linked_lessons_own(world: World) -> None:
    hint = {"scoreMaximum": 25, "label": "Heap quiz", "resourceId": "heap-quiz", "tag": "graded"}
    token = world.keys.sign(world.answer([resource("Heap lab", lineItem=hint)]))
    lesson = world.post_return(token).json()["lessons"][0]
    lesson_link = {"course_id": world.course_id, "lesson_id": lesson["id"]}
    login = world.instructor.post("/lti/launches", lesson_link).json()["params"]
    launch = {
        "scope": "openid",
        "response_type": "id_token",
        "client_id": login["client_id"],
        "redirect_uri": f"{TOOL}/launch",
        "login_hint": login["login_hint"],
        "lti_message_hint": login["lti_message_hint"],
        "nonce": uuid.uuid4().hex,
    }
    # Launched from the course: the tool's services may read it.
    assert world.anonymous().get("/lti/authorize", query=launch).status == 200
    now = datetime.now(UTC)
    assertion = world.keys.sign(
        {
            "iss": world.tool["client_id"],
            "sub": world.tool["client_id"],
            "aud": world.tool["platform"]["token_url"],
            "iat": int(now.timestamp()),
            "exp": int((now + timedelta(minutes=5)).timestamp()),
            "jti": uuid.uuid4().hex,
        }
    )
    form = {
        "grant_type": "client_credentials",
        "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
        "client_assertion": assertion,
        "scope": "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly",
    }
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    issued = world.anonymous().request("POST", "/lti/token", body=urlencode(form), headers=headers)
    assert issued.status == 200, issued.body
    bearer = {"Authorization": f"Bearer {issued.json()['access_token']}"}
    path = f"/lti/courses/{world.course_id}/lineitems/{lesson['id']}"
    line_item = world.anonymous().request("GET", path, headers=bearer)
    assert line_item.status == 200, line_item.body
    body = line_item.json()
    assert (body["scoreMaximum"], body["label"]) == (25, "Heap quiz")
    assert (body["resourceId"], body["tag"], body["resourceLinkId"]) == ("heap-quiz", "graded", lesson["id"])
