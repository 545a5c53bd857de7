"""Notification preferences: a frequency per category and channel, over the institution's defaults.

A person's choice wins over their institution's default, which wins over the platform's default
(`PLATFORM_DEFAULTS`). The in-app inbox is immediate or off; e-mail may also be gathered into a
daily or weekly digest. Locked categories (account and security notices) are always immediate.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType

from lms.notifications.catalog import LOCKED_CATEGORIES, Category
from lms.notifications.errors import CategoryLocked, FrequencyNotOffered


class Channel(StrEnum):
    IN_APP = "in_app"
    EMAIL = "email"


class Frequency(StrEnum):
    IMMEDIATELY = "immediately"
    DAILY = "daily"
    WEEKLY = "weekly"
    OFF = "off"


OFFERED: Mapping[Channel, frozenset[Frequency]] = MappingProxyType(
    {
        Channel.IN_APP: frozenset({Frequency.IMMEDIATELY, Frequency.OFF}),
        Channel.EMAIL: frozenset(Frequency),
    }
)
"""The frequencies each channel offers: an inbox entry is there at once or not at all."""

Choices = Mapping[Category, Mapping[Channel, Frequency]]


def _email_default(category: Category) -> Frequency:
    # Digests for what is rarely urgent; everything a person must act on arrives at once.
    if category in (Category.DISCUSSIONS, Category.ANNOUNCEMENTS, Category.LEARNERS):
        return Frequency.DAILY
    if category is Category.PROGRESS:
        return Frequency.WEEKLY
    return Frequency.IMMEDIATELY


PLATFORM_DEFAULTS: Choices = MappingProxyType(
    {
        category: MappingProxyType(
            {Channel.IN_APP: Frequency.IMMEDIATELY, Channel.EMAIL: _email_default(category)}
        )
        for category in Category
    }
)


def check_choices(choices: Choices) -> None:
    """Refuse a frequency a channel does not offer, and any change to a locked category."""
    for category, channels in choices.items():
        for channel, frequency in channels.items():
            if frequency not in OFFERED[channel]:
                raise FrequencyNotOffered(
                    f"The {channel.value} channel offers no {frequency.value} frequency."
                )
            if category in LOCKED_CATEGORIES and frequency is not Frequency.IMMEDIATELY:
                raise CategoryLocked(f"Notifications of the {category.value} category cannot be changed.")


@dataclass(frozen=True)
class Preferences:
    """One person's effective preferences: their choices over their institution's defaults."""

    user_id: str
    choices: Choices = field(default_factory=dict)
    institution_defaults: Choices = field(default_factory=dict)

    def frequency(self, category: Category, channel: Channel) -> Frequency:
        if category in LOCKED_CATEGORIES:
            return Frequency.IMMEDIATELY
        for layer in (self.choices, self.institution_defaults, PLATFORM_DEFAULTS):
            chosen = layer.get(category, {}).get(channel)
            if chosen is not None:
                return chosen
        raise AssertionError("the platform defaults name every category and channel")

    def effective(self) -> dict[Category, dict[Channel, Frequency]]:
        return {
            category: {channel: self.frequency(category, channel) for channel in Channel}
            for category in Category
        }


def merged(choices: Choices, changes: Choices) -> dict[Category, dict[Channel, Frequency]]:
    """`choices` with `changes` applied, channel by channel."""
    result = {category: dict(channels) for category, channels in choices.items()}
    for category, channels in changes.items():
        result.setdefault(category, {}).update(channels)
    return result
