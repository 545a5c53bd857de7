"""The progress context's reaction to catalog events (for now: it records what it saw)."""

from __future__ import annotations

import json
from typing import Any

from lms.events import EventEnvelope
from lms.events import courses as _course_events  # noqa: F401 - registers the event types
from lms.persistence.inbox import record_handled

CONSUMER = "progress"


def envelope_from_eventbridge(body: str) -> EventEnvelope:
    """The envelope in an EventBridge event delivered through SQS; refuses unknown event types."""
    event: dict[str, Any] = json.loads(body)
    envelope = EventEnvelope.model_validate(event["detail"])
    envelope.parse_data()
    return envelope


def handle(envelope: EventEnvelope) -> bool:
    """Handle one event once; False for a duplicate delivery."""
    return record_handled(CONSUMER, envelope)
