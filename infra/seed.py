"""Demo data for the local stack: one institution with a user of every role it has, and a platform admin.

More demo data (courses, lessons, enrollments) belongs in a function decorated with `@demo_data`,
which runs after the users exist and the API is serving, so it can create things through the API
with a demo user's token, exactly as a client would.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import boto3

if TYPE_CHECKING:
    from mypy_boto3_cognito_idp import CognitoIdentityProviderClient
    from mypy_boto3_cognito_idp.type_defs import AttributeTypeTypeDef

    from infra.provision import Stack

DEMO_INSTITUTION_ID = "demo-university"
PLATFORM_ADMINS = "platform-admins"  # the group of the demo's platform admin, who has no institution
# Local-only accounts in an emulated pool; printed at start so anyone can sign in.
DEMO_PASSWORD = "Demo-Password-2026"  # noqa: S105


@dataclass(frozen=True)
class DemoUser:
    username: str
    password: str
    role: str
    institution_id: str
    given_name: str
    family_name: str
    user_id: str


DEMO_USERS: tuple[tuple[str, str, str, str], ...] = (
    ("admin@demo.example", "institution-admins", "Ada", "Admin"),
    ("instructor1@demo.example", "instructors", "Ines", "Instructor"),
    ("instructor2@demo.example", "instructors", "Ivan", "Instructor"),
    ("student1@demo.example", "students", "Sam", "Student"),
    ("student2@demo.example", "students", "Sofia", "Student"),
    ("student3@demo.example", "students", "Stan", "Student"),
    ("platform@demo.example", PLATFORM_ADMINS, "Pia", "Platform"),
)


@dataclass(frozen=True)
class DemoSeed:
    """What a demo-data step gets: the stack, its demo users, and how to act as one of them."""

    stack: Stack
    users: tuple[DemoUser, ...]
    endpoint_url: str | None
    api_url: str | None

    def user(self, role: str, index: int = 0) -> DemoUser:
        return [u for u in self.users if u.role == role][index]

    def id_token(self, user: DemoUser) -> str:
        return sign_in(self.stack, user.username, user.password, endpoint_url=self.endpoint_url)


DemoDataStep = Callable[[DemoSeed], None]
_DEMO_DATA: list[DemoDataStep] = []


def demo_data(step: DemoDataStep) -> DemoDataStep:
    """Register a step that adds demo data after the users exist (see the module docstring)."""
    _DEMO_DATA.append(step)
    return step


def _cognito(stack: Stack, endpoint_url: str | None) -> CognitoIdentityProviderClient:
    return boto3.client("cognito-idp", region_name=stack.region, endpoint_url=endpoint_url)


def create_user(
    stack: Stack,
    *,
    username: str,
    password: str,
    role: str,
    institution_id: str,
    endpoint_url: str | None,
    given_name: str = "",
    family_name: str = "",
) -> str:
    """Create a confirmed user with a permanent password in one group and institution; returns the `sub`.

    A platform admin belongs to no institution: pass `institution_id=""`.
    """
    cognito = _cognito(stack, endpoint_url)
    attributes: list[AttributeTypeTypeDef] = [
        {"Name": "email", "Value": username},
        {"Name": "email_verified", "Value": "true"},
    ]
    if institution_id:
        attributes.append({"Name": "custom:institution_id", "Value": institution_id})
    attributes += [
        {"Name": name, "Value": value}
        for name, value in (("given_name", given_name), ("family_name", family_name))
        if value
    ]
    created = cognito.admin_create_user(
        UserPoolId=stack.user_pool_id,
        Username=username,
        MessageAction="SUPPRESS",
        UserAttributes=attributes,
    )
    cognito.admin_set_user_password(
        UserPoolId=stack.user_pool_id, Username=username, Password=password, Permanent=True
    )
    cognito.admin_add_user_to_group(UserPoolId=stack.user_pool_id, Username=username, GroupName=role)
    return next(a["Value"] for a in created["User"]["Attributes"] if a["Name"] == "sub")


def sign_in(stack: Stack, username: str, password: str, *, endpoint_url: str | None) -> str:
    """Sign a user in with their password; returns the ID token API Gateway's authorizer accepts."""
    result = _cognito(stack, endpoint_url).admin_initiate_auth(
        UserPoolId=stack.user_pool_id,
        ClientId=stack.user_pool_client_id,
        AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": username, "PASSWORD": password},
    )
    token: str = result["AuthenticationResult"]["IdToken"]
    return token


def _institution_of(role: str) -> str:
    return "" if role == PLATFORM_ADMINS else DEMO_INSTITUTION_ID


def seed_demo(stack: Stack, *, endpoint_url: str | None, api_url: str | None = None) -> list[DemoUser]:
    """Create the demo users, then run the registered demo-data steps."""
    users = [
        DemoUser(
            username=username,
            password=DEMO_PASSWORD,
            role=role,
            institution_id=_institution_of(role),
            given_name=given_name,
            family_name=family_name,
            user_id=create_user(
                stack,
                username=username,
                password=DEMO_PASSWORD,
                role=role,
                institution_id=_institution_of(role),
                endpoint_url=endpoint_url,
                given_name=given_name,
                family_name=family_name,
            ),
        )
        for username, role, given_name, family_name in DEMO_USERS
    ]
    seed = DemoSeed(stack, tuple(users), endpoint_url, api_url)
    for step in _DEMO_DATA:
        step(seed)
    return users
