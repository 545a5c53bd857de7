"""The caller, derived from the claims API Gateway's Cognito authorizer verified."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from lms.errors import Forbidden, Unauthenticated

_ID = re.compile(r"^[A-Za-z0-9_.:-]{1,64}$")


class Role(StrEnum):
    PLATFORM_ADMIN = "platform-admins"
    INSTITUTION_ADMIN = "institution-admins"
    INSTRUCTOR = "instructors"
    STUDENT = "students"


STAFF = frozenset({Role.INSTITUTION_ADMIN, Role.INSTRUCTOR})
MEMBERS = frozenset({Role.INSTITUTION_ADMIN, Role.INSTRUCTOR, Role.STUDENT})
"""Everyone who belongs to an institution; platform admins manage institutions, not their content."""


@dataclass(frozen=True)
class Principal:
    """The verified caller; `institution_id` is "" only for a platform admin, who belongs to no tenant."""

    user_id: str
    institution_id: str
    roles: frozenset[Role]
    email: str = ""

    def has_any(self, roles: Iterable[Role]) -> bool:
        return not self.roles.isdisjoint(roles)

    @property
    def has_institution(self) -> bool:
        return bool(self.institution_id)

    @property
    def is_platform_admin(self) -> bool:
        return Role.PLATFORM_ADMIN in self.roles

    @property
    def is_institution_admin(self) -> bool:
        return Role.INSTITUTION_ADMIN in self.roles


def _groups(raw: Any) -> list[str]:
    # REST API authorizers pass list claims as one string: "a,b" or "[a b]".
    if isinstance(raw, list):
        return [str(g) for g in raw]
    text = str(raw or "").strip().strip("[]")
    return [g for g in re.split(r"[,\s]+", text) if g]


def principal_from_claims(claims: Mapping[str, Any] | None) -> Principal:
    """Build the principal; refuse claims that cannot address a tenant safely.

    Only a platform admin may come without an institution: platform operations address
    institutions by id, and `lms.authz.authorize` refuses them every tenant operation.
    """
    if not claims or not claims.get("sub"):
        raise Unauthenticated("The request carries no verified identity.")
    roles = frozenset(Role(g) for g in _groups(claims.get("cognito:groups")) if g in Role._value2member_map_)
    if not roles:
        raise Forbidden("Your account has no role on this platform.")
    institution_id = str(claims.get("custom:institution_id") or "")
    platform_admin_without_one = institution_id == "" and Role.PLATFORM_ADMIN in roles
    if not (_ID.match(institution_id) or platform_admin_without_one):
        raise Forbidden("Your account is not attached to an institution.")
    return Principal(
        user_id=str(claims["sub"]),
        institution_id=institution_id,
        roles=roles,
        email=str(claims.get("email") or ""),
    )
