"""Request and response bodies of the announcements API (the OpenAPI document is generated from them)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import AwareDatetime, Field, StringConstraints

from lms.communication.announcements.domain import (
    Announcement,
    AnnouncementStatus,
    Audience,
    Publication,
    unread,
)
from lms.lazy_model import LazyModel
from lms.richtext import RichText
from lms.schemas import Body, Patch

Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class AnnouncementDraft(Body):
    title: Title
    body: RichText = Field(description="HTML; stored and answered sanitised (lms.richtext allow-list).")
    pinned: bool = Field(default=False, description="Pinned announcements are listed first.")
    draft: bool = Field(default=False, description="Keep it a draft, visible to the board's staff only.")
    publish_at: AwareDatetime | None = Field(
        default=None, description="Publish at this time instead of now (a past time publishes now)."
    )
    audience: Audience = Field(
        default=Audience.EVERYONE, description="Institution-wide announcements only: everyone, or one role."
    )

    def publication(self) -> Publication:
        return Publication(draft=self.draft, publish_at=self.publish_at)


class AnnouncementPatch(Patch):
    title: Title | None = None
    body: RichText | None = None
    pinned: bool | None = None
    draft: bool | None = Field(default=None, description="true: back to draft; false: publish now.")
    publish_at: AwareDatetime | None = Field(default=None, description="Schedule (or reschedule) it.")
    audience: Audience | None = None

    def publication(self) -> Publication | None:
        if self.draft is None and self.publish_at is None:
            return None
        return Publication(draft=bool(self.draft), publish_at=self.publish_at)


class AnnouncementView(LazyModel):
    id: str
    course_id: str | None = Field(description="None for an institution-wide announcement.")
    title: str
    body: str
    status: AnnouncementStatus
    pinned: bool
    audience: Audience
    author_id: str | None = Field(description="None once the author's account is erased.")
    publish_at: datetime | None = Field(description="When it became (or becomes) visible.")
    created_at: datetime
    updated_at: datetime
    version: int
    unread: bool = Field(description='Published after the caller\'s last "mark all read" of this board.')

    @classmethod
    def of(cls, announcement: Announcement, now: datetime, read_through: datetime | None) -> AnnouncementView:
        status = announcement.status_at(now)
        return cls(
            id=announcement.id,
            course_id=announcement.course_id,
            title=announcement.title,
            body=announcement.body,
            status=status,
            pinned=announcement.pinned,
            audience=announcement.audience,
            author_id=None if announcement.author_erased else announcement.author_id,
            publish_at=announcement.publish_at,
            created_at=announcement.created_at,
            updated_at=announcement.updated_at,
            version=announcement.version,
            unread=status is AnnouncementStatus.PUBLISHED and unread(announcement, read_through),
        )


class AnnouncementPage(LazyModel):
    items: list[AnnouncementView]
    next_cursor: str | None = None


class AnnouncementReadState(LazyModel):
    unread_count: int = Field(description="Published announcements of the board you have not marked read.")
    more_unread: bool = Field(description="More than `unread_count` are unread (a board counts 100 at most).")
    read_through: datetime | None = Field(description='Your last "mark all read" of this board.')
