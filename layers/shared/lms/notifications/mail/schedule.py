"""When a person's digest is due: 08:00 in their own time zone, daily or on Mondays."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DIGEST_HOUR = 8
MONDAY = 0
FREQUENCIES = ("daily", "weekly")


def zone(name: str | None) -> tzinfo:
    """The person's time zone; UTC when they set none or one this runtime does not know."""
    if not name:
        return UTC
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


def next_due(frequency: str, after: datetime, time_zone: str | None) -> datetime:
    """The first digest time strictly after `after`: 08:00 local the next day it falls on (every
    day, or Mondays for `weekly`), as a UTC moment. Wall-clock arithmetic, so DST keeps 08:00."""
    local = after.astimezone(zone(time_zone))
    candidate = local.replace(hour=DIGEST_HOUR, minute=0, second=0, microsecond=0)
    if frequency == "weekly":
        candidate += timedelta(days=(MONDAY - candidate.weekday()) % 7)
        step = timedelta(days=7)
    else:
        step = timedelta(days=1)
    while candidate <= local:
        candidate += step
    return candidate.astimezone(UTC)
