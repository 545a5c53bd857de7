"""The identity context's personal data: profile, email claim, exports, erasure record, audit trail,
and the roster rows that name the person.

Export: one Query of the person's partition (keys.user_pk: profile, export jobs, erasure record),
one GetItem of their email claim, one Query per page of the audit entries about them (GSI1,
keys.subject_audit_pk), one Query of the roster rows that name them (GSI1,
keys.person_import_rows_pk: rows that created them or found them there) and one GetItem of each
row's chunk (the email and names as submitted).

Erasure: the profile was pseudonymised and the email claim freed in the transaction that accepted
the erasure (lms.privacy.repository); here the export documents (a full copy of the person's
data) and their jobs are deleted, and the email and names of the roster rows that name them are
blanked in their chunks (the outcome stays, under the id). Audit entries stay: they name people by
id only, and the trail of who did what is kept as an institution's record (GDPR art. 17(3)(b), (e)).
Roster rows that name nobody of the institution (failed rows, people not created) cannot be found
per person: they go with their job when its retention ends (ImportRetentionDays, TTL).
"""

from __future__ import annotations

from typing import Any

from lms import audit, keys
from lms.auth import Principal
from lms.privacy import Contributor, ExportRecord, ExportSections
from lms.privacy.files import S3Documents
from lms.privacy.items import ERASURE_ENTITY, EXPORT_ENTITY, ErasureItem, ExportJobItem
from lms.users.domain import email_digest
from lms.users.imports.items import ImportChunkItem, ImportJobItem, ImportRowItem
from lms.users.imports.roster import CHUNK_ROWS
from lms.users.items import PROFILE_ENTITY, EmailItem, ProfileItem

_PROFILE_FIELDS = (
    "email",
    "given_name",
    "family_name",
    "display_name",
    "role",
    "status",
    "locale",
    "timezone",
    "avatar_url",
    "bio",
    "invited_by",
    "created_at",
    "updated_at",
)


def _partition(institution_id: str, user_id: str) -> list[dict[str, Any]]:
    pk = keys.user_pk(institution_id, user_id)
    return [raw for page in ProfileItem.query(pk).page_iter for raw in page.get("Items", [])]


def _entity(raw: dict[str, Any]) -> str:
    return str(raw.get("entity", {}).get("S", ""))


def _roster_rows(institution_id: str, user_id: str) -> list[tuple[ImportRowItem, ImportChunkItem | None]]:
    """The rows that name the person, each with its chunk (None once the job expired)."""
    pages = ImportRowItem.of_person.query(keys.person_import_rows_pk(institution_id, user_id)).page_iter
    found: list[tuple[ImportRowItem, ImportChunkItem | None]] = []
    for row in (ImportRowItem.from_raw_data(raw) for page in pages for raw in page.get("Items", [])):
        try:
            chunk = ImportChunkItem.get(row.PK, keys.import_chunk_sk((int(row.row) - 1) // CHUNK_ROWS))
        except ImportChunkItem.DoesNotExist:
            chunk = None
        found.append((row, chunk))
    return found


def _submitted(row: ImportRowItem, chunk: ImportChunkItem | None) -> dict[str, Any]:
    submitted = next((r for r in (chunk.rows if chunk else []) if int(r.row) == int(row.row)), None)
    if submitted is None:
        return {}
    return {
        "email": submitted.email,
        "given_name": submitted.given_name,
        "family_name": submitted.family_name,
        "role": submitted.role,
    }


def export(institution_id: str, user_id: str) -> ExportSections:
    profiles: list[ExportRecord] = []
    exports: list[ExportRecord] = []
    erasures: list[ExportRecord] = []
    claims: list[ExportRecord] = []
    for raw in _partition(institution_id, user_id):
        if _entity(raw) == PROFILE_ENTITY:
            profile = ProfileItem.from_raw_data(raw)
            profiles.append({"id": user_id, **{name: getattr(profile, name) for name in _PROFILE_FIELDS}})
            if profile.email:
                try:
                    EmailItem.get(keys.email_pk(institution_id, email_digest(profile.email)), keys.EMAIL_SK)
                    claims.append({"email": profile.email})
                except EmailItem.DoesNotExist:
                    pass
        elif _entity(raw) == EXPORT_ENTITY:
            job = ExportJobItem.from_raw_data(raw)
            exports.append(
                {
                    "export_id": job.export_id,
                    "requested_by": job.requested_by,
                    "status": job.status,
                    "requested_at": job.requested_at,
                    "completed_at": job.completed_at,
                }
            )
        elif _entity(raw) == ERASURE_ENTITY:
            erasure = ErasureItem.from_raw_data(raw)
            erasures.append(
                {
                    "erasure_id": erasure.erasure_id,
                    "requested_by": erasure.requested_by,
                    "requested_at": erasure.requested_at,
                    "status": erasure.status,
                }
            )
    entries = [e.model_dump(mode="json") for e in audit.entries_about(institution_id, user_id)]
    roster_rows = [
        {
            "job_id": row.job_id,
            "row": int(row.row),
            "status": row.status,
            "reason": row.reason,
            "recorded_at": row.recorded_at,
            **_submitted(row, chunk),
        }
        for row, chunk in _roster_rows(institution_id, user_id)
    ]
    return {
        "profile": profiles,
        "email_claims": claims,
        "exports": exports,
        "erasure": erasures,
        "audit_trail": entries,
        "roster_rows": roster_rows,
    }


def erase(institution_id: str, user_id: str, actor: Principal) -> None:
    """Delete the person's export documents and jobs; the profile was pseudonymised on request."""
    jobs = [
        ExportJobItem.from_raw_data(raw)
        for raw in _partition(institution_id, user_id)
        if _entity(raw) == EXPORT_ENTITY
    ]
    S3Documents().delete_documents([job.object_key for job in jobs if job.object_key])
    for job in jobs:
        job.delete()
    for row, chunk in _roster_rows(institution_id, user_id):
        _blank_submitted(row, chunk)


def _blank_submitted(row: ImportRowItem, chunk: ImportChunkItem | None) -> None:
    """The person's email and names leave the chunk (the other people's rows stay as they were)."""
    if row.temporary_password is not None:
        row.update(actions=[ImportRowItem.temporary_password.remove()])
    if chunk is None:
        return
    named = [r for r in chunk.rows if int(r.row) == int(row.row)]
    if not any(r.email or r.given_name or r.family_name for r in named):
        return  # erased before: nothing more to change
    for submitted in named:
        submitted.email = submitted.given_name = submitted.family_name = ""
    chunk.save()


CONTRIBUTOR = Contributor(
    name="users",
    exported=(ProfileItem, EmailItem, ExportJobItem, ErasureItem, audit.AuditItem, ImportRowItem),
    not_personal={
        ImportJobItem: "the admin's record of a roster they submitted (`created_by`): their own action",
    },
    export=export,
    erase=erase,
)
