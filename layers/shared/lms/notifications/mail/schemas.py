"""What the public unsubscribe endpoint answers."""

from __future__ import annotations

from pydantic import BaseModel, Field


class UnsubscribedView(BaseModel):
    categories: list[str] = Field(description="The notification categories whose e-mail is now off.")
