"""Discussion items in the single table (access patterns: docs/data-model.md, Discussions).

A topic's partition holds the topic, its posts (the opening post's id is the topic's), each
post's like counters right after it, likes, memberships and reports; so a page of a thread is one
Query and whatever a request needs of a topic is one BatchGetItem, with the course and the
caller's enrollment (lms.communication.course_access). Every item about a person is also in their
GSI1 partition (keys.person_discussions_pk), for privacy.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from pynamodb.attributes import BooleanAttribute, NumberAttribute, UnicodeAttribute
from pynamodb.expressions.update import Action

from lms import keys
from lms.auth import Principal
from lms.clock import rfc3339
from lms.communication import course_access
from lms.communication.discussions.domain import (
    LIKE_SHARDS,
    AuthorRole,
    DiscussionSettings,
    Membership,
    ModerationEntry,
    ModerationStatus,
    Post,
    Report,
    ReportReason,
    Topic,
    TopicMode,
    like_shard,
)
from lms.communication.discussions.errors import (
    AlreadyReported,
    NotCourseMember,
    PostDeleted,
    StudentTopicsDisabled,
    TopicClosed,
)
from lms.communication.discussions.service import CountedPost, Idempotent, Loaded, Standing
from lms.errors import PreconditionFailed
from lms.events import DomainEvent
from lms.pagination import decode_cursor, encode_cursor
from lms.persistence.idempotency import IdempotencyItem, remember_answer, response_key, response_of_raw
from lms.persistence.outbox import outbox_item
from lms.persistence.table import GSI1, Item, VersionedItem, table_connection
from lms.persistence.transactions import Transaction

SETTINGS_ENTITY = "discussion-settings"
REPORTED_ENTITY = "discussion-reported-post"
TOPIC_ENTITY = "discussion-topic"
POST_ENTITY = "discussion-post"
LIKE_COUNTER_ENTITY = "discussion-like-counter"
LIKE_ENTITY = "discussion-like"
MEMBER_ENTITY = "discussion-member"
REPORT_ENTITY = "discussion-report"


class DiscussionSettingsItem(VersionedItem):
    course_id = UnicodeAttribute()
    students_may_create_topics = BooleanAttribute()


class ReportedPostItem(Item):
    """A post in its course's moderation queue; `reports` only ever grows (`ADD`)."""

    course_id = UnicodeAttribute()
    topic_id = UnicodeAttribute()
    post_id = UnicodeAttribute()
    status = UnicodeAttribute()
    reports = NumberAttribute(default=0)
    last_reason = UnicodeAttribute(null=True)
    first_reported_at = UnicodeAttribute(null=True)
    last_reported_at = UnicodeAttribute(null=True)
    resolved_by = UnicodeAttribute(null=True)
    resolved_at = UnicodeAttribute(null=True)


class TopicItem(VersionedItem):
    GSI1PK = UnicodeAttribute()
    GSI1SK = UnicodeAttribute()
    by_course = GSI1()

    topic_id = UnicodeAttribute()
    course_id = UnicodeAttribute()
    title = UnicodeAttribute()
    mode = UnicodeAttribute()
    author_id = UnicodeAttribute()
    created_at = UnicodeAttribute()
    pinned = BooleanAttribute(default=False)
    locked = BooleanAttribute(default=False)
    closes_at = UnicodeAttribute(null=True)
    reply_count = NumberAttribute(default=0)
    last_post_at = UnicodeAttribute()
    author_erased = BooleanAttribute(default=False)


class PostItem(VersionedItem):
    GSI1PK = UnicodeAttribute()  # the author's discussions (keys.person_discussions_pk)
    GSI1SK = UnicodeAttribute()
    by_person = GSI1()

    post_id = UnicodeAttribute()
    topic_id = UnicodeAttribute()
    course_id = UnicodeAttribute()
    parent_id = UnicodeAttribute(null=True)
    depth = NumberAttribute()
    author_id = UnicodeAttribute()
    author_role = UnicodeAttribute()
    body = UnicodeAttribute(null=True)  # absent once deleted
    created_at = UnicodeAttribute()
    edited_at = UnicodeAttribute(null=True)
    deleted_at = UnicodeAttribute(null=True)
    deleted_by = UnicodeAttribute(null=True)
    hidden = BooleanAttribute(default=False)
    author_erased = BooleanAttribute(default=False)


class LikeCounterItem(Item):
    post_id = UnicodeAttribute()
    likes = NumberAttribute(default=0)


class LikeItem(Item):
    GSI1PK = UnicodeAttribute()
    GSI1SK = UnicodeAttribute()
    by_person = GSI1()

    topic_id = UnicodeAttribute()
    post_id = UnicodeAttribute()
    user_id = UnicodeAttribute()
    liked_at = UnicodeAttribute()


class MemberItem(Item):
    GSI1PK = UnicodeAttribute()
    GSI1SK = UnicodeAttribute()
    by_person = GSI1()

    topic_id = UnicodeAttribute()
    course_id = UnicodeAttribute()
    user_id = UnicodeAttribute()
    subscribed = BooleanAttribute(null=True)
    has_posted = BooleanAttribute(default=False)
    read_count = NumberAttribute(default=0)
    last_read_at = UnicodeAttribute(null=True)


class ReportItem(Item):
    GSI1PK = UnicodeAttribute()
    GSI1SK = UnicodeAttribute()
    by_person = GSI1()

    course_id = UnicodeAttribute()
    topic_id = UnicodeAttribute()
    post_id = UnicodeAttribute()
    reporter_user_id = UnicodeAttribute()
    reason = UnicodeAttribute()
    note = UnicodeAttribute(null=True)
    reported_at = UnicodeAttribute()


# ---------------------------------------------------------------- mappings


def _time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _entity(raw: dict[str, Any]) -> str:
    return str(raw.get("entity", {}).get("S", ""))


def _topic(item: TopicItem) -> Topic:
    return Topic(
        id=item.topic_id,
        course_id=item.course_id,
        title=item.title,
        mode=TopicMode(item.mode),
        author_id=item.author_id,
        created_at=datetime.fromisoformat(item.created_at),
        pinned=bool(item.pinned),
        locked=bool(item.locked),
        closes_at=_time(item.closes_at),
        reply_count=int(item.reply_count),
        last_post_at=datetime.fromisoformat(item.last_post_at),
        author_erased=bool(item.author_erased),
        version=int(item.version),
    )


def _topic_item(institution_id: str, topic: Topic) -> TopicItem:
    return TopicItem(
        keys.topic_pk(institution_id, topic.id),
        keys.TOPIC_SK,
        entity=TOPIC_ENTITY,
        GSI1PK=keys.course_topics_pk(institution_id, topic.course_id),
        GSI1SK=keys.course_topics_sk(topic.pinned, topic.id),
        topic_id=topic.id,
        course_id=topic.course_id,
        title=topic.title,
        mode=topic.mode.value,
        author_id=topic.author_id,
        created_at=rfc3339(topic.created_at),
        pinned=topic.pinned,
        locked=topic.locked,
        closes_at=rfc3339(topic.closes_at) if topic.closes_at else None,
        reply_count=topic.reply_count,
        last_post_at=rfc3339(topic.last_post_at),
        author_erased=topic.author_erased,
        version=topic.version,
    )


def _post(item: PostItem) -> Post:
    return Post(
        id=item.post_id,
        topic_id=item.topic_id,
        course_id=item.course_id,
        parent_id=item.parent_id,
        depth=int(item.depth),
        author_id=item.author_id,
        author_role=AuthorRole(item.author_role),
        body=item.body or "",
        created_at=datetime.fromisoformat(item.created_at),
        edited_at=_time(item.edited_at),
        deleted_at=_time(item.deleted_at),
        deleted_by=item.deleted_by,
        hidden=bool(item.hidden),
        author_erased=bool(item.author_erased),
        version=int(item.version),
    )


def _post_item(institution_id: str, post: Post) -> PostItem:
    return PostItem(
        keys.topic_pk(institution_id, post.topic_id),
        keys.post_sk(post.id),
        entity=POST_ENTITY,
        GSI1PK=keys.person_discussions_pk(institution_id, post.author_id),
        GSI1SK=keys.person_discussions_sk("POST", post.topic_id, post.id),
        post_id=post.id,
        topic_id=post.topic_id,
        course_id=post.course_id,
        parent_id=post.parent_id,
        depth=post.depth,
        author_id=post.author_id,
        author_role=post.author_role.value,
        body=post.body or None,
        created_at=rfc3339(post.created_at),
        edited_at=rfc3339(post.edited_at) if post.edited_at else None,
        deleted_at=rfc3339(post.deleted_at) if post.deleted_at else None,
        deleted_by=post.deleted_by,
        hidden=post.hidden,
        author_erased=post.author_erased,
        version=post.version,
    )


def _membership(item: MemberItem) -> Membership:
    return Membership(
        user_id=item.user_id,
        subscribed=item.subscribed,
        has_posted=bool(item.has_posted),
        read_count=int(item.read_count or 0),
        last_read_at=_time(item.last_read_at),
    )


def _member_key(institution_id: str, topic: Topic, user_id: str) -> MemberItem:
    return MemberItem(keys.topic_pk(institution_id, topic.id), keys.topic_member_sk(user_id))


def _member_identity(institution_id: str, topic: Topic, user_id: str) -> list[Action]:
    """What makes an updated membership a whole item, whether it existed or not."""
    return [
        MemberItem.entity.set(MEMBER_ENTITY),
        MemberItem.GSI1PK.set(keys.person_discussions_pk(institution_id, user_id)),
        MemberItem.GSI1SK.set(keys.person_discussions_sk("MEMBER", topic.id)),
        MemberItem.topic_id.set(topic.id),
        MemberItem.course_id.set(topic.course_id),
        MemberItem.user_id.set(user_id),
    ]


def _entry(item: ReportedPostItem) -> ModerationEntry:
    return ModerationEntry(
        course_id=item.course_id,
        topic_id=item.topic_id,
        post_id=item.post_id,
        status=ModerationStatus(item.status),
        reports=int(item.reports or 0),
        last_reason=ReportReason(item.last_reason) if item.last_reason else None,
        first_reported_at=_time(item.first_reported_at),
        last_reported_at=_time(item.last_reported_at),
        resolved_by=item.resolved_by,
        resolved_at=_time(item.resolved_at),
    )


def _entry_identity(post: Post) -> list[Action]:
    return [
        ReportedPostItem.entity.set(REPORTED_ENTITY),
        ReportedPostItem.course_id.set(post.course_id),
        ReportedPostItem.topic_id.set(post.topic_id),
        ReportedPostItem.post_id.set(post.id),
    ]


def _batch_get(wanted: list[tuple[str, str]]) -> list[dict[str, Any]]:
    """Consistent BatchGetItem of any items of the table (retrying unprocessed keys)."""
    connection = table_connection()
    table = connection.table_name
    keys_left: list[Any] = [{"PK": {"S": pk}, "SK": {"S": sk}} for pk, sk in dict.fromkeys(wanted)]
    found: list[dict[str, Any]] = []
    while keys_left:
        answer = connection.batch_get_item(keys_left, consistent_read=True)
        found.extend(answer.get("Responses", {}).get(table, []))
        keys_left = answer.get("UnprocessedKeys", {}).get(table, {}).get("Keys", [])
    return found


_LOADED_ATTRIBUTES = frozenset(
    name
    for model in (DiscussionSettingsItem, TopicItem, MemberItem, PostItem, LikeItem, IdempotencyItem)
    for name in model.get_attributes()
)
"""What a request's one read asks for of the discussion items (course items hold far more)."""


class _Unchanged(Exception):
    """A like or unlike that a concurrent request of the same person already made."""


class DynamoDiscussionRepository:
    """Reads are one BatchGetItem or Query; every change is one TransactWriteItems or UpdateItem."""

    def __init__(self, display_names: Callable[[str, list[str]], dict[str, str]]) -> None:
        """`display_names`: the identity context's answer (lms.users.queries), wired by the function."""
        self._display_names = display_names

    # ------------------------------------------------------------ reads

    def load(
        self,
        actor: Principal,
        course_id: str,
        *,
        settings: bool = False,
        topic_id: str | None = None,
        post_id: str | None = None,
        answer_to: str | None = None,
    ) -> Loaded:
        """The caller's standing in the course and what the request names, one BatchGetItem; with
        `answer_to` (an Idempotency-Key) the caller's stored first answer too."""
        institution_id = actor.institution_id
        wanted: list[tuple[str, str]] = []
        if settings:
            wanted.append(
                (keys.course_discussions_pk(institution_id, course_id), keys.DISCUSSION_SETTINGS_SK)
            )
        if topic_id is not None:
            pk = keys.topic_pk(institution_id, topic_id)
            wanted += [(pk, keys.TOPIC_SK), (pk, keys.topic_member_sk(actor.user_id))]
            if post_id is not None:
                wanted += [(pk, keys.post_sk(post_id)), (pk, keys.like_sk(post_id, actor.user_id))]
        answer_key = response_key(institution_id, actor.user_id, answer_to) if answer_to else None
        if answer_key is not None:
            wanted.append(answer_key)
        access, raws = course_access.load_with(actor, course_id, wanted, _LOADED_ATTRIBUTES)
        standing = Standing(
            found=access is not None,
            teaches=access is not None and access.teaches(actor),
            enrolled=access is not None and access.student_enrolled,
        )
        found: dict[str, Any] = {"standing": standing}
        for raw in raws:
            entity = _entity(raw)
            if answer_key is not None and (raw["PK"]["S"], raw["SK"]["S"]) == answer_key:
                found["answer"] = response_of_raw(raw)
            elif entity == SETTINGS_ENTITY:
                item = DiscussionSettingsItem.from_raw_data(raw)
                found["settings"] = DiscussionSettings(
                    students_may_create_topics=bool(item.students_may_create_topics),
                    version=int(item.version),
                )
            elif entity == TOPIC_ENTITY:
                found["topic"] = _topic(TopicItem.from_raw_data(raw))
            elif entity == MEMBER_ENTITY:
                found["membership"] = _membership(MemberItem.from_raw_data(raw))
            elif entity == POST_ENTITY:
                found["post"] = _post(PostItem.from_raw_data(raw))
            elif entity == LIKE_ENTITY:
                found["liked"] = True
        return Loaded(**found)

    def list_topics(
        self, institution_id: str, course_id: str, limit: int, cursor: str | None
    ) -> tuple[list[Topic], str | None]:
        partition = keys.course_topics_pk(institution_id, course_id)
        start = decode_cursor(cursor, partition_attr="GSI1PK", partition=partition)
        results = TopicItem.by_course.query(
            partition, scan_index_forward=False, last_evaluated_key=start, page_size=limit, limit=limit
        )
        page = next(results.page_iter)
        topics = [_topic(TopicItem.from_raw_data(raw)) for raw in page.get("Items", [])]
        return topics, encode_cursor(page.get("LastEvaluatedKey"))

    def memberships(self, institution_id: str, user_id: str, topic_ids: list[str]) -> dict[str, Membership]:
        if not topic_ids:
            return {}
        wanted = [(keys.topic_pk(institution_id, t), keys.topic_member_sk(user_id)) for t in topic_ids]
        found = {}
        for raw in _batch_get(wanted):
            item = MemberItem.from_raw_data(raw)
            found[item.topic_id] = _membership(item)
        return found

    def list_posts(
        self, institution_id: str, topic_id: str, newest_first: bool, limit: int, cursor: str | None
    ) -> tuple[list[CountedPost], str | None]:
        """A page of whole posts with their like counters, which sort right beside each post.

        It asks for `(limit + 1) x (1 + LIKE_SHARDS)` items: at least `limit` whole posts whatever
        their counters. The page ends on the last item of its last whole post, and the cursor names
        that item, so a post and its counters are never split across pages.
        """
        partition = keys.topic_pk(institution_id, topic_id)
        start = decode_cursor(cursor, partition_attr="PK", partition=partition)
        wanted = (limit + 1) * (1 + LIKE_SHARDS)
        results = PostItem.query(
            partition,
            PostItem.SK.startswith(keys.POST_PREFIX),
            scan_index_forward=not newest_first,
            last_evaluated_key=start,
            page_size=wanted,
            limit=wanted,
        )
        page = next(results.page_iter)
        raws: list[dict[str, Any]] = page.get("Items", [])
        groups: list[tuple[str, list[dict[str, Any]]]] = []  # runs of items of one post, in read order
        for raw in raws:
            post_id = raw["post_id"]["S"]
            if groups and groups[-1][0] == post_id:
                groups[-1][1].append(raw)
            else:
                groups.append((post_id, [raw]))
        # The last run may be cut by the page's end; it is read again from the cursor.
        whole = groups if page.get("LastEvaluatedKey") is None else groups[:-1]
        taken = whole[:limit]
        counted = []
        for _, run in taken:
            post = next((_post(PostItem.from_raw_data(r)) for r in run if _entity(r) == POST_ENTITY), None)
            likes = sum(int(r["likes"]["N"]) for r in run if _entity(r) == LIKE_COUNTER_ENTITY)
            if post is not None:
                counted.append(CountedPost(post, max(likes, 0)))
        more = len(taken) < len(groups) or page.get("LastEvaluatedKey") is not None
        if not (more and taken):
            return counted, None
        last = taken[-1][1][-1]
        return counted, encode_cursor({"PK": last["PK"], "SK": last["SK"]})

    def liked(self, institution_id: str, topic_id: str, user_id: str, post_ids: list[str]) -> set[str]:
        pk = keys.topic_pk(institution_id, topic_id)
        raws = _batch_get([(pk, keys.like_sk(post_id, user_id)) for post_id in post_ids])
        return {LikeItem.from_raw_data(raw).post_id for raw in raws}

    def display_names(self, institution_id: str, user_ids: list[str]) -> dict[str, str]:
        """The authors' names, as the identity context answers them (one BatchGetItem per 100)."""
        return self._display_names(institution_id, user_ids)

    def list_reported(
        self,
        institution_id: str,
        course_id: str,
        status: ModerationStatus | None,
        limit: int,
        cursor: str | None,
    ) -> tuple[list[tuple[ModerationEntry, Post | None]], str | None]:
        partition = keys.course_discussions_pk(institution_id, course_id)
        start = decode_cursor(cursor, partition_attr="PK", partition=partition)
        results = ReportedPostItem.query(
            partition,
            ReportedPostItem.SK.startswith(keys.REPORTED_POST_PREFIX),
            filter_condition=(ReportedPostItem.status == status.value) if status else None,
            scan_index_forward=False,
            last_evaluated_key=start,
            page_size=limit,
            limit=limit,
        )
        page = next(results.page_iter)
        entries = [_entry(ReportedPostItem.from_raw_data(raw)) for raw in page.get("Items", [])]
        wanted = [(keys.topic_pk(institution_id, e.topic_id), keys.post_sk(e.post_id)) for e in entries]
        posts = (
            {p.id: p for p in (_post(PostItem.from_raw_data(r)) for r in _batch_get(wanted))}
            if wanted
            else {}
        )
        return [(e, posts.get(e.post_id)) for e in entries], encode_cursor(page.get("LastEvaluatedKey"))

    def save_settings(
        self,
        actor: Principal,
        course_id: str,
        settings: DiscussionSettings,
        expected_version: int,
        events: list[DomainEvent],
    ) -> None:
        institution_id = actor.institution_id
        item = DiscussionSettingsItem(
            keys.course_discussions_pk(institution_id, course_id),
            keys.DISCUSSION_SETTINGS_SK,
            entity=SETTINGS_ENTITY,
            course_id=course_id,
            students_may_create_topics=settings.students_may_create_topics,
            version=settings.version,
        )
        unchanged = (
            DiscussionSettingsItem.PK.does_not_exist()
            if expected_version == 0
            else DiscussionSettingsItem.version == expected_version
        )
        tx = Transaction()
        course_access.check_teaches(
            tx, institution_id, course_id, actor, NotCourseMember("You no longer teach this course.")
        )
        tx.put(
            item, unchanged, PreconditionFailed("The discussion settings changed meanwhile; read them again.")
        )
        self._outbox(tx, actor, events)
        tx.commit()

    def create_topic(
        self,
        actor: Principal,
        topic: Topic,
        opening: Post,
        membership: Membership,
        events: list[DomainEvent],
        idempotent: Idempotent | None,
    ) -> None:
        institution_id = actor.institution_id
        tx = Transaction()
        self._check_member(tx, actor, topic.course_id)
        if opening.author_role == AuthorRole.STUDENT:
            settings_pk = keys.course_discussions_pk(institution_id, topic.course_id)
            tx.check(
                DiscussionSettingsItem,
                settings_pk,
                keys.DISCUSSION_SETTINGS_SK,
                DiscussionSettingsItem.students_may_create_topics == True,  # noqa: E712 - a condition
                StudentTopicsDisabled("The course's staff no longer allow students to start topics."),
            )
        tx.put(_topic_item(institution_id, topic), TopicItem.PK.does_not_exist())
        tx.put(_post_item(institution_id, opening), PostItem.PK.does_not_exist())
        member = _member_key(institution_id, topic, membership.user_id)
        tx.update(
            member,
            [
                *_member_identity(institution_id, topic, membership.user_id),
                MemberItem.subscribed.set(True),
                MemberItem.has_posted.set(True),
                MemberItem.read_count.set(0),
            ],
        )
        self._outbox(tx, actor, events, idempotent)
        tx.commit()

    def update_topic(
        self, actor: Principal, topic: Topic, expected_version: int, events: list[DomainEvent]
    ) -> None:
        institution_id = actor.institution_id
        item = TopicItem(keys.topic_pk(institution_id, topic.id), keys.TOPIC_SK)
        closing = (
            TopicItem.closes_at.set(rfc3339(topic.closes_at))
            if topic.closes_at
            else TopicItem.closes_at.remove()
        )
        tx = Transaction()
        tx.update(
            item,
            [
                TopicItem.title.set(topic.title),
                TopicItem.pinned.set(topic.pinned),
                TopicItem.locked.set(topic.locked),
                closing,
                TopicItem.GSI1SK.set(keys.course_topics_sk(topic.pinned, topic.id)),
                TopicItem.version.set(topic.version),
            ],
            TopicItem.version == expected_version,
            PreconditionFailed("The topic changed meanwhile; read it again."),
        )
        self._outbox(tx, actor, events)
        tx.commit()

    def add_reply(
        self,
        actor: Principal,
        topic: Topic,
        reply: Post,
        membership: Membership,
        events: list[DomainEvent],
        idempotent: Idempotent | None,
    ) -> None:
        institution_id = actor.institution_id
        pk = keys.topic_pk(institution_id, topic.id)
        at = rfc3339(reply.created_at)
        tx = Transaction()
        self._check_member(tx, actor, topic.course_id)
        open_for_replies = (
            TopicItem.PK.exists()
            & (TopicItem.locked == False)  # noqa: E712 - a condition
            & (TopicItem.closes_at.does_not_exist() | (TopicItem.closes_at > at))
        )
        tx.update(
            TopicItem(pk, keys.TOPIC_SK),
            [TopicItem.reply_count.add(1), TopicItem.last_post_at.set(at)],
            open_for_replies,
            TopicClosed("The topic was locked or closed meanwhile; it takes no new replies."),
        )
        if reply.parent_id is not None:
            tx.check(
                PostItem,
                pk,
                keys.post_sk(reply.parent_id),
                PostItem.deleted_at.does_not_exist(),
                PostDeleted("The post was deleted meanwhile; reply to the topic or another post."),
            )
        tx.put(_post_item(institution_id, reply), PostItem.PK.does_not_exist())
        # Counters, not the values read: a concurrent "mark read" or reply of the same person stays counted.
        tx.update(
            _member_key(institution_id, topic, membership.user_id),
            [
                *_member_identity(institution_id, topic, membership.user_id),
                MemberItem.subscribed.set(MemberItem.subscribed | True),
                MemberItem.has_posted.set(True),
                MemberItem.read_count.add(1),
            ],
        )
        self._outbox(tx, actor, events, idempotent)
        tx.commit()

    def save_post(
        self, actor: Principal, post: Post, expected_version: int, events: list[DomainEvent]
    ) -> None:
        tx = Transaction()
        tx.put(
            _post_item(actor.institution_id, post),
            PostItem.version == expected_version,
            PreconditionFailed(
                "The post changed meanwhile; read it again.", current_version=expected_version + 1
            ),
        )
        self._outbox(tx, actor, events)
        tx.commit()

    def set_visibility(
        self, actor: Principal, post: Post, expected_version: int, at: datetime, events: list[DomainEvent]
    ) -> None:
        institution_id = actor.institution_id
        status = ModerationStatus.HIDDEN if post.hidden else ModerationStatus.RESTORED
        entry = ReportedPostItem(
            keys.course_discussions_pk(institution_id, post.course_id), keys.reported_post_sk(post.id)
        )
        tx = Transaction()
        tx.put(
            _post_item(institution_id, post),
            PostItem.version == expected_version,
            PreconditionFailed("The post changed meanwhile; read it again."),
        )
        tx.update(
            entry,
            [
                *_entry_identity(post),
                ReportedPostItem.status.set(status.value),
                ReportedPostItem.reports.set(ReportedPostItem.reports | 0),
                ReportedPostItem.resolved_by.set(actor.user_id),
                ReportedPostItem.resolved_at.set(rfc3339(at)),
            ],
        )
        self._outbox(tx, actor, events)
        tx.commit()

    def set_like(self, actor: Principal, post: Post, liked: bool, at: datetime) -> None:
        institution_id = actor.institution_id
        pk = keys.topic_pk(institution_id, post.topic_id)
        like = LikeItem(
            pk,
            keys.like_sk(post.id, actor.user_id),
            entity=LIKE_ENTITY,
            GSI1PK=keys.person_discussions_pk(institution_id, actor.user_id),
            GSI1SK=keys.person_discussions_sk("LIKE", post.topic_id, post.id),
            topic_id=post.topic_id,
            post_id=post.id,
            user_id=actor.user_id,
            liked_at=rfc3339(at),
        )
        counter = LikeCounterItem(pk, keys.like_counter_sk(post.id, like_shard(actor.user_id)))
        tx = Transaction()
        if liked:
            tx.put(like, LikeItem.PK.does_not_exist(), _Unchanged())
        else:
            tx.delete(like, LikeItem.PK.exists(), _Unchanged())
        tx.update(
            counter,
            [
                LikeCounterItem.entity.set(LIKE_COUNTER_ENTITY),
                LikeCounterItem.post_id.set(post.id),
                LikeCounterItem.likes.add(1 if liked else -1),
            ],
        )
        try:
            tx.commit()
        except _Unchanged:
            return  # the same person's concurrent request made this change first

    def add_report(
        self,
        actor: Principal,
        post: Post,
        report: Report,
        status: ModerationStatus,
        events: list[DomainEvent],
    ) -> None:
        institution_id = actor.institution_id
        pk = keys.topic_pk(institution_id, post.topic_id)
        at = rfc3339(report.reported_at)
        item = ReportItem(
            pk,
            keys.post_report_sk(post.id, report.reporter_id),
            entity=REPORT_ENTITY,
            GSI1PK=keys.person_discussions_pk(institution_id, report.reporter_id),
            GSI1SK=keys.person_discussions_sk("REPORT", post.topic_id, post.id),
            course_id=post.course_id,
            topic_id=post.topic_id,
            post_id=post.id,
            reporter_user_id=report.reporter_id,
            reason=report.reason.value,
            note=report.note or None,
            reported_at=at,
        )
        entry = ReportedPostItem(
            keys.course_discussions_pk(institution_id, post.course_id), keys.reported_post_sk(post.id)
        )
        tx = Transaction()
        tx.check(
            PostItem,
            pk,
            keys.post_sk(post.id),
            PostItem.deleted_at.does_not_exist(),
            PostDeleted("The post was deleted meanwhile."),
        )
        tx.put(item, ReportItem.PK.does_not_exist(), AlreadyReported("You already reported this post."))
        tx.update(
            entry,
            [
                *_entry_identity(post),
                ReportedPostItem.status.set(status.value),
                ReportedPostItem.reports.add(1),
                ReportedPostItem.last_reason.set(report.reason.value),
                ReportedPostItem.first_reported_at.set(ReportedPostItem.first_reported_at | at),
                ReportedPostItem.last_reported_at.set(at),
            ],
        )
        self._outbox(tx, actor, events)
        tx.commit()

    def mark_read(self, institution_id: str, topic: Topic, membership: Membership) -> None:
        item = _member_key(institution_id, topic, membership.user_id)
        actions = [
            *_member_identity(institution_id, topic, membership.user_id),
            MemberItem.read_count.set(membership.read_count),
        ]
        if membership.last_read_at is not None:
            actions.append(MemberItem.last_read_at.set(rfc3339(membership.last_read_at)))
        item.update(actions=actions)

    def set_subscription(self, institution_id: str, topic: Topic, membership: Membership) -> None:
        item = _member_key(institution_id, topic, membership.user_id)
        item.update(
            actions=[
                *_member_identity(institution_id, topic, membership.user_id),
                MemberItem.subscribed.set(bool(membership.subscribed)),
            ]
        )

    # ------------------------------------------------------------ helpers

    @staticmethod
    def _check_member(tx: Transaction, actor: Principal, course_id: str) -> None:
        course_access.check_member(
            tx,
            actor.institution_id,
            course_id,
            actor,
            NotCourseMember("You no longer take part in this course."),
        )

    @staticmethod
    def _outbox(
        tx: Transaction, actor: Principal, events: list[DomainEvent], idempotent: Idempotent | None = None
    ) -> None:
        for event in events:
            tx.put(outbox_item(event, actor.institution_id, actor))
        if idempotent is not None:
            request, response = idempotent
            remember_answer(tx, actor.institution_id, actor.user_id, request, response)
