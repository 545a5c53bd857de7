"""LTI tool registrations and the platform's keys, through the gateway emulation."""

from __future__ import annotations

from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from bench.expectations import expected_requests
from infra.gateway import ApiResponse
from lms.lti.platform_keys import platform_keys
from tests.support.client import Caller, InProcess, problem
from tests.support.lti_services import ToolKeys
from tests.support.tenant import Tenant

TOOLS = "/lti/tools"


def registration(**overrides: Any) -> dict[str, Any]:
    return {
        "name": "Coding lab",
        "jwks_url": "https://tool.example/jwks",
        "oidc_login_url": "https://tool.example/login",
        "redirect_uris": ["https://tool.example/launch"],
        "target_link_uri": "https://tool.example/launch",
        **overrides,
    }


def registered(admin: Caller, **overrides: Any) -> dict[str, Any]:
    response = admin.post(TOOLS, registration(**overrides))
    assert response.status == 201, response.body
    body: dict[str, Any] = response.json()
    return body


def test_an_admin_registers_a_tool_and_gets_the_values_for_its_vendor(tenant: Tenant) -> None:
    admin = tenant.admin()
    response = admin.post(TOOLS, registration())
    assert response.status == 201, response.body
    tool = response.json()
    assert response.header("Location") == f"{TOOLS}/{tool['id']}"
    assert response.header("ETag") == '"1"'
    assert tool["enabled"] is True
    assert tool["client_id"].startswith(f"{tenant.institution_id}~")
    assert tool["deployment_id"]
    platform = tool["platform"]
    assert platform["client_id"] == tool["client_id"]
    assert platform["deployment_id"] == tool["deployment_id"]
    assert platform["jwks_url"] == platform["issuer"] + "/lti/jwks"
    assert admin.last_calls == expected_requests("POST", "/lti/tools")
    assert tenant.event_types() == ["LtiToolRegistered"]


def test_a_retried_registration_answers_the_first_one_and_registers_nothing_more(tenant: Tenant) -> None:
    admin = tenant.admin()
    key = {"Idempotency-Key": "register-lab-1"}
    first = admin.post(TOOLS, registration(), headers=key)
    again = admin.post(TOOLS, registration(), headers=key)
    assert again.status == 201
    assert again.header("Idempotent-Replayed") == "true"
    assert again.json() == first.json()
    assert admin.last_calls == expected_requests("POST", "/lti/tools", "Idempotency-Key replay")
    problem(admin.post(TOOLS, registration(name="Other"), headers=key), 422, "idempotency-key-reused")
    assert [t["id"] for t in admin.get(TOOLS).json()["items"]] == [first.json()["id"]]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("jwks_url", "http://tool.example/jwks"),
        ("oidc_login_url", "ftp://tool.example/login"),
        ("target_link_uri", "https://user:secret@tool.example/launch"),
        ("redirect_uris", []),
        ("redirect_uris", ["javascript:alert(1)"]),
        ("name", "   "),
        ("deployment_id", "mine"),
    ],
)
def test_a_registration_with_an_unusable_value_is_refused(tenant: Tenant, field: str, value: Any) -> None:
    body = problem(tenant.admin().post(TOOLS, registration(**{field: value})), 422, "validation-failed")
    assert field in {error["field"].split(".")[0] for error in body["errors"]}


def test_a_tool_registered_with_its_keys_answers_them_as_a_jwks(tenant: Tenant) -> None:
    keys = ToolKeys()
    kid = keys.rotate()
    by_jwks = registered(tenant.admin(), jwks_url=None, jwks=keys.jwks())
    assert by_jwks["jwks_url"] is None
    assert [(key["kid"], key["kty"]) for key in by_jwks["jwks"]["keys"]] == [(kid, "RSA")]
    by_pem = registered(tenant.admin(), jwks_url=None, public_key_pem=keys.pem())
    (key,) = by_pem["jwks"]["keys"]
    assert (key["n"], key["e"]) == (keys.jwks()["keys"][0]["n"], keys.jwks()["keys"][0]["e"])
    assert key["kid"]
    assert "d" not in key


def _private_jwk() -> dict[str, Any]:
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return {**RSAAlgorithm.to_jwk(private, as_dict=True), "kid": "leaked"}


def _short_jwk() -> dict[str, Any]:
    public = rsa.generate_private_key(public_exponent=65537, key_size=1024).public_key()  # noqa: S505 - the weak key refused
    return {**RSAAlgorithm.to_jwk(public, as_dict=True), "kid": "short"}


@pytest.mark.parametrize(
    "keys",
    [
        pytest.param({"jwks_url": None}, id="none"),
        pytest.param({"jwks": {"keys": []}}, id="jwks-and-url"),
        pytest.param({"jwks_url": None, "jwks": {"keys": []}}, id="empty-jwks"),
        pytest.param({"jwks_url": None, "jwks": {"keys": [_private_jwk()]}}, id="private-key"),
        pytest.param({"jwks_url": None, "jwks": {"keys": [_short_jwk()]}}, id="short-key"),
        pytest.param({"jwks_url": None, "jwks": {"keys": [{"kty": "EC", "kid": "e"}]}}, id="not-rsa"),
        pytest.param({"jwks_url": None, "jwks": {"keys": [{"kty": "RSA", "n": "x"}]}}, id="broken-rsa"),
        pytest.param({"jwks_url": None, "jwks": {"keys": ["text"]}}, id="not-a-jwk"),
        pytest.param(
            {"jwks_url": None, "public_key_pem": "-----BEGIN PUBLIC KEY-----\n" + "A" * 80}, id="bad-pem"
        ),
    ],
)
def test_keys_that_are_not_a_tools_public_keys_are_refused(tenant: Tenant, keys: dict[str, Any]) -> None:
    problem(tenant.admin().post(TOOLS, registration(**keys)), 422, "validation-failed")


def test_two_keys_without_their_own_kids_are_refused(tenant: Tenant) -> None:
    first, second = ToolKeys(), ToolKeys()
    first.rotate()
    second.rotate()
    jwks = {"keys": [{**first.jwks()["keys"][0], "kid": "same"}, {**second.jwks()["keys"][0], "kid": "same"}]}
    problem(tenant.admin().post(TOOLS, registration(jwks_url=None, jwks=jwks)), 422, "validation-failed")


def test_a_change_gives_the_keys_one_way_and_replaces_the_other(tenant: Tenant) -> None:
    admin = tenant.admin()
    tool = registered(admin)
    keys = ToolKeys()
    keys.rotate()
    path = f"{TOOLS}/{tool['id']}"
    both = {"jwks_url": "https://tool.example/keys", "jwks": keys.jwks()}
    problem(admin.patch(path, both, version=1), 422, "validation-failed")
    given = admin.patch(path, {"public_key_pem": keys.pem()}, version=1)
    assert given.status == 200, given.body
    assert (given.json()["jwks_url"], len(given.json()["jwks"]["keys"])) == (None, 1)
    assert tenant.events()[-1]["data"]["changed"] == ["jwks", "jwks_url"]
    back = admin.patch(path, {"jwks_url": "https://tool.example/keys"}, version=2)
    assert (back.json()["jwks_url"], back.json()["jwks"]) == ("https://tool.example/keys", None)


def test_a_tool_on_this_machine_may_use_plain_http(tenant: Tenant) -> None:
    local = "http://127.0.0.1:8123"
    tool = registered(
        tenant.admin(),
        jwks_url=f"{local}/jwks",
        oidc_login_url=f"{local}/login",
        redirect_uris=[f"{local}/launch"],
        target_link_uri=f"{local}/launch",
    )
    assert tool["oidc_login_url"] == f"{local}/login"


def test_only_admins_register_and_change_tools_and_students_read_none(tenant: Tenant) -> None:
    admin = tenant.admin()
    tool = registered(admin)
    instructor, student = tenant.instructor(), tenant.student()
    problem(instructor.post(TOOLS, registration()), 403, "forbidden")
    problem(instructor.patch(f"{TOOLS}/{tool['id']}", {"enabled": False}, version=1), 403, "forbidden")
    assert instructor.get(f"{TOOLS}/{tool['id']}").status == 200
    assert [t["id"] for t in instructor.get(TOOLS).json()["items"]] == [tool["id"]]
    problem(student.get(TOOLS), 403, "forbidden")
    problem(student.get(f"{TOOLS}/{tool['id']}"), 403, "forbidden")


def test_another_institutions_tool_is_not_found(tenant: Tenant, other_tenant: Tenant) -> None:
    tool = registered(tenant.admin())
    outsider = other_tenant.admin()
    problem(outsider.get(f"{TOOLS}/{tool['id']}"), 404, "lti-tool-not-found")
    problem(outsider.patch(f"{TOOLS}/{tool['id']}", {"enabled": False}, version=1), 404, "lti-tool-not-found")
    assert outsider.get(TOOLS).json()["items"] == []


def test_an_unknown_or_unsafe_tool_id_is_not_found(tenant: Tenant) -> None:
    admin = tenant.admin()
    problem(admin.get(f"{TOOLS}/01UNKNOWN"), 404, "lti-tool-not-found")
    assert admin.get(f"{TOOLS}/a%23b").status == 404


def test_reading_a_tool_takes_one_get_and_the_list_one_query(tenant: Tenant) -> None:
    admin = tenant.admin()
    tools = [registered(admin, name=f"Tool {n}")["id"] for n in range(3)]
    response = admin.get(f"{TOOLS}/{tools[0]}")
    assert response.header("ETag") == '"1"'
    assert admin.last_calls == expected_requests("GET", "/lti/tools/{tool_id}")
    first = admin.get(TOOLS, query={"limit": "2"}).json()
    assert admin.last_calls == expected_requests("GET", "/lti/tools")
    rest = admin.get(TOOLS, query={"limit": "2", "cursor": first["next_cursor"]}).json()
    assert [t["id"] for t in first["items"] + rest["items"]] == tools


def test_disabling_a_tool_is_a_versioned_change_with_its_event(tenant: Tenant) -> None:
    admin = tenant.admin()
    tool = registered(admin)
    path = f"{TOOLS}/{tool['id']}"
    problem(admin.patch(path, {"enabled": False}), 428, "if-match-required")
    problem(admin.patch(path, {"enabled": False}, version=7), 412, "version-mismatch")
    response = admin.patch(path, {"enabled": False, "name": "Coding lab (old)"}, version=1)
    assert response.status == 200, response.body
    assert admin.last_calls == expected_requests("PATCH", "/lti/tools/{tool_id}")
    changed = response.json()
    assert (changed["enabled"], changed["name"], changed["version"]) == (False, "Coding lab (old)", 2)
    assert (changed["client_id"], changed["deployment_id"]) == (tool["client_id"], tool["deployment_id"])
    problem(admin.patch(path, {"enabled": True}, version=1), 412, "version-mismatch")
    change = tenant.events()[-1]
    assert change["type"] == "lms.lti.LtiToolChanged.v1"
    assert change["data"] == {"tool_id": tool["id"], "changed": ["enabled", "name"], "enabled": False}


@pytest.mark.parametrize(
    "patch", [{}, {"enabled": None}, {"client_id": "mine"}, {"redirect_uris": ["http://evil.example/"]}]
)
def test_a_change_that_cannot_apply_is_refused(tenant: Tenant, patch: dict[str, Any]) -> None:
    admin = tenant.admin()
    tool = registered(admin)
    problem(admin.patch(f"{TOOLS}/{tool['id']}", patch, version=1), 422, "validation-failed")


def jwks(tenant: Tenant) -> ApiResponse:
    return Caller(InProcess(tenant.gateway), None).get("/lti/jwks")


def test_the_platform_keys_are_public_and_verify_what_the_platform_signs(tenant: Tenant) -> None:
    response = jwks(tenant)
    assert response.status == 200, response.body
    keys = response.json()["keys"]
    assert [(k["kty"], k["alg"], k["use"]) for k in keys] == [("RSA", "RS256", "sig")] * 2
    assert keys[0]["kid"] != keys[1]["kid"]
    token = platform_keys().sign({"iss": "https://platform.example", "sub": "someone"})
    assert jwt.get_unverified_header(token)["kid"] == keys[0]["kid"]
    signer = jwt.PyJWK(keys[0])
    assert jwt.decode(token, signer, algorithms=["RS256"])["sub"] == "someone"
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(token, jwt.PyJWK(keys[1]), algorithms=["RS256"])


def test_a_message_longer_than_what_kms_signs_raw_is_signed_by_its_digest(tenant: Tenant) -> None:
    keys = jwks(tenant).json()["keys"]
    custom = {f"parameter_{n}": "v" * 256 for n in range(20)}
    token = platform_keys().sign({"iss": "https://platform.example", "sub": "someone", "custom": custom})
    assert len(token.rsplit(".", 1)[0]) > 4096
    assert jwt.decode(token, jwt.PyJWK(keys[0]), algorithms=["RS256"])["custom"] == custom


def test_the_platform_keys_are_read_from_kms_once_per_container(tenant: Tenant) -> None:
    jwks(tenant)
    caller = Caller(InProcess(tenant.gateway), None)
    assert caller.get("/lti/jwks").status == 200
    assert caller.last_aws_calls == {}
