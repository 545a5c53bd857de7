"""Use cases of privacy: request and read exports, erase people; and the worker's side of both.

A request stores a job (or an erasure record) with its event in one transaction; the privacy
worker does the long part: it gathers every context's export into one document, or deletes the
account from the user pool and runs every context's erasure, recording each finished step.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, Protocol

from lms import authz, clock, ids
from lms.audit import record_read
from lms.auth import Principal, Role
from lms.correlation import correlation_id
from lms.events.users import UserErased, UserExportRequested
from lms.idempotency import IdempotentRequest, StoredResponse
from lms.privacy import Contributor, domain, policy
from lms.privacy.domain import EXPORT_FORMAT, Erasure, ErasureStatus, ExportJob, ExportStatus
from lms.privacy.errors import ErasureNotFound, ExportNotFound
from lms.privacy.repository import (
    AlreadyErased,
    ErasureRequest,
    ExportRequest,
)
from lms.privacy.schemas import ExportJobView
from lms.users.access import ERASED, AccountState
from lms.users.access import gate as account_gate
from lms.users.domain import UserProfile, UserStatus
from lms.users.errors import UserNotFound

ACCOUNT_STEP = "account"
"""The erasure step that deletes the person's account from the user pool."""


class PrivacyRepository(Protocol):
    def request_export(self, request: ExportRequest) -> None: ...
    def get_export(self, institution_id: str, user_id: str, export_id: str) -> ExportJob | None: ...
    def list_exports(
        self, institution_id: str, user_id: str, limit: int, cursor: str | None
    ) -> tuple[list[ExportJob], str | None]: ...
    def export_ready(self, job: ExportJob, object_key: str, at: datetime) -> None: ...
    def export_failed(self, job: ExportJob, failure: str, at: datetime) -> None: ...
    def get_erasure(self, institution_id: str, user_id: str) -> Erasure | None: ...
    def erase(self, request: ErasureRequest) -> None: ...
    def step_done(self, erasure: Erasure, step: str) -> None: ...
    def erasure_complete(self, erasure: Erasure, at: datetime) -> None: ...


class People(Protocol):
    """The identity context's profiles (lms.users.repository.DynamoIdentityRepository)."""

    def get_user(self, institution_id: str, user_id: str) -> UserProfile | None: ...


class Accounts(Protocol):
    """The user pool (lms.users.cognito.CognitoDirectory); deleting a missing account succeeds."""

    def delete_account(self, user_id: str) -> None: ...


class Documents(Protocol):
    """Where export documents go (lms.privacy.files)."""

    def put_document(self, key: str, document: dict[str, Any]) -> None: ...
    def download_url(self, key: str, expires_in_seconds: int) -> str: ...


class PrivacyService:
    def __init__(
        self,
        repository: PrivacyRepository,
        people: People,
        accounts: Accounts,
        documents: Documents,
        contributors: Callable[[], Sequence[Contributor]],
        now: Callable[[], datetime] = clock.now,
        new_id: Callable[[], str] = ids.new_id,
        on_account_change: Callable[[str, str, AccountState | None], None] = account_gate.remember,
    ) -> None:
        self._repo = repository
        self._people = people
        self._accounts = accounts
        self._documents = documents
        self._contributors = contributors
        self._now = now
        self._new_id = new_id
        self._account_changed = on_account_change

    # ------------------------------------------------------------ exports (API)

    def _subject(self, principal: Principal, user_id: str) -> None:
        """The person exists in the caller's institution (people always find themselves)."""
        if user_id != principal.user_id and self._people.get_user(principal.institution_id, user_id) is None:
            raise UserNotFound(f"No user {user_id!r} in your institution.")

    def request_export(
        self, principal: Principal, user_id: str, request: IdempotentRequest | None = None
    ) -> ExportJob:
        authz.authorize(principal, policy.REQUEST_USER_EXPORT)
        self._subject(principal, user_id)
        domain.may_export(principal, user_id)
        job = ExportJob(
            id=self._new_id(),
            institution_id=principal.institution_id,
            user_id=user_id,
            requested_by=principal.user_id,
            requested_at=self._now(),
        )
        change = ExportRequest(job, principal, UserExportRequested(user_id=user_id, export_id=job.id))
        if request is not None:
            change.idempotent = request
            change.response = StoredResponse(
                request.fingerprint, 202, ExportJobView.of(job).model_dump_json()
            )
        self._repo.request_export(change)
        return job

    def get_export(self, principal: Principal, user_id: str, export_id: str) -> ExportJobView:
        """The job, and while it is ready a short-lived download link; reading someone else's is audited."""
        authz.authorize(principal, policy.GET_USER_EXPORT)
        domain.may_export(principal, user_id)
        job = self._repo.get_export(principal.institution_id, user_id, export_id)
        if job is None:
            raise ExportNotFound(f"No export {export_id!r} of user {user_id!r}.")
        view = ExportJobView.of(job)
        if job.status == ExportStatus.READY and job.object_key:
            lifetime = domain.DOWNLOAD_LINK_LIFETIME
            view.download_url = self._documents.download_url(job.object_key, int(lifetime.total_seconds()))
            view.expires_at = self._now() + lifetime
        record_read(
            principal, "GetUserExport", f"users/{user_id}/exports/{export_id}", subject_user_id=user_id
        )
        return view

    def list_exports(
        self, principal: Principal, user_id: str, limit: int, cursor: str | None
    ) -> tuple[list[ExportJob], str | None]:
        """A person's export jobs, newest first (their own, or an admin's of their institution)."""
        authz.authorize(principal, policy.LIST_USER_EXPORTS)
        domain.may_export(principal, user_id)
        self._subject(principal, user_id)
        return self._repo.list_exports(principal.institution_id, user_id, limit, cursor)

    # ------------------------------------------------------------ exports (worker)

    def build_export(self, institution_id: str, user_id: str, export_id: str) -> ExportJob | None:
        """Gather every context's sections into one document, store it, mark the job ready."""
        job = self._repo.get_export(institution_id, user_id, export_id)
        if job is None or job.status != ExportStatus.PENDING:
            return job
        erasure = self._repo.get_erasure(institution_id, user_id)
        if erasure is not None:
            self._repo.export_failed(job, "The person was erased.", self._now())
            return job
        at = self._now()
        document = {
            "format": EXPORT_FORMAT,
            "export_id": job.id,
            "institution_id": institution_id,
            "user_id": user_id,
            "requested_at": clock.rfc3339(job.requested_at),
            "generated_at": clock.rfc3339(at),
            "contexts": {c.name: c.export(institution_id, user_id) for c in self._contributors()},
        }
        key = domain.export_object_key(job)
        self._documents.put_document(key, document)
        self._repo.export_ready(job, key, at)
        return job

    def export_failed(self, institution_id: str, user_id: str, export_id: str, failure: str) -> None:
        job = self._repo.get_export(institution_id, user_id, export_id)
        if job is not None and job.status == ExportStatus.PENDING:
            self._repo.export_failed(job, failure, self._now())

    # ------------------------------------------------------------ erasure (API)

    def erase_user(self, principal: Principal, user_id: str, institution_id: str | None = None) -> Erasure:
        """Pseudonymise the profile and record the erasure now; the worker does the rest.

        Erasing an erased person again answers with the same record and changes nothing.
        """
        authz.authorize(principal, policy.ERASE_USER)
        inst = self._institution(principal, institution_id)
        domain.may_erase(principal, user_id)
        profile = self._people.get_user(inst, user_id)
        if profile is None:
            raise UserNotFound(f"No user {user_id!r} in this institution.")
        if profile.status == UserStatus.ERASED:
            return self._recorded(inst, user_id)
        erasure = Erasure(
            id=self._new_id(),
            institution_id=inst,
            user_id=user_id,
            requested_by=principal.user_id,
            requested_at=self._now(),
            request_id=correlation_id.get(),
        )
        try:
            self._repo.erase(
                ErasureRequest(
                    erasure=erasure,
                    profile=profile,
                    pseudonym=domain.pseudonym(user_id),
                    actor=principal,
                    event=UserErased(user_id=user_id, erasure_id=erasure.id),
                )
            )
        except AlreadyErased:
            return self._recorded(inst, user_id)
        self._account_changed(inst, user_id, AccountState(status=ERASED, role=profile.role.group))
        return erasure

    def get_erasure(self, principal: Principal, user_id: str, institution_id: str | None = None) -> Erasure:
        """The erasure record of a person: its status and when it completed (admins)."""
        authz.authorize(principal, policy.GET_USER_ERASURE)
        erasure = self._repo.get_erasure(self._institution(principal, institution_id), user_id)
        if erasure is None:
            raise ErasureNotFound(f"User {user_id!r} has not been erased in this institution.")
        return erasure

    def _institution(self, principal: Principal, institution_id: str | None) -> str:
        """Institution admins erase in their own institution; platform admins name one."""
        if principal.is_platform_admin and not principal.has_institution:
            if not institution_id:
                raise UserNotFound("Name the person's institution with `institution_id`.")
            return institution_id
        if institution_id and institution_id != principal.institution_id:
            raise UserNotFound("No such user in your institution.")
        return principal.institution_id

    def _recorded(self, institution_id: str, user_id: str) -> Erasure:
        erasure = self._repo.get_erasure(institution_id, user_id)
        if erasure is None:
            raise UserNotFound(f"No user {user_id!r} in this institution.")
        return erasure

    # ------------------------------------------------------------ erasure (worker)

    def complete_erasure(self, institution_id: str, user_id: str) -> Erasure | None:
        """Delete the account, run every context's erasure not done yet, then mark the record complete."""
        erasure = self._repo.get_erasure(institution_id, user_id)
        if erasure is None or erasure.status == ErasureStatus.COMPLETE:
            return erasure
        actor = Principal(
            user_id=erasure.requested_by,
            institution_id=institution_id,
            roles=frozenset({Role.INSTITUTION_ADMIN}),
        )
        if ACCOUNT_STEP not in erasure.done:
            self._accounts.delete_account(user_id)
            self._repo.step_done(erasure, ACCOUNT_STEP)
        for contributor in self._contributors():
            if contributor.name in erasure.done:
                continue
            contributor.erase(institution_id, user_id, actor)
            self._repo.step_done(erasure, contributor.name)
        self._repo.erasure_complete(erasure, self._now())
        return erasure
