"""Bodies of the privacy API (the OpenAPI document is generated from them)."""

from __future__ import annotations

from pydantic import AwareDatetime, Field

from lms.lazy_model import LazyModel
from lms.privacy.domain import Erasure, ErasureStatus, ExportJob, ExportStatus


class ExportJobView(LazyModel):
    export_id: str
    user_id: str
    status: ExportStatus
    requested_at: AwareDatetime
    completed_at: AwareDatetime | None
    failure: str | None = None
    download_url: str | None = Field(
        default=None,
        description="While `ready`: a presigned GET of the JSON document, valid until `expires_at`.",
    )
    expires_at: AwareDatetime | None = Field(default=None, description="When `download_url` stops working.")

    @classmethod
    def of(cls, job: ExportJob) -> ExportJobView:
        return cls(
            export_id=job.id,
            user_id=job.user_id,
            status=job.status,
            requested_at=job.requested_at,
            completed_at=job.completed_at,
            failure=job.failure,
        )


class ExportJobPage(LazyModel):
    items: list[ExportJobView] = Field(
        description="Newest first; no download links (read one export for it)."
    )
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last page.")


class ErasureView(LazyModel):
    erasure_id: str
    user_id: str
    status: ErasureStatus = Field(description="`complete` once every context has erased its data.")
    requested_by: str
    requested_at: AwareDatetime
    completed_at: AwareDatetime | None

    @classmethod
    def of(cls, erasure: Erasure) -> ErasureView:
        return cls(
            erasure_id=erasure.id,
            user_id=erasure.user_id,
            status=erasure.status,
            requested_by=erasure.requested_by,
            requested_at=erasure.requested_at,
            completed_at=erasure.completed_at,
        )
