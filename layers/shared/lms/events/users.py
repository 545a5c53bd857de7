"""Events of the identity context (source `lms.users`): institutions, people, roles and suspension.

No event carries an email address or a name: consumers that need them ask the identity context.
"""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field

from lms.events.envelope import DomainEvent


class UsersEvent(DomainEvent):
    source: ClassVar[str] = "lms.users"


class InstitutionCreated(UsersEvent):
    """A platform admin created an institution (a new tenant)."""

    name: ClassVar[str] = "InstitutionCreated"

    slug: str
    timezone: str
    default_locale: str


class InstitutionUpdated(UsersEvent):
    """The institution's details changed; `changed_fields` names which."""

    name: ClassVar[str] = "InstitutionUpdated"

    version: int
    changed_fields: list[str]


class UserInvited(UsersEvent):
    """An admin invited a person: their account exists with a temporary password."""

    name: ClassVar[str] = "UserInvited"

    user_id: str
    role: str = Field(description="`institution-admin`, `instructor` or `student`.")
    invited_by: str


class UserRoleChanged(UsersEvent):
    """An admin changed a person's role (Cognito group and profile together)."""

    name: ClassVar[str] = "UserRoleChanged"

    user_id: str
    previous_role: str
    role: str


class UserSuspended(UsersEvent):
    """An admin suspended a person: signed out everywhere, every API call refused."""

    name: ClassVar[str] = "UserSuspended"

    user_id: str


class UserReactivated(UsersEvent):
    """An admin reactivated a suspended person; they sign in again."""

    name: ClassVar[str] = "UserReactivated"

    user_id: str


class UserProfileUpdated(UsersEvent):
    """A person edited their own profile; `changed_fields` names which fields."""

    name: ClassVar[str] = "UserProfileUpdated"

    user_id: str
    changed_fields: list[str]


class RosterImportRequested(UsersEvent):
    """An admin submitted a roster: the job and its rows are stored; the import worker invites them.

    Routed by a rule to the imports queue; the worker reads the rows from the job, not the event.
    """

    name: ClassVar[str] = "RosterImportRequested"

    job_id: str
    rows: int
    chunks: int


class RosterImportFinished(UsersEvent):
    """Every row of a roster import has its outcome; emitted once, when the worker finishes the job."""

    name: ClassVar[str] = "RosterImportFinished"

    job_id: str
    rows: int
    created: int
    skipped: int
    failed: int
    requested_by: str = Field(description="The admin who submitted the roster.")


class UserExportRequested(UsersEvent):
    """A person (or an admin of their institution) asked for everything the platform holds about them.

    Routed by a rule to the privacy queue; the privacy worker writes the document and marks the job.
    """

    name: ClassVar[str] = "UserExportRequested"

    user_id: str
    export_id: str


class UserExportReady(UsersEvent):
    """A privacy export's document is ready to download (`GET /users/{user_id}/exports/{export_id}`).

    Emitted once, with the job's change to `ready`; the notifications consumer tells the person.
    """

    name: ClassVar[str] = "UserExportReady"

    user_id: str
    export_id: str
    requested_by: str


class UserErased(UsersEvent):
    """An admin erased a person: the profile holds a pseudonym only, the email is free again.

    Routed to the privacy queue: the worker deletes the account from the user pool and runs every
    context's erasure (lms.privacy). Carries the id only: no personal data travels in events.
    """

    name: ClassVar[str] = "UserErased"

    user_id: str
    erasure_id: str
