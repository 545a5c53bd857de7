"""Request and response bodies of discussions (the OpenAPI document is generated from them).

Post bodies are rich text (lms.richtext): sanitised on the way in, so what is stored and answered
is the sanitiser's output. A report's note is plain text: its markup is removed.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, AwareDatetime, Field, StringConstraints

from lms.communication.discussions.domain import (
    MAX_DEPTH,
    NOTE_MAX_CHARS,
    TITLE_MAX_CHARS,
    AuthorRole,
    DiscussionSettings,
    Membership,
    ModerationEntry,
    ModerationStatus,
    Post,
    ReportReason,
    Topic,
    TopicMode,
)
from lms.communication.discussions.domain import unread as unread_count
from lms.lazy_model import LazyModel
from lms.richtext import RichText, plain_text
from lms.schemas import Body, Patch

Id = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_.:-]{1,64}$")]
Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=TITLE_MAX_CHARS)]
Note = Annotated[str, StringConstraints(max_length=NOTE_MAX_CHARS), AfterValidator(plain_text)]
PostOrder = Literal["oldest", "newest"]


# ---------------------------------------------------------------- requests


class SettingsRequest(Body):
    students_may_create_topics: bool = Field(description="Whether enrolled students may start topics.")


class TopicDraft(Body):
    title: Title
    body: RichText = Field(description="The opening post (HTML; sanitised).")
    mode: TopicMode = Field(
        default=TopicMode.STANDARD,
        description="`question-answer`: a student sees classmates' replies only after posting one.",
    )


class TopicPatch(Patch):
    nullable = frozenset({"closes_at"})

    title: Title | None = None
    pinned: bool | None = Field(default=None, description="Staff only: listed first.")
    locked: bool | None = Field(default=None, description="Staff only: no new replies.")
    closes_at: AwareDatetime | None = Field(
        default=None, description="Staff only: no new replies from this moment (null: never)."
    )


class ReplyDraft(Body):
    body: RichText
    parent_id: Id | None = Field(
        default=None,
        description=f"The post answered (default: the opening post); replies nest {MAX_DEPTH} levels deep.",
    )


class PostPatch(Body):
    body: RichText


class ReactionRequest(Body):
    liked: bool = Field(description="true likes the post (once per person), false takes the like back.")


class ReportRequest(Body):
    reason: ReportReason
    note: Note = Field(default="", description="Plain text for the course's staff (markup is removed).")


class VisibilityRequest(Body):
    hidden: bool = Field(description="true hides the post from students; false restores it.")


class SubscriptionRequest(Body):
    subscribed: bool


# ---------------------------------------------------------------- responses


class DiscussionSettingsView(LazyModel):
    course_id: str
    students_may_create_topics: bool
    version: int = Field(description="0 until first saved; send it as If-Match.")

    @classmethod
    def of(cls, course_id: str, settings: DiscussionSettings) -> DiscussionSettingsView:
        return cls(course_id=course_id, **settings.model_dump())


class TopicView(LazyModel):
    id: str
    course_id: str
    title: str
    mode: TopicMode
    author_id: str | None = Field(description="null once the author's account was erased.")
    author_deleted: bool
    pinned: bool
    locked: bool
    closes_at: datetime | None
    reply_count: int
    unread_count: int = Field(description="Replies posted since you last marked the topic read.")
    subscribed: bool
    created_at: datetime
    last_post_at: datetime
    version: int

    @classmethod
    def of(cls, topic: Topic, membership: Membership | None) -> TopicView:
        return cls(
            id=topic.id,
            course_id=topic.course_id,
            title=topic.title,
            mode=topic.mode,
            author_id=None if topic.author_erased else topic.author_id,
            author_deleted=topic.author_erased,
            pinned=topic.pinned,
            locked=topic.locked,
            closes_at=topic.closes_at,
            reply_count=topic.reply_count,
            unread_count=unread_count(topic, membership),
            subscribed=bool(membership and membership.subscribed),
            created_at=topic.created_at,
            last_post_at=topic.last_post_at,
            version=topic.version,
        )


class TopicPage(LazyModel):
    items: list[TopicView]
    next_cursor: str | None = None


class PostView(LazyModel):
    id: str
    topic_id: str
    parent_id: str | None = Field(description="null for the topic's opening post.")
    depth: int = Field(description=f"0 for the opening post, 1 to {MAX_DEPTH} for replies.")
    author_id: str | None = Field(description="null once the author's account was erased.")
    author_deleted: bool
    author_name: str | None = Field(
        default=None, description="The author's display name (in thread pages; null when unknown or erased)."
    )
    author_role: AuthorRole
    body: str = Field(description="Sanitised HTML; empty once deleted.")
    created_at: datetime
    edited_at: datetime | None
    deleted: bool = Field(description="A tombstone keeping the thread's shape.")
    hidden: bool = Field(description="Hidden by staff (only staff see hidden posts).")
    likes: int
    liked: bool = Field(description="Whether you like it.")
    version: int

    @classmethod
    def of(cls, post: Post, likes: int = 0, liked: bool = False, author_name: str | None = None) -> PostView:
        return cls(
            id=post.id,
            topic_id=post.topic_id,
            parent_id=post.parent_id,
            depth=post.depth,
            author_id=None if post.author_erased else post.author_id,
            author_deleted=post.author_erased,
            author_name=None if post.author_erased else author_name,
            author_role=post.author_role,
            body=post.body,
            created_at=post.created_at,
            edited_at=post.edited_at,
            deleted=post.deleted,
            hidden=post.hidden,
            likes=likes,
            liked=liked,
            version=post.version,
        )


class PostPage(LazyModel):
    items: list[PostView]
    next_cursor: str | None = None


class ReactionView(LazyModel):
    post_id: str
    liked: bool


class ReportView(LazyModel):
    post_id: str
    reason: ReportReason
    reported_at: datetime


class SubscriptionView(LazyModel):
    topic_id: str
    subscribed: bool


class ReadView(LazyModel):
    topic_id: str
    read_count: int
    unread_count: int


class ReportedPostView(LazyModel):
    topic_id: str
    post_id: str
    status: ModerationStatus
    reports: int
    last_reason: ReportReason | None
    first_reported_at: datetime | None
    last_reported_at: datetime | None
    resolved_by: str | None
    resolved_at: datetime | None
    post: PostView | None = Field(description="The post as staff see it (null if it no longer exists).")

    @classmethod
    def of(cls, entry: ModerationEntry, post: Post | None) -> ReportedPostView:
        return cls(
            **entry.model_dump(exclude={"course_id"}),
            post=PostView.of(post) if post else None,
        )


class ReportedPostPage(LazyModel):
    items: list[ReportedPostView]
    next_cursor: str | None = None
