"""The event archive's record of one event: what of it the archive keeps, and where it is filed.

Every event on the bus is archived to S3 (docs/analytics-sql.md) as one line of JSON, filed under
its institution and the day it occurred. The line is the envelope with two changes:
- the fields a person wrote in their own words (each event type's `free_text`) are left out, so
  the history names people by id only, and an id names nobody once the users context has erased
  the person (docs/architecture.md, "The event history is an archive of ids");
- `data` is JSON text, not an object, so one table schema holds every event type and version
  (queries read a field with `json_extract_scalar(data, '$.field')`).
An event of a type this code does not know keeps its envelope and loses its data: nothing tells
which of its fields are free text.
"""

from __future__ import annotations

import importlib
import json
import pkgutil
from dataclasses import dataclass
from datetime import UTC
from functools import cache
from typing import Any

import lms.events
from lms.events.envelope import DomainEvent, EventEnvelope, event_types


@dataclass(frozen=True)
class ArchivedEvent:
    """One line of the archive and the partition it belongs in."""

    line: bytes
    institution: str
    day: str  # the UTC day the event occurred, yyyy-mm-dd


def archived_event(detail: Any) -> ArchivedEvent:
    """The archive's line for an event's envelope (EventBridge `detail`).

    Raises pydantic's ValidationError when `detail` is not an envelope.
    """
    envelope = EventEnvelope.model_validate(detail)
    occurred_at = envelope.occurred_at.astimezone(UTC)
    event_type = _known_types().get(envelope.type)
    data = None if event_type is None else _without_free_text(envelope.data, event_type)
    record = {
        "id": envelope.id,
        "type": envelope.type,
        "occurred_at": occurred_at.isoformat().replace("+00:00", "Z"),
        "institution_id": envelope.institution_id,
        "actor": {"user_id": envelope.actor.user_id, "roles": list(envelope.actor.roles)},
        "correlation_id": envelope.correlation_id,
        "data": None if data is None else json.dumps(data, separators=(",", ":"), sort_keys=True),
    }
    line = json.dumps(record, separators=(",", ":")) + "\n"
    return ArchivedEvent(line.encode(), envelope.institution_id, occurred_at.date().isoformat())


def _without_free_text(data: dict[str, Any], event_type: type[DomainEvent]) -> dict[str, Any]:
    return {key: value for key, value in data.items() if key not in event_type.free_text}


@cache
def _known_types() -> dict[str, type[DomainEvent]]:
    # Every context's events module registers its types when imported.
    for module in pkgutil.iter_modules(lms.events.__path__):
        importlib.import_module(f"lms.events.{module.name}")
    return event_types()
