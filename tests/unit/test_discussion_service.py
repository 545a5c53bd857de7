"""The discussion service against an in-memory repository that keeps the table's rules.

The fake applies each change as the table's transaction does (all or nothing, with the same
conditions: membership, open topic, undeleted parent, one like and one report per person), so the
tests read as what people see: threads, question-and-answer visibility, unread counts, likes and
the moderation queue.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest

from lms.auth import Principal, Role
from lms.communication.discussions import domain
from lms.communication.discussions.domain import (
    DiscussionSettings,
    Membership,
    ModerationEntry,
    ModerationStatus,
    Post,
    Report,
    ReportReason,
    Topic,
    TopicMode,
)
from lms.communication.discussions.errors import (
    AlreadyReported,
    DiscussionCourseNotFound,
    NotCourseMember,
    PostNotFound,
    StudentTopicsDisabled,
    TopicLocked,
    TopicNotFound,
)
from lms.communication.discussions.schemas import (
    PostPatch,
    ReplyDraft,
    ReportRequest,
    SettingsRequest,
    TopicDraft,
    TopicPatch,
)
from lms.communication.discussions.service import (
    CountedPost,
    DiscussionService,
    Idempotent,
    Loaded,
    Standing,
)
from lms.errors import Forbidden, PreconditionFailed
from lms.events import DomainEvent
from lms.idempotency import IdempotentRequest, Replay, StoredResponse, answer_to_retry

INSTITUTION = "inst-1"
COURSE = "C1"
AT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def person(user_id: str, role: Role) -> Principal:
    return Principal(user_id=user_id, institution_id=INSTITUTION, roles=frozenset({role}))


TEACHER = person("teacher", Role.INSTRUCTOR)
ANA = person("ana", Role.STUDENT)
BEN = person("ben", Role.STUDENT)
OUTSIDER = person("zoe", Role.STUDENT)


@dataclass
class InMemoryDiscussions:
    """One course's discussions, changed all or nothing under the table's conditions."""

    instructors: set[str] = field(default_factory=lambda: {"teacher"})
    enrolled: set[str] = field(default_factory=lambda: {"ana", "ben"})
    settings: DiscussionSettings = field(default_factory=DiscussionSettings)
    topics: dict[str, Topic] = field(default_factory=dict)
    posts: dict[str, Post] = field(default_factory=dict)
    members: dict[tuple[str, str], Membership] = field(default_factory=dict)
    likes: set[tuple[str, str]] = field(default_factory=set)
    reports: dict[tuple[str, str], Report] = field(default_factory=dict)
    queue: dict[str, ModerationEntry] = field(default_factory=dict)
    events: list[DomainEvent] = field(default_factory=list)
    answers: dict[str, StoredResponse] = field(default_factory=dict)

    def _member_of_course(self, actor: Principal) -> bool:
        return actor.user_id in self.instructors or actor.user_id in self.enrolled

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
        answer = self.answers.get(f"{actor.user_id}#{answer_to}") if answer_to else None
        if course_id != COURSE:
            return Loaded(Standing(found=False), answer=answer)
        standing = Standing(
            found=True, teaches=actor.user_id in self.instructors, enrolled=actor.user_id in self.enrolled
        )
        return Loaded(
            standing,
            settings=self.settings,
            topic=self.topics.get(topic_id or ""),
            membership=self.members.get((topic_id or "", actor.user_id)),
            post=self.posts.get(post_id or ""),
            liked=(post_id or "", actor.user_id) in self.likes,
            answer=answer,
        )

    def list_topics(
        self, institution_id: str, course_id: str, limit: int, cursor: str | None
    ) -> tuple[list[Topic], str | None]:
        ordered = sorted(self.topics.values(), key=lambda t: (t.pinned, t.id), reverse=True)
        return ordered[:limit], None

    def memberships(self, institution_id: str, user_id: str, topic_ids: list[str]) -> dict[str, Membership]:
        return {t: self.members[(t, user_id)] for t in topic_ids if (t, user_id) in self.members}

    def list_posts(
        self, institution_id: str, topic_id: str, newest_first: bool, limit: int, cursor: str | None
    ) -> tuple[list[CountedPost], str | None]:
        thread = sorted((p for p in self.posts.values() if p.topic_id == topic_id), key=lambda p: p.id)
        if newest_first:
            thread.reverse()
        start = int(cursor or 0)
        page = thread[start : start + limit]
        counted = [CountedPost(p, sum(1 for post, _ in self.likes if post == p.id)) for p in page]
        return counted, str(start + limit) if start + limit < len(thread) else None

    def liked(self, institution_id: str, topic_id: str, user_id: str, post_ids: list[str]) -> set[str]:
        return {post_id for post_id in post_ids if (post_id, user_id) in self.likes}

    def display_names(self, institution_id: str, user_ids: list[str]) -> dict[str, str]:
        return {user_id: user_id.title() for user_id in user_ids}

    def list_reported(
        self,
        institution_id: str,
        course_id: str,
        status: ModerationStatus | None,
        limit: int,
        cursor: str | None,
    ) -> tuple[list[tuple[ModerationEntry, Post | None]], str | None]:
        entries = [e for e in self.queue.values() if status is None or e.status == status]
        return [(e, self.posts.get(e.post_id)) for e in entries][:limit], None

    def _remember(self, actor: Principal, idempotent: Idempotent | None) -> None:
        if idempotent is not None:
            request, response = idempotent
            stored = self.answers.get(f"{actor.user_id}#{request.key}")
            if stored is not None:  # the table refuses the claim and hands back the first answer
                raise answer_to_retry(stored, request)
            self.answers[f"{actor.user_id}#{request.key}"] = response

    def save_settings(
        self,
        actor: Principal,
        course_id: str,
        settings: DiscussionSettings,
        expected_version: int,
        events: list[DomainEvent],
    ) -> None:
        if self.settings.version != expected_version:
            raise PreconditionFailed("changed")
        self.settings = settings
        self.events += events

    def create_topic(
        self,
        actor: Principal,
        topic: Topic,
        opening: Post,
        membership: Membership,
        events: list[DomainEvent],
        idempotent: Idempotent | None,
    ) -> None:
        if not self._member_of_course(actor):
            raise NotCourseMember("dropped")
        self._remember(actor, idempotent)
        self.topics[topic.id] = topic
        self.posts[opening.id] = opening
        self.members[(topic.id, membership.user_id)] = membership
        self.events += events

    def update_topic(
        self, actor: Principal, topic: Topic, expected_version: int, events: list[DomainEvent]
    ) -> None:
        if self.topics[topic.id].version != expected_version:
            raise PreconditionFailed("changed")
        self.topics[topic.id] = topic.model_copy(update={"reply_count": self.topics[topic.id].reply_count})
        self.events += events

    def add_reply(
        self,
        actor: Principal,
        topic: Topic,
        reply: Post,
        membership: Membership,
        events: list[DomainEvent],
        idempotent: Idempotent | None,
    ) -> None:
        current = self.topics[topic.id]
        if not self._member_of_course(actor):
            raise NotCourseMember("dropped")
        domain.check_accepts_replies(current, reply.created_at)
        self._remember(actor, idempotent)
        self.topics[topic.id] = current.model_copy(
            update={"reply_count": current.reply_count + 1, "last_post_at": reply.created_at}
        )
        self.posts[reply.id] = reply
        self.members[(topic.id, membership.user_id)] = membership
        self.events += events

    def save_post(
        self, actor: Principal, post: Post, expected_version: int, events: list[DomainEvent]
    ) -> None:
        if self.posts[post.id].version != expected_version:
            raise PreconditionFailed("changed")
        self.posts[post.id] = post
        self.events += events

    def set_visibility(
        self, actor: Principal, post: Post, expected_version: int, at: datetime, events: list[DomainEvent]
    ) -> None:
        self.save_post(actor, post, expected_version, events)
        entry = self.queue.get(post.id) or ModerationEntry(
            course_id=post.course_id, topic_id=post.topic_id, post_id=post.id, status=ModerationStatus.OPEN
        )
        self.queue[post.id] = entry.model_copy(
            update={
                "status": domain.resolution_status(post.hidden),
                "resolved_by": actor.user_id,
                "resolved_at": at,
            }
        )

    def set_like(self, actor: Principal, post: Post, liked: bool, at: datetime) -> None:
        (self.likes.add if liked else self.likes.discard)((post.id, actor.user_id))

    def add_report(
        self,
        actor: Principal,
        post: Post,
        report: Report,
        status: ModerationStatus,
        events: list[DomainEvent],
    ) -> None:
        if (post.id, actor.user_id) in self.reports:
            raise AlreadyReported("again")
        self.reports[(post.id, actor.user_id)] = report
        entry = self.queue.get(post.id)
        reports = entry.reports + 1 if entry else 1
        self.queue[post.id] = ModerationEntry(
            course_id=post.course_id,
            topic_id=post.topic_id,
            post_id=post.id,
            status=status,
            reports=reports,
            last_reason=report.reason,
            first_reported_at=entry.first_reported_at if entry else report.reported_at,
            last_reported_at=report.reported_at,
        )
        self.events += events

    def mark_read(self, institution_id: str, topic: Topic, membership: Membership) -> None:
        self.members[(topic.id, membership.user_id)] = membership

    def set_subscription(self, institution_id: str, topic: Topic, membership: Membership) -> None:
        self.members[(topic.id, membership.user_id)] = membership


@pytest.fixture
def store() -> InMemoryDiscussions:
    return InMemoryDiscussions()


@pytest.fixture
def service(store: InMemoryDiscussions) -> DiscussionService:
    clock = itertools.count()
    serial = itertools.count(1)
    return DiscussionService(
        store,
        now=lambda: AT + timedelta(seconds=next(clock)),
        new_id=lambda: f"ID{next(serial):04d}",
    )


def topic(service: DiscussionService, mode: TopicMode = TopicMode.STANDARD) -> str:
    made, _ = service.create_topic(
        TEACHER, COURSE, TopicDraft(title="Week 1", body="<p>Ask here</p>", mode=mode)
    )
    return made.id


def reply(service: DiscussionService, who: Principal, topic_id: str, parent: str | None = None) -> str:
    return service.reply(
        who, COURSE, topic_id, ReplyDraft(body=f"<p>{who.user_id} says</p>", parent_id=parent)
    ).id


def seen(service: DiscussionService, who: Principal, topic_id: str) -> list[str]:
    page, _ = service.list_posts(who, COURSE, topic_id, False, 100, None)
    return [read.post.author_id for read in page]


def test_a_student_sees_classmates_answers_only_after_answering(service: DiscussionService) -> None:
    question = topic(service, TopicMode.QUESTION_ANSWER)
    reply(service, BEN, question)
    reply(service, TEACHER, question)
    assert seen(service, ANA, question) == ["teacher", "teacher"]  # the question and the staff answer
    reply(service, ANA, question)
    assert seen(service, ANA, question) == ["teacher", "ben", "teacher", "ana"]


def test_a_student_cannot_reply_under_an_answer_they_may_not_see_yet(service: DiscussionService) -> None:
    question = topic(service, TopicMode.QUESTION_ANSWER)
    hidden_from_ana = reply(service, BEN, question)
    with pytest.raises(PostNotFound):
        reply(service, ANA, question, hidden_from_ana)


def test_students_start_topics_once_staff_allow_it(service: DiscussionService) -> None:
    draft = TopicDraft(title="Study group?", body="<p>Anyone?</p>")
    with pytest.raises(StudentTopicsDisabled):
        service.create_topic(ANA, COURSE, draft)
    service.update_settings(TEACHER, COURSE, SettingsRequest(students_may_create_topics=True), 0)
    made, membership = service.create_topic(ANA, COURSE, draft)
    assert (made.author_id, membership.subscribed) == ("ana", True)
    with pytest.raises(Forbidden):
        service.update_settings(ANA, COURSE, SettingsRequest(students_may_create_topics=False), 1)


def test_people_outside_the_course_take_no_part(service: DiscussionService) -> None:
    made = topic(service)
    with pytest.raises(NotCourseMember):
        service.list_posts(OUTSIDER, COURSE, made, False, 20, None)
    with pytest.raises(DiscussionCourseNotFound):
        service.list_topics(ANA, "C-unknown", 20, None)
    with pytest.raises(TopicNotFound):
        service.get_topic(ANA, COURSE, "T-unknown")


def test_unread_counts_follow_replies_and_mark_read(service: DiscussionService) -> None:
    made = topic(service)
    reply(service, ANA, made)
    reply(service, BEN, made)
    assert service.get_topic(ANA, COURSE, made)[0].reply_count == 2
    assert domain.unread(*service.get_topic(ANA, COURSE, made)) == 1  # her own reply is read
    assert domain.unread(*service.get_topic(TEACHER, COURSE, made)) == 2
    service.mark_read(TEACHER, COURSE, made)
    assert domain.unread(*service.get_topic(TEACHER, COURSE, made)) == 0


def test_repliers_are_subscribed_unless_they_chose_not_to_be(service: DiscussionService) -> None:
    made = topic(service)
    service.set_subscription(BEN, COURSE, made, False)
    reply(service, ANA, made)
    reply(service, BEN, made)
    assert service.get_topic(ANA, COURSE, made)[1] is not None
    assert domain.is_subscribed(service.get_topic(ANA, COURSE, made)[1])
    assert not domain.is_subscribed(service.get_topic(BEN, COURSE, made)[1])


def test_a_locked_topic_refuses_replies(service: DiscussionService) -> None:
    made = topic(service)
    service.update_topic(TEACHER, COURSE, made, TopicPatch(locked=True), 1)
    with pytest.raises(TopicLocked):
        reply(service, ANA, made)


def test_a_deleted_post_keeps_its_place_and_its_replies(service: DiscussionService) -> None:
    made = topic(service)
    first = reply(service, ANA, made)
    under = reply(service, BEN, made, first)
    service.delete_post(TEACHER, COURSE, made, first)
    page, _ = service.list_posts(ANA, COURSE, made, False, 20, None)
    shape = [(read.post.id, read.post.parent_id, read.post.deleted, read.post.body) for read in page]
    assert shape[1:] == [(first, made, True, ""), (under, first, False, "<p>ben says</p>")]


def test_one_like_per_person_and_post(service: DiscussionService) -> None:
    made = topic(service)
    answer = reply(service, BEN, made)
    for _ in range(2):
        service.react(ANA, COURSE, made, answer, True)
    service.react(TEACHER, COURSE, made, answer, True)
    page, _ = service.list_posts(ANA, COURSE, made, True, 20, None)
    assert (page[0].post.id, page[0].likes, page[0].liked, page[0].author_name) == (answer, 2, True, "Ben")


def test_reports_fill_the_queue_and_staff_hide_and_restore(
    service: DiscussionService, store: InMemoryDiscussions
) -> None:
    made = topic(service)
    rude = reply(service, BEN, made)
    service.report(ANA, COURSE, made, rude, ReportRequest(reason=ReportReason.HARASSMENT, note="Rude"))
    with pytest.raises(AlreadyReported):
        service.report(ANA, COURSE, made, rude, ReportRequest(reason=ReportReason.SPAM))
    queue, _ = service.list_reported(TEACHER, COURSE, ModerationStatus.OPEN, 20, None)
    assert [(e.post_id, e.reports) for e, _ in queue] == [(rude, 1)]
    with pytest.raises(Forbidden):
        service.list_reported(ANA, COURSE, None, 20, None)
    service.set_visibility(TEACHER, COURSE, made, rude, True)
    assert rude not in [r.post.id for r in service.list_posts(BEN, COURSE, made, False, 20, None)[0]]
    assert rude in [r.post.id for r in service.list_posts(TEACHER, COURSE, made, False, 20, None)[0]]
    service.set_visibility(TEACHER, COURSE, made, rude, False)
    assert rude in [r.post.id for r in service.list_posts(BEN, COURSE, made, False, 20, None)[0]]
    assert [type(e).__name__ for e in store.events][-2:] == ["PostHidden", "PostRestored"]


def test_a_stale_edit_is_refused(service: DiscussionService) -> None:
    made = topic(service)
    mine = reply(service, ANA, made)
    with pytest.raises(PreconditionFailed):
        service.edit_post(ANA, COURSE, made, mine, PostPatch(body="<p>v2</p>"), 7)
    assert service.edit_post(ANA, COURSE, made, mine, PostPatch(body="<p>v2</p>"), 1).version == 2


def test_a_retried_reply_is_answered_from_the_first_one(service: DiscussionService) -> None:
    made = topic(service)
    draft = ReplyDraft(body="<p>Once</p>")
    request = IdempotentRequest.of("k1", {"body": draft.body})
    assert request is not None
    service.reply(ANA, COURSE, made, draft, request)
    with pytest.raises(Replay):
        service.reply(ANA, COURSE, made, draft, request)
