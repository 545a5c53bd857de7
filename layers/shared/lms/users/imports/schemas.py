"""Bodies of the roster import API (the OpenAPI document is generated from them)."""

from __future__ import annotations

from typing import Any

from pydantic import AwareDatetime, ConfigDict, Field, model_validator

from lms.lazy_model import LazyModel
from lms.users.imports.roster import MAX_ROWS, ImportJob, ImportStatus, RowStatus
from lms.users.imports.roster_csv import read_roster_csv


class RosterSubmission(LazyModel):
    model_config = ConfigDict(extra="forbid")

    rows: list[dict[str, Any]] = Field(
        min_length=1,
        max_length=MAX_ROWS,
        description=(
            f"Up to {MAX_ROWS} people: `email`, `given_name`, `family_name`, `role` (`institution-admin`,"
            " `instructor` or `student`). A row that is not valid fails alone, with its reason."
        ),
    )

    @model_validator(mode="before")
    @classmethod
    def _from_csv(cls, data: Any) -> Any:
        """A `text/csv` upload reaches the model as its text (functions/users/app.py): read its rows.

        A file that cannot be read raises MalformedRoster (400), which pydantic lets through.
        """
        return {"rows": read_roster_csv(data)} if isinstance(data, str) else data


class ImportCounts(LazyModel):
    created: int
    skipped: int = Field(description="Already in the institution.")
    failed: int


class ImportRowView(LazyModel):
    row: int = Field(description="Position in the submitted roster, from 1.")
    email: str
    status: RowStatus = Field(description="`created`, `skipped` or `failed`.")
    reason: str | None = Field(description="Why the row was skipped or failed.")
    user_id: str | None = Field(description="The person created, or already in the institution (skipped).")
    temporary_password: str | None = Field(
        default=None,
        description="Only from the local stack, which sends no email; deployed, Cognito emails it.",
    )


class ImportJobView(LazyModel):
    id: str
    status: ImportStatus
    rows: int = Field(description="How many rows were submitted.")
    counts: ImportCounts
    results: list[ImportRowView] = Field(description="The rows processed so far, in roster order.")
    failure: str | None = Field(description="Why the job stopped before every row was processed.")
    created_at: AwareDatetime
    updated_at: AwareDatetime
    expires_at: AwareDatetime | None = Field(
        description=(
            "When the job, its rows and their outcomes are deleted (ImportRetentionDays after it was"
            " submitted); from then on it is not found."
        )
    )

    @classmethod
    def of(cls, job: ImportJob) -> ImportJobView:
        emails = {r.row: r.email for r in job.rows}
        return cls(
            id=job.id,
            status=job.status,
            rows=job.total,
            counts=ImportCounts(
                created=job.count(RowStatus.CREATED),
                skipped=job.count(RowStatus.SKIPPED),
                failed=job.count(RowStatus.FAILED),
            ),
            results=[
                ImportRowView(
                    row=r.row,
                    email=emails.get(r.row, ""),
                    status=r.status,
                    reason=r.reason,
                    user_id=r.user_id,
                    temporary_password=r.temporary_password,
                )
                for r in job.outcomes()
            ],
            failure=job.failure,
            created_at=job.created_at,
            updated_at=job.updated_at,
            expires_at=job.expires_at,
        )
