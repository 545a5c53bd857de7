"""Callers of the running local stack (e2e): the demo users, new accounts, first sign-ins."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from typing import Any

import boto3

from infra.local_stack import LocalStack
from infra.seed import DemoUser, create_user, sign_in
from tests.support.client import Caller, OverHttp

PASSWORD = "E2e-Password-2026"
NEW_PASSWORD = "Chosen-Password-2026"


def over_http(local: LocalStack, token: str | None, user_id: str = "") -> Caller:
    return Caller(OverHttp(local.api_url), token, user_id)


def demo(local: LocalStack, role: str, index: int = 0) -> DemoUser:
    return [u for u in local.users if u.role == role][index]


def cognito(local: LocalStack) -> Any:
    return boto3.client("cognito-idp", region_name=local.region, endpoint_url=local.aws_endpoint_url)


def signed_in(local: LocalStack, user: DemoUser) -> Caller:
    """A demo user, signed in with USER_PASSWORD_AUTH against the local pool."""
    result = cognito(local).initiate_auth(
        ClientId=local.stack.user_pool_client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": user.username, "PASSWORD": user.password},
    )
    return over_http(local, result["AuthenticationResult"]["IdToken"])


def new_user(local: LocalStack, role: str, institution_id: str) -> Caller:
    """A new account of the institution, signed in, with no history."""
    username = f"{role}-{uuid.uuid4().hex[:10]}@{institution_id}.example"
    endpoint = local.aws_endpoint_url
    user_id = create_user(
        local.stack,
        username=username,
        password=PASSWORD,
        role=role,
        institution_id=institution_id,
        endpoint_url=endpoint,
    )
    return over_http(local, sign_in(local.stack, username, PASSWORD, endpoint_url=endpoint), user_id)


def new_student(local: LocalStack) -> Caller:
    """A student of the demo institution with no history (the demo students are shared by other tests)."""
    return new_user(local, "students", demo(local, "students").institution_id)


def first_sign_in(local: LocalStack, email: str, temporary_password: str) -> Caller:
    """Sign in with the temporary password, answer NEW_PASSWORD_REQUIRED, sign in with the new one."""
    client = cognito(local)
    challenge = client.initiate_auth(
        ClientId=local.stack.user_pool_client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": email, "PASSWORD": temporary_password},
    )
    assert challenge["ChallengeName"] == "NEW_PASSWORD_REQUIRED"
    answered = client.respond_to_auth_challenge(
        ClientId=local.stack.user_pool_client_id,
        ChallengeName="NEW_PASSWORD_REQUIRED",
        Session=challenge["Session"],
        ChallengeResponses={"USERNAME": email, "NEW_PASSWORD": NEW_PASSWORD},
    )
    assert answered["AuthenticationResult"]["IdToken"]
    again = client.initiate_auth(
        ClientId=local.stack.user_pool_client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": email, "PASSWORD": NEW_PASSWORD},
    )
    return over_http(local, again["AuthenticationResult"]["IdToken"])


def eventually(check: Callable[[], Any], seconds: float = 15.0) -> bool:
    """Whether `check` comes true before `seconds` pass: the local stack's pipeline runs in the background."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.1)
    return False
