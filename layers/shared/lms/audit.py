"""The audit trail: who did what to which resource, when, from which request; append-only.

Every administrative action adds `audit_item(...)` to the transaction of the change it records.
A read of a student's grades or progress by someone else is recorded with `record_read(...)`, one
PutItem beside the read. No API updates or deletes an entry; the trail is listed newest first.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import Field
from pynamodb.attributes import JSONAttribute, ListAttribute, UnicodeAttribute

from lms import clock, ids, keys
from lms.auth import Principal
from lms.correlation import correlation_id
from lms.lazy_model import LazyModel
from lms.pagination import decode_cursor, encode_cursor
from lms.persistence.table import GSI1, Item

AUDIT_ENTITY = "audit"


class AuditEntry(LazyModel):
    """One entry of the trail, as `GET /institutions/{id}/audit-events` answers it."""

    id: str
    occurred_at: datetime
    actor_id: str
    actor_roles: list[str]
    action: str
    resource: str
    subject_user_id: str | None = None
    request_id: str | None = None
    details: dict[str, Any] = Field(default_factory=dict)


class AuditItem(Item):
    # Set on entries about a person: their own trail, which a privacy export reads.
    GSI1PK = UnicodeAttribute(null=True)
    GSI1SK = UnicodeAttribute(null=True)
    by_subject = GSI1()

    entry_id = UnicodeAttribute()
    occurred_at = UnicodeAttribute()
    actor_id = UnicodeAttribute()
    actor_roles = ListAttribute(of=UnicodeAttribute)
    action = UnicodeAttribute()
    resource = UnicodeAttribute()
    subject_user_id = UnicodeAttribute(null=True)
    request_id = UnicodeAttribute(null=True)
    details = JSONAttribute(null=True)


APPEND_ONLY = AuditItem.PK.does_not_exist()
"""The condition every entry is written with: an entry is never overwritten."""


def audit_item(
    institution_id: str,
    actor: Principal,
    action: str,
    resource: str,
    *,
    subject_user_id: str | None = None,
    details: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> AuditItem:
    """An entry to add to the transaction of the action it records (with `APPEND_ONLY`).

    `action` is the operation's name (`SuspendUser`), `resource` its path-like name (`users/<id>`),
    `subject_user_id` the person the action concerns, if any.
    """
    entry_id = ids.new_id()
    return AuditItem(
        keys.audit_pk(institution_id),
        keys.audit_sk(entry_id),
        entity=AUDIT_ENTITY,
        entry_id=entry_id,
        occurred_at=clock.rfc3339(at or clock.now()),
        actor_id=actor.user_id,
        actor_roles=sorted(actor.roles),
        action=action,
        resource=resource,
        subject_user_id=subject_user_id,
        GSI1PK=keys.subject_audit_pk(institution_id, subject_user_id) if subject_user_id else None,
        GSI1SK=keys.audit_sk(entry_id) if subject_user_id else None,
        request_id=correlation_id.get(),
        details=details or None,
    )


def record_read(
    actor: Principal, action: str, resource: str, *, subject_user_id: str, institution_id: str | None = None
) -> bool:
    """Record that `actor` read `subject_user_id`'s grades or progress (one PutItem).

    Nothing is recorded when people read their own data: False then. Call it after the read
    succeeded, so a refused read leaves no entry.
    """
    if actor.user_id == subject_user_id:
        return False
    item = audit_item(
        institution_id or actor.institution_id, actor, action, resource, subject_user_id=subject_user_id
    )
    item.save(condition=APPEND_ONLY)
    return True


def record_class_read(actor: Principal, action: str, resource: str, *, students: int) -> None:
    """Record that staff read a page of a class's grades or progress (one PutItem, no single subject).

    One entry per page read: who, which course's list, how many students it showed. Call it after
    the read succeeded, so a refused read leaves no entry.
    """
    item = audit_item(actor.institution_id, actor, action, resource, details={"students": students})
    item.save(condition=APPEND_ONLY)


def _entry(item: AuditItem) -> AuditEntry:
    return AuditEntry(
        id=item.entry_id,
        occurred_at=datetime.fromisoformat(item.occurred_at),
        actor_id=item.actor_id,
        actor_roles=list(item.actor_roles or []),
        action=item.action,
        resource=item.resource,
        subject_user_id=item.subject_user_id,
        request_id=item.request_id,
        details=item.details or {},
    )


def entries_about(institution_id: str, user_id: str) -> list[AuditEntry]:
    """Every entry about one person, oldest first (a Query per page of their GSI1 partition)."""
    partition = keys.subject_audit_pk(institution_id, user_id)
    pages = AuditItem.by_subject.query(partition).page_iter
    return [_entry(AuditItem.from_raw_data(raw)) for page in pages for raw in page.get("Items", [])]


def list_entries(institution_id: str, limit: int, cursor: str | None) -> tuple[list[AuditEntry], str | None]:
    """One page of the trail, newest first: one Query."""
    partition = keys.audit_pk(institution_id)
    start = decode_cursor(cursor, partition_attr="PK", partition=partition)
    results = AuditItem.query(
        partition, scan_index_forward=False, last_evaluated_key=start, page_size=limit, limit=limit
    )
    page = next(results.page_iter)
    entries = [_entry(AuditItem.from_raw_data(raw)) for raw in page.get("Items", [])]
    return entries, encode_cursor(page.get("LastEvaluatedKey"))
