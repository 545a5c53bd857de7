"""People of an institution through the gateway emulation: invitations, roles, suspension, own profile."""

from __future__ import annotations

from typing import Any

import pytest

from bench.expectations import expected_requests
from infra.provision import Stack
from infra.template import TEMPLATE
from tests.support.client import problem
from tests.support.people import accounts_with_email, cognito, entities, groups_of, invitation, invite
from tests.support.tenant import PASSWORD, Tenant


def audit_actions(tenant: Tenant) -> list[str]:
    entries = sorted((i for i in tenant.items() if i["entity"] == "audit"), key=lambda i: str(i["SK"]))
    return [str(i["action"]) for i in entries]


# ---------------------------------------------------------------- invite


def test_an_admin_invites_a_person_with_an_account_and_a_profile_in_one_transaction(tenant: Tenant) -> None:
    admin = tenant.admin()
    body = invitation(tenant, "instructor", email="Grace.Hopper@Example.org")
    response = admin.post("/users", body)

    assert response.status == 201, response.body
    user = response.json()
    assert user["email"] == "grace.hopper@example.org"
    assert (user["role"], user["status"], user["version"]) == ("instructor", "active", 1)
    assert user["display_name"] == "Grace Hopper"
    assert user["temporary_password"]
    assert response.header("Location") == f"/users/{user['id']}"
    # The email is claimed first (PutItem), the profile and the claim are saved in one transaction.
    assert admin.last_calls == expected_requests("POST", "/users")
    assert entities(tenant) == ["audit", "outbox", "user", "user-email"]
    assert tenant.event_types() == ["UserInvited"]
    event = tenant.events()[0]
    assert event["type"] == "lms.users.UserInvited.v1"
    assert event["data"] == {"user_id": user["id"], "role": "instructor", "invited_by": admin.user_id}
    assert "email" not in str(event["data"])
    assert audit_actions(tenant) == ["InviteUser"]
    [account] = accounts_with_email(tenant.stack, "grace.hopper@example.org")
    assert account["Username"] == user["id"]
    assert account["UserStatus"] == "FORCE_CHANGE_PASSWORD"
    attributes = {a["Name"]: a["Value"] for a in account["Attributes"]}
    assert attributes["custom:institution_id"] == tenant.institution_id
    assert groups_of(tenant.stack, user["id"]) == ["instructors"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"email": "not-an-email"}, "email"),
        ({"email": None}, "email"),
        ({"role": "dean"}, "role"),
        ({"role": "platform-admin"}, "role"),
        ({"given_name": ""}, "given_name"),
        ({"family_name": "x" * 101}, "family_name"),
        ({"institution_id": "someone-else"}, "institution_id"),
    ],
)
def test_an_invalid_invitation_is_refused_and_creates_no_account(
    tenant: Tenant, change: dict[str, Any], field: str
) -> None:
    admin = tenant.admin()
    body = invitation(tenant, **change)
    refused = problem(admin.post("/users", body), 422, "validation-failed")
    assert field in {e["field"] for e in refused["errors"]}
    assert tenant.items() == []
    if isinstance(body["email"], str) and "@" in body["email"]:
        assert accounts_with_email(tenant.stack, body["email"]) == []


@pytest.mark.parametrize("role", ["instructors", "students"])
def test_only_institution_admins_invite(tenant: Tenant, role: str) -> None:
    caller = tenant.user(role)
    body = invitation(tenant)
    problem(caller.post("/users", body), 403, "forbidden")
    assert tenant.items() == []
    assert accounts_with_email(tenant.stack, body["email"]) == []


def test_inviting_an_email_twice_is_refused_with_nothing_more_stored(tenant: Tenant) -> None:
    admin = tenant.admin()
    body = invitation(tenant)
    invite(admin, tenant, email=body["email"])
    before = entities(tenant)
    problem(admin.post("/users", {**body, "email": body["email"].upper()}), 409, "email-taken")
    assert entities(tenant) == before
    assert len(accounts_with_email(tenant.stack, body["email"])) == 1


def test_an_email_claimed_in_the_institution_is_refused_before_any_account_is_made(tenant: Tenant) -> None:
    admin = tenant.admin()
    first = invite(admin, tenant)
    # The account disappears from the pool behind the API's back; its email stays claimed.
    cognito(tenant.stack).admin_delete_user(UserPoolId=tenant.stack.user_pool_id, Username=first["id"])
    before = entities(tenant)

    problem(admin.post("/users", invitation(tenant, email=first["email"])), 409, "email-taken")

    assert admin.last_calls == expected_requests("POST", "/users", "email taken")
    assert accounts_with_email(tenant.stack, first["email"]) == []  # no account was made
    assert entities(tenant) == before


def test_the_tenant_comes_from_the_token_not_from_a_header(tenant: Tenant, other_tenant: Tenant) -> None:
    admin = tenant.admin()
    body = invitation(tenant)
    response = admin.post("/users", body, headers={"X-Institution-Id": other_tenant.institution_id})
    assert response.status == 201
    assert other_tenant.items() == []
    assert [i["entity"] for i in tenant.items() if i["entity"] == "user"] == ["user"]


# ---------------------------------------------------------------- read and list


def test_admins_read_a_person_of_their_institution_only(tenant: Tenant, other_tenant: Tenant) -> None:
    admin = tenant.admin()
    user = invite(admin, tenant)
    response = admin.get(f"/users/{user['id']}")
    assert response.status == 200
    assert response.header("ETag") == '"1"'
    assert admin.last_calls == expected_requests("GET", "/users/{user_id}")
    assert "temporary_password" not in response.json()
    problem(other_tenant.admin().get(f"/users/{user['id']}"), 404, "user-not-found")
    problem(admin.get("/users/01UNKNOWN"), 404, "user-not-found")
    problem(tenant.instructor().get(f"/users/{user['id']}"), 403, "forbidden")


def test_people_are_listed_by_role_status_and_search_one_query_per_page(tenant: Tenant) -> None:
    admin = tenant.admin()
    ada = invite(admin, tenant, "instructor", given_name="Ada", family_name="Lovelace")
    alan = invite(admin, tenant, "student", given_name="Alan", family_name="Turing")
    edsger = invite(admin, tenant, "student", given_name="Edsger", family_name="Dijkstra")
    assert admin.post(f"/users/{edsger['id']}/suspend").status == 200

    everyone = admin.get("/users")
    assert everyone.status == 200
    assert admin.last_calls == expected_requests("GET", "/users")
    assert [u["id"] for u in everyone.json()["items"]] == [ada["id"], edsger["id"], alan["id"]]
    students = admin.get("/users", query={"role": "student"}).json()["items"]
    assert [u["id"] for u in students] == [edsger["id"], alan["id"]]
    active = admin.get("/users", query={"role": "student", "status": "active"}).json()["items"]
    assert [u["id"] for u in active] == [alan["id"]]
    found = admin.get("/users", query={"search": "LOVE"}).json()["items"]
    assert [u["id"] for u in found] == [ada["id"]]

    seen: list[str] = []
    cursor = None
    while True:
        page = admin.get("/users", query={"limit": "2", **({"cursor": cursor} if cursor else {})})
        assert page.status == 200
        assert admin.last_calls == expected_requests("GET", "/users")
        seen += [u["id"] for u in page.json()["items"]]
        cursor = page.json()["next_cursor"]
        if not cursor:
            break
    assert seen == [ada["id"], edsger["id"], alan["id"]]
    problem(admin.get("/users", query={"role": "dean"}), 422, "validation-failed")
    problem(admin.get("/users", query={"cursor": "garbage"}), 400, "invalid-cursor")


# ---------------------------------------------------------------- roles


def test_changing_a_role_moves_the_cognito_group_and_the_profile_together(tenant: Tenant) -> None:
    admin = tenant.admin()
    user = invite(admin, tenant, "student")
    response = admin.patch(f"/users/{user['id']}/role", {"role": "instructor"}, version=1)

    assert response.status == 200, response.body
    assert (response.json()["role"], response.json()["version"]) == ("instructor", 2)
    assert admin.last_calls == expected_requests("PATCH", "/users/{user_id}/role")
    assert groups_of(tenant.stack, user["id"]) == ["instructors"]
    assert tenant.event_types() == ["UserInvited", "UserRoleChanged"]
    assert tenant.events()[-1]["data"] == {
        "user_id": user["id"],
        "previous_role": "student",
        "role": "instructor",
    }
    assert audit_actions(tenant) == ["InviteUser", "ChangeUserRole"]
    assert admin.get("/users", query={"role": "instructor"}).json()["items"][0]["id"] == user["id"]


def test_role_changes_are_refused_when_stale_unchanged_on_oneself_or_invalid(tenant: Tenant) -> None:
    admin = tenant.admin()
    me = tenant.invited(admin, "institution-admin")
    user = invite(admin, tenant, "student")
    path = f"/users/{user['id']}/role"
    before = entities(tenant)
    problem(admin.patch(path, {"role": "instructor"}, version=7), 412, "version-mismatch")
    problem(admin.patch(path, {"role": "instructor"}), 428, "if-match-required")
    problem(admin.patch(path, {"role": "student"}, version=1), 409, "role-unchanged")
    problem(admin.patch(path, {"role": "owner"}, version=1), 422, "validation-failed")
    problem(me.patch(f"/users/{me.user_id}/role", {"role": "student"}, version=1), 409, "self-administration")
    problem(admin.patch("/users/01UNKNOWN/role", {"role": "student"}, version=1), 404, "user-not-found")
    assert entities(tenant) == before
    assert groups_of(tenant.stack, user["id"]) == ["students"]


def test_a_demotion_applies_to_the_token_already_issued(tenant: Tenant) -> None:
    admin = tenant.admin()
    instructor = tenant.invited(admin, "instructor")
    course = {"title": "T", "category": "maths", "level": "beginner", "language": "en"}
    assert instructor.post("/courses", course).status == 201
    assert admin.patch(f"/users/{instructor.user_id}/role", {"role": "student"}, version=1).status == 200
    problem(instructor.post("/courses", course), 403, "forbidden")


# ---------------------------------------------------------------- suspension


def test_a_suspended_person_is_signed_out_and_refused_everywhere(tenant: Tenant) -> None:
    admin = tenant.admin()
    student = tenant.invited(admin, "student")
    assert student.get("/courses").status == 200

    response = admin.post(f"/users/{student.user_id}/suspend")

    assert response.status == 200, response.body
    assert (response.json()["status"], response.json()["version"]) == ("suspended", 2)
    assert admin.last_calls == expected_requests("POST", "/users/{user_id}/suspend")
    for path in ("/courses", "/users/me"):
        problem(student.get(path), 403, "account-suspended")
    account = cognito(tenant.stack).admin_get_user(
        UserPoolId=tenant.stack.user_pool_id, Username=student.user_id
    )
    assert account["Enabled"] is False
    with pytest.raises(cognito(tenant.stack).exceptions.NotAuthorizedException):
        cognito(tenant.stack).admin_initiate_auth(
            UserPoolId=tenant.stack.user_pool_id,
            ClientId=tenant.stack.user_pool_client_id,
            AuthFlow="ADMIN_USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": student.user_id, "PASSWORD": PASSWORD},
        )
    assert tenant.event_types() == ["UserInvited", "UserSuspended"]
    assert audit_actions(tenant) == ["InviteUser", "SuspendUser"]


def test_a_reactivated_person_signs_in_and_calls_again(tenant: Tenant) -> None:
    admin = tenant.admin()
    student = tenant.invited(admin, "student")
    assert admin.post(f"/users/{student.user_id}/suspend").status == 200
    response = admin.post(f"/users/{student.user_id}/reactivate")
    assert response.status == 200
    assert (response.json()["status"], response.json()["version"]) == ("active", 3)
    assert student.get("/courses").status == 200
    account = cognito(tenant.stack).admin_get_user(
        UserPoolId=tenant.stack.user_pool_id, Username=student.user_id
    )
    assert account["Enabled"] is True
    assert tenant.event_types()[-1] == "UserReactivated"
    assert audit_actions(tenant) == ["InviteUser", "SuspendUser", "ReactivateUser"]


def test_suspension_refuses_the_wrong_state_oneself_and_non_admins(tenant: Tenant) -> None:
    admin = tenant.admin()
    me = tenant.invited(admin, "institution-admin")
    student = invite(admin, tenant, "student")
    problem(admin.post(f"/users/{student['id']}/reactivate"), 409, "invalid-user-status-transition")
    assert admin.post(f"/users/{student['id']}/suspend").status == 200
    before = entities(tenant)
    problem(admin.post(f"/users/{student['id']}/suspend"), 409, "invalid-user-status-transition")
    problem(me.post(f"/users/{me.user_id}/suspend"), 409, "self-administration")
    problem(tenant.instructor().post(f"/users/{student['id']}/reactivate"), 403, "forbidden")
    assert entities(tenant) == before
    account = cognito(tenant.stack).admin_get_user(UserPoolId=tenant.stack.user_pool_id, Username=me.user_id)
    assert account["Enabled"] is True


# ---------------------------------------------------------------- own profile


def test_people_read_and_edit_their_own_profile(tenant: Tenant) -> None:
    admin = tenant.admin()
    student = tenant.invited(admin, "student")
    mine = student.get("/users/me")
    assert mine.status == 200
    assert mine.json()["id"] == student.user_id
    patch = {
        "display_name": "Ivy I.",
        "locale": "pt-BR",
        "timezone": "America/Sao_Paulo",
        "avatar_url": "https://example.org/ivy.png",
        "bio": "Learning.",
    }
    response = student.patch("/users/me", patch, version=1)
    assert response.status == 200, response.body
    assert {k: response.json()[k] for k in patch} == patch
    assert response.json()["version"] == 2
    assert student.last_calls == expected_requests("PATCH", "/users/me")
    assert tenant.event_types()[-1] == "UserProfileUpdated"
    assert student.patch("/users/me", {"bio": None}, version=2).json()["bio"] is None


@pytest.mark.parametrize(
    ("change", "status", "slug"),
    [
        ({"role": "institution-admin"}, 422, "validation-failed"),
        ({"institution_id": "elsewhere"}, 422, "validation-failed"),
        ({"email": "new@example.org"}, 422, "validation-failed"),
        ({"display_name": None}, 422, "validation-failed"),
        ({}, 422, "validation-failed"),
        ({"timezone": "Mars/Olympus"}, 422, "invalid-timezone"),
        ({"locale": "English!"}, 422, "validation-failed"),
    ],
)
def test_people_cannot_change_their_role_institution_or_email(
    tenant: Tenant, change: dict[str, Any], status: int, slug: str
) -> None:
    admin = tenant.admin()
    student = tenant.invited(admin, "student")
    before = entities(tenant)
    problem(student.patch("/users/me", change, version=1), status, slug)
    assert entities(tenant) == before
    assert student.get("/users/me").json()["role"] == "student"


def test_a_stale_profile_edit_is_refused(tenant: Tenant) -> None:
    admin = tenant.admin()
    student = tenant.invited(admin, "student")
    problem(student.patch("/users/me", {"bio": "x"}, version=3), 412, "version-mismatch")
    problem(student.patch("/users/me", {"bio": "x"}), 428, "if-match-required")


def test_an_account_made_outside_the_api_has_an_unsaved_profile_it_can_save(tenant: Tenant) -> None:
    student = tenant.student()
    unsaved = student.get("/users/me")
    assert unsaved.status == 200
    assert (unsaved.json()["version"], unsaved.json()["role"]) == (0, "student")
    assert unsaved.header("ETag") == '"0"'
    saved = student.patch("/users/me", {"display_name": "Sam"}, version=0)
    assert saved.status == 200, saved.body
    assert saved.json()["version"] == 1
    assert student.get("/users/me").json()["display_name"] == "Sam"
    problem(student.patch("/users/me", {"display_name": "Again"}, version=0), 412, "version-mismatch")


# ---------------------------------------------------------------- the account check on every request


def test_an_account_s_status_is_read_once_then_cached_by_the_container(tenant: Tenant) -> None:
    student = tenant.user("students", warm=False)
    assert student.get("/enrollments").status == 200
    assert student.last_calls == expected_requests(
        "GET", "/enrollments", "no enrollments, first request of a user"
    )
    assert student.get("/enrollments").status == 200
    assert student.last_calls == expected_requests("GET", "/enrollments", "no enrollments")


def test_the_users_function_gets_the_provisioned_pool(stack: Stack) -> None:
    users = next(spec for spec in stack.functions if spec.logical_id == "UsersFunction")
    assert users.environment["USER_POOL_ID"] == stack.user_pool_id
    # Only the local stack hands out temporary passwords: the template never asks for it.
    assert users.environment["EXPOSE_TEMPORARY_PASSWORDS"] == "true"
    assert "EXPOSE_TEMPORARY_PASSWORDS" not in TEMPLATE.read_text()
