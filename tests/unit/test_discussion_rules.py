"""The rules of discussions: who starts topics, what takes replies, who sees which post, tombstones."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lms.communication.discussions import domain
from lms.communication.discussions.domain import (
    MAX_DEPTH,
    AuthorRole,
    DiscussionSettings,
    Membership,
    ModerationStatus,
    Participant,
    Post,
    Topic,
    TopicMode,
)
from lms.communication.discussions.errors import (
    NotPostAuthor,
    NotTopicAuthor,
    PostDeleted,
    ReplyTooDeep,
    StudentTopicsDisabled,
    TopicClosed,
    TopicLocked,
)

AT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
STAFF = Participant(user_id="teacher", staff=True)
ANA = Participant(user_id="ana", staff=False)
BEN = Participant(user_id="ben", staff=False)


def a_topic(**changes: object) -> Topic:
    base = Topic(id="T1", course_id="C1", title="Week 1", author_id="teacher", created_at=AT, last_post_at=AT)
    return base.model_copy(update=changes)


def a_post(author: Participant = BEN, **changes: object) -> Post:
    base = Post(
        id="P1",
        topic_id="T1",
        course_id="C1",
        parent_id="T1",
        depth=1,
        author_id=author.user_id,
        author_role=author.role,
        body="<p>An answer</p>",
        created_at=AT,
    )
    return base.model_copy(update=changes)


def test_students_start_topics_only_where_the_course_allows_it() -> None:
    domain.check_may_start_topic(STAFF, DiscussionSettings())
    domain.check_may_start_topic(ANA, DiscussionSettings(students_may_create_topics=True))
    with pytest.raises(StudentTopicsDisabled):
        domain.check_may_start_topic(ANA, DiscussionSettings())


def test_a_locked_topic_takes_no_replies() -> None:
    with pytest.raises(TopicLocked):
        domain.check_accepts_replies(a_topic(locked=True), AT)


def test_a_topic_closes_at_its_date_and_not_before() -> None:
    closing = a_topic(closes_at=AT + timedelta(hours=1))
    domain.check_accepts_replies(closing, AT + timedelta(minutes=59))
    with pytest.raises(TopicClosed):
        domain.check_accepts_replies(closing, AT + timedelta(hours=1))


def test_replies_nest_down_to_the_maximum_depth_only() -> None:
    assert domain.reply_depth(a_post(depth=MAX_DEPTH - 1)) == MAX_DEPTH
    with pytest.raises(ReplyTooDeep) as refused:
        domain.reply_depth(a_post(depth=MAX_DEPTH))
    assert refused.value.extensions["max_depth"] == MAX_DEPTH


def test_a_deleted_post_takes_no_replies() -> None:
    with pytest.raises(PostDeleted):
        domain.reply_depth(a_post(deleted_at=AT))


def test_pinning_locking_and_closing_are_for_staff_and_the_title_for_its_author() -> None:
    student_topic = a_topic(author_id="ana")
    assert domain.change_topic(student_topic, ANA, {"title": "Renamed"}).title == "Renamed"
    assert domain.change_topic(student_topic, STAFF, {"locked": True}).locked
    for change in ({"pinned": True}, {"locked": True}, {"closes_at": AT}):
        with pytest.raises(NotTopicAuthor):
            domain.change_topic(student_topic, ANA, change)
    with pytest.raises(NotTopicAuthor):
        domain.change_topic(student_topic, BEN, {"title": "Mine now"})
    assert domain.change_topic(student_topic, STAFF, {"pinned": True}).version == 2


def test_only_the_author_edits_a_post_and_not_once_deleted() -> None:
    post = a_post()
    changed = domain.edited(post, BEN, "<p>Better</p>", AT + timedelta(minutes=5))
    assert (changed.body, changed.version) == ("<p>Better</p>", 2)
    assert changed.edited_at == AT + timedelta(minutes=5)
    with pytest.raises(NotPostAuthor):
        domain.edited(post, STAFF, "<p>Staff words</p>", AT)
    with pytest.raises(PostDeleted):
        domain.edited(a_post(deleted_at=AT), BEN, "<p>Back</p>", AT)


def test_deleting_leaves_a_tombstone_in_place_and_staff_may_delete_any_post() -> None:
    tombstone = domain.deleted(a_post(), STAFF, AT)
    assert (tombstone.deleted, tombstone.body, tombstone.deleted_by) == (True, "", "teacher")
    assert (tombstone.id, tombstone.parent_id, tombstone.depth) == ("P1", "T1", 1)
    assert domain.deleted(tombstone, BEN, AT) == tombstone  # again: nothing changes
    assert domain.deleted(a_post(), BEN, AT).deleted
    with pytest.raises(NotPostAuthor):
        domain.deleted(a_post(), ANA, AT)


def test_in_question_and_answer_a_student_sees_classmates_replies_only_after_posting() -> None:
    qa = a_topic(mode=TopicMode.QUESTION_ANSWER)
    classmate = a_post(BEN)
    teacher_reply = a_post(STAFF, id="P2")
    question = a_post(ANA, id="T1", parent_id=None, depth=0)
    before = Membership(user_id="ana")
    after = Membership(user_id="ana", has_posted=True)
    assert not domain.can_see(classmate, ANA, qa, before)
    assert not domain.can_see(classmate, ANA, qa, None)
    assert domain.can_see(teacher_reply, ANA, qa, before)
    assert domain.can_see(question, BEN, qa, None)
    assert domain.can_see(classmate, ANA, qa, after)
    assert domain.can_see(classmate, BEN, qa, None)  # one's own
    assert domain.can_see(classmate, STAFF, qa, None)
    assert domain.can_see(classmate, ANA, a_topic(), None)  # a standard topic


def test_a_hidden_post_is_invisible_to_every_student_its_author_included() -> None:
    hidden = a_post(hidden=True)
    assert not domain.can_see(hidden, ANA, a_topic(), None)
    assert not domain.can_see(hidden, BEN, a_topic(), None)
    assert domain.can_see(hidden, STAFF, a_topic(), None)


def test_hiding_and_restoring_change_the_version_once() -> None:
    hidden = domain.with_visibility(a_post(), True)
    assert (hidden.hidden, hidden.version) == (True, 2)
    assert domain.with_visibility(hidden, True) == hidden
    assert not domain.with_visibility(hidden, False).hidden


def test_a_report_opens_the_queue_entry_unless_the_post_stays_hidden() -> None:
    assert domain.report_status(a_post()) == ModerationStatus.OPEN
    assert domain.report_status(a_post(hidden=True)) == ModerationStatus.HIDDEN


@given(replies=st.integers(0, 500), read=st.integers(0, 500))
def test_unread_counts_replies_since_the_last_read_and_marking_read_clears_them(
    replies: int, read: int
) -> None:
    topic = a_topic(reply_count=replies)
    membership = Membership(user_id="ana", read_count=min(read, replies))
    assert domain.unread(topic, membership) == replies - min(read, replies)
    assert domain.unread(topic, None) == replies
    assert domain.unread(topic, domain.marked_read(topic, membership, "ana", AT)) == 0


def test_posting_subscribes_unless_the_person_chose_otherwise() -> None:
    assert domain.after_posting(None, "ana").subscribed is True
    unsubscribed = domain.subscribed(None, "ana", False)
    assert domain.after_posting(unsubscribed, "ana").subscribed is False
    assert domain.after_posting(unsubscribed, "ana").has_posted


@given(user_id=st.text(min_size=1, max_size=64))
def test_a_persons_like_and_unlike_land_on_the_same_counter_shard(user_id: str) -> None:
    assert domain.like_shard(user_id) == domain.like_shard(user_id)
    assert 0 <= domain.like_shard(user_id) < domain.LIKE_SHARDS


def test_staff_replies_are_marked_staff() -> None:
    assert a_post(STAFF).author_role == AuthorRole.STAFF
