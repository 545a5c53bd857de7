"""Roster import jobs in the table: submitted in one transaction, read in one Query, outcomes per row."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from pynamodb.exceptions import PutError

from lms import audit, clock, keys
from lms.auth import Principal
from lms.errors import Conflict
from lms.events import DomainEvent
from lms.events.users import RosterImportFinished
from lms.idempotency import IdempotentRequest, StoredResponse
from lms.persistence.idempotency import remember_answer
from lms.persistence.outbox import outbox_item
from lms.persistence.transactions import Transaction
from lms.users.domain import email_digest
from lms.users.imports.items import (
    IMPORT_CHUNK_ENTITY,
    IMPORT_JOB_ENTITY,
    IMPORT_ROW_ENTITY,
    ImportChunkItem,
    ImportJobItem,
    ImportRowItem,
    RosterRowMap,
)
from lms.users.imports.roster import ImportJob, RosterRow, RowResult, RowStatus, chunked
from lms.users.items import EmailItem


class _AlreadyFinished(Exception):
    """The job was marked finished before (or expired)."""


@dataclass
class ImportSubmission:
    """What submitting a roster writes in one transaction."""

    job: ImportJob
    actor: Principal
    event: DomainEvent
    idempotent: IdempotentRequest | None = None
    response: StoredResponse | None = None


def _epoch(moment: datetime | None) -> int | None:
    return None if moment is None else int(moment.timestamp())


def _moment(epoch: float | None) -> datetime | None:
    return None if epoch is None else datetime.fromtimestamp(int(epoch), UTC)


def row_item(institution_id: str, job_id: str, result: RowResult) -> ImportRowItem:
    person = result.user_id
    return ImportRowItem(
        keys.import_job_pk(institution_id, job_id),
        keys.import_row_sk(result.row),
        entity=IMPORT_ROW_ENTITY,
        GSI1PK=keys.person_import_rows_pk(institution_id, person) if person else None,
        GSI1SK=keys.person_import_row_sk(job_id, result.row) if person else None,
        job_id=job_id,
        row=result.row,
        status=result.status.value,
        reason=result.reason,
        user_id=result.user_id,
        temporary_password=result.temporary_password,
        recorded_at=clock.rfc3339(result.recorded_at),
        expires_at=_epoch(result.expires_at),
    )


# An outcome replaces nothing but the row's own `pending` marker: a row is counted once.
ROW_NOT_DONE = ImportRowItem.PK.does_not_exist() | (ImportRowItem.status == RowStatus.PENDING.value)


def _row(raw: RosterRowMap) -> RosterRow:
    return RosterRow(
        row=int(raw.row),
        email=raw.email,
        given_name=raw.given_name,
        family_name=raw.family_name,
        role=raw.role,
        rejection=raw.rejection,
    )


class DynamoImportRepository:
    def submit(self, submission: ImportSubmission) -> None:
        """The job, its chunks, the event for the worker, the audit entry: all or nothing."""
        job = submission.job
        inst, pk = job.institution_id, keys.import_job_pk(job.institution_id, job.id)
        tx = Transaction()
        tx.put(
            ImportJobItem(
                pk,
                keys.IMPORT_JOB_SK,
                entity=IMPORT_JOB_ENTITY,
                job_id=job.id,
                created_by=job.created_by,
                total=job.total,
                chunks=job.chunks,
                created_at=clock.rfc3339(job.created_at),
                expires_at=_epoch(job.expires_at),
            ),
            ImportJobItem.PK.does_not_exist(),
            Conflict("An import job with this id exists."),
        )
        for number, rows in enumerate(chunked(job.rows)):
            maps = [
                RosterRowMap(  # type: ignore[no-untyped-call]
                    row=r.row,
                    email=r.email,
                    given_name=r.given_name,
                    family_name=r.family_name,
                    role=r.role,
                    rejection=r.rejection,
                )
                for r in rows
            ]
            chunk = ImportChunkItem(
                pk,
                keys.import_chunk_sk(number),
                entity=IMPORT_CHUNK_ENTITY,
                rows=maps,
                expires_at=_epoch(job.expires_at),
            )
            tx.put(chunk)
        tx.put(outbox_item(submission.event, inst, submission.actor))
        entry = audit.audit_item(
            inst,
            submission.actor,
            "ImportRoster",
            f"users/imports/{job.id}",
            details={"rows": job.total},
        )
        tx.put(entry, audit.APPEND_ONLY)
        if submission.idempotent and submission.response:
            remember_answer(
                tx,
                inst,
                submission.actor.user_id,
                submission.idempotent,
                submission.response,
            )
        tx.commit()

    def get_job(self, institution_id: str, job_id: str) -> ImportJob | None:
        """The job with its rows and outcomes: one Query (more pages only past 1 MB)."""
        job: ImportJobItem | None = None
        rows: list[RosterRow] = []
        results: dict[int, RowResult] = {}
        pages = ImportJobItem.query(
            keys.import_job_pk(institution_id, job_id), consistent_read=True
        ).page_iter
        for page in pages:
            for raw in page.get("Items", []):
                entity = raw["entity"]["S"]
                if entity == IMPORT_JOB_ENTITY:
                    job = ImportJobItem.from_raw_data(raw)
                elif entity == IMPORT_CHUNK_ENTITY:
                    rows.extend(_row(r) for r in ImportChunkItem.from_raw_data(raw).rows)
                elif entity == IMPORT_ROW_ENTITY:
                    item = ImportRowItem.from_raw_data(raw)
                    results[int(item.row)] = RowResult(
                        row=int(item.row),
                        status=RowStatus(item.status),
                        recorded_at=datetime.fromisoformat(item.recorded_at),
                        reason=item.reason,
                        user_id=item.user_id,
                        temporary_password=item.temporary_password,
                        expires_at=_moment(item.expires_at),
                    )
        if job is None:
            return None
        return ImportJob(
            id=job.job_id,
            institution_id=institution_id,
            created_by=job.created_by,
            total=int(job.total),
            chunks=int(job.chunks),
            created_at=datetime.fromisoformat(job.created_at),
            failure=job.failure,
            expires_at=_moment(job.expires_at),
            rows=rows,
            results=results,
        )

    def record(self, institution_id: str, job_id: str, result: RowResult) -> bool:
        """Record a row's outcome (or its `pending` marker); False when it already has an outcome."""
        try:
            row_item(institution_id, job_id, result).save(condition=ROW_NOT_DONE)
        except PutError as error:
            if error.cause_response_code == "ConditionalCheckFailedException":
                return False
            raise
        return True

    def email_claimed(self, institution_id: str, email: str) -> tuple[bool, str | None]:
        """Whether the email is claimed in the institution, and by whom (None while an invitation is)."""
        try:
            claim = EmailItem.get(
                keys.email_pk(institution_id, email_digest(email)), keys.EMAIL_SK, consistent_read=True
            )
        except EmailItem.DoesNotExist:
            return False, None
        return True, claim.user_id

    def finish(self, actor: Principal, job: ImportJob, at: datetime) -> None:
        """Mark the job finished with `RosterImportFinished`, once: a second run changes nothing."""
        tx = Transaction()
        tx.update(
            ImportJobItem(keys.import_job_pk(job.institution_id, job.id), keys.IMPORT_JOB_SK),
            actions=[ImportJobItem.finished_at.set(clock.rfc3339(at))],
            condition=ImportJobItem.PK.exists() & ImportJobItem.finished_at.does_not_exist(),
            refusal=_AlreadyFinished(),
        )
        finished = RosterImportFinished(
            job_id=job.id,
            rows=job.total,
            created=job.count(RowStatus.CREATED),
            skipped=job.count(RowStatus.SKIPPED),
            failed=job.count(RowStatus.FAILED),
            requested_by=job.created_by,
        )
        tx.put(outbox_item(finished, job.institution_id, actor))
        try:
            tx.commit()
        except _AlreadyFinished:
            return

    def give_up(self, institution_id: str, job_id: str, failure: str) -> None:
        """Mark the job failed: the worker will not try its remaining rows again."""
        ImportJobItem(keys.import_job_pk(institution_id, job_id), keys.IMPORT_JOB_SK).update(
            actions=[ImportJobItem.failure.set(failure)], condition=ImportJobItem.PK.exists()
        )
