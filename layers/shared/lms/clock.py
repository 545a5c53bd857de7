"""Time in one place: RFC 3339 UTC strings."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any


def now() -> datetime:
    return datetime.now(UTC)


def rfc3339(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def scheduled_time(event: dict[str, Any]) -> datetime:
    """When a scheduled invocation was scheduled for (EventBridge's `time`), else now."""
    raw = event.get("time")
    if not isinstance(raw, str):
        return now()
    return datetime.fromisoformat(raw.replace("Z", "+00:00"))
