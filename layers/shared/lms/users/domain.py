"""Institutions and people, and the rules for roles and suspension; pure: no AWS, no persistence."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import ConfigDict

from lms.auth import Principal, Role
from lms.lazy_model import LazyModel
from lms.users.errors import (
    InvalidTimezone,
    InvalidUserStatusTransition,
    RoleUnchanged,
    SelfAdministration,
)


class UserRole(StrEnum):
    """The role of a person in their institution, as the API names it."""

    INSTITUTION_ADMIN = "institution-admin"
    INSTRUCTOR = "instructor"
    STUDENT = "student"

    @property
    def group(self) -> Role:
        """The Cognito group that grants the role."""
        return _GROUPS[self]

    @classmethod
    def of_group(cls, role: Role) -> UserRole | None:
        return next((r for r, g in _GROUPS.items() if g == role), None)


_GROUPS = {
    UserRole.INSTITUTION_ADMIN: Role.INSTITUTION_ADMIN,
    UserRole.INSTRUCTOR: Role.INSTRUCTOR,
    UserRole.STUDENT: Role.STUDENT,
}


class UserStatus(StrEnum):
    ACTIVE = "active"
    SUSPENDED = "suspended"
    ERASED = "erased"  # personal data removed (lms.privacy); the profile keeps a pseudonym


class Institution(LazyModel):
    """A tenant: everything else of the platform belongs to one institution."""

    model_config = ConfigDict(extra="forbid")

    id: str
    name: str
    slug: str
    timezone: str
    default_locale: str
    version: int = 1
    created_at: datetime
    updated_at: datetime


class UserProfile(LazyModel):
    """A person of an institution: identity from Cognito (`id` is the token's `sub`) and profile."""

    model_config = ConfigDict(extra="forbid")

    id: str
    institution_id: str
    email: str
    given_name: str
    family_name: str
    role: UserRole
    status: UserStatus = UserStatus.ACTIVE
    display_name: str
    locale: str | None = None
    timezone: str | None = None
    avatar_url: str | None = None
    bio: str | None = None
    invited_by: str | None = None
    version: int = 1
    created_at: datetime
    updated_at: datetime

    @property
    def sort_name(self) -> str:
        return f"{self.family_name} {self.given_name}".lower()

    @property
    def search_text(self) -> str:
        return f"{self.given_name} {self.family_name}\n{self.display_name}\n{self.email}".lower()


# Longer than the users function may run (template.yaml: Timeout 15 s): once its lease is over, the
# invitation that holds a pending claim has died, since a Lambda invocation cannot outlive its timeout.
INVITATION_LEASE = timedelta(seconds=60)
# A dead invitation's claim (role only, no personal data) waits this long for a retry to finish it.
PENDING_CLAIM_RETENTION = timedelta(days=7)


@dataclass(frozen=True)
class PendingInvitation:
    """An email claimed by an invitation in progress: its account may exist, its profile does not yet."""

    id: str
    role: UserRole
    lease_until: datetime  # until then only this invitation may touch the account

    def stale(self, at: datetime) -> bool:
        """Its invitation died between the account and the profile: another may finish it."""
        return self.lease_until < at


def normalize_email(email: str) -> str:
    """Email addresses sign people in; they compare without case."""
    return email.strip().lower()


def email_digest(email: str) -> str:
    """What a key holds instead of the address (no personal data in keys)."""
    return hashlib.sha256(normalize_email(email).encode()).hexdigest()


def check_timezone(name: str, field: str = "timezone") -> str:
    """An IANA zone name known to the runtime's tz database."""
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise InvalidTimezone(f"{name!r} is not an IANA time zone.", field=field) from exc
    return name


def ensure_not_self(actor: Principal, user: UserProfile, what: str) -> None:
    if actor.user_id == user.id:
        raise SelfAdministration(f"You cannot {what} your own account; ask another admin.")


def change_role(user: UserProfile, role: UserRole, actor: Principal, at: datetime) -> UserProfile:
    ensure_not_self(actor, user, "change the role of")
    if user.role == role:
        raise RoleUnchanged(f"The person is already {role.value}.", field="role")
    return user.model_copy(update={"role": role, "version": user.version + 1, "updated_at": at})


def suspend(user: UserProfile, actor: Principal, at: datetime) -> UserProfile:
    ensure_not_self(actor, user, "suspend")
    if user.status != UserStatus.ACTIVE:
        raise InvalidUserStatusTransition("The person is already suspended.")
    return user.model_copy(
        update={"status": UserStatus.SUSPENDED, "version": user.version + 1, "updated_at": at}
    )


def reactivate(user: UserProfile, at: datetime) -> UserProfile:
    if user.status != UserStatus.SUSPENDED:
        raise InvalidUserStatusTransition("Only a suspended person can be reactivated.")
    return user.model_copy(
        update={"status": UserStatus.ACTIVE, "version": user.version + 1, "updated_at": at}
    )
