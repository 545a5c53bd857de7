"""The transactional outbox: an event is an item written in the same transaction as the state.

Until PutEvents accepts it, an outbox item also sits in a sparse GSI1 partition of unpublished
events (`keys.unpublished_outbox_pk`); marking it published takes it out, so the sweeper reads
only what is still owed to the bus, oldest first, without a Scan.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import datetime
from typing import cast

from pynamodb.attributes import NumberAttribute, UnicodeAttribute
from pynamodb.exceptions import UpdateError

from lms import clock, ids, keys
from lms.auth import Principal
from lms.correlation import correlation_id
from lms.events import DomainEvent, EventEnvelope
from lms.events.envelope import Actor
from lms.persistence.table import GSI1, Item
from lms.relay import OUTBOX_ENTITY, OutboxKey, PendingEvent
from lms.settings import get_settings

__all__ = ["OUTBOX_ENTITY", "DynamoOutbox", "OutboxItem", "envelope", "outbox_item"]


class OutboxItem(Item):
    GSI1PK = UnicodeAttribute(null=True)
    GSI1SK = UnicodeAttribute(null=True)
    unpublished = GSI1()

    source = UnicodeAttribute()
    detail_type = UnicodeAttribute()
    detail = UnicodeAttribute()  # the envelope as JSON, exactly as consumers receive it
    expires_at = NumberAttribute()
    published_at = UnicodeAttribute(null=True)


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
    retention = get_settings().outbox_retention_days * 24 * 3600
    return OutboxItem(
        keys.outbox_pk(institution_id, env.id),
        keys.OUTBOX_SK,
        entity=OUTBOX_ENTITY,
        GSI1PK=keys.unpublished_outbox_pk(env.id),
        GSI1SK=keys.unpublished_outbox_sk(clock.rfc3339(env.occurred_at), env.id),
        source=env.source,
        detail_type=env.detail_type,
        detail=env.model_dump_json(),
        expires_at=int(time.time()) + retention,
    )


class DynamoOutbox:
    """The outbox items still owed to the bus, and the record that the bus took one."""

    def mark_published(self, key: OutboxKey) -> None:
        item = OutboxItem(key.pk, key.sk)
        try:
            item.update(
                actions=[
                    OutboxItem.GSI1PK.remove(),
                    OutboxItem.GSI1SK.remove(),
                    OutboxItem.published_at.set(clock.rfc3339(clock.now())),
                ],
                # An item TTL already removed stays removed.
                condition=OutboxItem.PK.exists(),
            )
        except UpdateError as error:
            if error.cause_response_code != "ConditionalCheckFailedException":
                raise

    def unpublished(self, occurred_before: datetime) -> list[Iterator[PendingEvent]]:
        """Per partition, its unpublished items older than the moment, oldest first (read lazily)."""
        before = clock.rfc3339(occurred_before)
        return [self._partition(shard, before) for shard in range(keys.UNPUBLISHED_OUTBOX_SHARDS)]

    def _partition(self, shard: int, before: str) -> Iterator[PendingEvent]:
        older = OutboxItem.GSI1SK < before  # noqa: SIM300 - a condition, not a comparison
        partition = keys.unpublished_outbox_shard_pk(shard)
        for found in OutboxItem.unpublished.query(partition, range_key_condition=older):
            item = cast(OutboxItem, found)
            yield PendingEvent(
                key=OutboxKey(item.PK, item.SK),
                source=item.source,
                detail_type=item.detail_type,
                detail=item.detail,
                occurred_at=datetime.fromisoformat(str(item.GSI1SK).split("#", 1)[0]),
            )
