"""What the public unsubscribe endpoint answers."""

from __future__ import annotations

from pydantic import Field

from lms.lazy_model import LazyModel


class UnsubscribedView(LazyModel):
    categories: list[str] = Field(description="The notification categories whose e-mail is now off.")
