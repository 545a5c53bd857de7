"""Roster imports: the API stores the job (rows and all) with its event; the worker invites row by row.

The worker records each row's outcome as it goes, so a retried message resumes after the last row
done and creates nobody twice. A row is marked `pending` before its account is created: should the
worker die between the account and the profile, the retry finds the account it made and finishes it
(Cognito and DynamoDB share no transaction, so this is how no account is left without a profile).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Protocol

from lms import authz, clock, ids
from lms.auth import Principal, Role
from lms.events.users import RosterImportRequested
from lms.idempotency import IdempotentRequest, StoredResponse
from lms.users import policy
from lms.users.cognito import ExistingAccount, NewAccount
from lms.users.errors import AccountRefused, EmailTaken, ImportJobNotFound
from lms.users.imports.repository import ImportSubmission
from lms.users.imports.roster import ImportJob, RosterRow, RowResult, RowStatus, check_roster, chunked
from lms.users.imports.schemas import ImportJobView, RosterSubmission
from lms.users.service import IdentityService

ALREADY_MEMBER = "Already in the institution."
EMAIL_ELSEWHERE = "An account with this email already exists (in another institution)."
NO_PROFILE = "An account with this email exists in the institution without a profile (made outside the API)."


class ImportRepository(Protocol):
    def submit(self, submission: ImportSubmission) -> None: ...
    def get_job(self, institution_id: str, job_id: str) -> ImportJob | None: ...
    def record(self, institution_id: str, job_id: str, result: RowResult) -> bool: ...
    def email_claimed(self, institution_id: str, email: str) -> tuple[bool, str | None]: ...
    def give_up(self, institution_id: str, job_id: str, failure: str) -> None: ...
    def finish(self, actor: Principal, job: ImportJob, at: datetime) -> None: ...


class AccountDirectory(Protocol):
    """The part of the user pool an import needs (lms.users.cognito.CognitoDirectory)."""

    def create_account(
        self, *, email: str, given_name: str, family_name: str, institution_id: str, group: Role
    ) -> NewAccount: ...
    def find_account(self, email: str) -> ExistingAccount | None: ...
    def add_to_group(self, user_id: str, group: Role) -> None: ...


class RosterImports:
    def __init__(
        self,
        repository: ImportRepository,
        identity: IdentityService,
        directory: AccountDirectory,
        now: Callable[[], datetime] | None = None,
        new_id: Callable[[], str] = ids.new_id,
        retention: timedelta = timedelta(days=30),
    ) -> None:
        self._repo = repository
        self._identity = identity
        self._directory = directory
        self._now = now or (lambda: clock.now())
        self._new_id = new_id
        self._retention = retention  # how long a job and its rows (emails, names) are kept

    # ------------------------------------------------------------ the API

    def submit(
        self, principal: Principal, submission: RosterSubmission, request: IdempotentRequest | None = None
    ) -> ImportJob:
        """Store the job and its rows with the event that starts the worker; nothing is invited yet."""
        authz.authorize(principal, policy.IMPORT_ROSTER)
        rows = check_roster(submission.rows)
        at = self._now()
        at = at.replace(microsecond=at.microsecond // 1000 * 1000)  # as stored: the answer equals a read
        job = ImportJob(
            id=self._new_id(),
            institution_id=principal.institution_id,
            created_by=principal.user_id,
            total=len(rows),
            chunks=len(chunked(rows)),
            created_at=at,
            expires_at=(at + self._retention).replace(microsecond=0),  # stored in epoch seconds
            rows=rows,
        )
        stored = ImportSubmission(
            job, principal, RosterImportRequested(job_id=job.id, rows=job.total, chunks=job.chunks)
        )
        if request is not None:
            stored.idempotent = request
            stored.response = StoredResponse(
                request.fingerprint, 202, ImportJobView.of(job).model_dump_json()
            )
        self._repo.submit(stored)
        return job

    def get_job(self, principal: Principal, job_id: str) -> ImportJob:
        authz.authorize(principal, policy.GET_IMPORT_JOB)
        job = self._repo.get_job(principal.institution_id, job_id)
        if job is None or job.expired(self._now()):
            raise ImportJobNotFound(f"No roster import {job_id!r} in your institution.")
        return job

    # ------------------------------------------------------------ the worker

    def run(self, actor: Principal, job_id: str) -> ImportJob | None:
        """Import every row without an outcome yet, on behalf of the admin who submitted the roster."""
        job = self._repo.get_job(actor.institution_id, job_id)
        if job is None or job.failure is not None:
            return job
        for row in job.to_do():
            self._import_row(actor, job, row)
        done = self._repo.get_job(actor.institution_id, job_id)
        if done is not None and done.failure is None and not done.to_do():
            self._repo.finish(actor, done, self._now())
        return job

    def give_up(self, actor: Principal, job_id: str, failure: str) -> None:
        self._repo.give_up(actor.institution_id, job_id, failure)

    def _record(
        self,
        job: ImportJob,
        row: RosterRow,
        status: RowStatus,
        reason: str | None = None,
        user_id: str | None = None,
    ) -> None:
        result = RowResult(row.row, status, self._now(), reason, user_id, expires_at=job.expires_at)
        self._repo.record(job.institution_id, job.id, result)

    def _import_row(self, actor: Principal, job: ImportJob, row: RosterRow) -> None:
        if row.rejection is not None:
            self._record(job, row, RowStatus.FAILED, row.rejection)
            return
        inst = job.institution_id
        resumed = row.row in job.results  # an earlier attempt stopped inside this row
        if not resumed:
            self._record(job, row, RowStatus.PENDING)
        invitation = row.invitation()
        password: str | None = None
        try:
            account = self._directory.create_account(
                email=row.email,
                given_name=row.given_name,
                family_name=row.family_name,
                institution_id=inst,
                group=invitation.role.group,
            )
            user_id, password = account.user_id, account.temporary_password
        except EmailTaken:
            claimed, member = self._repo.email_claimed(inst, row.email)
            if claimed:
                self._record(job, row, RowStatus.SKIPPED, ALREADY_MEMBER, member)
                return
            existing = self._directory.find_account(row.email)
            if existing is None or existing.institution_id != inst:
                self._record(job, row, RowStatus.FAILED, EMAIL_ELSEWHERE)
                return
            if not resumed:
                self._record(job, row, RowStatus.FAILED, NO_PROFILE)
                return
            # The account an attempt made before it stopped: finish the invitation with it.
            self._directory.add_to_group(existing.user_id, invitation.role.group)
            user_id = existing.user_id
        except AccountRefused as refusal:
            self._record(job, row, RowStatus.FAILED, refusal.detail)
            return
        outcome = RowResult(
            row.row,
            RowStatus.CREATED,
            self._now(),
            user_id=user_id,
            temporary_password=password,
            expires_at=job.expires_at,
        )
        try:
            self._identity.save_invitation(actor, inst, invitation, user_id, "ImportUser", (job.id, outcome))
        except EmailTaken:
            # Invited by someone else in the meantime; the account made here is gone again.
            self._record(job, row, RowStatus.SKIPPED, ALREADY_MEMBER)
