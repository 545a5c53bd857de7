"""Scenarios of the LTI API (LtiFunction): tool registrations, the platform's public keys, launches,
deep links and the services."""

from __future__ import annotations

import html
import json
import re
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlencode

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from bench.invoke import Answer, ApiCall, Caller
from bench.scenarios.base import TRAIL, Scenario, if_match
from bench.scenarios.courses import COURSE, INSTITUTION, INSTRUCTOR, course_body
from bench.scenarios.enrollment import ENROLLMENTS, learner
from lms.lti.repository import LAUNCH_ENTITY, TOOL_ENTITY, USED_ENTITY
from lms.lti.tokens import NRPS_SCOPE

# The courses' institution: a launch opens a lesson of one of its courses.
ADMIN = Caller("bench-lti-admin", INSTITUTION, ("institution-admins",))
LEARNER = learner("lti")
TOOLS = "/lti/tools"
TOOL = TOOLS + "/{tool_id}"
LAUNCHES = "/lti/launches"
AUTHORIZE = "/lti/authorize"
TOOL_URL = "https://tool.example"
FORM = {"Content-Type": "application/x-www-form-urlencoded"}
DEEP_LINKS = "/lti/deep-links"
LTI_CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"
DL = "https://purl.imsglobal.org/spec/lti-dl/claim/"


def tool_body(serial: int | str) -> dict[str, Any]:
    return {
        "name": f"Coding lab {serial}",
        "jwks_url": "https://tool.example/.well-known/jwks.json",
        "oidc_login_url": "https://tool.example/lti/login",
        "redirect_uris": [f"{TOOL_URL}/lti/launch", f"{TOOL_URL}/lti/deep-link"],
        "target_link_uri": "https://tool.example/lti/launch",
    }


class _Tools(Scenario):
    def register(self, serial: int | str) -> dict[str, str]:
        made = self.send(ApiCall("POST", TOOLS, ADMIN, body=tool_body(serial)), 201)
        return {"tool_id": made.json()["id"]}


class GetLtiPlatformKeys(_Tools):
    """Public: the keys' public halves are read from KMS once per container."""

    method, path = "GET", "/lti/jwks"

    def next_call(self, index: int) -> ApiCall:
        return ApiCall("GET", self.path, None)


class RegisterLtiTool(_Tools):
    method, path, status = "POST", TOOLS, 201
    disposable = TRAIL | {TOOL_ENTITY}

    def next_call(self, index: int) -> ApiCall:
        return ApiCall("POST", TOOLS, ADMIN, body=tool_body(index))


class RegisterLtiToolIdempotent(RegisterLtiTool):
    variant = "Idempotency-Key"

    def next_call(self, index: int) -> ApiCall:
        key = {"Idempotency-Key": f"tool-{uuid.uuid4().hex}"}
        return ApiCall("POST", TOOLS, ADMIN, body=tool_body(index), headers=key)


class ListLtiTools(_Tools):
    method, path = "GET", TOOLS

    def setup(self) -> None:
        for serial in range(self.page_size + 1):
            self.register(serial)

    def next_call(self, index: int) -> ApiCall:
        return ApiCall("GET", TOOLS, ADMIN, query=self.page_query())


class GetLtiTool(_Tools):
    method, path = "GET", TOOL

    def setup(self) -> None:
        self.params = self.register("read")

    def next_call(self, index: int) -> ApiCall:
        return ApiCall("GET", TOOL, ADMIN, self.params)


class UpdateLtiTool(_Tools):
    method, path = "PATCH", TOOL

    def setup(self) -> None:
        self.params = self.register("changed")
        self.version = 1

    def next_call(self, index: int) -> ApiCall:
        body = {"name": f"Coding lab, edition {index}"}
        return ApiCall("PATCH", TOOL, ADMIN, self.params, body, if_match(self.version))

    def after(self, answer: Answer) -> None:
        self.version = answer.json()["version"]


class _Launches(_Tools):
    """A published course with an lti lesson of a registered tool, and a student enrolled in it."""

    def setup(self) -> None:
        tool_id = self.register("launched")["tool_id"]
        course_id = self.send(ApiCall("POST", "/courses", INSTRUCTOR, body=course_body(0)), 201).json()["id"]
        params = {"course_id": course_id}
        section = self.send(ApiCall("POST", COURSE + "/sections", INSTRUCTOR, params, {"title": "Labs"}), 201)
        lesson = {
            "section_id": section.json()["id"],
            "title": "Pointer lab",
            "content_type": "lti",
            "lti": {"tool_id": tool_id, "custom": {"exercise": "pointers-1", "attempts": "3"}},
            "duration_minutes": 30,
        }
        made = self.send(ApiCall("POST", COURSE + "/lessons", INSTRUCTOR, params, lesson), 201)
        self.send(ApiCall("POST", COURSE + "/publish", INSTRUCTOR, params), 200)
        self.send(ApiCall("POST", ENROLLMENTS, LEARNER, params), 201)
        self.launch = {"course_id": course_id, "lesson_id": made.json()["id"]}

    def login(self) -> dict[str, str]:
        """The tool's authentication request after the login initiation (a fresh hint and nonce)."""
        start = self.send(ApiCall("POST", LAUNCHES, LEARNER, body=self.launch), 200).json()["params"]
        return {
            "scope": "openid",
            "response_type": "id_token",
            "response_mode": "form_post",
            "prompt": "none",
            "client_id": start["client_id"],
            "redirect_uri": f"{TOOL_URL}/lti/launch",
            "login_hint": start["login_hint"],
            "lti_message_hint": start["lti_message_hint"],
            "state": f"state-{uuid.uuid4().hex}",
            "nonce": uuid.uuid4().hex,
        }


class _ToolJwks:
    """The tool's key and its JWKS, served over HTTP on this machine as a tool serves it."""

    def __init__(self) -> None:
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        jwk = {**RSAAlgorithm.to_jwk(self.key.public_key(), as_dict=True), "kid": "bench", "alg": "RS256"}
        body = json.dumps({"keys": [jwk]}).encode()

        class Jwks(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Jwks)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_port}/jwks"

    def assertion(self, client_id: str, token_url: str) -> str:
        now = int(time.time())
        claims = {"iss": client_id, "sub": client_id, "aud": token_url, "iat": now, "exp": now + 300}
        return jwt.encode(
            {**claims, "jti": uuid.uuid4().hex}, self.key, algorithm="RS256", headers={"kid": "bench"}
        )


class _Services(_Launches):
    """A tool whose keys the platform reads over HTTP, launched once from the course."""

    def setup(self) -> None:
        self.jwks = _ToolJwks()
        body = {**tool_body("services"), "jwks_url": self.jwks.url}
        self.tool = self.send(ApiCall("POST", TOOLS, ADMIN, body=body), 201).json()
        super().setup()
        self.send(ApiCall("GET", AUTHORIZE, None, query=self.login()), 200)

    def register(self, serial: int | str) -> dict[str, str]:
        return {"tool_id": self.tool["id"]} if serial == "launched" else super().register(serial)

    def token_form(self) -> str:
        platform = self.tool["platform"]
        return urlencode(
            {
                "grant_type": "client_credentials",
                "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
                "client_assertion": self.jwks.assertion(self.tool["client_id"], platform["token_url"]),
                "scope": NRPS_SCOPE,
            }
        )


class IssueLtiAccessToken(_Services):
    """The platform fetches the tool's JWKS (HTTP, not counted) to verify the client assertion."""

    method, path = "POST", "/lti/token"
    disposable = TRAIL | {USED_ENTITY, LAUNCH_ENTITY}

    def next_call(self, index: int) -> ApiCall:
        return ApiCall("POST", self.path, None, raw_body=self.token_form(), headers=FORM)


class ListLtiMemberships(_Services):
    """A page of the course's members: its instructor and a page of students, with their names."""

    method, path = "GET", "/lti/courses/{course_id}/memberships"

    def setup(self) -> None:
        super().setup()
        for serial in range(self.page_size):
            self.send(
                ApiCall(
                    "POST", ENROLLMENTS, learner(f"lti-{serial}"), {"course_id": self.launch["course_id"]}
                ),
                201,
            )
        answer = self.send(ApiCall("POST", "/lti/token", None, raw_body=self.token_form(), headers=FORM), 200)
        self.bearer = {"Authorization": f"Bearer {answer.json()['access_token']}"}

    def next_call(self, index: int) -> ApiCall:
        params = {"course_id": self.launch["course_id"]}
        return ApiCall("GET", self.path, None, params, headers=self.bearer, query=self.page_query())


class StartLtiLaunch(_Launches):
    method, path = "POST", LAUNCHES

    def next_call(self, index: int) -> ApiCall:
        return ApiCall("POST", LAUNCHES, LEARNER, body=self.launch)


class AuthorizeLtiLaunch(_Launches):
    method, path = "GET", AUTHORIZE
    disposable = TRAIL | {USED_ENTITY, LAUNCH_ENTITY}

    def next_call(self, index: int) -> ApiCall:
        return ApiCall("GET", AUTHORIZE, None, query=self.login())


class AuthorizeLtiLaunchByForm(_Launches):
    method, path = "POST", AUTHORIZE
    disposable = TRAIL | {USED_ENTITY, LAUNCH_ENTITY}

    def next_call(self, index: int) -> ApiCall:
        return ApiCall("POST", AUTHORIZE, None, raw_body=urlencode(self.login()), headers=FORM)


class _DeepLinks(_Tools):
    """A draft course with a section, and a tool whose public key its registration holds."""

    lessons_per_course = 100  # a fresh course before the outline's limit (500 lessons)

    def setup(self) -> None:
        self.tool_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        jwk = {
            **RSAAlgorithm.to_jwk(self.tool_key.public_key(), as_dict=True),
            "kid": "bench",
            "alg": "RS256",
        }
        body = {name: value for name, value in tool_body("linking").items() if name != "jwks_url"}
        body["jwks"] = {"keys": [jwk]}
        self.tool = self.send(ApiCall("POST", TOOLS, ADMIN, body=body), 201).json()
        self.new_course()

    def new_course(self) -> None:
        course_id = self.send(ApiCall("POST", "/courses", INSTRUCTOR, body=course_body(0)), 201).json()["id"]
        params = {"course_id": course_id}
        section = self.send(ApiCall("POST", COURSE + "/sections", INSTRUCTOR, params, {"title": "Labs"}), 201)
        self.start = {"course_id": course_id, "section_id": section.json()["id"], "tool_id": self.tool["id"]}

    def response(self) -> str:
        """The tool's signed answer to a fresh deep link: one resource link, the `data` returned."""
        params = self.send(ApiCall("POST", DEEP_LINKS, INSTRUCTOR, body=self.start), 200).json()["params"]
        login = {
            "scope": "openid",
            "response_type": "id_token",
            "client_id": params["client_id"],
            "redirect_uri": f"{TOOL_URL}/lti/deep-link",
            "login_hint": params["login_hint"],
            "lti_message_hint": params["lti_message_hint"],
            "nonce": uuid.uuid4().hex,
        }
        page = self.send(ApiCall("GET", AUTHORIZE, None, query=login), 200).body
        id_token = html.unescape(re.findall(r'name="id_token" value="([^"]*)"', page)[0])
        settings = jwt.decode(id_token, options={"verify_signature": False})[DL + "deep_linking_settings"]
        now = int(time.time())
        claims = {
            "iss": self.tool["client_id"],
            "aud": self.tool["platform"]["issuer"],
            "iat": now,
            "exp": now + 600,
            "nonce": uuid.uuid4().hex,
            LTI_CLAIM + "deployment_id": self.tool["deployment_id"],
            LTI_CLAIM + "message_type": "LtiDeepLinkingResponse",
            LTI_CLAIM + "version": "1.3.0",
            DL + "content_items": [
                {"type": "ltiResourceLink", "title": "Heap lab", "custom": {"exercise": "heap-1"}}
            ],
            DL + "data": settings["data"],
        }
        return jwt.encode(claims, self.tool_key, algorithm="RS256", headers={"kid": "bench"})


class StartLtiDeepLink(_DeepLinks):
    method, path = "POST", DEEP_LINKS

    def next_call(self, index: int) -> ApiCall:
        return ApiCall("POST", DEEP_LINKS, INSTRUCTOR, body=self.start)


class ReturnLtiDeepLink(_DeepLinks):
    """The tool's keys are the registration's (no JWKS fetched); the item becomes a lesson."""

    method, path = "POST", DEEP_LINKS + "/return"
    disposable = TRAIL | {USED_ENTITY, LAUNCH_ENTITY}

    def next_call(self, index: int) -> ApiCall:
        if index and index % self.lessons_per_course == 0:
            self.new_course()
        form = urlencode({"JWT": self.response()})
        return ApiCall("POST", self.path, None, raw_body=form, headers=FORM)


LTI_SCENARIOS = (
    GetLtiPlatformKeys,
    RegisterLtiTool,
    RegisterLtiToolIdempotent,
    ListLtiTools,
    GetLtiTool,
    UpdateLtiTool,
    StartLtiLaunch,
    AuthorizeLtiLaunch,
    AuthorizeLtiLaunchByForm,
    IssueLtiAccessToken,
    ListLtiMemberships,
    StartLtiDeepLink,
    ReturnLtiDeepLink,
)
