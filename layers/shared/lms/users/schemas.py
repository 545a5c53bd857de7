"""Request and response bodies of the identity API (the OpenAPI document is generated from them)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import (
    AwareDatetime,
    Field,
    HttpUrl,
    StringConstraints,
)

from lms.audit import AuditEntry
from lms.lazy_model import LazyModel
from lms.schemas import Body, Patch
from lms.users.domain import Institution, UserProfile, UserRole, UserStatus

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
PersonName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", min_length=2, max_length=48)]
Timezone = Annotated[
    str,
    StringConstraints(pattern=r"^[A-Za-z][A-Za-z0-9_+-]*(/[A-Za-z0-9_+-]+)*$", max_length=64),
    Field(description="An IANA time zone name, e.g. `Europe/Paris`."),
]
Locale = Annotated[
    str,
    StringConstraints(pattern=r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$", max_length=35),
    Field(description="A BCP 47 language tag, e.g. `en` or `pt-BR`."),
]
Email = Annotated[
    str,
    StringConstraints(strip_whitespace=True, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", max_length=254),
    Field(description="Signs the person in; compared without case."),
]


class InstitutionDraft(Body):
    name: Name
    slug: Slug = Field(description="Unique on the platform; lower-case words joined by hyphens.")
    timezone: Timezone
    default_locale: Locale


class InstitutionPatch(Patch):
    name: Name | None = None
    timezone: Timezone | None = None
    default_locale: Locale | None = None


class InstitutionView(LazyModel):
    id: str
    name: str
    slug: str
    timezone: str
    default_locale: str
    version: int
    created_at: AwareDatetime
    updated_at: AwareDatetime

    @classmethod
    def of(cls, institution: Institution) -> InstitutionView:
        return cls(**institution.model_dump())


class InstitutionPage(LazyModel):
    items: list[InstitutionView]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last page.")


class Invitation(Body):
    email: Email
    given_name: PersonName
    family_name: PersonName
    role: UserRole


class AdminInvitation(Body):
    email: Email
    given_name: PersonName
    family_name: PersonName


class RoleChange(Body):
    role: UserRole


class ProfilePatch(Patch):
    """What people edit of their own profile; role, institution and email are not theirs to change."""

    nullable = frozenset({"locale", "timezone", "avatar_url", "bio"})

    display_name: Name | None = None
    locale: Locale | None = None
    timezone: Timezone | None = None
    avatar_url: HttpUrl | None = None
    bio: Annotated[str, StringConstraints(max_length=2000)] | None = None


class UserView(LazyModel):
    id: str
    email: str
    given_name: str
    family_name: str
    role: UserRole
    status: UserStatus
    display_name: str
    locale: str | None
    timezone: str | None
    avatar_url: str | None
    bio: str | None
    version: int
    created_at: AwareDatetime
    updated_at: AwareDatetime

    @classmethod
    def of(cls, user: UserProfile) -> UserView:
        return cls(**user.model_dump(exclude={"institution_id", "invited_by"}))


class ProfileView(UserView):
    """A profile as its own page shows it: with whether e-mail to the person gets through."""

    email_deliverability: Literal["deliverable", "bounced", "complained"] = Field(
        description="`bounced` or `complained` when SES reported the address: no e-mail is sent to it."
    )


class InvitedUserView(UserView):
    temporary_password: str | None = Field(
        default=None,
        description="Only from the local stack, which sends no email; deployed, Cognito emails it.",
    )


class UserPage(LazyModel):
    items: list[UserView]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last page.")


class AuditEventPage(LazyModel):
    items: list[AuditEntry]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last page.")
