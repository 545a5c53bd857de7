"""The transactional outbox: an event is an item written in the same transaction as the state."""

from __future__ import annotations

import time

from pynamodb.attributes import NumberAttribute, UnicodeAttribute

from lms import clock, ids, keys
from lms.auth import Principal
from lms.correlation import correlation_id
from lms.events import DomainEvent, EventEnvelope
from lms.events.envelope import Actor
from lms.persistence.table import Item
from lms.settings import get_settings

OUTBOX_ENTITY = "outbox"


class OutboxItem(Item):
    source = UnicodeAttribute()
    detail_type = UnicodeAttribute()
    detail = UnicodeAttribute()  # the envelope as JSON, exactly as consumers receive it
    expires_at = NumberAttribute()


def envelope(event: DomainEvent, institution_id: str, actor: Principal) -> EventEnvelope:
    return EventEnvelope(
        id=ids.new_id(),
        type=event.type_name(),
        occurred_at=clock.now(),
        institution_id=institution_id,
        actor=Actor(user_id=actor.user_id, roles=sorted(actor.roles)),
        correlation_id=correlation_id.get(),
        data=event.model_dump(mode="json"),
    )


def outbox_item(event: DomainEvent, institution_id: str, actor: Principal) -> OutboxItem:
    env = envelope(event, institution_id, actor)
    retention = get_settings().outbox_retention_hours * 3600
    return OutboxItem(
        keys.outbox_pk(institution_id, env.id),
        keys.OUTBOX_SK,
        entity=OUTBOX_ENTITY,
        source=env.source,
        detail_type=env.detail_type,
        detail=env.model_dump_json(),
        expires_at=int(time.time()) + retention,
    )
