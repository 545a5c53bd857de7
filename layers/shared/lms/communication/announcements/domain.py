"""Announcements: drafts, scheduled and published posts of a board (a course, or the institution).

Pure rules: who may post where and who reads what, how an announcement moves between states, and
when it becomes visible. A scheduled announcement is visible from its `publish_at` whatever the
scheduler has done; the scheduler only records the publication and announces it once.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from lms.auth import Principal, Role
from lms.communication.announcements.errors import (
    AnnouncementAlreadyPublished,
    InvalidAudience,
)


class AnnouncementStatus(StrEnum):
    DRAFT = "draft"
    SCHEDULED = "scheduled"
    PUBLISHED = "published"


class Audience(StrEnum):
    """Who an institution-wide announcement is for; a course's announcements are for its members."""

    EVERYONE = "everyone"
    STUDENTS = "students"
    INSTRUCTORS = "instructors"
    INSTITUTION_ADMINS = "institution-admins"


AUDIENCE_ROLE = {
    Audience.STUDENTS: Role.STUDENT,
    Audience.INSTRUCTORS: Role.INSTRUCTOR,
    Audience.INSTITUTION_ADMINS: Role.INSTITUTION_ADMIN,
}


def audiences_of(principal: Principal) -> frozenset[Audience]:
    """The institution-wide audiences a person belongs to (admins read every announcement)."""
    if principal.is_institution_admin:
        return frozenset(Audience)
    return frozenset({Audience.EVERYONE}) | {
        a for a, role in AUDIENCE_ROLE.items() if role in principal.roles
    }


@dataclass(frozen=True)
class Announcement:
    id: str
    institution_id: str
    course_id: str | None
    title: str
    body: str
    status: AnnouncementStatus
    pinned: bool
    audience: Audience
    author_id: str
    created_at: datetime
    updated_at: datetime
    publish_at: datetime | None = None
    """When it becomes (or became) visible: the scheduled time, or the moment it was published."""
    version: int = 1
    author_erased: bool = False

    def visible_at(self, now: datetime) -> bool:
        """Published (recorded), or scheduled and its time has come."""
        if self.status is AnnouncementStatus.PUBLISHED:
            return True
        scheduled = self.status is AnnouncementStatus.SCHEDULED
        return scheduled and self.publish_at is not None and self.publish_at <= now

    def status_at(self, now: datetime) -> AnnouncementStatus:
        """A scheduled announcement whose time has come is published, recorded or not yet."""
        return AnnouncementStatus.PUBLISHED if self.visible_at(now) else self.status

    def readable_by(self, principal: Principal, now: datetime, *, staff: bool) -> bool:
        """Staff of the board read every state; others read what is visible and meant for them."""
        if staff:
            return True
        return self.visible_at(now) and self.audience in audiences_of(principal)


@dataclass(frozen=True)
class Publication:
    """What a request asks of an announcement's state: keep it a draft, or publish (at a time)."""

    draft: bool
    publish_at: datetime | None = None


def new_state(publication: Publication, now: datetime) -> tuple[AnnouncementStatus, datetime | None]:
    """The status and visible-from time a publication request gives (a past time means now)."""
    if publication.draft:
        return AnnouncementStatus.DRAFT, None
    if publication.publish_at is not None and publication.publish_at > now:
        return AnnouncementStatus.SCHEDULED, publication.publish_at
    return AnnouncementStatus.PUBLISHED, now


def check_audience(course_id: str | None, audience: Audience) -> None:
    """A course's announcements go to its members; only the institution's choose a role."""
    if course_id is not None and audience is not Audience.EVERYONE:
        raise InvalidAudience("A course announcement is for the course's members: leave `audience` out.")


def revise(
    current: Announcement,
    now: datetime,
    *,
    title: str | None,
    body: str | None,
    pinned: bool | None,
    audience: Audience | None,
    publication: Publication | None,
) -> Announcement:
    """The announcement after an edit. A published one stays published (its time cannot move)."""
    status, publish_at = current.status_at(now), current.publish_at
    if publication is not None:
        if status is AnnouncementStatus.PUBLISHED:
            raise AnnouncementAlreadyPublished(
                "A published announcement stays published: edit its text, or delete it."
            )
        status, publish_at = new_state(publication, now)
    elif current.status is AnnouncementStatus.SCHEDULED and status is AnnouncementStatus.PUBLISHED:
        publish_at = current.publish_at  # its time came: the edit records the publication
    revised = replace(
        current,
        title=title if title is not None else current.title,
        body=body if body is not None else current.body,
        pinned=pinned if pinned is not None else current.pinned,
        audience=audience if audience is not None else current.audience,
        status=status,
        publish_at=publish_at,
        updated_at=now,
        version=current.version + 1,
    )
    check_audience(revised.course_id, revised.audience)
    return revised


def becomes_published(before: Announcement | None, after: Announcement) -> bool:
    """The change that records a publication announces it: exactly one change per announcement."""
    was = before is not None and before.status is AnnouncementStatus.PUBLISHED
    return after.status is AnnouncementStatus.PUBLISHED and not was


def due_for_publication(announcement: Announcement, now: datetime) -> bool:
    """The scheduler records the publication of a scheduled announcement whose time has come."""
    return announcement.status is AnnouncementStatus.SCHEDULED and announcement.visible_at(now)


def published(announcement: Announcement, now: datetime) -> Announcement:
    return replace(
        announcement, status=AnnouncementStatus.PUBLISHED, updated_at=now, version=announcement.version + 1
    )


def unread(announcement: Announcement, read_through: datetime | None) -> bool:
    """Everything visible after the reader's last "mark all read" is unread."""
    return announcement.publish_at is not None and (
        read_through is None or announcement.publish_at > read_through
    )
