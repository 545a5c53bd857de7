"""Refusals of the identity context, one problem type each."""

from __future__ import annotations

from lms.errors import ChangedMeanwhile, Conflict, Forbidden, NotFound, Problem


class InstitutionNotFound(NotFound):
    """No such institution (or it is not yours)."""

    slug = "institution-not-found"
    title = "Institution not found"


class UserNotFound(NotFound):
    """No such person in your institution."""

    slug = "user-not-found"
    title = "User not found"


class SlugTaken(Conflict):
    """Another institution already uses this slug; slugs are unique on the platform."""

    slug = "slug-taken"
    title = "The slug is already taken"


class EmailTaken(Conflict):
    """An account with this email exists already (emails sign people in, so they are unique)."""

    slug = "email-taken"
    title = "An account with this email already exists"


class InvitationInProgress(Conflict):
    """Another request is inviting this email into your institution right now, or stopped doing so
    less than a minute ago. Retry in a minute: the retry finishes that invitation (or answers as the
    first one did, with the same Idempotency-Key)."""

    slug = "invitation-in-progress"
    title = "An invitation of this email is in progress"


class InvalidTimezone(Problem):
    """`timezone` must be an IANA time zone name, such as `Europe/Paris`."""

    status = 422
    slug = "invalid-timezone"
    title = "The time zone is not a known IANA time zone"


class InvalidUserStatusTransition(Conflict):
    """Active people can be suspended, suspended people reactivated; nothing else."""

    slug = "invalid-user-status-transition"
    title = "The person cannot move to that status"


class SelfAdministration(Conflict):
    """Admins cannot suspend themselves or change their own role (ask another admin)."""

    slug = "self-administration"
    title = "You cannot do this to your own account"


class RoleUnchanged(Conflict):
    """The person already has this role."""

    slug = "role-unchanged"
    title = "The person already has this role"


class AccountSuspended(Forbidden):
    """Your account is suspended; an admin of your institution can reactivate it."""

    slug = "account-suspended"
    title = "Your account is suspended"


class AccountErased(Forbidden):
    """This account was erased at the request of your institution; it can no longer be used."""

    slug = "account-erased"
    title = "This account was erased"


class ConcurrentUserChange(ChangedMeanwhile):
    """Someone changed the person or institution between your read and your write; retry."""

    slug = "concurrent-user-change"
    title = "The resource changed while this request was applied; read it again and retry"


class ImportJobNotFound(NotFound):
    """No such roster import in your institution."""

    slug = "import-job-not-found"
    title = "Import job not found"


class AccountRefused(Problem):
    """The user pool refused to create the account (for example an address it cannot deliver to)."""

    status = 422
    slug = "account-refused"
    title = "The account could not be created"
