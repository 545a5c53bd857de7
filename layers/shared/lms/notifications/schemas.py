"""Request and response models of the notifications API."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import ConfigDict, Field

from lms.lazy_model import LazyModel
from lms.notifications.catalog import LOCKED_CATEGORIES, Category
from lms.notifications.domain import InboxEntry
from lms.notifications.preferences import Channel, Choices, Frequency, Preferences


class NotificationView(LazyModel):
    id: str
    type: str = Field(description="The notification type (docs/notifications.md).")
    category: str
    title: str
    body_text: str
    link: str = Field(description="The API path of what the notification is about.")
    data: dict[str, Any]
    occurred_at: datetime
    read: bool
    read_at: datetime | None = None

    @classmethod
    def of(cls, entry: InboxEntry) -> NotificationView:
        return cls(
            id=entry.notification_id,
            type=entry.type,
            category=entry.category,
            title=entry.title,
            body_text=entry.body_text,
            link=entry.link,
            data=entry.data,
            occurred_at=entry.occurred_at,
            read=entry.read,
            read_at=entry.read_at,
        )


class NotificationPage(LazyModel):
    items: list[NotificationView]
    next_cursor: str | None = None


class UnreadNotificationsView(LazyModel):
    unread: int = Field(description="Unread notifications, counted up to a cap.")
    capped: bool = Field(description="True when there are at least this many (show as “99+”).")


class ChannelChoices(LazyModel):
    """A frequency per channel; a channel left out follows the defaults."""

    model_config = ConfigDict(extra="forbid")

    in_app: Frequency | None = Field(default=None, description="`immediately` or `off`.")
    email: Frequency | None = Field(default=None, description="`immediately`, `daily`, `weekly` or `off`.")

    def choices(self) -> dict[Channel, Frequency]:
        chosen = {Channel.IN_APP: self.in_app, Channel.EMAIL: self.email}
        return {channel: f for channel, f in chosen.items() if f is not None}

    @classmethod
    def of(cls, channels: dict[Channel, Frequency]) -> ChannelChoices:
        return cls(in_app=channels.get(Channel.IN_APP), email=channels.get(Channel.EMAIL))


class ChoicesChange(LazyModel):
    """Choices per category: they replace the ones stored; categories left out follow the defaults."""

    model_config = ConfigDict(extra="forbid")

    categories: dict[Category, ChannelChoices]

    def choices(self) -> Choices:
        chosen = {category: c.choices() for category, c in self.categories.items()}
        return {category: channels for category, channels in chosen.items() if channels}


class CategoryPreferences(LazyModel):
    in_app: Frequency
    email: Frequency
    switchable: bool = Field(description="False for account and security notices, always immediate.")


class PreferencesView(LazyModel):
    categories: dict[Category, CategoryPreferences] = Field(
        description="Every category's effective frequency per channel."
    )
    chosen: dict[Category, ChannelChoices] = Field(description="What you chose; the rest are defaults.")

    @classmethod
    def of(cls, preferences: Preferences) -> PreferencesView:
        return cls(
            categories={
                category: CategoryPreferences(
                    in_app=channels[Channel.IN_APP],
                    email=channels[Channel.EMAIL],
                    switchable=category not in LOCKED_CATEGORIES,
                )
                for category, channels in preferences.effective().items()
            },
            chosen={category: ChannelChoices.of(dict(c)) for category, c in preferences.choices.items()},
        )


class DefaultsView(LazyModel):
    institution_id: str
    categories: dict[Category, ChannelChoices] = Field(
        description="The institution's defaults; categories left out follow the platform's."
    )

    @classmethod
    def of(cls, institution_id: str, choices: Choices) -> DefaultsView:
        return cls(
            institution_id=institution_id,
            categories={category: ChannelChoices.of(dict(c)) for category, c in choices.items()},
        )
