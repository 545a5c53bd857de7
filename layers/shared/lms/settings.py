"""Settings read once from the function's environment (see template.yaml Globals)."""

from __future__ import annotations

import os
from functools import lru_cache

from pydantic import BaseModel, ConfigDict, Field

# Named in code, not read from the environment at import: a handler module imports cleanly anywhere.
METRICS_NAMESPACE = "LMS"


class Settings(BaseModel):
    model_config = ConfigDict(frozen=True)

    table_name: str = Field(min_length=1)
    event_bus_name: str = Field(min_length=1)
    outbox_retention_hours: int = Field(default=24, ge=1, le=168)
    stage: str = "dev"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Parse the environment on first use, never at import time."""
    return Settings(
        table_name=os.environ.get("TABLE_NAME", ""),
        event_bus_name=os.environ.get("EVENT_BUS_NAME", ""),
        outbox_retention_hours=int(os.environ.get("OUTBOX_RETENTION_HOURS", "24")),
        stage=os.environ.get("STAGE", "dev"),
    )
