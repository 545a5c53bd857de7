"""Institutions (platform admins) and the audit trail through the gateway emulation."""

from __future__ import annotations

import uuid
from typing import Any

import boto3
import pytest

from bench.expectations import expected_requests
from infra.gateway import ApiGateway
from infra.provision import Stack
from tests.support.client import Caller, InProcess, problem
from tests.support.people import create_institution, institution_body, invite
from tests.support.tenant import PASSWORD, Tenant


def tenant_of(stack: Stack, gateway: ApiGateway, institution_id: str) -> Tenant:
    tenant = Tenant(stack, gateway)
    tenant.institution_id = institution_id
    return tenant


def institution_items(tenant: Tenant) -> list[str]:
    return sorted(str(i["entity"]) for i in tenant.items())


# ---------------------------------------------------------------- create


def test_a_platform_admin_creates_an_institution(tenant: Tenant, stack: Stack, gateway: ApiGateway) -> None:
    platform = tenant.platform_admin()
    body = institution_body()
    response = platform.post("/institutions", body)

    assert response.status == 201, response.body
    created = response.json()
    assert {k: created[k] for k in body} == body
    assert created["version"] == 1
    assert response.header("ETag") == '"1"'
    assert response.header("Location") == f"/institutions/{created['id']}"
    assert platform.last_calls == expected_requests("POST", "/institutions")
    new = tenant_of(stack, gateway, created["id"])
    assert institution_items(new) == ["audit", "institution", "outbox"]
    assert new.event_types() == ["InstitutionCreated"]
    assert new.events()[0]["institution_id"] == created["id"]
    [entry] = [i for i in new.items() if i["entity"] == "audit"]
    assert (entry["action"], entry["actor_id"], entry["resource"]) == (
        "CreateInstitution",
        platform.user_id,
        f"institutions/{created['id']}",
    )


def test_a_slug_is_unique_on_the_platform(tenant: Tenant) -> None:
    platform = tenant.platform_admin()
    first = create_institution(platform)
    response = platform.post("/institutions", institution_body(slug=first["slug"], name="Copy"))
    problem(response, 409, "slug-taken")
    names = [i["name"] for i in all_institutions(platform)]
    assert "Copy" not in names


@pytest.mark.parametrize(
    ("change", "status", "slug"),
    [
        ({"timezone": "Mars/Olympus_Mons"}, 422, "invalid-timezone"),
        ({"timezone": "../etc/passwd"}, 422, "validation-failed"),
        ({"slug": "Has Spaces"}, 422, "validation-failed"),
        ({"slug": None}, 422, "validation-failed"),
        ({"name": ""}, 422, "validation-failed"),
        ({"default_locale": "english"}, 422, "validation-failed"),
        ({"id": "chosen-by-me"}, 422, "validation-failed"),
    ],
)
def test_an_invalid_institution_is_refused(
    tenant: Tenant, change: dict[str, Any], status: int, slug: str
) -> None:
    platform = tenant.platform_admin()
    body = institution_body(**change)
    problem(platform.post("/institutions", body), status, slug)
    assert body.get("slug") not in [i["slug"] for i in all_institutions(platform)]


@pytest.mark.parametrize("role", ["institution-admins", "instructors", "students"])
def test_only_platform_admins_create_institutions(tenant: Tenant, role: str) -> None:
    caller = tenant.user(role)
    problem(caller.post("/institutions", institution_body()), 403, "forbidden")
    problem(caller.get("/institutions"), 403, "forbidden")
    assert tenant.items() == []


def test_a_platform_admin_has_no_institution_so_tenant_operations_are_refused(tenant: Tenant) -> None:
    platform = tenant.platform_admin()
    for path in ("/courses", "/users/me", "/users"):
        body = problem(platform.get(path), 403, "forbidden")
        assert body["detail"]


# ---------------------------------------------------------------- read, list, edit


def all_institutions(platform: Caller) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    cursor = None
    while True:
        page = platform.get("/institutions", query={"limit": "100", **({"cursor": cursor} if cursor else {})})
        assert page.status == 200, page.body
        assert platform.last_calls == expected_requests("GET", "/institutions")
        found += page.json()["items"]
        cursor = page.json()["next_cursor"]
        if not cursor:
            return found


def test_institutions_are_listed_by_slug_one_query_per_page(tenant: Tenant) -> None:
    platform = tenant.platform_admin()
    prefix = f"list-{uuid.uuid4().hex[:8]}"
    made = [create_institution(platform, slug=f"{prefix}-{n}")["id"] for n in range(3)]
    mine = [i["id"] for i in all_institutions(platform) if i["slug"].startswith(prefix)]
    assert mine == made
    first = platform.get("/institutions", query={"limit": "1"})
    assert len(first.json()["items"]) == 1
    assert first.json()["next_cursor"]
    problem(platform.get("/institutions", query={"cursor": "garbage"}), 400, "invalid-cursor")


def test_an_institution_admin_reads_their_own_institution_only(
    tenant: Tenant, stack: Stack, gateway: ApiGateway
) -> None:
    platform = tenant.platform_admin()
    created = create_institution(platform)
    other = create_institution(platform)
    admin = tenant_of(stack, gateway, created["id"]).admin()
    own = admin.get(f"/institutions/{created['id']}")
    assert own.status == 200
    assert own.json()["slug"] == created["slug"]
    assert admin.last_calls == expected_requests("GET", "/institutions/{institution_id}")
    problem(admin.get(f"/institutions/{other['id']}"), 404, "institution-not-found")
    problem(platform.get("/institutions/01UNKNOWN"), 404, "institution-not-found")
    problem(admin.patch(f"/institutions/{created['id']}", {"name": "Mine"}, version=1), 403, "forbidden")


def test_a_platform_admin_edits_an_institution_with_if_match(
    tenant: Tenant, stack: Stack, gateway: ApiGateway
) -> None:
    platform = tenant.platform_admin()
    created = create_institution(platform)
    path = f"/institutions/{created['id']}"
    response = platform.patch(path, {"name": "Renamed", "timezone": "Asia/Tokyo"}, version=1)
    assert response.status == 200, response.body
    assert (response.json()["name"], response.json()["timezone"], response.json()["version"]) == (
        "Renamed",
        "Asia/Tokyo",
        2,
    )
    assert platform.last_calls == expected_requests("PATCH", "/institutions/{institution_id}")
    problem(platform.patch(path, {"name": "Stale"}, version=1), 412, "version-mismatch")
    problem(platform.patch(path, {"name": "No version"}), 428, "if-match-required")
    problem(platform.patch(path, {"slug": "new-slug"}, version=2), 422, "validation-failed")
    problem(platform.patch(path, {"timezone": "Nowhere/Land"}, version=2), 422, "invalid-timezone")
    new = tenant_of(stack, gateway, created["id"])
    assert new.event_types() == ["InstitutionCreated", "InstitutionUpdated"]
    assert platform.get(path).json()["name"] == "Renamed"


# ---------------------------------------------------------------- the first admin


def test_a_platform_admin_invites_the_first_admin_who_then_runs_the_institution(
    tenant: Tenant, stack: Stack, gateway: ApiGateway
) -> None:
    platform = tenant.platform_admin()
    created = create_institution(platform)
    email = f"first-admin-{uuid.uuid4().hex[:8]}@example.org"
    body = {"email": email, "given_name": "Fay", "family_name": "First"}
    response = platform.post(f"/institutions/{created['id']}/admins", body)
    assert response.status == 201, response.body
    admin_view = response.json()
    assert (admin_view["role"], admin_view["status"]) == ("institution-admin", "active")
    assert admin_view["temporary_password"]
    assert platform.last_calls == expected_requests("POST", "/institutions/{institution_id}/admins")

    cognito = boto3.client("cognito-idp", region_name=stack.region)
    cognito.admin_set_user_password(
        UserPoolId=stack.user_pool_id, Username=admin_view["id"], Password=PASSWORD, Permanent=True
    )
    token = cognito.admin_initiate_auth(
        UserPoolId=stack.user_pool_id,
        ClientId=stack.user_pool_client_id,
        AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": email, "PASSWORD": PASSWORD},
    )["AuthenticationResult"]["IdToken"]
    first_admin = Caller(InProcess(gateway), token, admin_view["id"], "institution-admins", created["id"])
    assert first_admin.get(f"/institutions/{created['id']}").status == 200
    new = tenant_of(stack, gateway, created["id"])
    invited = invite(first_admin, new, "instructor")
    assert first_admin.get(f"/users/{invited['id']}").status == 200
    problem(platform.post("/institutions/01UNKNOWN/admins", body), 404, "institution-not-found")
    problem(first_admin.post(f"/institutions/{created['id']}/admins", body), 403, "forbidden")


# ---------------------------------------------------------------- audit trail


def test_the_audit_trail_lists_admin_actions_newest_first_with_a_cursor(
    tenant: Tenant, other_tenant: Tenant
) -> None:
    admin = tenant.admin()
    user = invite(admin, tenant, "student")
    assert admin.patch(f"/users/{user['id']}/role", {"role": "instructor"}, version=1).status == 200
    assert admin.post(f"/users/{user['id']}/suspend", headers={"X-Request-Note": "x"}).status == 200

    response = admin.get(f"/institutions/{tenant.institution_id}/audit-events")
    assert response.status == 200, response.body
    assert admin.last_calls == expected_requests("GET", "/institutions/{institution_id}/audit-events")
    entries = response.json()["items"]
    assert [e["action"] for e in entries] == ["SuspendUser", "ChangeUserRole", "InviteUser"]
    newest = entries[0]
    assert (newest["actor_id"], newest["resource"], newest["subject_user_id"]) == (
        admin.user_id,
        f"users/{user['id']}",
        user["id"],
    )
    assert newest["request_id"]
    assert newest["occurred_at"].endswith("Z")
    assert entries[1]["details"] == {"from": "student", "to": "instructor"}

    first = admin.get(f"/institutions/{tenant.institution_id}/audit-events", query={"limit": "2"}).json()
    rest = admin.get(
        f"/institutions/{tenant.institution_id}/audit-events", query={"cursor": first["next_cursor"]}
    ).json()
    assert [e["id"] for e in first["items"] + rest["items"]] == [e["id"] for e in entries]

    problem(
        admin.get(f"/institutions/{other_tenant.institution_id}/audit-events"), 404, "institution-not-found"
    )
    problem(tenant.instructor().get(f"/institutions/{tenant.institution_id}/audit-events"), 403, "forbidden")


def test_audit_entries_cannot_be_changed_through_the_api(tenant: Tenant) -> None:
    admin = tenant.admin()
    invite(admin, tenant)
    path = f"/institutions/{tenant.institution_id}/audit-events"
    entry = admin.get(path).json()["items"][0]
    for method in ("PATCH", "DELETE", "PUT", "POST"):
        assert admin.request(method, f"{path}/{entry['id']}").status in (403, 404)
        assert admin.request(method, path).status in (403, 404)
    assert admin.get(path).json()["items"] == [entry]


def test_a_platform_admin_reads_any_institution_s_trail(
    tenant: Tenant, stack: Stack, gateway: ApiGateway
) -> None:
    platform = tenant.platform_admin()
    created = create_institution(platform)
    trail = platform.get(f"/institutions/{created['id']}/audit-events")
    assert trail.status == 200
    assert [e["action"] for e in trail.json()["items"]] == ["CreateInstitution"]
    problem(platform.get("/institutions/01UNKNOWN/audit-events"), 404, "institution-not-found")
