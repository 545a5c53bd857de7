"""A person's part of discussions, for privacy export and erasure (lms.communication.privacy).

Everything a person did in discussions is in their GSI1 partition (keys.person_discussions_pk):
their posts, likes, topic memberships and reports, so the export is one Query per page of it, and
one BatchGetItem per 100 topics they opened (the titles: a topic's opening post has its id).

Erasure shows their posts as from a deleted user (`author_erased`: the API answers no author id)
and keeps the posts' place and text: a thread is the class's shared record, and the replies
under a post answer what it says. Their reports lose their notes (free text about someone);
their memberships (subscriptions, read counts) are deleted; their likes stay as counts under an
id that no longer names anyone. Each step changes nothing the second time.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from lms import keys
from lms.auth import Principal
from lms.communication.discussions.repository import (
    LIKE_ENTITY,
    MEMBER_ENTITY,
    POST_ENTITY,
    REPORT_ENTITY,
    LikeItem,
    MemberItem,
    PostItem,
    ReportItem,
    TopicItem,
)
from lms.privacy import ExportRecord, ExportSections

_BATCH = 100


def _entity(raw: dict[str, Any]) -> str:
    return str(raw.get("entity", {}).get("S", ""))


def _items(institution_id: str, user_id: str) -> Iterator[dict[str, Any]]:
    partition = keys.person_discussions_pk(institution_id, user_id)
    for page in PostItem.by_person.query(partition).page_iter:
        yield from page.get("Items", [])


def _topics(institution_id: str, topic_ids: list[str]) -> list[TopicItem]:
    found: list[TopicItem] = []
    for start in range(0, len(topic_ids), _BATCH):
        wanted = [
            (keys.topic_pk(institution_id, t), keys.TOPIC_SK) for t in topic_ids[start : start + _BATCH]
        ]
        found.extend(TopicItem.batch_get(wanted))
    return found


def export(institution_id: str, user_id: str) -> ExportSections:
    posts: list[ExportRecord] = []
    likes: list[ExportRecord] = []
    memberships: list[ExportRecord] = []
    reports: list[ExportRecord] = []
    for raw in _items(institution_id, user_id):
        entity = _entity(raw)
        if entity == POST_ENTITY:
            post = PostItem.from_raw_data(raw)
            posts.append(
                {
                    "course_id": post.course_id,
                    "topic_id": post.topic_id,
                    "post_id": post.post_id,
                    "parent_id": post.parent_id,
                    "body": post.body or "",
                    "created_at": post.created_at,
                    "edited_at": post.edited_at,
                    "deleted_at": post.deleted_at,
                    "hidden": bool(post.hidden),
                }
            )
        elif entity == LIKE_ENTITY:
            like = LikeItem.from_raw_data(raw)
            likes.append({"topic_id": like.topic_id, "post_id": like.post_id, "liked_at": like.liked_at})
        elif entity == MEMBER_ENTITY:
            member = MemberItem.from_raw_data(raw)
            memberships.append(
                {
                    "course_id": member.course_id,
                    "topic_id": member.topic_id,
                    "subscribed": bool(member.subscribed),
                    "replies_read": int(member.read_count or 0),
                    "last_read_at": member.last_read_at,
                }
            )
        elif entity == REPORT_ENTITY:
            report = ReportItem.from_raw_data(raw)
            reports.append(
                {
                    "course_id": report.course_id,
                    "topic_id": report.topic_id,
                    "post_id": report.post_id,
                    "reason": report.reason,
                    "note": report.note or "",
                    "reported_at": report.reported_at,
                }
            )
    opened = sorted({str(p["topic_id"]) for p in posts if p["topic_id"] == p["post_id"]})
    topics: list[ExportRecord] = [
        {
            "course_id": topic.course_id,
            "topic_id": topic.topic_id,
            "title": topic.title,
            "mode": topic.mode,
            "created_at": topic.created_at,
        }
        for topic in _topics(institution_id, opened)
    ]
    return {
        "discussion_topics": topics,
        "discussion_posts": posts,
        "discussion_likes": likes,
        "discussion_memberships": memberships,
        "discussion_reports": reports,
    }


def erase(institution_id: str, user_id: str, actor: Principal) -> None:
    """Posts (and the topics they opened) from a deleted user; notes and memberships removed."""
    for raw in list(_items(institution_id, user_id)):
        entity = _entity(raw)
        if entity == POST_ENTITY:
            post = PostItem.from_raw_data(raw)
            if not post.author_erased:
                post.update(actions=[PostItem.author_erased.set(True)], condition=PostItem.PK.exists())
            if post.post_id == post.topic_id:
                topic = TopicItem(keys.topic_pk(institution_id, post.topic_id), keys.TOPIC_SK)
                topic.update(actions=[TopicItem.author_erased.set(True)], condition=TopicItem.PK.exists())
        elif entity == REPORT_ENTITY:
            report = ReportItem.from_raw_data(raw)
            if report.note:
                report.update(actions=[ReportItem.note.remove()])
        elif entity == MEMBER_ENTITY:
            MemberItem.from_raw_data(raw).delete()
