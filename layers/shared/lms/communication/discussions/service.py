"""Use cases of discussions: authorize, apply the domain rules, commit state and events.

Who takes part in a course's discussions: its instructors and the institution's admins (staff)
and its enrolled students. Every request reads where the caller stands in the course together
with what it touches of the topic, in one read (`DiscussionRepository.load`); replies and new
topics repeat the membership rule as a condition of their transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from pydantic import BaseModel

from lms import authz, clock, idempotency, ids, richtext
from lms.auth import Principal, Role
from lms.communication import policy
from lms.communication.discussions import domain
from lms.communication.discussions.domain import (
    DiscussionSettings,
    Membership,
    ModerationEntry,
    ModerationStatus,
    Participant,
    Post,
    Report,
    Topic,
)
from lms.communication.discussions.errors import (
    DiscussionCourseNotFound,
    NotCourseMember,
    PostNotFound,
    TopicNotFound,
)
from lms.communication.discussions.schemas import (
    PostPatch,
    PostView,
    ReplyDraft,
    ReportRequest,
    SettingsRequest,
    TopicDraft,
    TopicPatch,
    TopicView,
)
from lms.errors import check_version
from lms.events import DomainEvent
from lms.events.communication import (
    DiscussionPostDeleted,
    DiscussionPostEdited,
    DiscussionReplyPosted,
    DiscussionSettingsChanged,
    DiscussionTopicChanged,
    DiscussionTopicCreated,
    PostHidden,
    PostReported,
    PostRestored,
)
from lms.idempotency import IdempotentRequest, StoredResponse

Idempotent = tuple[IdempotentRequest, StoredResponse]


@dataclass(frozen=True)
class Standing:
    """Where the caller stands in the course, as the catalog says."""

    found: bool
    teaches: bool = False
    enrolled: bool = False


@dataclass(frozen=True)
class Loaded:
    """What one request read: the caller's standing and what it asked for of the course's discussions."""

    standing: Standing
    settings: DiscussionSettings = field(default_factory=DiscussionSettings)
    topic: Topic | None = None
    membership: Membership | None = None
    post: Post | None = None
    liked: bool = False
    answer: StoredResponse | None = None  # the first answer to the caller's Idempotency-Key, when asked


@dataclass(frozen=True)
class CountedPost:
    post: Post
    likes: int


@dataclass(frozen=True)
class PostRead:
    """A post as its reader sees it: its like count, whether they like it, its author's name."""

    post: Post
    likes: int = 0
    liked: bool = False
    author_name: str | None = None


class DiscussionRepository(Protocol):
    def load(
        self,
        actor: Principal,
        course_id: str,
        *,
        settings: bool = False,
        topic_id: str | None = None,
        post_id: str | None = None,
        answer_to: str | None = None,
    ) -> Loaded: ...
    def list_topics(
        self, institution_id: str, course_id: str, limit: int, cursor: str | None
    ) -> tuple[list[Topic], str | None]: ...
    def memberships(
        self, institution_id: str, user_id: str, topic_ids: list[str]
    ) -> dict[str, Membership]: ...
    def list_posts(
        self, institution_id: str, topic_id: str, newest_first: bool, limit: int, cursor: str | None
    ) -> tuple[list[CountedPost], str | None]: ...
    def liked(self, institution_id: str, topic_id: str, user_id: str, post_ids: list[str]) -> set[str]: ...
    def display_names(self, institution_id: str, user_ids: list[str]) -> dict[str, str]: ...
    def list_reported(
        self,
        institution_id: str,
        course_id: str,
        status: ModerationStatus | None,
        limit: int,
        cursor: str | None,
    ) -> tuple[list[tuple[ModerationEntry, Post | None]], str | None]: ...
    def save_settings(
        self,
        actor: Principal,
        course_id: str,
        settings: DiscussionSettings,
        expected_version: int,
        events: list[DomainEvent],
    ) -> None: ...
    def create_topic(
        self,
        actor: Principal,
        topic: Topic,
        opening: Post,
        membership: Membership,
        events: list[DomainEvent],
        idempotent: Idempotent | None,
    ) -> None: ...
    def update_topic(
        self, actor: Principal, topic: Topic, expected_version: int, events: list[DomainEvent]
    ) -> None: ...
    def add_reply(
        self,
        actor: Principal,
        topic: Topic,
        reply: Post,
        membership: Membership,
        events: list[DomainEvent],
        idempotent: Idempotent | None,
    ) -> None: ...
    def save_post(
        self, actor: Principal, post: Post, expected_version: int, events: list[DomainEvent]
    ) -> None: ...
    def set_visibility(
        self, actor: Principal, post: Post, expected_version: int, at: datetime, events: list[DomainEvent]
    ) -> None: ...
    def set_like(self, actor: Principal, post: Post, liked: bool, at: datetime) -> None: ...
    def add_report(
        self,
        actor: Principal,
        post: Post,
        report: Report,
        status: ModerationStatus,
        events: list[DomainEvent],
    ) -> None: ...
    def mark_read(self, institution_id: str, topic: Topic, membership: Membership) -> None: ...
    def set_subscription(self, institution_id: str, topic: Topic, membership: Membership) -> None: ...


class DiscussionService:
    def __init__(
        self,
        repository: DiscussionRepository,
        now: Callable[[], datetime] = clock.now,
        new_id: Callable[[], str] = ids.new_id,
    ) -> None:
        self._repo = repository
        self._now = now
        self._new_id = new_id

    # ------------------------------------------------------------ settings

    def get_settings(self, principal: Principal, course_id: str) -> DiscussionSettings:
        authz.authorize(principal, policy.GET_DISCUSSION_SETTINGS)
        loaded = self._repo.load(principal, course_id, settings=True)
        self._participant(principal, loaded)
        return loaded.settings

    def update_settings(
        self, principal: Principal, course_id: str, request: SettingsRequest, expected_version: int
    ) -> DiscussionSettings:
        authz.authorize(principal, policy.UPDATE_DISCUSSION_SETTINGS)
        loaded = self._repo.load(principal, course_id, settings=True)
        domain.check_staff(self._participant(principal, loaded), "change discussion settings")
        check_version("discussion settings", loaded.settings.version, expected_version)
        settings = DiscussionSettings(
            students_may_create_topics=request.students_may_create_topics, version=expected_version + 1
        )
        event = DiscussionSettingsChanged(
            course_id=course_id, students_may_create_topics=settings.students_may_create_topics
        )
        self._repo.save_settings(principal, course_id, settings, expected_version, [event])
        return settings

    # ------------------------------------------------------------ topics

    def create_topic(
        self,
        principal: Principal,
        course_id: str,
        draft: TopicDraft,
        request: IdempotentRequest | None = None,
    ) -> tuple[Topic, Membership]:
        authz.authorize(principal, policy.CREATE_TOPIC)
        loaded = self._repo.load(principal, course_id, settings=True, answer_to=_key(request))
        if request is not None:
            idempotency.replay(loaded.answer, request)
        me = self._participant(principal, loaded)
        domain.check_may_start_topic(me, loaded.settings)
        at, topic_id = self._now(), self._new_id()
        topic = Topic(
            id=topic_id,
            course_id=course_id,
            title=draft.title,
            mode=draft.mode,
            author_id=me.user_id,
            created_at=at,
            last_post_at=at,
        )
        opening = Post(
            id=topic_id,
            topic_id=topic_id,
            course_id=course_id,
            author_id=me.user_id,
            author_role=me.role,
            body=draft.body,
            created_at=at,
        )
        membership = Membership(user_id=me.user_id, subscribed=True, has_posted=True)
        event = DiscussionTopicCreated(
            course_id=course_id,
            topic_id=topic_id,
            title=topic.title,
            mode=topic.mode,
            author_id=me.user_id,
            preview=richtext.preview(draft.body),
        )
        idempotent = self._idempotent(request, lambda: TopicView.of(topic, membership))
        self._repo.create_topic(principal, topic, opening, membership, [event], idempotent)
        return topic, membership

    def list_topics(
        self, principal: Principal, course_id: str, limit: int, cursor: str | None
    ) -> tuple[list[tuple[Topic, Membership | None]], str | None]:
        """A page of the course's topics, pinned first then newest, each with the caller's membership."""
        authz.authorize(principal, policy.LIST_TOPICS)
        self._participant(principal, self._repo.load(principal, course_id))
        topics, next_cursor = self._repo.list_topics(principal.institution_id, course_id, limit, cursor)
        mine = self._repo.memberships(principal.institution_id, principal.user_id, [t.id for t in topics])
        return [(topic, mine.get(topic.id)) for topic in topics], next_cursor

    def get_topic(
        self, principal: Principal, course_id: str, topic_id: str
    ) -> tuple[Topic, Membership | None]:
        authz.authorize(principal, policy.GET_TOPIC)
        loaded, _ = self._topic(principal, course_id, topic_id)
        assert loaded.topic is not None
        return loaded.topic, loaded.membership

    def update_topic(
        self, principal: Principal, course_id: str, topic_id: str, patch: TopicPatch, expected_version: int
    ) -> tuple[Topic, Membership | None]:
        authz.authorize(principal, policy.UPDATE_TOPIC)
        loaded, me = self._topic(principal, course_id, topic_id)
        topic = loaded.topic
        assert topic is not None
        check_version("topic", topic.version, expected_version)
        changes = patch.changes()
        changed = domain.change_topic(topic, me, changes)
        event = DiscussionTopicChanged(
            course_id=course_id,
            topic_id=topic_id,
            changed=sorted(changes),
            pinned=changed.pinned,
            locked=changed.locked,
            closes_at=changed.closes_at,
        )
        self._repo.update_topic(principal, changed, expected_version, [event])
        return changed, loaded.membership

    def mark_read(self, principal: Principal, course_id: str, topic_id: str) -> tuple[Topic, Membership]:
        authz.authorize(principal, policy.MARK_TOPIC_READ)
        loaded, me = self._topic(principal, course_id, topic_id)
        assert loaded.topic is not None
        membership = domain.marked_read(loaded.topic, loaded.membership, me.user_id, self._now())
        self._repo.mark_read(principal.institution_id, loaded.topic, membership)
        return loaded.topic, membership

    def set_subscription(
        self, principal: Principal, course_id: str, topic_id: str, subscribed: bool
    ) -> Membership:
        authz.authorize(principal, policy.SET_TOPIC_SUBSCRIPTION)
        loaded, me = self._topic(principal, course_id, topic_id)
        assert loaded.topic is not None
        membership = domain.subscribed(loaded.membership, me.user_id, subscribed)
        if membership != loaded.membership:
            self._repo.set_subscription(principal.institution_id, loaded.topic, membership)
        return membership

    # ------------------------------------------------------------ posts

    def list_posts(
        self,
        principal: Principal,
        course_id: str,
        topic_id: str,
        newest_first: bool,
        limit: int,
        cursor: str | None,
    ) -> tuple[list[PostRead], str | None]:
        """A page of the thread as the caller may see it: hidden posts and, in Q&A, classmates' replies go."""
        authz.authorize(principal, policy.LIST_POSTS)
        loaded, me = self._topic(principal, course_id, topic_id)
        topic = loaded.topic
        assert topic is not None
        counted, next_cursor = self._repo.list_posts(
            principal.institution_id, topic_id, newest_first, limit, cursor
        )
        visible = [c for c in counted if domain.can_see(c.post, me, topic, loaded.membership)]
        if not visible:
            return [], next_cursor
        liked = self._repo.liked(principal.institution_id, topic_id, me.user_id, [c.post.id for c in visible])
        # An erased author is shown as a deleted user: no name is asked for them.
        authors = sorted({c.post.author_id for c in visible if not c.post.author_erased})
        names = self._repo.display_names(principal.institution_id, authors)
        return [
            PostRead(c.post, c.likes, c.post.id in liked, names.get(c.post.author_id)) for c in visible
        ], next_cursor

    def reply(
        self,
        principal: Principal,
        course_id: str,
        topic_id: str,
        draft: ReplyDraft,
        request: IdempotentRequest | None = None,
    ) -> Post:
        authz.authorize(principal, policy.CREATE_POST)
        parent_id = draft.parent_id or topic_id
        loaded, me = self._topic(principal, course_id, topic_id, parent_id, request)
        topic = loaded.topic
        assert topic is not None
        at = self._now()
        domain.check_accepts_replies(topic, at)
        parent = self._visible(loaded, me, parent_id)
        reply = Post(
            id=self._new_id(),
            topic_id=topic_id,
            course_id=course_id,
            parent_id=parent.id,
            depth=domain.reply_depth(parent),
            author_id=me.user_id,
            author_role=me.role,
            body=draft.body,
            created_at=at,
        )
        event = DiscussionReplyPosted(
            course_id=course_id,
            topic_id=topic_id,
            post_id=reply.id,
            parent_id=parent.id,
            parent_author_id=None if parent.author_erased else parent.author_id,
            author_id=me.user_id,
            author_role=me.role,
            preview=richtext.preview(draft.body),
        )
        membership = domain.after_posting(loaded.membership, me.user_id)
        idempotent = self._idempotent(request, lambda: PostView.of(reply))
        self._repo.add_reply(principal, topic, reply, membership, [event], idempotent)
        return reply

    def edit_post(
        self,
        principal: Principal,
        course_id: str,
        topic_id: str,
        post_id: str,
        patch: PostPatch,
        expected_version: int,
    ) -> Post:
        authz.authorize(principal, policy.UPDATE_POST)
        loaded, me = self._topic(principal, course_id, topic_id, post_id)
        post = self._visible(loaded, me, post_id)
        check_version("post", post.version, expected_version)
        changed = domain.edited(post, me, patch.body, self._now())
        event = DiscussionPostEdited(
            course_id=course_id, topic_id=topic_id, post_id=post_id, author_id=post.author_id
        )
        self._repo.save_post(principal, changed, post.version, [event])
        return changed

    def delete_post(self, principal: Principal, course_id: str, topic_id: str, post_id: str) -> None:
        authz.authorize(principal, policy.DELETE_POST)
        loaded, me = self._topic(principal, course_id, topic_id, post_id)
        post = self._visible(loaded, me, post_id)
        tombstone = domain.deleted(post, me, self._now())
        if tombstone == post:
            return
        event = DiscussionPostDeleted(
            course_id=course_id,
            topic_id=topic_id,
            post_id=post_id,
            author_id=post.author_id,
            deleted_by=me.user_id,
        )
        self._repo.save_post(principal, tombstone, post.version, [event])

    def react(self, principal: Principal, course_id: str, topic_id: str, post_id: str, liked: bool) -> bool:
        """Like a post once, or take the like back; the same choice again changes nothing."""
        authz.authorize(principal, policy.REACT_TO_POST)
        loaded, me = self._topic(principal, course_id, topic_id, post_id)
        post = self._visible(loaded, me, post_id)
        if liked == loaded.liked:
            return liked
        domain.check_open(post, "liked")
        self._repo.set_like(principal, post, liked, self._now())
        return liked

    # ------------------------------------------------------------ moderation

    def report(
        self, principal: Principal, course_id: str, topic_id: str, post_id: str, request: ReportRequest
    ) -> Report:
        authz.authorize(principal, policy.REPORT_POST)
        loaded, me = self._topic(principal, course_id, topic_id, post_id)
        post = self._visible(loaded, me, post_id)
        domain.check_open(post, "reported")
        report = Report(
            course_id=course_id,
            topic_id=topic_id,
            post_id=post_id,
            reporter_id=me.user_id,
            reason=request.reason,
            note=request.note,
            reported_at=self._now(),
        )
        event = PostReported(
            course_id=course_id,
            topic_id=topic_id,
            post_id=post_id,
            author_id=post.author_id,
            reason=request.reason,
            preview=richtext.preview(post.body),
        )
        self._repo.add_report(principal, post, report, domain.report_status(post), [event])
        return report

    def set_visibility(
        self, principal: Principal, course_id: str, topic_id: str, post_id: str, hidden: bool
    ) -> Post:
        authz.authorize(principal, policy.SET_POST_VISIBILITY)
        loaded, me = self._topic(principal, course_id, topic_id, post_id)
        domain.check_staff(me, "hide or restore posts")
        post = self._visible(loaded, me, post_id)
        changed = domain.with_visibility(post, hidden)
        if changed == post:
            return post
        kind = PostHidden if hidden else PostRestored
        event = kind(course_id=course_id, topic_id=topic_id, post_id=post_id, author_id=post.author_id)
        self._repo.set_visibility(principal, changed, post.version, self._now(), [event])
        return changed

    def list_reported(
        self,
        principal: Principal,
        course_id: str,
        status: ModerationStatus | None,
        limit: int,
        cursor: str | None,
    ) -> tuple[list[tuple[ModerationEntry, Post | None]], str | None]:
        authz.authorize(principal, policy.LIST_REPORTED_POSTS)
        domain.check_staff(self._participant(principal, self._repo.load(principal, course_id)), "moderate")
        return self._repo.list_reported(principal.institution_id, course_id, status, limit, cursor)

    # ------------------------------------------------------------ helpers

    def _participant(self, principal: Principal, loaded: Loaded) -> Participant:
        standing = loaded.standing
        if not standing.found:
            raise DiscussionCourseNotFound("No such course in your institution.")
        if standing.teaches:
            return Participant(user_id=principal.user_id, staff=True)
        if standing.enrolled and Role.STUDENT in principal.roles:
            return Participant(user_id=principal.user_id, staff=False)
        raise NotCourseMember(
            "Only the course's staff and its enrolled students take part in its discussions."
        )

    def _topic(
        self,
        principal: Principal,
        course_id: str,
        topic_id: str,
        post_id: str | None = None,
        request: IdempotentRequest | None = None,
    ) -> tuple[Loaded, Participant]:
        """The topic with the caller's standing; with an Idempotency-Key its first answer is read
        in the same request and replayed before any rule runs."""
        loaded = self._repo.load(
            principal, course_id, topic_id=topic_id, post_id=post_id, answer_to=_key(request)
        )
        if request is not None:
            idempotency.replay(loaded.answer, request)
        me = self._participant(principal, loaded)
        if loaded.topic is None or loaded.topic.course_id != course_id:
            raise TopicNotFound(f"No topic {topic_id!r} in this course.")
        return loaded, me

    def _visible(self, loaded: Loaded, me: Participant, post_id: str) -> Post:
        post, topic = loaded.post, loaded.topic
        assert topic is not None
        if (
            post is None
            or post.topic_id != topic.id
            or not domain.can_see(post, me, topic, loaded.membership)
        ):
            raise PostNotFound(f"No post {post_id!r} in this topic.")
        return post

    @staticmethod
    def _idempotent(request: IdempotentRequest | None, answer: Callable[[], BaseModel]) -> Idempotent | None:
        if request is None:
            return None
        return (
            request,
            StoredResponse(request.fingerprint, 201, answer().model_dump_json()),
        )


def _key(request: IdempotentRequest | None) -> str | None:
    return request.key if request is not None else None
