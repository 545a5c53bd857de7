"""Discussion topics of a course, their threaded posts, and the rules; pure: no AWS, no HTTP.

A topic opens with a post of its own (the opening post, whose id is the topic's); replies nest
under a parent down to MAX_DEPTH levels. A deleted post stays in place as a tombstone (no body),
so the replies under it keep their thread. In a question-and-answer topic a student sees other
students' replies only once they have posted in it themselves; staff replies are always visible.
Hidden posts (moderation) are invisible to students, their author included.
"""

from __future__ import annotations

import zlib
from collections.abc import Mapping
from datetime import datetime
from enum import StrEnum

from pydantic import ConfigDict

from lms.communication.discussions.errors import (
    NotCourseStaff,
    NotPostAuthor,
    NotTopicAuthor,
    PostDeleted,
    ReplyTooDeep,
    StudentTopicsDisabled,
    TopicClosed,
    TopicLocked,
)
from lms.lazy_model import LazyModel

MAX_DEPTH = 3
"""Replies to replies nest this deep under the opening post (depth 0); deeper threads stop being readable."""
TITLE_MAX_CHARS = 200
NOTE_MAX_CHARS = 500
LIKE_SHARDS = 4
"""Counter items per liked post: concurrent likes of one post spread over this many items."""


class TopicMode(StrEnum):
    STANDARD = "standard"
    QUESTION_ANSWER = "question-answer"


class AuthorRole(StrEnum):
    """What the author was in the course when posting: staff replies are always visible in Q&A."""

    STAFF = "staff"
    STUDENT = "student"


class ReportReason(StrEnum):
    SPAM = "spam"
    HARASSMENT = "harassment"
    INAPPROPRIATE = "inappropriate"
    OFF_TOPIC = "off-topic"
    OTHER = "other"


class ModerationStatus(StrEnum):
    """A reported post in the course's queue: waiting for staff, hidden by them, or restored."""

    OPEN = "open"
    HIDDEN = "hidden"
    RESTORED = "restored"


class Participant(LazyModel):
    """Someone taking part in a course's discussions: its staff, or one of its enrolled students."""

    model_config = ConfigDict(frozen=True)

    user_id: str
    staff: bool

    @property
    def role(self) -> AuthorRole:
        return AuthorRole.STAFF if self.staff else AuthorRole.STUDENT


class DiscussionSettings(LazyModel):
    """A course's discussion settings, kept by the communication context (version 0: never saved)."""

    model_config = ConfigDict(frozen=True)

    students_may_create_topics: bool = False
    version: int = 0


class Topic(LazyModel):
    model_config = ConfigDict(frozen=True)

    id: str
    course_id: str
    title: str
    mode: TopicMode = TopicMode.STANDARD
    author_id: str
    created_at: datetime
    pinned: bool = False
    locked: bool = False
    closes_at: datetime | None = None
    reply_count: int = 0
    last_post_at: datetime
    author_erased: bool = False
    version: int = 1


class Post(LazyModel):
    model_config = ConfigDict(frozen=True)

    id: str
    topic_id: str
    course_id: str
    parent_id: str | None = None
    depth: int = 0
    author_id: str
    author_role: AuthorRole
    body: str
    created_at: datetime
    edited_at: datetime | None = None
    deleted_at: datetime | None = None
    deleted_by: str | None = None
    hidden: bool = False
    author_erased: bool = False
    version: int = 1

    @property
    def opening(self) -> bool:
        return self.parent_id is None

    @property
    def deleted(self) -> bool:
        return self.deleted_at is not None


class Membership(LazyModel):
    """A person's relation to a topic: subscription, whether they posted, how many replies they read.

    `subscribed` is None until posting subscribes them or they choose: an explicit choice is
    never overridden by a later reply.
    """

    model_config = ConfigDict(frozen=True)

    user_id: str
    subscribed: bool | None = None
    has_posted: bool = False
    read_count: int = 0
    last_read_at: datetime | None = None


class ModerationEntry(LazyModel):
    """A reported (or hidden) post in its course's moderation queue."""

    model_config = ConfigDict(frozen=True)

    course_id: str
    topic_id: str
    post_id: str
    status: ModerationStatus
    reports: int = 0
    last_reason: ReportReason | None = None
    first_reported_at: datetime | None = None
    last_reported_at: datetime | None = None
    resolved_by: str | None = None
    resolved_at: datetime | None = None


class Report(LazyModel):
    """One person's report of a post (one per person and post)."""

    model_config = ConfigDict(frozen=True)

    course_id: str
    topic_id: str
    post_id: str
    reporter_id: str
    reason: ReportReason
    note: str = ""
    reported_at: datetime


# ---------------------------------------------------------------- topics


def check_may_start_topic(participant: Participant, settings: DiscussionSettings) -> None:
    """Staff start topics; students only where the course's settings allow it."""
    if not participant.staff and not settings.students_may_create_topics:
        raise StudentTopicsDisabled("The course's staff have not allowed students to start topics.")


def check_accepts_replies(topic: Topic, now: datetime) -> None:
    if topic.locked:
        raise TopicLocked("The topic is locked; it takes no new replies.")
    if topic.closes_at is not None and topic.closes_at <= now:
        raise TopicClosed("The topic closed; it takes no new replies.", closes_at=topic.closes_at.isoformat())


STAFF_TOPIC_FIELDS = frozenset({"pinned", "locked", "closes_at"})


def change_topic(topic: Topic, actor: Participant, changes: Mapping[str, object]) -> Topic:
    """Apply a patch: the title is its author's (or staff's); pinning, locking and closing are staff's."""
    if STAFF_TOPIC_FIELDS & changes.keys() and not actor.staff:
        raise NotTopicAuthor("Only the course's staff pin, lock or close a topic.")
    if "title" in changes and not (actor.staff or actor.user_id == topic.author_id):
        raise NotTopicAuthor("Only the topic's author or the course's staff rename it.")
    return topic.model_copy(update={**changes, "version": topic.version + 1})


def unread(topic: Topic, membership: Membership | None) -> int:
    """Replies posted since the person last marked the topic read (their own are read as posted)."""
    read = membership.read_count if membership else 0
    return max(0, topic.reply_count - read)


def marked_read(topic: Topic, membership: Membership | None, user_id: str, now: datetime) -> Membership:
    base = membership or Membership(user_id=user_id)
    return base.model_copy(update={"read_count": topic.reply_count, "last_read_at": now})


def subscribed(membership: Membership | None, user_id: str, choice: bool) -> Membership:
    base = membership or Membership(user_id=user_id)
    return base.model_copy(update={"subscribed": choice})


def after_posting(membership: Membership | None, user_id: str) -> Membership:
    """Posting subscribes the author, unless they chose otherwise; their own post is read."""
    base = membership or Membership(user_id=user_id)
    chosen = base.subscribed
    return base.model_copy(
        update={
            "subscribed": True if chosen is None else chosen,
            "has_posted": True,
            "read_count": base.read_count + 1,
        }
    )


def is_subscribed(membership: Membership | None) -> bool:
    return bool(membership and membership.subscribed)


# ---------------------------------------------------------------- posts


def reply_depth(parent: Post) -> int:
    """The depth of a reply to `parent`; a deleted parent or one at MAX_DEPTH takes no replies."""
    if parent.deleted:
        raise PostDeleted("The post was deleted; reply to the topic or another post.")
    depth = parent.depth + 1
    if depth > MAX_DEPTH:
        raise ReplyTooDeep(
            f"Replies nest at most {MAX_DEPTH} levels deep; reply to an earlier post.", max_depth=MAX_DEPTH
        )
    return depth


def can_see(post: Post, viewer: Participant, topic: Topic, membership: Membership | None) -> bool:
    """Staff see everything; students no hidden post, and in Q&A others' replies once they posted."""
    if viewer.staff:
        return True
    if post.hidden:
        return False
    if post.author_id == viewer.user_id or post.opening or post.author_role == AuthorRole.STAFF:
        return True
    return topic.mode != TopicMode.QUESTION_ANSWER or bool(membership and membership.has_posted)


def edited(post: Post, editor: Participant, body: str, now: datetime) -> Post:
    if post.author_id != editor.user_id:
        raise NotPostAuthor("Only the post's author edits it.")
    if post.deleted:
        raise PostDeleted("The post was deleted; it cannot be edited.")
    return post.model_copy(update={"body": body, "edited_at": now, "version": post.version + 1})


def deleted(post: Post, actor: Participant, now: datetime) -> Post:
    """The post as a tombstone: its place and replies stay, its body goes. Deleting twice changes nothing."""
    if post.author_id != actor.user_id and not actor.staff:
        raise NotPostAuthor("Only the post's author or the course's staff delete it.")
    if post.deleted:
        return post
    return post.model_copy(
        update={"body": "", "deleted_at": now, "deleted_by": actor.user_id, "version": post.version + 1}
    )


def check_staff(participant: Participant, what: str) -> None:
    if not participant.staff:
        raise NotCourseStaff(f"Only the course's staff {what}.")


def with_visibility(post: Post, hidden: bool) -> Post:
    """Hide or restore a post; the same state again changes nothing."""
    if post.hidden == hidden:
        return post
    return post.model_copy(update={"hidden": hidden, "version": post.version + 1})


def check_open(post: Post, what: str) -> None:
    if post.deleted:
        raise PostDeleted(f"The post was deleted; it cannot be {what}.")


# ---------------------------------------------------------------- moderation


def report_status(post: Post) -> ModerationStatus:
    """A new report puts the post back in the queue, unless staff keep it hidden."""
    return ModerationStatus.HIDDEN if post.hidden else ModerationStatus.OPEN


def resolution_status(hidden: bool) -> ModerationStatus:
    return ModerationStatus.HIDDEN if hidden else ModerationStatus.RESTORED


# ---------------------------------------------------------------- likes


def like_shard(user_id: str) -> int:
    """The counter item both a person's like and unlike land on, so no shard goes negative."""
    return zlib.crc32(user_id.encode()) % LIKE_SHARDS
