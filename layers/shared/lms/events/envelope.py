"""The event envelope (EventBridge `detail`) and the base of every versioned event model."""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from pydantic import ConfigDict, Field

from lms.lazy_model import LazyModel

_REGISTRY: dict[str, type[DomainEvent]] = {}


class DomainEvent(LazyModel):
    """Data of one event type; subclasses set `source`, `name` and `schema_version`."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    source: ClassVar[str]
    name: ClassVar[str]
    schema_version: ClassVar[int] = 1
    # Fields a person wrote in their own words (a preview of a message, a post's title): the event
    # archive leaves them out, so the history names people by id only (lms.archive).
    free_text: ClassVar[frozenset[str]] = frozenset()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "name" in cls.__dict__:
            _REGISTRY[cls.type_name()] = cls

    @classmethod
    def type_name(cls) -> str:
        return f"{cls.source}.{cls.name}.v{cls.schema_version}"


class Actor(LazyModel):
    model_config = ConfigDict(frozen=True)

    user_id: str
    roles: list[str] = Field(default_factory=list)


class EventEnvelope(LazyModel):
    """What every consumer receives in `detail`; `id` is the idempotency key."""

    model_config = ConfigDict(frozen=True)

    id: str
    type: str
    occurred_at: datetime
    institution_id: str
    actor: Actor
    correlation_id: str | None = None
    data: dict[str, Any]

    @property
    def source(self) -> str:
        return self.type.rsplit(".", 2)[0]

    @property
    def detail_type(self) -> str:
        return self.type.rsplit(".", 2)[1]

    def parse_data(self) -> DomainEvent:
        """The typed event; raises KeyError for an unknown type, ValidationError for bad data."""
        return _REGISTRY[self.type].model_validate(self.data)


def event_types() -> dict[str, type[DomainEvent]]:
    return dict(_REGISTRY)
