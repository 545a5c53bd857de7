"""Events of the communication context (source `lms.communication`).

Each carries what a notification needs (who should hear of it, a short plain-text preview) and
nothing more: never a whole body, a message's text or a reader's state.
"""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from pydantic import Field

from lms.events.envelope import DomainEvent


class CommunicationEvent(DomainEvent):
    source: ClassVar[str] = "lms.communication"


# ---------------------------------------------------------------- announcements


class AnnouncementEvent(CommunicationEvent):
    announcement_id: str
    course_id: str | None = Field(description="None: an institution-wide announcement.")


class AnnouncementPublished(AnnouncementEvent):
    """An announcement became visible to its audience: now, or at its scheduled time (once)."""

    name: ClassVar[str] = "AnnouncementPublished"

    audience: str = Field(
        description="`everyone` (a course's members, or the whole institution), or one institution role."
    )
    title: str
    preview: str = Field(
        description="The body's first words as plain text (no markup), at most 140 characters."
    )
    pinned: bool
    published_at: datetime


class AnnouncementScheduled(AnnouncementEvent):
    """An announcement will be published at `publish_at` (created so, or rescheduled)."""

    name: ClassVar[str] = "AnnouncementScheduled"

    publish_at: datetime


class AnnouncementDrafted(AnnouncementEvent):
    """An announcement was written as a draft, or taken back to one before its time."""

    name: ClassVar[str] = "AnnouncementDrafted"


class AnnouncementEdited(AnnouncementEvent):
    """An announcement's title, text, pin or audience changed (its state did not)."""

    name: ClassVar[str] = "AnnouncementEdited"

    status: str


class AnnouncementDeleted(AnnouncementEvent):
    """An announcement was deleted: it is gone for every reader."""

    name: ClassVar[str] = "AnnouncementDeleted"
