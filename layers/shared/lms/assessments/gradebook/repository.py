"""The gradebook's items in the single table (access patterns: docs/data-model.md, Gradebook).

One partition per course (keys.gradebook_pk): `SETTINGS` (categories, letters; written by the
API), `COLUMNS` (the published assessments; written by the consumer) and one `ROW#<student>` per
student (counted scores and enrollment; written by the consumer). Decimals are stored as strings
inside JSON documents: a DynamoDB number read through pynamodb would pass through float.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from pynamodb.attributes import JSONAttribute, UnicodeAttribute

from lms import audit, clock, keys
from lms.assessments import course_access
from lms.assessments.gradebook.domain import (
    DEFAULT_SETTINGS,
    Category,
    Column,
    GradebookRow,
    GradebookRowStatus,
    GradebookSettings,
    LetterGrade,
    Score,
)
from lms.auth import Principal
from lms.events import DomainEvent, EventEnvelope
from lms.pagination import decode_cursor, encode_cursor
from lms.persistence.inbox import record_in
from lms.persistence.outbox import outbox_item
from lms.persistence.table import GSI1, VersionedItem
from lms.persistence.transactions import Transaction

CONSUMER = "gradebook"
"""The gradebook consumer's name in its inbox records."""

SETTINGS_ENTITY = "gradebook-settings"
COLUMNS_ENTITY = "gradebook-columns"
ROW_ENTITY = "gradebook-row"


class _GradebookItem(VersionedItem):
    """What every item of a gradebook partition has, so one BatchGetItem reads any of them."""

    course_id = UnicodeAttribute()
    document = JSONAttribute()


class GradebookSettingsItem(_GradebookItem):
    """`document`: categories (name, weight as a decimal string, drop_lowest) and letters."""


class GradebookColumnsItem(_GradebookItem):
    """`document`: the course's published assessments by id."""


class GradebookRowItem(_GradebookItem):
    # Every row is indexed under its student: a privacy export finds their rows in every course.
    GSI1PK = UnicodeAttribute()
    GSI1SK = UnicodeAttribute()
    by_student = GSI1()

    student_id = UnicodeAttribute()
    status = UnicodeAttribute()  # enrolled | dropped | erased: class reads keep `enrolled` only
    # `document`: status_at, status_event, scores by assessment id (decimals as strings), and the
    # revision each withdrawn score was withdrawn at


class StaffCheckFailed(Exception):
    """The course is unknown, or the caller does not teach it: read it to tell which."""


class SettingsVersionChanged(Exception):
    """The stored settings are not at the version the change was made against."""


class StateChanged(Exception):
    """Another event changed the item between read and write; handling again re-reads it."""


@dataclass(frozen=True)
class GradebookParts:
    """A course's settings and columns, and one student's row when one was asked for."""

    settings: GradebookSettings
    columns: dict[str, Column]
    row: GradebookRow | None = None


# ---------------------------------------------------------------- documents


def _time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def settings_document(settings: GradebookSettings) -> dict[str, Any]:
    return {
        "categories": [
            {"name": c.name, "weight": str(c.weight), "drop_lowest": c.drop_lowest}
            for c in settings.categories
        ],
        "letters": [{"letter": g.letter, "min_percent": str(g.min_percent)} for g in settings.letters],
    }


def _settings(item: _GradebookItem) -> GradebookSettings:
    document = item.document or {}
    return GradebookSettings(
        categories=tuple(
            Category(c["name"], Decimal(c["weight"]), int(c["drop_lowest"])) for c in document["categories"]
        ),
        letters=tuple(LetterGrade(g["letter"], Decimal(g["min_percent"])) for g in document["letters"]),
        version=int(item.version),
    )


def _columns_document(columns: dict[str, Column]) -> dict[str, Any]:
    return {
        c.assessment_id: {
            "kind": c.kind,
            "title": c.title,
            "points": str(c.points),
            "category": c.category,
            "due_at": clock.rfc3339(c.due_at) if c.due_at else None,
            "published_at": clock.rfc3339(c.published_at),
            **({"removed": True} if c.removed else {}),
        }
        for c in columns.values()
    }


def _columns(item: _GradebookItem | None) -> dict[str, Column]:
    if item is None:
        return {}
    return {
        assessment_id: Column(
            assessment_id=assessment_id,
            kind=c["kind"],
            title=c["title"],
            points=Decimal(c["points"]),
            category=c["category"],
            due_at=_time(c["due_at"]),
            published_at=datetime.fromisoformat(c["published_at"]),
            removed=bool(c.get("removed", False)),
        )
        for assessment_id, c in (item.document or {}).items()
    }


def _row(item: GradebookRowItem) -> GradebookRow:
    document = item.document or {}
    return GradebookRow(
        student_id=item.student_id,
        status=GradebookRowStatus(item.status),
        status_at=_time(document.get("status_at")),
        status_event=document.get("status_event"),
        scores={
            assessment_id: Score(
                kind=s["kind"],
                score=Decimal(s["score"]),
                points=Decimal(s["points"]),
                revision=int(s["revision"]),
                counted_at=datetime.fromisoformat(s["counted_at"]),
            )
            for assessment_id, s in document.get("scores", {}).items()
        },
        version=int(item.version),
        withdrawn={aid: int(revision) for aid, revision in document.get("withdrawn", {}).items()},
    )


def _row_item(institution_id: str, course_id: str, row: GradebookRow) -> GradebookRowItem:
    return GradebookRowItem(
        keys.gradebook_pk(institution_id, course_id),
        keys.gradebook_row_sk(row.student_id),
        entity=ROW_ENTITY,
        GSI1PK=keys.student_grades_pk(institution_id, row.student_id),
        GSI1SK=course_id,
        course_id=course_id,
        student_id=row.student_id,
        status=row.status.value,
        document={
            "status_at": clock.rfc3339(row.status_at) if row.status_at else None,
            "status_event": row.status_event,
            "scores": {
                assessment_id: {
                    "kind": s.kind,
                    "score": str(s.score),
                    "points": str(s.points),
                    "revision": s.revision,
                    "counted_at": clock.rfc3339(s.counted_at),
                }
                for assessment_id, s in row.scores.items()
            },
            **({"withdrawn": dict(row.withdrawn)} if row.withdrawn else {}),
        },
        version=row.version + 1,
    )


def _versioned(version: int) -> Any:
    """The condition that the stored item is the one read (absent when it was new)."""
    return _GradebookItem.PK.does_not_exist() if version == 0 else _GradebookItem.version == version


# ---------------------------------------------------------------- the API's reads and writes

# What the API reads of a gradebook item, beside the course's own attributes.
_READ = ("entity", "course_id", "document", "version", "student_id", "status")


class DynamoGradebookRepository:
    """Reads are one BatchGetItem (+ one Query per page of rows); a settings change is one transaction."""

    def parts(
        self, institution_id: str, course_id: str, student_id: str | None = None, enrolled: str | None = None
    ) -> tuple[course_access.CourseAccess | None, GradebookParts]:
        """The course (and `enrolled`'s enrollment) with the settings, columns and, when named, the
        student's row: one BatchGetItem. The caller decides access before it uses the parts."""
        pk = keys.gradebook_pk(institution_id, course_id)
        wanted = [(pk, keys.GRADEBOOK_SETTINGS_SK), (pk, keys.GRADEBOOK_COLUMNS_SK)]
        if student_id is not None:
            wanted.append((pk, keys.gradebook_row_sk(student_id)))
        access, found = course_access.load_with(institution_id, course_id, enrolled, wanted, _READ)
        settings_raw = found.get((pk, keys.GRADEBOOK_SETTINGS_SK))
        columns_raw = found.get((pk, keys.GRADEBOOK_COLUMNS_SK))
        row_raw = found.get((pk, keys.gradebook_row_sk(student_id))) if student_id is not None else None
        return access, GradebookParts(
            settings=_settings(GradebookSettingsItem.from_raw_data(settings_raw))
            if settings_raw is not None
            else DEFAULT_SETTINGS,
            columns=_columns(GradebookColumnsItem.from_raw_data(columns_raw) if columns_raw else None),
            row=_row(GradebookRowItem.from_raw_data(row_raw)) if row_raw is not None else None,
        )

    def settings(
        self, institution_id: str, course_id: str
    ) -> tuple[course_access.CourseAccess | None, GradebookSettings]:
        """The course with the settings: one BatchGetItem; the caller decides access before using them."""
        key = (keys.gradebook_pk(institution_id, course_id), keys.GRADEBOOK_SETTINGS_SK)
        access, found = course_access.load_with(institution_id, course_id, None, [key], _READ)
        raw = found.get(key)
        return access, _settings(
            GradebookSettingsItem.from_raw_data(raw)
        ) if raw is not None else DEFAULT_SETTINGS

    def save_settings(
        self, actor: Principal, course_id: str, settings: GradebookSettings, event: DomainEvent
    ) -> GradebookSettings:
        """Store the settings if the stored ones are at `settings.version` (0: none stored yet)."""
        inst = actor.institution_id
        tx = Transaction()
        # The caller teaches the course when the change commits (lms.assessments.course_access).
        course_access.check_teaches(tx, inst, course_id, actor, StaffCheckFailed())
        item = GradebookSettingsItem(
            keys.gradebook_pk(inst, course_id),
            keys.GRADEBOOK_SETTINGS_SK,
            entity=SETTINGS_ENTITY,
            course_id=course_id,
            document=settings_document(settings),
            version=settings.version + 1,
        )
        tx.put(item, _versioned(settings.version), SettingsVersionChanged())
        tx.put(outbox_item(event, inst, actor))
        # Weights and letters decide every student's grade: who changed them is on the trail.
        entry = audit.audit_item(
            inst,
            actor,
            "UpdateGradebookSettings",
            f"courses/{course_id}/gradebook/settings",
            details={"version": settings.version + 1},
        )
        tx.put(entry, audit.APPEND_ONLY)
        tx.commit()
        return GradebookSettings(settings.categories, settings.letters, settings.version + 1)

    def enrolled_rows(
        self, institution_id: str, course_id: str, limit: int | None, cursor: str | None
    ) -> tuple[list[GradebookRow], str | None]:
        """One Query page of the course's rows, enrolled students only, by student id."""
        partition = keys.gradebook_pk(institution_id, course_id)
        start = decode_cursor(cursor, partition_attr="PK", partition=partition)
        results = GradebookRowItem.query(
            partition,
            GradebookRowItem.SK.startswith(keys.GRADEBOOK_ROW_PREFIX),
            filter_condition=GradebookRowItem.status == GradebookRowStatus.ENROLLED.value,
            last_evaluated_key=start,
            page_size=limit,
            consistent_read=True,
        )
        page = next(results.page_iter)
        rows = [_row(GradebookRowItem.from_raw_data(raw)) for raw in page.get("Items", [])]
        return rows, encode_cursor(page.get("LastEvaluatedKey"))

    def every_enrolled_row(self, institution_id: str, course_id: str) -> Iterator[GradebookRow]:
        """Every enrolled student's row, page after page (1 MB each): one Query per page."""
        cursor: str | None = None
        while True:
            rows, cursor = self.enrolled_rows(institution_id, course_id, None, cursor)
            yield from rows
            if cursor is None:
                return

    def record_read(self, actor: Principal, action: str, course_id: str, student_id: str | None) -> None:
        """Staff reading a student's grades, or the class export, leave an entry in the audit trail."""
        if student_id is not None:
            audit.record_read(
                actor,
                action,
                f"assessments/gradebook/courses/{course_id}/students/{student_id}",
                subject_user_id=student_id,
            )
            return
        # The export is one read of the whole class: one entry about the course, no single subject.
        entry = audit.audit_item(
            actor.institution_id, actor, action, f"assessments/gradebook/courses/{course_id}/export"
        )
        entry.save(condition=audit.APPEND_ONLY)

    def record_class_read(self, actor: Principal, action: str, course_id: str, students: int) -> None:
        """Staff reading a page of the class's grades leave one entry in the audit trail."""
        audit.record_class_read(
            actor, action, f"assessments/gradebook/courses/{course_id}/students", students=students
        )

    # ------------------------------------------------------------ the consumer's state

    def columns(self, institution_id: str, course_id: str) -> tuple[dict[str, Column], int]:
        try:
            item = GradebookColumnsItem.get(
                keys.gradebook_pk(institution_id, course_id), keys.GRADEBOOK_COLUMNS_SK, consistent_read=True
            )
        except GradebookColumnsItem.DoesNotExist:
            return {}, 0
        return _columns(item), int(item.version)

    def row(self, institution_id: str, course_id: str, student_id: str) -> GradebookRow:
        try:
            item = GradebookRowItem.get(
                keys.gradebook_pk(institution_id, course_id),
                keys.gradebook_row_sk(student_id),
                consistent_read=True,
            )
        except GradebookRowItem.DoesNotExist:
            return GradebookRow(student_id=student_id)
        return _row(item)

    def rows_of_student(self, institution_id: str, student_id: str) -> list[tuple[str, GradebookRow]]:
        """(course id, row) of every course the student has a row in: one Query per page of GSI1."""
        partition = keys.student_grades_pk(institution_id, student_id)
        pages = GradebookRowItem.by_student.query(partition).page_iter
        items = [GradebookRowItem.from_raw_data(raw) for page in pages for raw in page.get("Items", [])]
        return [(item.course_id, _row(item)) for item in items]

    def commit_columns(
        self,
        institution_id: str,
        course_id: str,
        columns: dict[str, Column],
        read_version: int,
        envelope: EventEnvelope | None,
    ) -> None:
        tx = Transaction()
        if envelope is not None:
            record_in(tx, CONSUMER, envelope)
        item = GradebookColumnsItem(
            keys.gradebook_pk(institution_id, course_id),
            keys.GRADEBOOK_COLUMNS_SK,
            entity=COLUMNS_ENTITY,
            course_id=course_id,
            document=_columns_document(columns),
            version=read_version + 1,
        )
        tx.put(item, _versioned(read_version), StateChanged())
        tx.commit()

    def commit_row(
        self, institution_id: str, course_id: str, row: GradebookRow, envelope: EventEnvelope | None
    ) -> None:
        """The row, conditional on the version read, with the event's inbox record (if any)."""
        tx = Transaction()
        if envelope is not None:
            record_in(tx, CONSUMER, envelope)
        tx.put(_row_item(institution_id, course_id, row), _versioned(row.version), StateChanged())
        tx.commit()
