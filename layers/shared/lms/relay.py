"""The outbox relay: stream records of outbox items become EventBridge events, in order."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from lms.persistence.outbox import OUTBOX_ENTITY

MAX_ENTRIES_PER_CALL = 10  # PutEvents accepts at most 10 entries


class EventsClient(Protocol):
    def put_events(self, *, Entries: list[dict[str, Any]]) -> Mapping[str, Any]: ...  # noqa: N803


@dataclass(frozen=True)
class PendingEvent:
    sequence_number: str
    entry: dict[str, Any]


def pending_events(records: Iterable[Mapping[str, Any]], bus_name: str) -> list[PendingEvent]:
    """The outbox insertions of a stream batch, as PutEvents entries; other records are ignored."""
    pending = []
    for record in records:
        image = record.get("dynamodb", {}).get("NewImage") or {}
        if record.get("eventName") != "INSERT" or image.get("entity", {}).get("S") != OUTBOX_ENTITY:
            continue
        pending.append(
            PendingEvent(
                sequence_number=record["dynamodb"]["SequenceNumber"],
                entry={
                    "EventBusName": bus_name,
                    "Source": image["source"]["S"],
                    "DetailType": image["detail_type"]["S"],
                    "Detail": image["detail"]["S"],
                },
            )
        )
    return pending


def publish(pending: list[PendingEvent], client: EventsClient) -> str | None:
    """Publish in order, 10 per call; the sequence number to resume from when a call fails.

    A stream batch retries from the first reported failure, so nothing after it is published
    now: it would only be published twice.
    """
    for start in range(0, len(pending), MAX_ENTRIES_PER_CALL):
        chunk = pending[start : start + MAX_ENTRIES_PER_CALL]
        try:
            result = client.put_events(Entries=[p.entry for p in chunk])
        except Exception:
            return chunk[0].sequence_number
        if result.get("FailedEntryCount", 0):
            for sent, outcome in zip(chunk, result.get("Entries", []), strict=False):
                if outcome.get("ErrorCode") or not outcome.get("EventId"):
                    return sent.sequence_number
    return None
