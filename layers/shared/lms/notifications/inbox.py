"""The inbox in the table: one partition per person (keys.notifications_pk), newest last.

An unread entry also sits in a sparse GSI1 partition of the person's unread entries, ordered by
when it arrived (`arrival`, a ULID made when it was written). "Mark all read" writes one item, the
read mark (the arrival up to which everything is read), instead of touching every entry: an entry
is read when it was marked read itself or arrived before the mark. So every inbox operation costs
the same few requests whatever the inbox holds, and the unread count is one capped COUNT Query.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from pynamodb.attributes import NumberAttribute, UnicodeAttribute
from pynamodb.exceptions import DeleteError, TransactWriteError, UpdateError
from pynamodb.pagination import ResultIterator
from pynamodb.transactions import TransactWrite

from lms import clock, ids, keys
from lms.notifications.domain import InboxEntry, Notification
from lms.notifications.errors import NotificationNotFound
from lms.pagination import decode_cursor, encode_cursor
from lms.persistence.table import GSI1, Item, connection, table_connection
from lms.settings import get_settings

NOTIFICATION_ENTITY = "notification"
READ_MARK_ENTITY = "notification-read-mark"
REMINDER_CLAIM_ENTITY = "notification-reminder-claim"
CLAIMS_PER_TRANSACTION = 100
NOTHING_READ = "0"
"""The read mark of an inbox never marked: below every ULID (a key condition takes no empty string)."""
UNREAD_COUNT_CAP = 100
"""The unread count stops counting here (shown as "99+"): one Query whatever the inbox holds."""


class NotificationItem(Item):
    GSI1PK = UnicodeAttribute(null=True)
    GSI1SK = UnicodeAttribute(null=True)
    unread = GSI1()

    notification_id = UnicodeAttribute()
    user_id = UnicodeAttribute()
    notification_type = UnicodeAttribute()
    category = UnicodeAttribute()
    title = UnicodeAttribute()
    body_text = UnicodeAttribute()
    link = UnicodeAttribute()
    data = UnicodeAttribute()  # JSON
    actor_id = UnicodeAttribute(null=True)
    occurred_at = UnicodeAttribute()
    arrival = UnicodeAttribute()
    read_at = UnicodeAttribute(null=True)
    expires_at = NumberAttribute()


class ReadMarkItem(Item):
    user_id = UnicodeAttribute()
    read_through = UnicodeAttribute()
    marked_at = UnicodeAttribute()


class ReminderClaimItem(Item):
    """The person was reminded of an assessment (by `notification_id`): never again of it."""

    user_id = UnicodeAttribute()
    assessment_id = UnicodeAttribute()
    notification_id = UnicodeAttribute()
    expires_at = NumberAttribute()


def _expiry() -> int:
    return int(time.time()) + get_settings().notification_retention_days * 24 * 3600


def entry_item(notification: Notification, user_id: str) -> NotificationItem:
    """The inbox entry of one recipient, unread, expiring after the stack's retention."""
    institution_id = notification.institution_id
    arrival = ids.new_id()
    return NotificationItem(
        keys.notifications_pk(institution_id, user_id),
        keys.notification_sk(notification.notification_id),
        entity=NOTIFICATION_ENTITY,
        GSI1PK=keys.unread_notifications_pk(institution_id, user_id),
        GSI1SK=arrival,
        notification_id=notification.notification_id,
        user_id=user_id,
        notification_type=notification.type.name,
        category=notification.type.category.value,
        title=notification.title,
        body_text=notification.body_text,
        link=notification.link,
        data=json.dumps(notification.data, sort_keys=True, default=str),
        actor_id=notification.actor_id,
        occurred_at=clock.rfc3339(notification.occurred_at),
        arrival=arrival,
        expires_at=_expiry(),
    )


def _claim_item(notification: Notification, assessment_id: str, user_id: str) -> ReminderClaimItem:
    return ReminderClaimItem(
        keys.notifications_pk(notification.institution_id, user_id),
        keys.due_reminder_sk(assessment_id),
        entity=REMINDER_CLAIM_ENTITY,
        user_id=user_id,
        assessment_id=assessment_id,
        notification_id=notification.notification_id,
        expires_at=_expiry(),
    )


def _entry(item: NotificationItem, read_through: str) -> InboxEntry:
    read_at = datetime.fromisoformat(item.read_at) if item.read_at else None
    return InboxEntry(
        notification_id=item.notification_id,
        type=item.notification_type,
        category=item.category,
        title=item.title,
        body_text=item.body_text,
        link=item.link,
        data=json.loads(item.data),
        occurred_at=datetime.fromisoformat(item.occurred_at),
        read=read_at is not None or item.arrival <= read_through,
        read_at=read_at,
    )


class DynamoInbox:
    """Reads and changes one person's inbox, and writes the entries a notification brings."""

    def deliver(self, notification: Notification, user_ids: Iterable[str]) -> None:
        """Write one entry per recipient: BatchWriteItem, 25 a request (pynamodb retries what is left)."""
        with NotificationItem.batch_write() as batch:
            for user_id in user_ids:
                batch.save(entry_item(notification, user_id))

    def already_delivered(
        self, institution_id: str, notification_id: str, user_ids: Iterable[str]
    ) -> set[str]:
        """The recipients whose entry of the notification exists (BatchGetItem, 100 keys a request)."""
        wanted = [
            (keys.notifications_pk(institution_id, u), keys.notification_sk(notification_id))
            for u in dict.fromkeys(user_ids)
        ]
        if not wanted:
            return set()
        found = NotificationItem.batch_get(wanted, attributes_to_get=["PK", "SK", "user_id"])
        return {item.user_id for item in found}

    def claim_once(self, notification: Notification, user_ids: Sequence[str]) -> list[str]:
        """The people this notification may tell of its assessment (`data["assessment_id"]`): those
        it claims first, and those it claimed already (its own retry). One TransactWriteItems of
        conditional puts per 100 people; when a condition refuses, again without whom it refused."""
        assessment_id = str(notification.data["assessment_id"])
        claimable = (ReminderClaimItem.PK.does_not_exist()) | (
            ReminderClaimItem.notification_id == notification.notification_id
        )
        claimed: list[str] = []
        people = list(dict.fromkeys(user_ids))
        for start in range(0, len(people), CLAIMS_PER_TRANSACTION):
            pending = people[start : start + CLAIMS_PER_TRANSACTION]
            while pending:
                try:
                    with TransactWrite(connection=connection()) as tx:
                        for user_id in pending:
                            tx.save(_claim_item(notification, assessment_id, user_id), condition=claimable)
                except TransactWriteError as error:
                    reasons = error.cancellation_reasons or []
                    refused = {
                        user_id
                        for user_id, reason in zip(pending, reasons, strict=False)
                        if reason is not None and reason.code == "ConditionalCheckFailed"
                    }
                    if not refused:
                        raise
                    pending = [u for u in pending if u not in refused]
                else:
                    claimed += pending
                    break
        return claimed

    def page(
        self, institution_id: str, user_id: str, *, unread_only: bool, limit: int, cursor: str | None
    ) -> tuple[list[InboxEntry], str | None]:
        """A page of the inbox, newest first: a GetItem of the read mark and one Query."""
        read_through = self._read_through(institution_id, user_id)
        if unread_only:
            partition = keys.unread_notifications_pk(institution_id, user_id)
            start = decode_cursor(cursor, partition_attr="GSI1PK", partition=partition)
            results: ResultIterator[Any] = NotificationItem.unread.query(
                partition,
                read_through < NotificationItem.GSI1SK,
                limit=limit,
                last_evaluated_key=start,
                scan_index_forward=False,
            )
        else:
            partition = keys.notifications_pk(institution_id, user_id)
            start = decode_cursor(cursor, partition_attr="PK", partition=partition)
            results = NotificationItem.query(
                partition,
                NotificationItem.SK.startswith(keys.NOTIFICATION_PREFIX),
                limit=limit,
                last_evaluated_key=start,
                scan_index_forward=False,
            )
        raw_page: dict[str, Any] = next(results.page_iter, {})
        items = [NotificationItem.from_raw_data(raw) for raw in raw_page.get("Items", [])]
        return [_entry(i, read_through) for i in items], encode_cursor(raw_page.get("LastEvaluatedKey"))

    def unread_count(self, institution_id: str, user_id: str) -> int:
        """Unread entries since the read mark: a GetItem and one COUNT Query, capped."""
        read_through = self._read_through(institution_id, user_id)
        answer = table_connection().query(
            keys.unread_notifications_pk(institution_id, user_id),
            read_through < NotificationItem.GSI1SK,
            index_name="GSI1",
            select="COUNT",
            limit=UNREAD_COUNT_CAP,
        )
        return int(answer.get("Count", 0))

    def mark_read(self, institution_id: str, user_id: str, notification_id: str) -> None:
        """Out of the unread index; the first time read is kept. NotificationNotFound if none."""
        item = NotificationItem(
            keys.notifications_pk(institution_id, user_id), keys.notification_sk(notification_id)
        )
        try:
            item.update(
                actions=[
                    NotificationItem.read_at.set(NotificationItem.read_at | clock.rfc3339(clock.now())),
                    NotificationItem.GSI1PK.remove(),
                    NotificationItem.GSI1SK.remove(),
                ],
                condition=NotificationItem.PK.exists(),
            )
        except UpdateError as error:
            if error.cause_response_code == "ConditionalCheckFailedException":
                raise NotificationNotFound(f"Your inbox has no notification {notification_id}.") from error
            raise

    def mark_all_read(self, institution_id: str, user_id: str) -> None:
        """Everything that arrived until now is read: one PutItem of the read mark."""
        ReadMarkItem(
            keys.notifications_pk(institution_id, user_id),
            keys.NOTIFICATIONS_READ_MARK_SK,
            entity=READ_MARK_ENTITY,
            user_id=user_id,
            read_through=ids.new_id(),
            marked_at=clock.rfc3339(clock.now()),
        ).save()

    def delete(self, institution_id: str, user_id: str, notification_id: str) -> None:
        item = NotificationItem(
            keys.notifications_pk(institution_id, user_id), keys.notification_sk(notification_id)
        )
        try:
            item.delete(condition=NotificationItem.PK.exists())
        except DeleteError as error:
            if error.cause_response_code == "ConditionalCheckFailedException":
                raise NotificationNotFound(f"Your inbox has no notification {notification_id}.") from error
            raise

    @staticmethod
    def _read_through(institution_id: str, user_id: str) -> str:
        try:
            pk = keys.notifications_pk(institution_id, user_id)
            mark = ReadMarkItem.get(pk, keys.NOTIFICATIONS_READ_MARK_SK)
        except ReadMarkItem.DoesNotExist:
            return NOTHING_READ
        return mark.read_through
