"""Outbox items become EventBridge events: from the table stream (the relay) and, for whatever the
stream path gave up on, from the index of unpublished items (the sweeper).

An item counts as published only once PutEvents accepted its entry; the item is then marked, entry
by entry, so a partly failed call leaves exactly the refused entries to publish again. Publishing
twice is harmless (consumers deduplicate by envelope id); not publishing is the one thing to avoid.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import islice
from typing import Any, Protocol

OUTBOX_ENTITY = "outbox"
MAX_ENTRIES_PER_CALL = 10  # PutEvents accepts at most 10 entries


class EventsClient(Protocol):
    def put_events(self, *, Entries: list[dict[str, Any]]) -> Mapping[str, Any]: ...  # noqa: N803


@dataclass(frozen=True)
class OutboxKey:
    pk: str
    sk: str


@dataclass(frozen=True)
class PendingEvent:
    """An outbox item not known to be published: from the stream (with its record's sequence
    number) or from the index of unpublished items (with the time its event occurred)."""

    key: OutboxKey
    source: str
    detail_type: str
    detail: str
    sequence_number: str | None = None
    occurred_at: datetime | None = None

    def entry(self, bus_name: str) -> dict[str, Any]:
        return {
            "EventBusName": bus_name,
            "Source": self.source,
            "DetailType": self.detail_type,
            "Detail": self.detail,
        }


class Outbox(Protocol):
    def mark_published(self, key: OutboxKey) -> None: ...

    def unpublished(self, occurred_before: datetime) -> Sequence[Iterable[PendingEvent]]:
        """Per partition of the index, its items older than the moment, oldest first."""
        ...


@dataclass
class Delivery:
    published: list[PendingEvent] = field(default_factory=list)
    refused: list[PendingEvent] = field(default_factory=list)


def deliver(pending: Iterable[PendingEvent], bus_name: str, client: EventsClient, outbox: Outbox) -> Delivery:
    """Publish 10 per call and mark what the bus accepted; stop after the first call with a refusal.

    Whatever follows a refusal would be sent again anyway when the stream batch is retried from it.
    """
    delivery = Delivery()
    chunks = iter(pending)
    while chunk := list(islice(chunks, MAX_ENTRIES_PER_CALL)):
        accepted = _put(chunk, bus_name, client)
        for event, ok in zip(chunk, accepted, strict=True):
            if ok:
                outbox.mark_published(event.key)
                delivery.published.append(event)
            else:
                delivery.refused.append(event)
        if delivery.refused:
            break
    return delivery


def _put(chunk: list[PendingEvent], bus_name: str, client: EventsClient) -> list[bool]:
    try:
        result = client.put_events(Entries=[event.entry(bus_name) for event in chunk])
    except Exception:
        return [False] * len(chunk)
    outcomes = list(result.get("Entries") or [])
    if len(outcomes) != len(chunk):
        return [False] * len(chunk)
    return [bool(outcome.get("EventId")) and not outcome.get("ErrorCode") for outcome in outcomes]


def pending_events(records: Iterable[Mapping[str, Any]]) -> list[PendingEvent]:
    """The outbox insertions of a stream batch, in order; other records are ignored."""
    pending = []
    for record in records:
        image = record.get("dynamodb", {}).get("NewImage") or {}
        if record.get("eventName") != "INSERT" or image.get("entity", {}).get("S") != OUTBOX_ENTITY:
            continue
        pending.append(
            PendingEvent(
                key=OutboxKey(image["PK"]["S"], image["SK"]["S"]),
                source=image["source"]["S"],
                detail_type=image["detail_type"]["S"],
                detail=image["detail"]["S"],
                sequence_number=record["dynamodb"]["SequenceNumber"],
            )
        )
    return pending


@dataclass
class Sweep:
    republished: int = 0
    refused: int = 0
    oldest_unpublished: datetime | None = None  # the oldest item owed that the sweep found

    def oldest_age(self, now: datetime) -> timedelta:
        return timedelta(0) if self.oldest_unpublished is None else now - self.oldest_unpublished


def sweep(
    outbox: Outbox,
    bus_name: str,
    client: EventsClient,
    *,
    now: datetime,
    grace: timedelta,
    has_time: Callable[[], bool],
) -> Sweep:
    """Publish what is still unpublished `grace` after it occurred, partition by partition.

    A partition is left at its first refusal (the rest waits for the next run); the sweep stops
    when `has_time()` says so. The stream path normally publishes within seconds: the grace keeps
    the sweeper from racing it.
    """
    result = Sweep()
    for partition in outbox.unpublished(now - grace):
        events: Iterator[PendingEvent] = iter(partition)
        while has_time() and (chunk := list(islice(events, MAX_ENTRIES_PER_CALL))):
            first = chunk[0].occurred_at
            if first is not None and (result.oldest_unpublished is None or first < result.oldest_unpublished):
                result.oldest_unpublished = first
            delivery = deliver(chunk, bus_name, client, outbox)
            result.republished += len(delivery.published)
            result.refused += len(delivery.refused)
            if delivery.refused:
                break
    return result
