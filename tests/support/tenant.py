"""Tenants of the in-process stack: real Cognito users of a fresh institution, calling through the
API Gateway emulation."""

from __future__ import annotations

import json
import uuid
from typing import Any

import boto3

from infra.gateway import ApiGateway
from infra.provision import Stack
from infra.seed import create_user, sign_in
from tests.support.client import Caller, InProcess

PASSWORD = "Test-Password-2026"


class Tenant:
    """A fresh institution per test: tenants never see each other, so tests need no cleanup."""

    def __init__(self, stack: Stack, gateway: ApiGateway) -> None:
        self.stack = stack
        self.gateway = gateway
        self.institution_id = f"inst-{uuid.uuid4().hex[:12]}"

    def user(self, role: str, *, warm: bool = True) -> Caller:
        """A new account of the institution, signed in.

        `warm`: it first reads its own profile, as the apps do after sign-in. An account's first
        request in a container also reads its status (lms.users.access), so the requests counted
        afterwards are those of the operation alone, as in a warm container.
        """
        username = f"{role}-{uuid.uuid4().hex[:10]}@{self.institution_id}.example"
        user_id = create_user(
            self.stack,
            username=username,
            password=PASSWORD,
            role=role,
            institution_id=self.institution_id,
            endpoint_url=None,
        )
        token = sign_in(self.stack, username, PASSWORD, endpoint_url=None)
        caller = Caller(InProcess(self.gateway), token, user_id, role, self.institution_id)
        if warm:
            assert caller.get("/users/me").status == 200
        return caller

    def platform_admin(self) -> Caller:
        """A platform admin: manages institutions, belongs to none (no `custom:institution_id`)."""
        username = f"platform-{uuid.uuid4().hex[:10]}@platform.example"
        user_id = create_user(
            self.stack,
            username=username,
            password=PASSWORD,
            role="platform-admins",
            institution_id="",
            endpoint_url=None,
        )
        token = sign_in(self.stack, username, PASSWORD, endpoint_url=None)
        return Caller(InProcess(self.gateway), token, user_id, "platform-admins", "")

    def invited(self, admin: Caller, role: str = "student") -> Caller:
        """A person invited through the API (so with a profile), who has chosen their password."""
        email = f"{role}-{uuid.uuid4().hex[:10]}@{self.institution_id}.example".lower()
        body = {"email": email, "given_name": "Ivy", "family_name": "Invited", "role": role}
        response = admin.post("/users", body)
        assert response.status == 201, response.body
        user_id = response.json()["id"]
        cognito = boto3.client("cognito-idp", region_name=self.stack.region)
        cognito.admin_set_user_password(
            UserPoolId=self.stack.user_pool_id, Username=user_id, Password=PASSWORD, Permanent=True
        )
        token = sign_in(self.stack, email, PASSWORD, endpoint_url=None)
        return Caller(InProcess(self.gateway), token, user_id, role, self.institution_id)

    def instructor(self) -> Caller:
        return self.user("instructors")

    def student(self) -> Caller:
        return self.user("students")

    def admin(self) -> Caller:
        return self.user("institution-admins")

    def items(self) -> list[dict[str, Any]]:
        """Every item of this tenant (a test-side scan, outside any request path)."""
        table = boto3.resource("dynamodb", region_name=self.stack.region).Table(self.stack.table_name)
        prefix = f"INST#{self.institution_id}#"
        found: list[dict[str, Any]] = []
        kwargs: dict[str, Any] = {}
        while True:
            page = table.scan(**kwargs)
            found.extend(i for i in page["Items"] if str(i["PK"]).startswith(prefix))
            if "LastEvaluatedKey" not in page:
                return found
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def events(self) -> list[dict[str, Any]]:
        """The envelopes this tenant's changes put in the outbox, oldest first."""
        outbox = [i for i in self.items() if i.get("entity") == "outbox"]
        envelopes = [json.loads(str(i["detail"])) for i in outbox]
        return sorted(envelopes, key=lambda e: e["id"])

    def event_types(self) -> list[str]:
        return [e["type"].split(".")[2] for e in self.events()]
