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
    free_text: ClassVar[frozenset[str]] = frozenset({"title", "preview"})


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


# ---------------------------------------------------------------- discussions


class DiscussionEvent(CommunicationEvent):
    """Something happened in a course's discussions; the topic's subscribers are found by the
    notification service (memberships with `subscribed`), never listed here."""

    course_id: str
    topic_id: str


class DiscussionSettingsChanged(CommunicationEvent):
    """The course's staff changed whether students may start topics."""

    name: ClassVar[str] = "DiscussionSettingsChanged"

    course_id: str
    students_may_create_topics: bool


class DiscussionTopicCreated(DiscussionEvent):
    """A topic was started in a course: its members may want to hear of it."""

    name: ClassVar[str] = "DiscussionTopicCreated"

    title: str
    mode: str = Field(description="`standard` or `question-answer`.")
    author_id: str
    preview: str = Field(description="The opening post's first words, as plain text.")


class DiscussionTopicChanged(DiscussionEvent):
    """Staff pinned, locked or closed a topic, or its title changed."""

    name: ClassVar[str] = "DiscussionTopicChanged"

    changed: list[str] = Field(description="The fields changed: title, pinned, locked, closes_at.")
    pinned: bool
    locked: bool
    closes_at: datetime | None = None


class DiscussionReplyPosted(DiscussionEvent):
    """Someone replied in a topic: its subscribers, and the author of the post answered, may be told."""

    name: ClassVar[str] = "DiscussionReplyPosted"

    post_id: str
    parent_id: str = Field(description="The post answered (the topic's id for its opening post).")
    parent_author_id: str | None = Field(description="null when the answered post's author was erased.")
    author_id: str
    author_role: str = Field(description="`staff` or `student`.")
    preview: str = Field(description="The reply's first words, as plain text.")


class DiscussionPostEdited(DiscussionEvent):
    name: ClassVar[str] = "DiscussionPostEdited"

    post_id: str
    author_id: str


class DiscussionPostDeleted(DiscussionEvent):
    """A post became a tombstone (by its author, or by the course's staff: `deleted_by`)."""

    name: ClassVar[str] = "DiscussionPostDeleted"

    post_id: str
    author_id: str
    deleted_by: str


class PostReported(DiscussionEvent):
    """A member reported a post: the course's staff may be told to look at the moderation queue.

    The reporter is not named: staff see who reported only in the queue's reports.
    """

    name: ClassVar[str] = "PostReported"

    post_id: str
    author_id: str
    reason: str
    preview: str = Field(description="The reported post's first words, as plain text.")


class PostHidden(DiscussionEvent):
    """Staff hid a post from students."""

    name: ClassVar[str] = "PostHidden"

    post_id: str
    author_id: str


class PostRestored(DiscussionEvent):
    """Staff made a hidden post visible again."""

    name: ClassVar[str] = "PostRestored"

    post_id: str
    author_id: str


# ---------------------------------------------------------------- direct messages


class ConversationStarted(CommunicationEvent):
    """Someone started a conversation; its first message reached `recipient_ids`."""

    name: ClassVar[str] = "ConversationStarted"

    conversation_id: str
    message_id: str
    kind: str = Field(description="`direct` (one recipient) or `group`.")
    course_id: str | None = Field(description="The course the people share, when one was named.")
    recipient_ids: list[str] = Field(description="Who should hear of it: every participant but the sender.")
    preview: str = Field(
        description="The first words of the message, as plain text (at most 140 characters)."
    )


class MessageSent(CommunicationEvent):
    """A message was added to a conversation; `recipient_ids` are the participants who receive it."""

    name: ClassVar[str] = "MessageSent"

    conversation_id: str
    message_id: str
    recipient_ids: list[str] = Field(description="Who should hear of it: every participant but the sender.")
    preview: str = Field(
        description="The first words of the message, as plain text (at most 140 characters)."
    )


class ConversationLeft(CommunicationEvent):
    """The actor left a group conversation; `recipient_ids` are the participants who remain."""

    name: ClassVar[str] = "ConversationLeft"

    conversation_id: str
    recipient_ids: list[str]
