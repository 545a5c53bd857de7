"""A consumer's ledger of handled events: the event id makes a redelivery change nothing."""

from __future__ import annotations

import time

from pynamodb.attributes import NumberAttribute, UnicodeAttribute
from pynamodb.exceptions import PutError

from lms import clock, keys
from lms.events import EventEnvelope
from lms.persistence.table import Item
from lms.persistence.transactions import Transaction

INBOX_ENTITY = "inbox"
RETENTION_SECONDS = 14 * 24 * 3600  # longer than any queue's retention plus its DLQ's redrive window


class DuplicateEvent(Exception):
    """The consumer handled this event before: its inbox record exists."""


class InboxItem(Item):
    event_type = UnicodeAttribute()
    occurred_at = UnicodeAttribute()
    handled_at = UnicodeAttribute()
    expires_at = NumberAttribute()


def inbox_item(consumer: str, envelope: EventEnvelope) -> InboxItem:
    return InboxItem(
        keys.inbox_pk(envelope.institution_id, consumer, envelope.id),
        keys.INBOX_SK,
        entity=INBOX_ENTITY,
        event_type=envelope.type,
        occurred_at=clock.rfc3339(envelope.occurred_at),
        handled_at=clock.rfc3339(clock.now()),
        expires_at=int(time.time()) + RETENTION_SECONDS,
    )


def record_in(tx: Transaction, consumer: str, envelope: EventEnvelope) -> None:
    """The inbox record in the transaction of the change the event makes; DuplicateEvent if it exists."""
    tx.put(inbox_item(consumer, envelope), InboxItem.PK.does_not_exist(), DuplicateEvent())


def record_handled(consumer: str, envelope: EventEnvelope) -> bool:
    """Record the event as handled; False when it already was (a duplicate delivery)."""
    try:
        inbox_item(consumer, envelope).save(condition=InboxItem.PK.does_not_exist())
    except PutError as error:
        if error.cause_response_code == "ConditionalCheckFailedException":
            return False
        raise
    return True


def was_handled(consumer: str, envelope: EventEnvelope) -> bool:
    try:
        InboxItem.get(
            keys.inbox_pk(envelope.institution_id, consumer, envelope.id), keys.INBOX_SK, consistent_read=True
        )
    except InboxItem.DoesNotExist:
        return False
    return True
