"""Use cases of the identity context: authorize, apply the rules, keep Cognito and the table in step.

Cognito and DynamoDB share no transaction, so every use case that touches both orders its steps
so that a failure leaves nothing half done: the Cognito change first, then one TransactWriteItems
(state, outbox, audit), and when that transaction is refused, the Cognito change is undone.

An invitation claims the email first (a pending claim with a lease, lms.users.domain): should the
function die between the account and the profile, so that nothing is undone, the next invitation
of that email in the institution finds the claim stale and the account in the pool, and finishes
the invitation with that account instead of answering that the email is taken.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from pydantic import BaseModel

from lms import authz, clock, idempotency, ids
from lms.audit import AuditEntry
from lms.auth import MEMBERS, Principal, Role
from lms.errors import check_version
from lms.events import DomainEvent
from lms.events.users import (
    InstitutionCreated,
    InstitutionUpdated,
    UserInvited,
    UserProfileUpdated,
    UserReactivated,
    UserRoleChanged,
    UserSuspended,
)
from lms.idempotency import IdempotentRequest, StoredResponse
from lms.users import domain, policy
from lms.users.access import AccountState
from lms.users.access import gate as account_gate
from lms.users.cognito import ExistingAccount, NewAccount
from lms.users.domain import Institution, PendingInvitation, UserProfile, UserRole, UserStatus
from lms.users.errors import (
    AccountRefused,
    EmailTaken,
    InstitutionNotFound,
    InvitationInProgress,
    UserNotFound,
)
from lms.users.imports.roster import RowResult
from lms.users.schemas import (
    AdminInvitation,
    InstitutionDraft,
    InstitutionPatch,
    InstitutionView,
    Invitation,
    InvitedUserView,
    ProfilePatch,
    UserView,
)


@dataclass(frozen=True)
class AuditRecord:
    """An audit entry to write with the change: `action` is the operation, `resource` what it touched."""

    action: str
    resource: str
    subject_user_id: str | None = None
    details: dict[str, Any] = field(default_factory=dict)


@dataclass
class IdentityChange:
    """Everything one request writes in one transaction, inside one institution's key space."""

    institution_id: str
    actor: Principal
    events: list[DomainEvent] = field(default_factory=list)
    audit: list[AuditRecord] = field(default_factory=list)
    institution: Institution | None = None
    institution_expected_version: int | None = None  # None with `institution`: it is new
    user: UserProfile | None = None
    user_expected_version: int | None = None  # None with `user`: new (claims the email too)
    import_row: tuple[str, RowResult] | None = None  # (job id, outcome) of the roster row it imports
    invitation_id: str | None = None  # the pending claim of the new user's email, held by this change
    # With an Idempotency-Key: its first answer, stored under the caller's own key space.
    idempotent: IdempotentRequest | None = None
    response: StoredResponse | None = None


@dataclass(frozen=True)
class PeopleQuery:
    role: UserRole | None = None
    status: UserStatus | None = None
    search: str | None = None
    limit: int = 20
    cursor: str | None = None


class IdentityRepository(Protocol):
    def stored_response(self, institution_id: str, user_id: str, key: str) -> StoredResponse | None: ...
    def get_institution(self, institution_id: str) -> Institution | None: ...
    def list_institutions(self, limit: int, cursor: str | None) -> tuple[list[Institution], str | None]: ...
    def get_user(self, institution_id: str, user_id: str) -> UserProfile | None: ...
    def claim_email(
        self, institution_id: str, email: str, claim: PendingInvitation, at: datetime
    ) -> PendingInvitation | None: ...
    def release_email(self, institution_id: str, email: str, invitation_id: str) -> None: ...
    def list_users(self, institution_id: str, query: PeopleQuery) -> tuple[list[UserProfile], str | None]: ...
    def list_audit(
        self, institution_id: str, limit: int, cursor: str | None
    ) -> tuple[list[AuditEntry], str | None]: ...
    def commit(self, change: IdentityChange) -> None: ...


class Directory(Protocol):
    """The user pool (lms.users.cognito.CognitoDirectory)."""

    def create_account(
        self, *, email: str, given_name: str, family_name: str, institution_id: str, group: Role
    ) -> NewAccount: ...
    def find_account(self, email: str) -> ExistingAccount | None: ...
    def delete_account(self, user_id: str) -> None: ...
    def add_to_group(self, user_id: str, group: Role) -> None: ...
    def remove_from_group(self, user_id: str, group: Role) -> None: ...
    def disable(self, user_id: str) -> None: ...
    def enable(self, user_id: str) -> None: ...


_ROLE_RANK = (UserRole.INSTITUTION_ADMIN, UserRole.INSTRUCTOR, UserRole.STUDENT)


class IdentityService:
    def __init__(
        self,
        repository: IdentityRepository,
        directory: Directory,
        now: Callable[[], datetime] | None = None,
        new_id: Callable[[], str] = ids.new_id,
        on_account_change: Callable[[str, str, AccountState | None], None] = account_gate.remember,
    ) -> None:
        self._repo = repository
        self._directory = directory
        self._now = now or (lambda: clock.now())  # read at each call: a lease is judged by the time now
        self._new_id = new_id
        self._account_changed = on_account_change

    # ------------------------------------------------------------ institutions (platform)

    def create_institution(
        self, principal: Principal, draft: InstitutionDraft, request: IdempotentRequest | None = None
    ) -> Institution:
        authz.authorize(principal, policy.CREATE_INSTITUTION)
        domain.check_timezone(draft.timezone)
        at = self._now()
        institution = Institution(id=self._new_id(), created_at=at, updated_at=at, **draft.model_dump())
        event = InstitutionCreated(
            slug=institution.slug, timezone=institution.timezone, default_locale=institution.default_locale
        )
        audit = AuditRecord(
            "CreateInstitution", f"institutions/{institution.id}", details={"slug": institution.slug}
        )
        change = IdentityChange(
            institution_id=institution.id,
            actor=principal,
            events=[event],
            audit=[audit],
            institution=institution,
        )
        self._commit_answering(change, request, 201, lambda: InstitutionView.of(institution))
        return institution

    def _replay_if_seen(self, principal: Principal, request: IdempotentRequest | None) -> None:
        """Answer a request seen before with its first response: nothing is written, no account made."""
        if request is not None:
            idempotency.replay(
                self._repo.stored_response(principal.institution_id, principal.user_id, request.key), request
            )

    def _commit_answering(
        self,
        change: IdentityChange,
        request: IdempotentRequest | None,
        status: int,
        answer: Callable[[], BaseModel],
    ) -> None:
        """Commit; with an Idempotency-Key, the answer is stored in the same transaction."""
        if request is not None:
            change.idempotent = request
            change.response = StoredResponse(request.fingerprint, status, answer().model_dump_json())
        self._repo.commit(change)

    def list_institutions(
        self, principal: Principal, limit: int, cursor: str | None
    ) -> tuple[list[Institution], str | None]:
        authz.authorize(principal, policy.LIST_INSTITUTIONS)
        return self._repo.list_institutions(limit, cursor)

    def _institution(self, principal: Principal, institution_id: str) -> Institution:
        """Platform admins reach every institution; an institution admin only their own."""
        if not principal.is_platform_admin and institution_id != principal.institution_id:
            raise InstitutionNotFound(f"No institution {institution_id!r}.")
        institution = self._repo.get_institution(institution_id)
        if institution is None:
            raise InstitutionNotFound(f"No institution {institution_id!r}.")
        return institution

    def get_institution(self, principal: Principal, institution_id: str) -> Institution:
        authz.authorize(principal, policy.GET_INSTITUTION)
        return self._institution(principal, institution_id)

    def update_institution(
        self, principal: Principal, institution_id: str, patch: InstitutionPatch, expected_version: int
    ) -> Institution:
        authz.authorize(principal, policy.UPDATE_INSTITUTION)
        institution = self._institution(principal, institution_id)
        check_version("institution", institution.version, expected_version)
        changes = patch.changes()
        if "timezone" in changes:
            domain.check_timezone(changes["timezone"])
        updated = institution.model_copy(
            update={**changes, "version": institution.version + 1, "updated_at": self._now()}
        )
        event = InstitutionUpdated(version=updated.version, changed_fields=sorted(changes))
        audit = AuditRecord(
            "UpdateInstitution", f"institutions/{institution.id}", details={"changed_fields": sorted(changes)}
        )
        self._repo.commit(
            IdentityChange(
                institution_id=institution.id,
                actor=principal,
                events=[event],
                audit=[audit],
                institution=updated,
                institution_expected_version=institution.version,
            )
        )
        return updated

    def add_institution_admin(
        self,
        principal: Principal,
        institution_id: str,
        invitation: AdminInvitation,
        request: IdempotentRequest | None = None,
    ) -> tuple[UserProfile, str | None]:
        authz.authorize(principal, policy.ADD_INSTITUTION_ADMIN)
        self._replay_if_seen(principal, request)
        institution = self._institution(principal, institution_id)
        admin = Invitation(**invitation.model_dump(), role=UserRole.INSTITUTION_ADMIN)
        return self._invite(principal, institution.id, admin, "AddInstitutionAdmin", request)

    def list_audit_events(
        self, principal: Principal, institution_id: str, limit: int, cursor: str | None
    ) -> tuple[list[AuditEntry], str | None]:
        """The institution's trail, newest first; an institution admin reads only their own."""
        authz.authorize(principal, policy.LIST_AUDIT_EVENTS)
        if institution_id != principal.institution_id:
            institution_id = self._institution(principal, institution_id).id
        return self._repo.list_audit(institution_id, limit, cursor)

    # ------------------------------------------------------------ people (institution admins)

    def invite_user(
        self, principal: Principal, invitation: Invitation, request: IdempotentRequest | None = None
    ) -> tuple[UserProfile, str | None]:
        authz.authorize(principal, policy.INVITE_USER)
        self._replay_if_seen(principal, request)
        return self._invite(principal, principal.institution_id, invitation, "InviteUser", request)

    def _invite(
        self,
        principal: Principal,
        institution_id: str,
        invitation: Invitation,
        action: str,
        request: IdempotentRequest | None = None,
    ) -> tuple[UserProfile, str | None]:
        """Claim the email, make the account (or finish a dead invitation's), save the profile.

        A retry seen before was answered already (no second account); the pool's username is the email.
        """
        email = domain.normalize_email(invitation.email)
        at = self._now()
        claim = PendingInvitation(self._new_id(), invitation.role, at + domain.INVITATION_LEASE)
        try:
            dead = self._repo.claim_email(institution_id, email, claim, at)
        except (EmailTaken, InvitationInProgress):
            # A concurrent request with the same key may have committed meanwhile: answer as it did.
            self._replay_if_seen(principal, request)
            raise
        try:
            account = self._account(institution_id, email, invitation, dead)
        except (EmailTaken, AccountRefused):
            # The pool refused: no account of this institution's invitation exists. On any other
            # failure one may (half adopted, or made before an error): the claim stays pending.
            self._repo.release_email(institution_id, email, claim.id)
            raise
        user = self.save_invitation(
            principal,
            institution_id,
            invitation,
            account.user_id,
            action,
            request=request,
            temporary_password=account.temporary_password,
            invitation_id=claim.id,
        )
        return user, account.temporary_password

    def _account(
        self, institution_id: str, email: str, invitation: Invitation, dead: PendingInvitation | None
    ) -> NewAccount:
        """A new account; or, under the claim of an invitation that died, the account it made."""
        try:
            return self._directory.create_account(
                email=email,
                given_name=invitation.given_name,
                family_name=invitation.family_name,
                institution_id=institution_id,
                group=invitation.role.group,
            )
        except EmailTaken:
            if dead is None:
                raise  # an account elsewhere, or one made outside the API: never taken over
            existing = self._directory.find_account(email)
            if existing is None or existing.institution_id != institution_id:
                raise
        # Adopted with this invitation's role; the dead one's temporary password was sent already.
        self._directory.add_to_group(existing.user_id, invitation.role.group)
        if dead.role is not invitation.role:
            self._directory.remove_from_group(existing.user_id, dead.role.group)
        return NewAccount(user_id=existing.user_id, temporary_password=None)

    def save_invitation(
        self,
        principal: Principal,
        institution_id: str,
        invitation: Invitation,
        user_id: str,
        action: str,
        import_row: tuple[str, RowResult] | None = None,
        *,
        request: IdempotentRequest | None = None,
        temporary_password: str | None = None,
        invitation_id: str | None = None,
    ) -> UserProfile:
        """The profile of the account `user_id` just made; if it cannot be saved, the account goes.

        With an Idempotency-Key the 201 answer (`temporary_password` included) is stored with it;
        with `invitation_id`, the pending claim of the email it holds becomes the person's.
        """
        email = domain.normalize_email(invitation.email)
        at = self._now()
        user = UserProfile(
            id=user_id,
            institution_id=institution_id,
            email=email,
            given_name=invitation.given_name,
            family_name=invitation.family_name,
            role=invitation.role,
            display_name=f"{invitation.given_name} {invitation.family_name}",
            invited_by=principal.user_id,
            created_at=at,
            updated_at=at,
        )
        change = IdentityChange(
            institution_id=institution_id,
            actor=principal,
            events=[UserInvited(user_id=user.id, role=user.role.value, invited_by=principal.user_id)],
            audit=[AuditRecord(action, f"users/{user.id}", user.id, {"role": user.role.value})],
            user=user,
            import_row=import_row,
            invitation_id=invitation_id,
        )
        try:
            self._commit_answering(
                change,
                request,
                201,
                lambda: InvitedUserView(
                    **UserView.of(user).model_dump(), temporary_password=temporary_password
                ),
            )
        except BaseException:
            # Both or neither: no account may live on without its profile. The account is the one
            # this request made or adopted under its claim: no other request touches it meanwhile.
            # Should this compensation die too, the pending claim stays, for a retry to finish.
            self._directory.delete_account(user_id)
            if invitation_id is not None:
                self._repo.release_email(institution_id, email, invitation_id)
            raise
        return user

    def list_users(self, principal: Principal, query: PeopleQuery) -> tuple[list[UserProfile], str | None]:
        authz.authorize(principal, policy.LIST_USERS)
        return self._repo.list_users(principal.institution_id, query)

    def _user(self, principal: Principal, user_id: str) -> UserProfile:
        user = self._repo.get_user(principal.institution_id, user_id)
        if user is None:
            raise UserNotFound(f"No user {user_id!r} in your institution.")
        return user

    def get_user(self, principal: Principal, user_id: str) -> UserProfile:
        authz.authorize(principal, policy.GET_USER)
        return self._user(principal, user_id)

    def change_role(
        self, principal: Principal, user_id: str, role: UserRole, expected_version: int
    ) -> UserProfile:
        authz.authorize(principal, policy.CHANGE_USER_ROLE)
        user = self._user(principal, user_id)
        check_version("user", user.version, expected_version)
        updated = domain.change_role(user, role, principal, self._now())
        event = UserRoleChanged(user_id=user.id, previous_role=user.role.value, role=role.value)
        audit = AuditRecord(
            "ChangeUserRole", f"users/{user.id}", user.id, {"from": user.role.value, "to": role.value}
        )
        self._directory.add_to_group(user.id, role.group)
        self._directory.remove_from_group(user.id, user.role.group)
        try:
            self._commit_user(principal, user, updated, event, audit)
        except BaseException:
            self._directory.add_to_group(user.id, user.role.group)
            self._directory.remove_from_group(user.id, role.group)
            raise
        return updated

    def suspend(self, principal: Principal, user_id: str) -> UserProfile:
        authz.authorize(principal, policy.SUSPEND_USER)
        user = self._user(principal, user_id)
        updated = domain.suspend(user, principal, self._now())
        self._directory.disable(user.id)
        try:
            self._commit_user(
                principal,
                user,
                updated,
                UserSuspended(user_id=user.id),
                AuditRecord("SuspendUser", f"users/{user.id}", user.id),
            )
        except BaseException:
            self._directory.enable(user.id)
            raise
        return updated

    def reactivate(self, principal: Principal, user_id: str) -> UserProfile:
        authz.authorize(principal, policy.REACTIVATE_USER)
        user = self._user(principal, user_id)
        updated = domain.reactivate(user, self._now())
        self._directory.enable(user.id)
        try:
            self._commit_user(
                principal,
                user,
                updated,
                UserReactivated(user_id=user.id),
                AuditRecord("ReactivateUser", f"users/{user.id}", user.id),
            )
        except BaseException:
            self._directory.disable(user.id)
            raise
        return updated

    def _commit_user(
        self,
        principal: Principal,
        before: UserProfile,
        after: UserProfile,
        event: DomainEvent,
        audit: AuditRecord | None,
    ) -> None:
        self._repo.commit(
            IdentityChange(
                institution_id=before.institution_id,
                actor=principal,
                events=[event],
                audit=[audit] if audit else [],
                user=after,
                user_expected_version=before.version,
            )
        )
        self._account_changed(
            after.institution_id, after.id, AccountState(status=after.status.value, role=after.role.group)
        )

    # ------------------------------------------------------------ your own profile

    def my_profile(self, principal: Principal) -> UserProfile:
        """Your profile; an account created outside the API has an unsaved one (version 0)."""
        authz.authorize(principal, policy.GET_MY_PROFILE)
        stored = self._repo.get_user(principal.institution_id, principal.user_id)
        return stored if stored is not None else self._unsaved_profile(principal)

    def _unsaved_profile(self, principal: Principal) -> UserProfile:
        role = next(r for r in _ROLE_RANK if r.group in principal.roles & MEMBERS)
        at = self._now()
        return UserProfile(
            id=principal.user_id,
            institution_id=principal.institution_id,
            email=principal.email,
            given_name="",
            family_name="",
            role=role,
            display_name=principal.email or principal.user_id,
            version=0,
            created_at=at,
            updated_at=at,
        )

    def update_my_profile(
        self, principal: Principal, patch: ProfilePatch, expected_version: int
    ) -> UserProfile:
        authz.authorize(principal, policy.UPDATE_MY_PROFILE)
        user = self.my_profile(principal)
        check_version("profile", user.version, expected_version)
        changes = patch.changes()
        if changes.get("timezone") is not None:
            domain.check_timezone(changes["timezone"])
        if changes.get("avatar_url") is not None:
            changes["avatar_url"] = str(changes["avatar_url"])
        updated = user.model_copy(update={**changes, "version": user.version + 1, "updated_at": self._now()})
        self._repo.commit(
            IdentityChange(
                institution_id=user.institution_id,
                actor=principal,
                events=[UserProfileUpdated(user_id=user.id, changed_fields=sorted(changes))],
                user=updated,
                user_expected_version=user.version or None,
            )
        )
        return updated
