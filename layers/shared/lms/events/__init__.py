"""Domain events: a versioned pydantic model per event type, carried in one envelope."""

from lms.events.envelope import DomainEvent, EventEnvelope, event_types

__all__ = ["DomainEvent", "EventEnvelope", "event_types"]
