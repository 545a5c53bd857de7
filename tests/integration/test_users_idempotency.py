"""Idempotency-Key on the identity API's creates: invitations (an account and a profile), institutions."""

from __future__ import annotations

import uuid
from collections import Counter
from typing import Any

import boto3

from bench.expectations import expected_calls, expected_requests
from infra.gateway import ApiGateway
from infra.provision import Stack
from tests.support.client import Caller, InProcess, problem
from tests.support.faults import before_each_call
from tests.support.people import (
    accounts_with_email,
    create_institution,
    entities,
    idempotency_key,
    institution_body,
    invitation,
)
from tests.support.tenant import Tenant


def stored_answer(stack: Stack, pk: str) -> dict[str, Any] | None:
    table = boto3.resource("dynamodb", region_name=stack.region).Table(stack.table_name)
    item: dict[str, Any] | None = table.get_item(Key={"PK": pk, "SK": "RESPONSE"}).get("Item")
    return item


# ---------------------------------------------------------------- POST /users


def test_a_retried_invitation_answers_the_first_response_without_a_second_account(tenant: Tenant) -> None:
    admin = tenant.admin()
    body, headers = invitation(tenant, "instructor"), idempotency_key()
    first = admin.post("/users", body, headers=headers)
    assert first.status == 201, first.body
    assert admin.last_calls == expected_requests("POST", "/users", "Idempotency-Key")
    stored = entities(tenant)

    retry = admin.post("/users", body, headers=headers)

    assert retry.status == 201
    assert retry.header("Idempotent-Replayed") == "true"
    assert retry.json() == first.json()
    assert retry.json()["temporary_password"] == first.json()["temporary_password"]
    assert admin.last_calls == expected_requests("POST", "/users", "Idempotency-Key replay")
    assert admin.last_calls_of("cognito-idp") == expected_calls(
        "cognito-idp", "POST", "/users", "Idempotency-Key replay"
    )
    assert entities(tenant) == stored
    assert Counter(stored)["user"] == 1
    assert Counter(stored)["idempotency"] == 1
    assert tenant.event_types() == ["UserInvited"]
    assert [a["Username"] for a in accounts_with_email(tenant.stack, body["email"])] == [first.json()["id"]]


def test_the_same_key_with_another_body_is_refused_and_invites_nobody(tenant: Tenant) -> None:
    admin = tenant.admin()
    headers = idempotency_key()
    assert admin.post("/users", invitation(tenant), headers=headers).status == 201
    stored = entities(tenant)
    other = invitation(tenant)

    problem(admin.post("/users", other, headers=headers), 422, "idempotency-key-reused")

    assert admin.last_calls == expected_requests("POST", "/users", "Idempotency-Key replay")
    assert entities(tenant) == stored
    assert accounts_with_email(tenant.stack, other["email"]) == []


def test_a_key_belongs_to_its_caller_and_institution(tenant: Tenant, other_tenant: Tenant) -> None:
    headers = idempotency_key()
    first = tenant.admin().post("/users", invitation(tenant), headers=headers)
    assert first.status == 201

    # Another admin of the same institution, and an admin of another one, use the same key.
    colleague = tenant.admin().post("/users", invitation(tenant), headers=headers)
    elsewhere = other_tenant.admin().post("/users", invitation(other_tenant), headers=headers)

    for response in (colleague, elsewhere):
        assert response.status == 201, response.body
        assert response.header("Idempotent-Replayed") is None
        assert response.json()["id"] != first.json()["id"]
    assert Counter(entities(tenant))["user"] == 2
    assert Counter(entities(other_tenant))["user"] == 1


def test_a_refused_invitation_stores_no_answer_so_a_retry_is_evaluated_again(tenant: Tenant) -> None:
    admin = tenant.admin()
    taken = admin.post("/users", invitation(tenant)).json()["email"]
    headers = idempotency_key()
    problem(admin.post("/users", invitation(tenant, email=taken), headers=headers), 409, "email-taken")
    assert "idempotency" not in entities(tenant)
    problem(admin.post("/users", invitation(tenant, email=taken), headers=headers), 409, "email-taken")
    assert len(accounts_with_email(tenant.stack, taken)) == 1


def test_a_retry_racing_the_first_attempt_never_leaves_an_account_without_its_profile(
    tenant: Tenant, gateway: ApiGateway
) -> None:
    admin = tenant.admin()
    body, headers = invitation(tenant), idempotency_key()
    # The retry arrives while the first attempt has made the account but not yet committed.
    racer = Caller(InProcess(gateway), admin.token, admin.user_id, admin.role, admin.institution_id)
    raced: list[Any] = []

    def racing(operation: str, params: dict[str, Any]) -> None:
        if operation == "TransactWriteItems" and not raced:
            raced.append(racer.post("/users", body, headers=headers))

    with before_each_call(racing):
        first = admin.post("/users", body, headers=headers)

    assert first.status == 201, first.body
    # The racing retry found the email claimed by the first attempt, and left its account alone.
    problem(raced[0], 409, "invitation-in-progress")
    [account] = accounts_with_email(tenant.stack, body["email"])
    assert account["Username"] == first.json()["id"]
    assert Counter(entities(tenant))["user"] == 1
    # Once the first attempt committed, a retry answers as it did.
    again = admin.post("/users", body, headers=headers)
    assert again.header("Idempotent-Replayed") == "true"
    assert again.json() == first.json()


def test_a_retry_after_a_lost_answer_is_told_apart_from_a_second_invitation(tenant: Tenant) -> None:
    """Without a key the same invitation twice is a duplicate (409); with one it is a retry."""
    admin = tenant.admin()
    body = invitation(tenant)
    assert admin.post("/users", body).status == 201
    problem(admin.post("/users", body), 409, "email-taken")
    body, headers = invitation(tenant), idempotency_key()
    first = admin.post("/users", body, headers=headers)
    assert admin.post("/users", body, headers=headers).json() == first.json()


def test_an_unusable_idempotency_key_is_refused_before_any_account(tenant: Tenant) -> None:
    admin = tenant.admin()
    body = invitation(tenant)
    problem(admin.post("/users", body, headers={"Idempotency-Key": "no spaces/please"}), 400, "bad-request")
    assert tenant.items() == []
    assert accounts_with_email(tenant.stack, body["email"]) == []


# ---------------------------------------------------------------- POST /institutions


def test_a_retried_institution_is_created_once(tenant: Tenant, stack: Stack) -> None:
    platform = tenant.platform_admin()
    body, headers = institution_body(), idempotency_key()
    first = platform.post("/institutions", body, headers=headers)
    assert first.status == 201, first.body
    assert platform.last_calls == expected_requests("POST", "/institutions", "Idempotency-Key")

    retry = platform.post("/institutions", body, headers=headers)

    assert retry.status == 201
    assert retry.header("Idempotent-Replayed") == "true"
    assert retry.json() == first.json()
    assert platform.last_calls == expected_requests("POST", "/institutions", "Idempotency-Key replay")
    slugs = [i["slug"] for i in platform.get("/institutions", query={"limit": "100"}).json()["items"]]
    assert slugs.count(body["slug"]) == 1
    # A platform admin belongs to no tenant: the answer is kept under the platform's keys.
    answer = stored_answer(stack, f"PLATFORM#IDEMPOTENCY#{platform.user_id}#{headers['Idempotency-Key']}")
    assert answer is not None
    assert answer["status"] == 201

    reused = platform.post("/institutions", institution_body(), headers=headers)
    problem(reused, 422, "idempotency-key-reused")
    assert platform.last_calls == expected_requests("POST", "/institutions", "Idempotency-Key reused")


def test_platform_admins_keys_are_their_own(tenant: Tenant) -> None:
    headers = idempotency_key()
    first = tenant.platform_admin().post("/institutions", institution_body(), headers=headers)
    second = tenant.platform_admin().post("/institutions", institution_body(), headers=headers)
    assert (first.status, second.status) == (201, 201)
    assert second.header("Idempotent-Replayed") is None
    assert first.json()["id"] != second.json()["id"]


def test_a_retried_first_admin_is_invited_once_and_the_key_names_one_institution(
    tenant: Tenant, stack: Stack, gateway: ApiGateway
) -> None:
    platform = tenant.platform_admin()
    one, two = create_institution(platform), create_institution(platform)
    body = {"email": f"first-{uuid.uuid4().hex[:8]}@example.org", "given_name": "Fay", "family_name": "First"}
    headers = idempotency_key()
    first = platform.post(f"/institutions/{one['id']}/admins", body, headers=headers)
    assert first.status == 201, first.body

    retry = platform.post(f"/institutions/{one['id']}/admins", body, headers=headers)

    assert retry.json() == first.json()
    assert retry.header("Idempotent-Replayed") == "true"
    assert platform.last_calls == expected_requests(
        "POST", "/institutions/{institution_id}/admins", "Idempotency-Key replay"
    )
    assert platform.last_calls_of("cognito-idp") == expected_calls(
        "cognito-idp", "POST", "/institutions/{institution_id}/admins", "Idempotency-Key replay"
    )
    assert [a["Username"] for a in accounts_with_email(stack, body["email"])] == [first.json()["id"]]
    # The same key and body for another institution is another request.
    elsewhere = platform.post(f"/institutions/{two['id']}/admins", body, headers=headers)
    problem(elsewhere, 422, "idempotency-key-reused")
    new = Tenant(stack, gateway)
    new.institution_id = one["id"]
    assert Counter(entities(new))["user"] == 1
