"""Scenarios of the LTI API (LtiFunction): tool registrations and the platform's public keys."""

from __future__ import annotations

import uuid
from typing import Any

from bench.invoke import Answer, ApiCall, Caller
from bench.scenarios.base import TRAIL, Scenario, if_match
from lms.lti.repository import TOOL_ENTITY

INSTITUTION = "bench-lti"
ADMIN = Caller("bench-lti-admin", INSTITUTION, ("institution-admins",))
TOOLS = "/lti/tools"
TOOL = TOOLS + "/{tool_id}"


def tool_body(serial: int | str) -> dict[str, Any]:
    return {
        "name": f"Coding lab {serial}",
        "jwks_url": "https://tool.example/.well-known/jwks.json",
        "oidc_login_url": "https://tool.example/lti/login",
        "redirect_uris": ["https://tool.example/lti/launch", "https://tool.example/lti/deep-link"],
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


LTI_SCENARIOS = (
    GetLtiPlatformKeys,
    RegisterLtiTool,
    RegisterLtiToolIdempotent,
    ListLtiTools,
    GetLtiTool,
    UpdateLtiTool,
)
