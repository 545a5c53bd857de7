"""A roster and its import job; pure: no AWS, no persistence.

Every row is checked on its own when the roster is submitted: a bad row fails alone, with a reason,
and never refuses the others. Row numbers count from 1, as in the spreadsheet the roster came from.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import ValidationError

from lms.users.domain import UserRole, normalize_email
from lms.users.schemas import Invitation

MAX_ROWS = 1000
CHUNK_ROWS = 25  # a chunk item stays far below DynamoDB's 400 KB, even with refused rows kept whole
MAX_KEPT_CHARS = 254  # the longest valid value (an email); a refused value is cut to this length
COLUMNS = ("email", "given_name", "family_name", "role")


class RowStatus(StrEnum):
    PENDING = "pending"  # the worker started inviting this row; not an outcome yet
    CREATED = "created"
    SKIPPED = "skipped"
    FAILED = "failed"


class ImportStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    COMPLETED = "completed"
    FAILED = "failed"


@dataclass(frozen=True)
class RosterRow:
    """A submitted row; `rejection` says why it cannot be imported, when it cannot."""

    row: int
    email: str
    given_name: str
    family_name: str
    role: str
    rejection: str | None = None

    def invitation(self) -> Invitation:
        """The invitation of a row without rejection."""
        return Invitation(
            email=self.email,
            given_name=self.given_name,
            family_name=self.family_name,
            role=UserRole(self.role),
        )


@dataclass(frozen=True)
class RowResult:
    row: int
    status: RowStatus
    recorded_at: datetime
    reason: str | None = None
    user_id: str | None = None  # the person created, or found already there
    temporary_password: str | None = None  # only from the local stack (lms.users.cognito)
    expires_at: datetime | None = None  # the job's: all its items go together

    @property
    def final(self) -> bool:
        return self.status is not RowStatus.PENDING


def _text(value: Any) -> str:
    text = value if isinstance(value, str) else "" if value is None else str(value)
    return text[:MAX_KEPT_CHARS]


_ROLES = ", ".join(r.value for r in UserRole)


def _reason(error: ValidationError) -> str:
    """One sentence per wrong field, in column order."""
    by_field: dict[str, str] = {}
    for problem in error.errors():
        name = str(problem["loc"][0]) if problem["loc"] else "row"
        kind = problem["type"]
        if kind == "missing":
            message = f"{name} is missing"
        elif name == "role":
            message = f"role must be one of {_ROLES}"
        elif name == "email" and kind == "string_pattern_mismatch":
            message = "email is not a valid email address"
        elif kind == "string_too_short":
            message = f"{name} is empty"
        elif kind == "string_too_long":
            message = f"{name} is too long"
        else:
            message = f"{name} must be text"
        by_field.setdefault(name, message)
    ordered = [by_field[c] for c in COLUMNS if c in by_field]
    return "; ".join(ordered).capitalize() + "."


def check_row(row: int, raw: Mapping[str, Any]) -> RosterRow:
    """The row as submitted, with the reason it cannot be imported if it cannot."""
    values = {c: raw[c] for c in COLUMNS if c in raw and raw[c] is not None}
    try:
        invitation = Invitation.model_validate(values)
    except ValidationError as error:
        kept = {c: _text(raw.get(c)) for c in COLUMNS}
        return RosterRow(row=row, rejection=_reason(error), **kept)
    return RosterRow(
        row=row,
        email=normalize_email(invitation.email),
        given_name=invitation.given_name,
        family_name=invitation.family_name,
        role=invitation.role.value,
    )


def check_roster(rows: Sequence[Mapping[str, Any]]) -> list[RosterRow]:
    """Every row checked; a second row with an email seen before is refused (one person, one row)."""
    checked: list[RosterRow] = []
    first_row: dict[str, int] = {}
    for number, raw in enumerate(rows, start=1):
        row = check_row(number, raw)
        if row.rejection is None:
            seen = first_row.setdefault(row.email, number)
            if seen != number:
                row = RosterRow(
                    row=number,
                    email=row.email,
                    given_name=row.given_name,
                    family_name=row.family_name,
                    role=row.role,
                    rejection=f"The same email as row {seen}.",
                )
        checked.append(row)
    return checked


def chunked(rows: Sequence[RosterRow]) -> list[list[RosterRow]]:
    return [list(rows[start : start + CHUNK_ROWS]) for start in range(0, len(rows), CHUNK_ROWS)]


@dataclass
class ImportJob:
    """A roster import; its status and counts follow from the outcomes recorded per row."""

    id: str
    institution_id: str
    created_by: str
    total: int
    chunks: int
    created_at: datetime
    failure: str | None = None  # the worker gave up: the rows without outcome were not imported
    expires_at: datetime | None = None  # when the job, its rows and outcomes are deleted
    rows: list[RosterRow] = field(default_factory=list)
    results: dict[int, RowResult] = field(default_factory=dict)

    def expired(self, at: datetime) -> bool:
        """Past its retention (the table's TTL deletes items some time after `expires_at`)."""
        return self.expires_at is not None and self.expires_at <= at

    def outcomes(self) -> list[RowResult]:
        return [self.results[n] for n in sorted(self.results) if self.results[n].final]

    def count(self, status: RowStatus) -> int:
        return sum(1 for r in self.results.values() if r.status is status)

    @property
    def status(self) -> ImportStatus:
        if len(self.outcomes()) == self.total:
            return ImportStatus.COMPLETED
        if self.failure is not None:
            return ImportStatus.FAILED
        return ImportStatus.RUNNING if self.results else ImportStatus.QUEUED

    @property
    def updated_at(self) -> datetime:
        return max([self.created_at, *(r.recorded_at for r in self.results.values())])

    def to_do(self) -> list[RosterRow]:
        """The rows without an outcome, in roster order: where a retry resumes."""
        return [r for r in self.rows if r.row not in self.results or not self.results[r.row].final]
