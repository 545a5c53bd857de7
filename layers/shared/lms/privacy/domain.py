"""Privacy exports and erasures: who may ask, what a job is, what an erased profile keeps; pure."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from enum import StrEnum

from pydantic import ConfigDict, Field

from lms.auth import Principal
from lms.errors import Forbidden
from lms.lazy_model import LazyModel
from lms.users.errors import SelfAdministration

DOWNLOAD_LINK_LIFETIME = timedelta(minutes=15)
"""How long a download link of a ready export works; reading the job again makes a new one."""

EXPORT_FORMAT = "lms.user-export.v1"


class ExportStatus(StrEnum):
    PENDING = "pending"
    READY = "ready"
    FAILED = "failed"


class ExportJob(LazyModel):
    """One request for a person's data; the document is written by the privacy worker."""

    model_config = ConfigDict(extra="forbid")

    id: str
    institution_id: str
    user_id: str
    requested_by: str
    status: ExportStatus = ExportStatus.PENDING
    requested_at: datetime
    completed_at: datetime | None = None
    object_key: str | None = None  # where the document is, once ready
    failure: str | None = None


class ErasureStatus(StrEnum):
    PENDING = "pending"
    COMPLETE = "complete"


class Erasure(LazyModel):
    """The record of an erasure: who asked, when, from which request; no personal data.

    `done` names the steps finished (`account`, then each contributor), so a retry skips them.
    """

    model_config = ConfigDict(extra="forbid")

    id: str
    institution_id: str
    user_id: str
    requested_by: str
    requested_at: datetime
    request_id: str | None = None
    status: ErasureStatus = ErasureStatus.PENDING
    done: list[str] = Field(default_factory=list)
    completed_at: datetime | None = None


def may_export(principal: Principal, user_id: str) -> None:
    """People export their own data; institution admins anyone's of their institution."""
    if principal.user_id != user_id and not principal.is_institution_admin:
        raise Forbidden("Only the person themself or an admin of their institution may export their data.")


def may_erase(principal: Principal, user_id: str) -> None:
    if principal.user_id == user_id:
        raise SelfAdministration("You cannot erase your own account; ask another admin.")


def pseudonym(user_id: str) -> str:
    """What an erased person is shown as: stable, short, and no longer a name."""
    return f"Erased user {hashlib.sha256(user_id.encode()).hexdigest()[:4]}"


def export_object_key(job: ExportJob) -> str:
    return f"exports/{job.institution_id}/{job.user_id}/{job.id}.json"
