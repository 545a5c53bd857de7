"""Direct messages: who may write to whom, conversations, and each person's copy of one.

A conversation holds its participants; every participant has their own copy (a mailbox entry):
unread count, archived, starred, deleted up to a message. The inbox's scopes are views of those
copies. Pure rules: no storage, no HTTP.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from pydantic import ConfigDict

from lms.auth import Principal, Role
from lms.communication.messages.errors import (
    CourseNeeded,
    NotInCourse,
    RecipientsUnreachable,
)
from lms.errors import ValidationFailed
from lms.lazy_model import LazyModel

MAX_PARTICIPANTS = 50
"""A conversation's people, its starter included: every message updates each one's copy in its
own transaction (DynamoDB holds 100 items in one), so the bound keeps a send to one request."""
MAX_RECIPIENTS = MAX_PARTICIPANTS - 1
MAX_SUBJECT_LENGTH = 200
RATE_WINDOW = timedelta(hours=1)


class ConversationKind(StrEnum):
    DIRECT = "direct"
    GROUP = "group"


class Scope(StrEnum):
    """The views of a mailbox: `inbox` (not archived), `unread` (in the inbox), `archived`,
    `sent` (conversations one has written in) and `starred`."""

    INBOX = "inbox"
    UNREAD = "unread"
    ARCHIVED = "archived"
    SENT = "sent"
    STARRED = "starred"


class Folder(StrEnum):
    """Where a copy is listed: exactly one folder, or none once deleted (until a new message)."""

    UNREAD = "UNREAD"
    READ = "READ"
    ARCHIVED = "ARCHIVED"


class Conversation(LazyModel):
    model_config = ConfigDict(frozen=True)

    id: str
    kind: ConversationKind
    subject: str | None
    course_id: str | None
    created_by: str
    created_at: datetime
    participant_ids: list[str]
    """Who is in it now, the starter first; people who left are no longer listed."""
    left_ids: list[str] = []
    version: int = 1

    def includes(self, user_id: str) -> bool:
        return user_id in self.participant_ids

    def others(self, user_id: str) -> list[str]:
        return [p for p in self.participant_ids if p != user_id]


class Message(LazyModel):
    model_config = ConfigDict(frozen=True)

    id: str
    conversation_id: str
    sender_id: str
    body: str
    """Sanitised HTML; empty once its sender was erased."""
    sent_at: datetime
    erased: bool = False


class MailboxEntry(LazyModel):
    """One participant's copy of a conversation."""

    model_config = ConfigDict(frozen=True)

    conversation_id: str
    owner_id: str
    kind: ConversationKind
    subject: str | None
    course_id: str | None
    last_message_id: str
    last_message_at: datetime
    last_sender_id: str
    preview: str
    unread: int = 0
    archived: bool = False
    starred: bool = False
    has_sent: bool = False
    deleted: bool = False
    cleared_through: str | None = None
    """Messages up to this id were deleted from this copy: they are not shown to its owner again."""
    left_at: datetime | None = None
    version: int = 1

    @property
    def folder(self) -> Folder | None:
        if self.deleted:
            return None
        if self.archived:
            return Folder.ARCHIVED
        return Folder.UNREAD if self.unread else Folder.READ

    def in_scope(self, scope: Scope) -> bool:
        folder = self.folder
        return (
            folder is not None
            and {
                Scope.INBOX: folder in (Folder.UNREAD, Folder.READ),
                Scope.UNREAD: folder is Folder.UNREAD,
                Scope.ARCHIVED: folder is Folder.ARCHIVED,
                Scope.SENT: self.has_sent,
                Scope.STARRED: self.starred,
            }[scope]
        )


def mark(
    entry: MailboxEntry, *, read: bool | None, archived: bool | None, starred: bool | None
) -> MailboxEntry:
    """The copy after its owner marks it read or unread, archives or restores it, stars or unstars it."""
    unread = entry.unread
    if read is True:
        unread = 0
    elif read is False:
        unread = max(unread, 1)
    return entry.model_copy(
        update={
            "unread": unread,
            "archived": entry.archived if archived is None else archived,
            "starred": entry.starred if starred is None else starred,
        }
    )


def delete_copy(entry: MailboxEntry) -> MailboxEntry:
    """Deleting one's copy hides it and its messages so far; a later message brings it back."""
    return entry.model_copy(
        update={
            "deleted": True,
            "cleared_through": entry.last_message_id,
            "unread": 0,
            "archived": False,
            "starred": False,
        }
    )


# ---------------------------------------------------------------- who may write to whom


@dataclass(frozen=True)
class CourseCircle:
    """A course as the catalog holds it: its instructors, and who among the people asked about is
    enrolled (not waitlisted, not dropped)."""

    course_id: str
    instructor_ids: frozenset[str]
    enrolled_ids: frozenset[str]

    def includes(self, user_id: str) -> bool:
        return user_id in self.instructor_ids or user_id in self.enrolled_ids


def recipients_of(sender_id: str, named: Sequence[str]) -> list[str]:
    """The people named, once each and in order; refused when empty, too many or the sender alone."""
    recipients = [r for r in dict.fromkeys(named) if r != sender_id]
    if not recipients:
        raise ValidationFailed("Name at least one person other than yourself.", field="recipient_ids")
    if len(recipients) > MAX_RECIPIENTS:
        raise ValidationFailed(
            f"A conversation has at most {MAX_PARTICIPANTS} participants, you included.",
            field="recipient_ids",
        )
    return recipients


def check_reach(
    sender: Principal,
    recipients: Sequence[str],
    circle: CourseCircle | None,
    members: Collection[str],
) -> None:
    """Admins write to anyone of the institution (`members`: the recipients known there); instructors
    to the people of a course they teach; students to the instructors and classmates of a course
    they are enrolled in. Anyone else is refused, naming who is out of reach."""
    if sender.is_institution_admin:
        out = [r for r in recipients if r not in members]
    else:
        if circle is None:
            raise CourseNeeded("Name the course you share with the people you write to.", field="course_id")
        if Role.INSTRUCTOR in sender.roles:
            inside = sender.user_id in circle.instructor_ids
        else:
            inside = sender.user_id in circle.enrolled_ids
        if not inside:
            raise NotInCourse(f"You neither teach nor study in course {circle.course_id!r}.")
        out = [r for r in recipients if not circle.includes(r)]
    if out:
        raise RecipientsUnreachable(
            "You may write only to people you share a course with (admins: to anyone of the institution).",
            recipients=out,
        )


# ---------------------------------------------------------------- the hourly limit


def rate_window(moment: datetime) -> tuple[str, int]:
    """The hour `moment` falls in (`YYYYMMDDHH`, UTC) and the whole seconds left until it ends."""
    start = moment.replace(minute=0, second=0, microsecond=0)
    left = start + RATE_WINDOW - moment
    return start.strftime("%Y%m%d%H"), max(1, int(left.total_seconds() + 0.999))
