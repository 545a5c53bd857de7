"""The Cognito adapter: the only code that calls cognito-idp (the user pool of USER_POOL_ID).

The client is created on first use, once per container. Deployed, Cognito emails the temporary
password it generates; the local stack has no email, so with EXPOSE_TEMPORARY_PASSWORDS=true (set
by the local stack's provisioning, never by template.yaml) this adapter makes the password itself,
suppresses the message and hands the password back to the API's answer.
"""

from __future__ import annotations

import secrets
import string
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any, cast

from botocore.exceptions import ClientError

from lms import aws
from lms.auth import Role
from lms.settings import get_settings
from lms.users.errors import AccountRefused, EmailTaken

if TYPE_CHECKING:
    from mypy_boto3_cognito_idp import CognitoIdentityProviderClient
    from mypy_boto3_cognito_idp.type_defs import AttributeTypeTypeDef

_ALPHABET = string.ascii_letters + string.digits
# What the pool answers about one account's attributes; anything else (throttling) is worth a retry.
_REFUSALS = frozenset({"InvalidParameterException", "CodeDeliveryFailureException"})


@dataclass(frozen=True)
class NewAccount:
    user_id: str  # the account's `sub`, also its username in the pool
    temporary_password: str | None  # only when the local stack asks for it


@dataclass(frozen=True)
class ExistingAccount:
    user_id: str
    institution_id: str


@cache
def _client() -> CognitoIdentityProviderClient:
    return cast("CognitoIdentityProviderClient", aws.client("cognito-idp"))


def _pool_id() -> str:
    return get_settings().user_pool_id


def exposes_temporary_passwords() -> bool:
    return get_settings().expose_temporary_passwords


def temporary_password() -> str:
    """Meets the pool's policy: 12+ characters with lower case, upper case and digits."""
    while True:
        candidate = "".join(secrets.choice(_ALPHABET) for _ in range(16))
        if (
            any(c.islower() for c in candidate)
            and any(c.isupper() for c in candidate)
            and any(c.isdigit() for c in candidate)
        ):
            return candidate


class CognitoDirectory:
    """Accounts, groups and sign-in state in the user pool; accounts are addressed by `sub`."""

    def create_account(
        self, *, email: str, given_name: str, family_name: str, institution_id: str, group: Role
    ) -> NewAccount:
        """An account with a temporary password (NEW_PASSWORD_REQUIRED at first sign-in), in `group`."""
        attributes: list[AttributeTypeTypeDef] = [
            {"Name": "email", "Value": email},
            {"Name": "email_verified", "Value": "true"},
            {"Name": "given_name", "Value": given_name},
            {"Name": "family_name", "Value": family_name},
            {"Name": "custom:institution_id", "Value": institution_id},
        ]
        password = temporary_password() if exposes_temporary_passwords() else None
        extra: dict[str, Any] = (
            {"TemporaryPassword": password, "MessageAction": "SUPPRESS"}
            if password
            else {"DesiredDeliveryMediums": ["EMAIL"]}
        )
        try:
            created = _client().admin_create_user(
                UserPoolId=_pool_id(), Username=email, UserAttributes=attributes, **extra
            )
        except _client().exceptions.UsernameExistsException as error:
            raise EmailTaken("An account with this email already exists.", field="email") from error
        except ClientError as error:
            code = error.response.get("Error", {}).get("Code", "")
            if code in _REFUSALS:
                raise AccountRefused(f"The user pool refused the account ({code}).", field="email") from error
            raise
        user_id = next(a["Value"] for a in created["User"].get("Attributes", []) if a["Name"] == "sub")
        try:
            self.add_to_group(user_id, group)
        except Exception:
            self.delete_account(user_id)
            raise
        return NewAccount(user_id=user_id, temporary_password=password)

    def find_account(self, email: str) -> ExistingAccount | None:
        """The account signing in with `email`, if there is one."""
        try:
            found = _client().admin_get_user(UserPoolId=_pool_id(), Username=email)
        except _client().exceptions.UserNotFoundException:
            return None
        attributes = {a["Name"]: a["Value"] for a in found.get("UserAttributes", [])}
        return ExistingAccount(attributes["sub"], attributes.get("custom:institution_id", ""))

    def delete_account(self, user_id: str) -> None:
        """Remove an account (compensation of a create whose profile could not be written)."""
        try:
            _client().admin_delete_user(UserPoolId=_pool_id(), Username=user_id)
        except _client().exceptions.UserNotFoundException:
            return

    def add_to_group(self, user_id: str, group: Role) -> None:
        _client().admin_add_user_to_group(UserPoolId=_pool_id(), Username=user_id, GroupName=group.value)

    def remove_from_group(self, user_id: str, group: Role) -> None:
        _client().admin_remove_user_from_group(UserPoolId=_pool_id(), Username=user_id, GroupName=group.value)

    def disable(self, user_id: str) -> None:
        """No new sign-in, and every refresh token revoked (tokens already issued still verify)."""
        _client().admin_disable_user(UserPoolId=_pool_id(), Username=user_id)
        _client().admin_user_global_sign_out(UserPoolId=_pool_id(), Username=user_id)

    def enable(self, user_id: str) -> None:
        _client().admin_enable_user(UserPoolId=_pool_id(), Username=user_id)
