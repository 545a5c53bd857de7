"""The identity context's personal data: profile, email claim, exports, erasure record, audit trail.

Export: one Query of the person's partition (keys.user_pk: profile, export jobs, erasure record),
one GetItem of their email claim, one Query per page of the audit entries about them (GSI1,
keys.subject_audit_pk).

Erasure: the profile was pseudonymised and the email claim freed in the transaction that accepted
the erasure (lms.privacy.repository); here the export documents (a full copy of the person's
data) and their jobs are deleted. Audit entries stay: they name people by id only, and the trail
of who did what is kept as an institution's record (GDPR art. 17(3)(b), (e)).
"""

from __future__ import annotations

from typing import Any

from lms import audit, keys
from lms.auth import Principal
from lms.privacy import Contributor, ExportRecord, ExportSections
from lms.privacy.files import S3Documents
from lms.privacy.items import ERASURE_ENTITY, EXPORT_ENTITY, ErasureItem, ExportJobItem
from lms.users.domain import email_digest
from lms.users.imports.items import ImportJobItem, ImportRowItem
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
    return {
        "profile": profiles,
        "email_claims": claims,
        "exports": exports,
        "erasure": erasures,
        "audit_trail": entries,
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


CONTRIBUTOR = Contributor(
    name="users",
    exported=(ProfileItem, EmailItem, ExportJobItem, ErasureItem, audit.AuditItem),
    not_personal={
        ImportJobItem: "the admin's record of a roster they submitted (`created_by`): their own action",
        ImportRowItem: (
            "an admin's record of one roster row: which account it made; no profile data, and the id "
            "is a pseudonym once the profile is erased"
        ),
    },
    export=export,
    erase=erase,
)
