"""A tool's side of the LTI Advantage services in tests: its keys served as a JWKS over HTTP, its
client assertions, access tokens, and a course it was launched from."""

from __future__ import annotations

import json
import re
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlencode

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from infra.gateway import ApiResponse
from tests.support.client import Caller, InProcess
from tests.support.courses import add_lesson, add_section, create_course, publish
from tests.support.tenant import Tenant

JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"


@dataclass
class ToolKeys:
    """The tool's key pairs by kid; its JWKS lists those still `published`."""

    keys: dict[str, rsa.RSAPrivateKey] = field(default_factory=dict)
    published: list[str] = field(default_factory=list)

    def rotate(self) -> str:
        kid = uuid.uuid4().hex
        self.keys[kid] = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.published = [kid]
        return kid

    def jwks(self) -> dict[str, Any]:
        keys = []
        for kid in self.published:
            jwk = RSAAlgorithm.to_jwk(self.keys[kid].public_key(), as_dict=True)
            keys.append({**jwk, "kid": kid, "alg": "RS256", "use": "sig"})
        return {"keys": keys}

    def pem(self, kid: str | None = None) -> str:
        """A public key in PEM, as a tool without a JWKS URL gives it."""
        public = self.keys[kid or self.published[0]].public_key()
        return public.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        ).decode()

    def sign(self, claims: dict[str, Any], kid: str | None = None, header_kid: bool = True) -> str:
        kid = kid or self.published[0]
        headers = {"kid": kid} if header_kid else None
        return jwt.encode(claims, self.keys[kid], algorithm="RS256", headers=headers)


@contextmanager
def served_jwks() -> Iterator[tuple[ToolKeys, str]]:
    """A tool's keys and the URL of its JWKS, served from this process while the block runs."""
    keys = ToolKeys()
    keys.rotate()

    class Jwks(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = json.dumps(keys.jwks()).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Jwks)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield keys, f"http://127.0.0.1:{server.server_port}/jwks"
    finally:
        server.shutdown()


@dataclass
class LaunchedTool:
    """A registered tool, launched once from a published course with an `lti` lesson of it."""

    tenant: Tenant
    tool: dict[str, Any]
    keys: ToolKeys
    course_id: str
    lesson_id: str
    id_token: str = ""

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

    def ask_token(self, scope: str, assertion: str | None = None, **form: str) -> ApiResponse:
        body = {
            "grant_type": "client_credentials",
            "client_assertion_type": JWT_BEARER,
            "client_assertion": assertion or self.assertion(),
            "scope": scope,
            **form,
        }
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        return self.anonymous().request("POST", "/lti/token", body=urlencode(body), headers=headers)

    def token(self, scope: str) -> str:
        response = self.ask_token(scope)
        assert response.status == 200, response.body
        token: str = response.json()["access_token"]
        return token


def register_and_launch(
    tenant: Tenant, admin: Caller, instructor: Caller, keys: ToolKeys, jwks_url: str
) -> LaunchedTool:
    """Register a tool with these keys, add an `lti` lesson of it to a new course, and launch it once."""
    registration = {
        "name": "Roster reader",
        "jwks_url": jwks_url,
        "oidc_login_url": "https://tool.example/login",
        "redirect_uris": ["https://tool.example/launch"],
        "target_link_uri": "https://tool.example/launch",
    }
    tool = admin.post("/lti/tools", registration).json()
    course = create_course(instructor, title="Networks")
    section = add_section(instructor, course["id"])
    lesson = add_lesson(
        instructor,
        course["id"],
        section["id"],
        "Packet lab",
        content_type="lti",
        content=None,
        lti={"tool_id": tool["id"]},
    )
    publish(instructor, course["id"])
    login = instructor.post("/lti/launches", {"course_id": course["id"], "lesson_id": lesson["id"]}).json()[
        "params"
    ]
    request = {
        "scope": "openid",
        "response_type": "id_token",
        "client_id": login["client_id"],
        "redirect_uri": "https://tool.example/launch",
        "login_hint": login["login_hint"],
        "lti_message_hint": login["lti_message_hint"],
        "nonce": uuid.uuid4().hex,
    }
    launched = Caller(InProcess(tenant.gateway), None).get("/lti/authorize", query=request)
    assert launched.status == 200, launched.body
    id_token = re.search(r'name="id_token" value="([^"]+)"', launched.body)
    assert id_token is not None, launched.body
    return LaunchedTool(tenant, tool, keys, course["id"], lesson["id"], id_token.group(1))
