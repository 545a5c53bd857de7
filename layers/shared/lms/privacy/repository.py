"""Export jobs and erasures in the table: every request's change is one TransactWriteItems.

The erasure writes the identity context's profile and email claim (lms.privacy is that context's
privacy part, like lms.users.imports), with the erasure record, audit entry and `UserErased`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from lms import audit, clock, keys
from lms.auth import Principal
from lms.events import DomainEvent
from lms.events.users import UserExportReady
from lms.idempotency import IdempotentRequest, StoredResponse
from lms.pagination import decode_cursor, encode_cursor
from lms.persistence.idempotency import remember_answer
from lms.persistence.outbox import outbox_item
from lms.persistence.transactions import Transaction
from lms.privacy.domain import Erasure, ErasureStatus, ExportJob, ExportStatus
from lms.privacy.items import ERASURE_ENTITY, EXPORT_ENTITY, ErasureItem, ExportJobItem
from lms.users.domain import UserProfile
from lms.users.errors import ConcurrentUserChange
from lms.users.repository import pseudonymise, release_email_of


class _NoLongerPending(Exception):
    """The export job was marked ready (or failed) before, or expired."""


class AlreadyErased(Exception):
    """Another request erased the person between the read and the write."""


@dataclass
class ExportRequest:
    job: ExportJob
    actor: Principal
    event: DomainEvent
    idempotent: IdempotentRequest | None = None
    response: StoredResponse | None = None


@dataclass
class ErasureRequest:
    erasure: Erasure
    profile: UserProfile  # as read: the write is conditional on its version
    pseudonym: str
    actor: Principal
    event: DomainEvent


def _time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _job(institution_id: str, item: ExportJobItem) -> ExportJob:
    return ExportJob(
        id=item.export_id,
        institution_id=institution_id,
        user_id=item.user_id,
        requested_by=item.requested_by,
        status=ExportStatus(item.status),
        requested_at=datetime.fromisoformat(item.requested_at),
        completed_at=_time(item.completed_at),
        object_key=item.object_key,
        failure=item.failure,
    )


def _erasure(institution_id: str, item: ErasureItem) -> Erasure:
    return Erasure(
        id=item.erasure_id,
        institution_id=institution_id,
        user_id=item.user_id,
        requested_by=item.requested_by,
        requested_at=datetime.fromisoformat(item.requested_at),
        request_id=item.request_id,
        status=ErasureStatus(item.status),
        done=list(item.done or []),
        completed_at=_time(item.completed_at),
    )


def _job_key(job: ExportJob) -> ExportJobItem:
    return ExportJobItem(keys.user_pk(job.institution_id, job.user_id), keys.user_export_sk(job.id))


def _erasure_key(institution_id: str, user_id: str) -> ErasureItem:
    return ErasureItem(keys.user_pk(institution_id, user_id), keys.ERASURE_SK)


class DynamoPrivacyRepository:
    def request_export(self, request: ExportRequest) -> None:
        """The job, its event and the audit entry (and the first answer to an Idempotency-Key)."""
        job, actor = request.job, request.actor
        inst = job.institution_id
        tx = Transaction()
        tx.put(
            ExportJobItem(
                keys.user_pk(inst, job.user_id),
                keys.user_export_sk(job.id),
                entity=EXPORT_ENTITY,
                export_id=job.id,
                user_id=job.user_id,
                requested_by=job.requested_by,
                status=job.status.value,
                requested_at=clock.rfc3339(job.requested_at),
            ),
            ExportJobItem.PK.does_not_exist(),
            ConcurrentUserChange("An export with this id exists."),
        )
        tx.put(outbox_item(request.event, inst, actor))
        entry = audit.audit_item(
            inst,
            actor,
            "RequestUserExport",
            f"users/{job.user_id}/exports/{job.id}",
            subject_user_id=job.user_id,
        )
        tx.put(entry, audit.APPEND_ONLY)
        if request.idempotent is not None and request.response is not None:
            remember_answer(tx, inst, actor.user_id, request.idempotent, request.response)
        tx.commit()

    def get_export(self, institution_id: str, user_id: str, export_id: str) -> ExportJob | None:
        try:
            item = ExportJobItem.get(
                keys.user_pk(institution_id, user_id), keys.user_export_sk(export_id), consistent_read=True
            )
        except ExportJobItem.DoesNotExist:
            return None
        return _job(institution_id, item)

    def list_exports(
        self, institution_id: str, user_id: str, limit: int, cursor: str | None
    ) -> tuple[list[ExportJob], str | None]:
        """One Query of the person's partition, newest export first."""
        partition = keys.user_pk(institution_id, user_id)
        results = ExportJobItem.query(
            partition,
            ExportJobItem.SK.startswith(keys.USER_EXPORT_PREFIX),
            scan_index_forward=False,
            last_evaluated_key=decode_cursor(cursor, partition_attr="PK", partition=partition),
            limit=limit,
            page_size=limit,
        )
        page = next(results.page_iter)
        found = [_job(institution_id, ExportJobItem.from_raw_data(raw)) for raw in page.get("Items", [])]
        return found, encode_cursor(page.get("LastEvaluatedKey"))

    def export_ready(self, job: ExportJob, object_key: str, at: datetime) -> None:
        """The job ready and `UserExportReady`, once: a job no longer pending (or gone) changes nothing."""
        tx = Transaction()
        tx.update(
            _job_key(job),
            actions=[
                ExportJobItem.status.set(ExportStatus.READY.value),
                ExportJobItem.object_key.set(object_key),
                ExportJobItem.completed_at.set(clock.rfc3339(at)),
            ],
            condition=ExportJobItem.status == ExportStatus.PENDING.value,
            refusal=_NoLongerPending(),
        )
        ready = UserExportReady(user_id=job.user_id, export_id=job.id, requested_by=job.requested_by)
        # Made on behalf of whoever asked for the export, as the worker acts for them.
        requester = Principal(user_id=job.requested_by, institution_id=job.institution_id, roles=frozenset())
        tx.put(outbox_item(ready, job.institution_id, requester))
        try:
            tx.commit()
        except _NoLongerPending:
            return

    def export_failed(self, job: ExportJob, failure: str, at: datetime) -> None:
        _job_key(job).update(
            actions=[
                ExportJobItem.status.set(ExportStatus.FAILED.value),
                ExportJobItem.failure.set(failure),
                ExportJobItem.completed_at.set(clock.rfc3339(at)),
            ],
            condition=ExportJobItem.status == ExportStatus.PENDING.value,
        )

    # ------------------------------------------------------------ erasures

    def get_erasure(self, institution_id: str, user_id: str) -> Erasure | None:
        try:
            item = ErasureItem.get(
                keys.user_pk(institution_id, user_id), keys.ERASURE_SK, consistent_read=True
            )
        except ErasureItem.DoesNotExist:
            return None
        return _erasure(institution_id, item)

    def erase(self, request: ErasureRequest) -> None:
        """Profile pseudonymised, email freed, erasure recorded, audited and announced: one transaction."""
        erasure, profile, actor = request.erasure, request.profile, request.actor
        inst, user_id = erasure.institution_id, erasure.user_id
        at = clock.rfc3339(erasure.requested_at)
        tx = Transaction()
        release_email_of(tx, profile)
        tx.put(
            ErasureItem(
                keys.user_pk(inst, user_id),
                keys.ERASURE_SK,
                entity=ERASURE_ENTITY,
                erasure_id=erasure.id,
                user_id=user_id,
                requested_by=erasure.requested_by,
                requested_at=at,
                request_id=erasure.request_id,
                status=erasure.status.value,
                done=[],
            ),
            ErasureItem.PK.does_not_exist(),
            AlreadyErased(),
        )
        tx.put(outbox_item(request.event, inst, actor))
        entry = audit.audit_item(
            inst,
            actor,
            "EraseUser",
            f"users/{user_id}",
            subject_user_id=user_id,
            details={"erasure_id": erasure.id},
        )
        tx.put(entry, audit.APPEND_ONLY)
        pseudonymise(tx, profile, request.pseudonym, at)
        tx.commit()

    def step_done(self, erasure: Erasure, step: str) -> None:
        """Record one finished step of the erasure, so a retry skips it."""
        _erasure_key(erasure.institution_id, erasure.user_id).update(
            actions=[ErasureItem.done.set(ErasureItem.done.append([step]))],
            condition=ErasureItem.PK.exists(),
        )

    def erasure_complete(self, erasure: Erasure, at: datetime) -> None:
        _erasure_key(erasure.institution_id, erasure.user_id).update(
            actions=[
                ErasureItem.status.set(ErasureStatus.COMPLETE.value),
                ErasureItem.completed_at.set(clock.rfc3339(at)),
            ],
            condition=ErasureItem.PK.exists(),
        )
