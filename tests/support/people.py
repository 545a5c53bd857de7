"""People, institutions, roster imports and personal-data exports, made through the identity API."""

from __future__ import annotations

import json
import uuid
from typing import Any

import boto3

from infra.provision import Stack
from tests.support.client import Caller
from tests.support.events import drained
from tests.support.tenant import Tenant


def invitation(tenant: Tenant, role: str = "student", **overrides: Any) -> dict[str, Any]:
    body = {
        "email": f"{uuid.uuid4().hex[:10]}@{tenant.institution_id}.example",
        "given_name": "Grace",
        "family_name": "Hopper",
        "role": role,
    }
    body.update(overrides)
    return body


def invite(admin: Caller, tenant: Tenant, role: str = "student", **overrides: Any) -> dict[str, Any]:
    response = admin.post("/users", invitation(tenant, role, **overrides))
    assert response.status == 201, response.body
    created: dict[str, Any] = response.json()
    return created


def idempotency_key() -> dict[str, str]:
    return {"Idempotency-Key": f"invite-{uuid.uuid4().hex[:12]}"}


def institution_body(**overrides: Any) -> dict[str, Any]:
    body = {
        "name": "Open University of Somewhere",
        "slug": f"open-{uuid.uuid4().hex[:10]}",
        "timezone": "Europe/Lisbon",
        "default_locale": "pt-PT",
    }
    body.update(overrides)
    return body


def create_institution(platform: Caller, **overrides: Any) -> dict[str, Any]:
    response = platform.post("/institutions", institution_body(**overrides))
    assert response.status == 201, response.body
    created: dict[str, Any] = response.json()
    return created


# ---------------------------------------------------------------- what the user pool and table hold


def cognito(stack: Stack) -> Any:
    return boto3.client("cognito-idp", region_name=stack.region)


def accounts_with_email(stack: Stack, email: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = cognito(stack).list_users(
        UserPoolId=stack.user_pool_id, Filter=f'email = "{email}"'
    )["Users"]
    return found


def groups_of(stack: Stack, user_id: str) -> list[str]:
    groups = cognito(stack).admin_list_groups_for_user(UserPoolId=stack.user_pool_id, Username=user_id)
    return sorted(g["GroupName"] for g in groups["Groups"])


def entities(tenant: Tenant) -> list[str]:
    return sorted(str(i["entity"]) for i in tenant.items())


def profiles(tenant: Tenant) -> dict[str, dict[str, Any]]:
    return {str(i["email"]): i for i in tenant.items() if i["entity"] == "user"}


# ---------------------------------------------------------------- roster imports


def person(tenant: Tenant, role: str = "student", **overrides: Any) -> dict[str, Any]:
    row = {
        "email": f"{uuid.uuid4().hex[:10]}@{tenant.institution_id}.example",
        "given_name": "Ada",
        "family_name": "Lovelace",
        "role": role,
    }
    row.update(overrides)
    return row


def roster(tenant: Tenant, size: int) -> list[dict[str, Any]]:
    return [person(tenant) for _ in range(size)]


def submit_roster(admin: Caller, rows: list[Any], **kw: Any) -> dict[str, Any]:
    response = admin.post("/users/imports", {"rows": rows}, **kw)
    assert response.status == 202, response.body
    job: dict[str, Any] = response.json()
    assert response.header("Location") == f"/users/imports/{job['id']}"
    return job


def job_after_processing(stack: Stack, admin: Caller, job_id: str) -> dict[str, Any]:
    drained(stack)
    response = admin.get(f"/users/imports/{job_id}")
    assert response.status == 200, response.body
    job: dict[str, Any] = response.json()
    return job


# ---------------------------------------------------------------- personal-data exports


def request_export(caller: Caller, user_id: str, **kw: Any) -> dict[str, Any]:
    response = caller.post(f"/users/{user_id}/exports", **kw)
    assert response.status == 202, response.body
    job: dict[str, Any] = response.json()
    if response.header("Idempotent-Replayed") is None:
        assert response.header("Location") == f"/users/{user_id}/exports/{job['export_id']}"
    return job


def export_document(stack: Stack, tenant: Tenant, user_id: str, export_id: str) -> dict[str, Any]:
    key = f"exports/{tenant.institution_id}/{user_id}/{export_id}.json"
    body = boto3.client("s3", region_name=stack.region).get_object(Bucket=stack.files_bucket, Key=key)["Body"]
    found: dict[str, Any] = json.loads(body.read())
    return found
