"""The one way an SQS-triggered function handles the bus's events: every consumer and worker uses it.

A message is an EventBridge event whose `detail` is an `EventEnvelope`. `EventConsumer` parses it
(an unknown type or malformed data fails the record), dispatches by event type to the context's
handler inside the envelope's correlation id, counts what it did (`EventsHandled`,
`DuplicatesIgnored`, `EventsArrivedEarly`) and reports a failed record alone (Powertools' partial
batch response): it returns to the queue and, after the queue's maxReceiveCount, rests in its DLQ.

Delivery is at least once, so every event is handled once by its envelope id (the inbox), two ways:
- a `Handler` writes only the table: it commits the inbox record
  in the transaction of its change (`record_in`), whose refusal raises `DuplicateEvent`; it answers False when
  the event was handled before, and `lms.persistence.inbox.record_handled` when it changes nothing;
- a `SideEffect` also changes what no table transaction covers (the user pool, files): the consumer
  checks the inbox before and records it after, and the effect resumes work a failed attempt left
  half done. Its `give_up` runs on the queue's last attempt, before the message goes to the DLQ.
An event type the consumer has no handler for is recorded as handled and changes nothing.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from aws_lambda_powertools import Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from lms.auth import Principal, Role
from lms.correlation import correlation_id
from lms.errors import ContendedChange
from lms.events import DomainEvent, EventEnvelope
from lms.persistence.inbox import DuplicateEvent, record_handled, was_handled
from lms.settings import get_settings

Handler = Callable[[EventEnvelope, Any], bool]
"""Handles one event in one transaction with its inbox record; False for a duplicate delivery."""


class EventArrivedEarly(Exception):
    """The event needs state an earlier event brings: the message returns to the queue and is retried."""


@dataclass(frozen=True)
class SideEffect:
    """A handler whose work leaves the table; `give_up` records the failure on the last attempt."""

    run: Callable[[EventEnvelope, Any], None]
    give_up: Callable[[EventEnvelope, Any, Exception], None] | None = None


def process_batch(
    event: dict[str, Any], context: LambdaContext, record_handler: Callable[[SQSRecord], None]
) -> PartialItemFailureResponse:
    """One SQS batch, record by record: a record whose handler raises is reported failed alone, so
    it returns to its queue (and, after maxReceiveCount, its DLQ) while the rest are done. Queues
    whose messages are not the bus's events (the mail queue) use it directly."""
    return process_partial_response(
        event=event,
        record_handler=record_handler,
        processor=BatchProcessor(event_type=EventType.SQS),
        context=context,
    )


def envelope_from_eventbridge(body: str) -> EventEnvelope:
    """The envelope in an EventBridge event delivered through SQS; refuses unknown event types."""
    event: dict[str, Any] = json.loads(body)
    envelope = EventEnvelope.model_validate(event["detail"])
    envelope.parse_data()
    return envelope


def actor(envelope: EventEnvelope) -> Principal:
    """Whoever caused the event: what a consumer writes and emits is done on their behalf."""
    roles = frozenset(Role(r) for r in envelope.actor.roles if r in Role._value2member_map_)
    return Principal(user_id=envelope.actor.user_id, institution_id=envelope.institution_id, roles=roles)


class EventConsumer:
    """One consumer's handlers by event type; `name` keys its inbox records."""

    def __init__(
        self,
        name: str,
        handlers: Mapping[type[DomainEvent], Handler | SideEffect],
        *,
        conflicts: tuple[type[Exception], ...] = (),
        attempts: int = 3,
    ) -> None:
        """`conflicts`: errors meaning another event changed the same item meanwhile; the handler
        runs again (it re-reads) up to `attempts` times before the message goes back to the queue.
        A transaction that stayed contended through its sends (`ContendedChange`) is one of them."""
        self.name = name
        self._handlers = dict(handlers)
        self._conflicts: tuple[type[Exception], ...] = (*conflicts, ContendedChange)
        self._attempts = attempts

    def handle(self, envelope: EventEnvelope, *, receive_count: int = 1) -> bool:
        """Handle one event once; False for a duplicate delivery (nothing changes)."""
        event = envelope.parse_data()
        handler = self._handlers.get(type(event))
        token = correlation_id.set(envelope.correlation_id or envelope.id)
        try:
            if handler is None:
                return record_handled(self.name, envelope)
            if isinstance(handler, SideEffect):
                return self._effect(handler, envelope, event, receive_count)
            return self._transaction(handler, envelope, event)
        finally:
            correlation_id.reset(token)

    def process(
        self, event: dict[str, Any], context: LambdaContext, metrics: Metrics
    ) -> PartialItemFailureResponse:
        """The function's answer to one SQS batch: the ids of the records that failed."""

        def record_handler(record: SQSRecord) -> None:
            envelope = envelope_from_eventbridge(record.body)
            receive_count = int(record.attributes.approximate_receive_count)
            try:
                first_time = self.handle(envelope, receive_count=receive_count)
            except EventArrivedEarly:
                metrics.add_metric(name="EventsArrivedEarly", unit=MetricUnit.Count, value=1)
                raise
            name = "EventsHandled" if first_time else "DuplicatesIgnored"
            metrics.add_metric(name=name, unit=MetricUnit.Count, value=1)

        return process_batch(event, context, record_handler)

    def _transaction(self, handler: Handler, envelope: EventEnvelope, event: DomainEvent) -> bool:
        for _ in range(self._attempts - 1):
            try:
                return self._once(handler, envelope, event)
            except self._conflicts:
                continue  # another event changed the item: read it again
        return self._once(handler, envelope, event)

    @staticmethod
    def _once(handler: Handler, envelope: EventEnvelope, event: DomainEvent) -> bool:
        try:
            return handler(envelope, event)
        except DuplicateEvent:
            return False

    def _effect(
        self, effect: SideEffect, envelope: EventEnvelope, event: DomainEvent, receive_count: int
    ) -> bool:
        if was_handled(self.name, envelope):
            return False
        try:
            effect.run(envelope, event)
        except Exception as error:
            if effect.give_up is not None and receive_count >= get_settings().max_receive_count:
                effect.give_up(envelope, event, error)
            raise
        record_handled(self.name, envelope)
        return True
