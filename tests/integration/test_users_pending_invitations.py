"""An invitation that dies between the account and the profile is finished by the next one.

The failure is injected at the AWS boundary (tests.support.faults.Faults): the
transaction that saves the profile dies, and so does the compensation that would delete the
account, as when the function times out or is killed.
"""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from typing import Any

import pytest
from botocore.exceptions import ClientError

from bench.expectations import expected_requests
from infra.template import load_template
from lms.users.domain import INVITATION_LEASE
from tests.support.client import Caller, problem
from tests.support.clock import moved_clock
from tests.support.faults import Faults, WorkerDied
from tests.support.people import (
    accounts_with_email,
    cognito,
    create_institution,
    entities,
    groups_of,
    idempotency_key,
    invitation,
)
from tests.support.tenant import Tenant

AFTER_THE_LEASE = INVITATION_LEASE + timedelta(seconds=1)


def claims(tenant: Tenant) -> list[dict[str, Any]]:
    return [i for i in tenant.items() if i["entity"] == "user-email"]


def dies_after_the_account(
    tenant: Tenant,
    caller: Caller,
    path: str,
    body: dict[str, Any],
    monkeypatch: pytest.MonkeyPatch,
    **kw: Any,
) -> str:
    """Send an invitation that dies once its account is made, compensation included; the account's id."""
    faults = Faults()
    faults.fail("TransactWriteItems", lambda n, params: True, WorkerDied())
    faults.fail("AdminDeleteUser", lambda n, params: True, WorkerDied())
    with faults.active():
        response = caller.post(path, body, **kw)
    assert response.status == 500, response.body
    [account] = accounts_with_email(tenant.stack, body["email"])
    return str(account["Username"])


def dying_invitation(
    tenant: Tenant, admin: Caller, body: dict[str, Any], monkeypatch: pytest.MonkeyPatch, **kw: Any
) -> str:
    return dies_after_the_account(tenant, admin, "/users", body, monkeypatch, **kw)


def test_a_dead_invitation_leaves_a_pending_claim_without_personal_data(
    tenant: Tenant, monkeypatch: pytest.MonkeyPatch
) -> None:
    admin = tenant.admin()
    body = invitation(tenant, "instructor")

    dying_invitation(tenant, admin, body, monkeypatch)

    assert Counter(entities(tenant)) == Counter({"user-email": 1})
    [claim] = claims(tenant)
    assert claim["role"] == "instructor"
    assert "user_id" not in claim
    assert claim["expires_at"] > claim["lease_until"]  # the TTL removes a claim nobody finishes
    assert body["email"] not in str(claim)
    assert "Grace" not in str(claim)
    assert tenant.events() == []


def test_a_retry_within_the_lease_is_told_to_come_back_and_touches_nothing(
    tenant: Tenant, monkeypatch: pytest.MonkeyPatch
) -> None:
    admin = tenant.admin()
    body = invitation(tenant)
    account = dying_invitation(tenant, admin, body, monkeypatch)
    stored = tenant.items()
    faults = Faults()

    with faults.active():
        problem(admin.post("/users", body), 409, "invitation-in-progress")

    assert admin.last_calls == expected_requests("POST", "/users", "invitation in progress")
    assert not any(op.startswith("Admin") for op in faults.calls)  # the user pool is not asked
    assert tenant.items() == stored
    assert [a["Username"] for a in accounts_with_email(tenant.stack, body["email"])] == [account]


def test_a_retry_after_the_lease_finishes_the_invitation_with_the_account_it_made(
    tenant: Tenant, monkeypatch: pytest.MonkeyPatch
) -> None:
    admin = tenant.admin()
    body = invitation(tenant, "instructor")
    account = dying_invitation(tenant, admin, body, monkeypatch)
    faults = Faults()

    with moved_clock(monkeypatch, AFTER_THE_LEASE), faults.active():
        response = admin.post("/users", body)

    assert response.status == 201, response.body
    user = response.json()
    assert user["id"] == account
    assert (user["email"], user["role"], user["version"]) == (body["email"], "instructor", 1)
    assert user["temporary_password"] is None  # the dead attempt's was sent with its account
    # The claim is taken over (PutItem refused, GetItem, PutItem), then the usual transaction.
    assert admin.last_calls == expected_requests("POST", "/users", "stale pending claim")
    assert faults.calls["AdminCreateUser"] == 1
    assert faults.calls["AdminGetUser"] == 1
    assert [a["Username"] for a in accounts_with_email(tenant.stack, body["email"])] == [account]
    assert groups_of(tenant.stack, account) == ["instructors"]
    assert Counter(entities(tenant)) == Counter({"user": 1, "user-email": 1, "outbox": 1, "audit": 1})
    [claim] = claims(tenant)
    assert claim["user_id"] == account
    assert {"invitation_id", "role", "lease_until", "expires_at"}.isdisjoint(claim)
    assert tenant.event_types() == ["UserInvited"]
    assert admin.get(f"/users/{account}").json()["role"] == "instructor"
    problem(admin.post("/users", body), 409, "email-taken")


def test_another_admin_inviting_the_email_later_finishes_it_with_their_role(
    tenant: Tenant, monkeypatch: pytest.MonkeyPatch
) -> None:
    body = invitation(tenant, "instructor")
    account = dying_invitation(tenant, tenant.admin(), body, monkeypatch)
    colleague = tenant.admin()

    with moved_clock(monkeypatch, AFTER_THE_LEASE):
        response = colleague.post("/users", {**body, "role": "student", "given_name": "Gracie"})

    assert response.status == 201, response.body
    assert (response.json()["id"], response.json()["role"]) == (account, "student")
    [profile] = [i for i in tenant.items() if i["entity"] == "user"]
    assert (profile["invited_by"], profile["given_name"]) == (colleague.user_id, "Gracie")
    assert groups_of(tenant.stack, account) == ["students"]  # not an instructor as well
    [audit] = [i for i in tenant.items() if i["entity"] == "audit"]
    assert (audit["action"], audit["actor_id"]) == ("InviteUser", colleague.user_id)


def test_a_retry_with_its_idempotency_key_finishes_it_then_answers_as_it_did(
    tenant: Tenant, monkeypatch: pytest.MonkeyPatch
) -> None:
    admin = tenant.admin()
    body, headers = invitation(tenant), idempotency_key()
    account = dying_invitation(tenant, admin, body, monkeypatch, headers=headers)

    with moved_clock(monkeypatch, AFTER_THE_LEASE):
        finished = admin.post("/users", body, headers=headers)
    replayed = admin.post("/users", body, headers=headers)

    assert finished.status == 201, finished.body
    assert finished.json()["id"] == account
    assert finished.header("Idempotent-Replayed") is None
    assert replayed.header("Idempotent-Replayed") == "true"
    assert replayed.json() == finished.json()
    assert Counter(entities(tenant))["user"] == 1


def test_the_first_admin_of_an_institution_is_finished_the_same_way(
    tenant: Tenant, monkeypatch: pytest.MonkeyPatch
) -> None:
    platform = tenant.platform_admin()
    path = f"/institutions/{create_institution(platform)['id']}/admins"
    body = {"email": f"first@{tenant.institution_id}.example", "given_name": "Fay", "family_name": "First"}
    dies_after_the_account(tenant, platform, path, body, monkeypatch)
    problem(platform.post(path, body), 409, "invitation-in-progress")

    with moved_clock(monkeypatch, AFTER_THE_LEASE):
        response = platform.post(path, body)

    assert response.status == 201, response.body
    [account] = accounts_with_email(tenant.stack, body["email"])
    assert response.json()["id"] == account["Username"]
    assert groups_of(tenant.stack, account["Username"]) == ["institution-admins"]


def test_another_institution_inviting_the_email_is_refused_as_before(
    tenant: Tenant, other_tenant: Tenant, monkeypatch: pytest.MonkeyPatch
) -> None:
    body = invitation(tenant, "instructor")
    account = dying_invitation(tenant, tenant.admin(), body, monkeypatch)
    elsewhere = other_tenant.admin()

    with moved_clock(monkeypatch, AFTER_THE_LEASE):
        refused = problem(elsewhere.post("/users", body), 409, "email-taken")

    assert refused["detail"] == "An account with this email already exists."
    assert other_tenant.items() == []  # its own claim was released
    assert groups_of(tenant.stack, account) == ["instructors"]
    # The institution that made the account still finishes its invitation.
    with moved_clock(monkeypatch, AFTER_THE_LEASE):
        assert tenant.admin().post("/users", body).json()["id"] == account


def test_an_account_made_outside_the_api_is_not_taken_over(tenant: Tenant) -> None:
    seeded = tenant.user("students", warm=False)  # an account without a profile, as seeding makes
    found = cognito(tenant.stack).admin_get_user(
        UserPoolId=tenant.stack.user_pool_id, Username=seeded.user_id
    )
    email = next(a["Value"] for a in found["UserAttributes"] if a["Name"] == "email")

    problem(tenant.admin().post("/users", invitation(tenant, "instructor", email=email)), 409, "email-taken")

    assert claims(tenant) == []
    assert groups_of(tenant.stack, seeded.user_id) == ["students"]


def test_a_refused_transaction_removes_the_account_and_frees_the_email_at_once(tenant: Tenant) -> None:
    admin = tenant.admin()
    body = invitation(tenant)
    throttled = ClientError(
        {"Error": {"Code": "ThrottlingException", "Message": "slow down"}}, "TransactWriteItems"
    )
    faults = Faults()
    faults.fail("TransactWriteItems", lambda n, params: True, throttled)
    with faults.active():
        assert admin.post("/users", body).status == 500

    assert accounts_with_email(tenant.stack, body["email"]) == []
    assert tenant.items() == []
    assert admin.post("/users", body).status == 201  # no lease to wait for


def test_an_adoption_that_dies_keeps_the_claim_for_the_next_retry(
    tenant: Tenant, monkeypatch: pytest.MonkeyPatch
) -> None:
    admin = tenant.admin()
    body = invitation(tenant, "instructor")
    account = dying_invitation(tenant, admin, body, monkeypatch)
    faults = Faults()
    faults.fail("AdminAddUserToGroup", lambda n, params: True, WorkerDied())

    with moved_clock(monkeypatch, AFTER_THE_LEASE), faults.active():
        assert admin.post("/users", body).status == 500

    [claim] = claims(tenant)
    assert "user_id" not in claim  # still pending: the account may be half adopted
    with moved_clock(monkeypatch, 3 * AFTER_THE_LEASE):
        response = admin.post("/users", body)
    assert response.status == 201, response.body
    assert response.json()["id"] == account
    assert groups_of(tenant.stack, account) == ["instructors"]


def test_an_account_the_user_pool_refuses_frees_the_email_at_once(tenant: Tenant) -> None:
    admin = tenant.admin()
    body = invitation(tenant)
    refused = ClientError(
        {"Error": {"Code": "InvalidParameterException", "Message": "undeliverable"}}, "AdminCreateUser"
    )
    faults = Faults()
    faults.fail("AdminCreateUser", lambda n, params: True, refused)
    with faults.active():
        problem(admin.post("/users", body), 422, "account-refused")

    assert tenant.items() == []
    assert admin.post("/users", body).status == 201


def test_the_lease_outlives_the_users_function() -> None:
    """A pending claim is judged dead once its lease is over: the function must have stopped by then."""
    template = load_template()
    users = template["Resources"]["UsersFunction"]["Properties"]
    timeout = users.get("Timeout", template["Globals"]["Function"]["Timeout"])
    assert timedelta(seconds=timeout) < INVITATION_LEASE
