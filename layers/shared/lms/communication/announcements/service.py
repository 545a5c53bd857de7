"""Announcement use cases: authorize, load, apply the domain rules, commit with the events.

A board is a course (`course_id`) or the institution (`None`). On a course, its instructors and
the institution's admins are the board's staff and its enrolled students read; on the
institution's board, admins are the staff and every member reads what is meant for their role.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from lms import authz, clock, ids, keys
from lms.auth import Principal
from lms.authz import Operation
from lms.communication import course_access, policy
from lms.communication.announcements import domain
from lms.communication.announcements.domain import Announcement, AnnouncementStatus, Audience
from lms.communication.announcements.errors import (
    AnnouncementChangedMeanwhile,
    AnnouncementCourseNotFound,
    AnnouncementNotFound,
    NotAnnouncementAuthor,
    NotAnnouncementReader,
)
from lms.communication.announcements.repository import DueAnnouncement, Idempotent, Reading
from lms.communication.announcements.schemas import (
    AnnouncementDraft,
    AnnouncementPage,
    AnnouncementPatch,
    AnnouncementReadState,
    AnnouncementView,
)
from lms.communication.course_access import CourseAccess
from lms.errors import check_version
from lms.events import DomainEvent
from lms.events.communication import (
    AnnouncementDeleted,
    AnnouncementDrafted,
    AnnouncementEdited,
    AnnouncementPublished,
    AnnouncementScheduled,
)
from lms.idempotency import IdempotentRequest, StoredResponse
from lms.richtext import preview


class AnnouncementRepository(Protocol):
    def get(
        self, institution_id: str, course_id: str | None, announcement_id: str
    ) -> Announcement | None: ...
    def reading(
        self, principal: Principal, course_id: str | None, announcement_id: str | None = None
    ) -> Reading: ...
    def mark_read(
        self, institution_id: str, user_id: str, course_id: str | None, through: datetime
    ) -> None: ...
    def create(
        self,
        announcement: Announcement,
        actor: Principal,
        events: list[DomainEvent],
        idempotent: Idempotent | None,
    ) -> None: ...
    def save(
        self, before: Announcement, after: Announcement, actor: Principal, events: list[DomainEvent]
    ) -> None: ...
    def delete(self, announcement: Announcement, actor: Principal, events: list[DomainEvent]) -> None: ...
    def record_publication(
        self, before: Announcement, after: Announcement, actor: Principal, events: list[DomainEvent]
    ) -> None: ...
    def forget_due(self, due: DueAnnouncement) -> None: ...
    def due(self, shard: int, now: datetime, limit: int) -> list[DueAnnouncement]: ...
    def feed_page(
        self,
        institution_id: str,
        course_id: str | None,
        *,
        visible_by: datetime | None,
        audiences: frozenset[Audience] | None,
        limit: int,
        cursor: str | None,
    ) -> tuple[list[Announcement], str | None]: ...
    def drafts_page(
        self, institution_id: str, course_id: str | None, limit: int, cursor: str | None
    ) -> tuple[list[Announcement], str | None]: ...
    def count_unread(
        self,
        institution_id: str,
        course_id: str | None,
        *,
        read_through: datetime | None,
        now: datetime,
        audiences: frozenset[Audience] | None,
    ) -> tuple[int, bool]: ...


DUE_PER_RUN = 100
"""Due announcements read per shard and run; more wait a minute for the next run."""


class Courses(Protocol):
    """The catalog as communication reads it (lms.communication.course_access)."""

    def load_for(self, principal: Principal, course_id: str) -> CourseAccess | None: ...


@dataclass(frozen=True)
class Operations:
    """The operations of one kind of board."""

    create: Operation
    list: Operation
    get: Operation
    update: Operation
    delete: Operation
    reads: Operation
    mark_read: Operation


COURSE_BOARD = Operations(
    create=policy.CREATE_COURSE_ANNOUNCEMENT,
    list=policy.LIST_COURSE_ANNOUNCEMENTS,
    get=policy.GET_COURSE_ANNOUNCEMENT,
    update=policy.UPDATE_COURSE_ANNOUNCEMENT,
    delete=policy.DELETE_COURSE_ANNOUNCEMENT,
    reads=policy.GET_COURSE_ANNOUNCEMENT_READS,
    mark_read=policy.MARK_COURSE_ANNOUNCEMENTS_READ,
)
INSTITUTION_BOARD = Operations(
    create=policy.CREATE_INSTITUTION_ANNOUNCEMENT,
    list=policy.LIST_INSTITUTION_ANNOUNCEMENTS,
    get=policy.GET_INSTITUTION_ANNOUNCEMENT,
    update=policy.UPDATE_INSTITUTION_ANNOUNCEMENT,
    delete=policy.DELETE_INSTITUTION_ANNOUNCEMENT,
    reads=policy.GET_INSTITUTION_ANNOUNCEMENT_READS,
    mark_read=policy.MARK_INSTITUTION_ANNOUNCEMENTS_READ,
)


@dataclass(frozen=True)
class Standing:
    """Where the caller stands on a board: its staff, or a reader of some audiences."""

    staff: bool
    audiences: frozenset[Audience] | None
    """None: every audience (staff, and a course's members, for whom there is one)."""


def published_event(announcement: Announcement) -> AnnouncementPublished:
    assert announcement.publish_at is not None
    return AnnouncementPublished(
        announcement_id=announcement.id,
        course_id=announcement.course_id,
        audience=announcement.audience.value,
        title=announcement.title,
        preview=preview(announcement.body),
        pinned=announcement.pinned,
        published_at=announcement.publish_at,
    )


def change_event(before: Announcement | None, after: Announcement) -> DomainEvent:
    """The one event a change announces: its publication first, else its new state, else the edit."""
    ids_ = {"announcement_id": after.id, "course_id": after.course_id}
    if domain.becomes_published(before, after):
        return published_event(after)
    moved = before is None or before.status is not after.status or before.publish_at != after.publish_at
    if moved and after.status is AnnouncementStatus.SCHEDULED:
        assert after.publish_at is not None
        return AnnouncementScheduled(**ids_, publish_at=after.publish_at)
    if moved and after.status is AnnouncementStatus.DRAFT:
        return AnnouncementDrafted(**ids_)
    return AnnouncementEdited(**ids_, status=after.status.value)


class AnnouncementService:
    def __init__(
        self,
        repository: AnnouncementRepository,
        courses: Courses = course_access,
        *,
        now: Callable[[], datetime] = clock.now,
        new_id: Callable[[], str] = ids.new_id,
    ) -> None:
        self._repo = repository
        self._courses = courses
        self._now = now
        self._new_id = new_id

    # ------------------------------------------------------------ writing

    def create(
        self,
        principal: Principal,
        course_id: str | None,
        draft: AnnouncementDraft,
        request: IdempotentRequest | None,
    ) -> AnnouncementView:
        authz.authorize(principal, self._operations(course_id).create)
        self._staff_standing(principal, course_id)
        domain.check_audience(course_id, draft.audience)
        now = self._now()
        status, publish_at = domain.new_state(draft.publication(), now)
        announcement = Announcement(
            id=self._new_id(),
            institution_id=principal.institution_id,
            course_id=course_id,
            title=draft.title,
            body=draft.body,
            status=status,
            pinned=draft.pinned,
            audience=draft.audience,
            author_id=principal.user_id,
            created_at=now,
            updated_at=now,
            publish_at=publish_at,
        )
        view = AnnouncementView.of(announcement, now, None)
        idempotent = None
        if request is not None:
            answer = StoredResponse(fingerprint=request.fingerprint, status=201, body=view.model_dump_json())
            idempotent = Idempotent(request=request, response=answer)
        self._repo.create(announcement, principal, [change_event(None, announcement)], idempotent)
        return view

    def update(
        self,
        principal: Principal,
        course_id: str | None,
        announcement_id: str,
        patch: AnnouncementPatch,
        expected_version: int,
    ) -> AnnouncementView:
        authz.authorize(principal, self._operations(course_id).update)
        current = self._existing_for_staff(principal, course_id, announcement_id)
        check_version("announcement", current.version, expected_version)
        now = self._now()
        revised = domain.revise(
            current,
            now,
            title=patch.title,
            body=patch.body,
            pinned=patch.pinned,
            audience=patch.audience,
            publication=patch.publication(),
        )
        self._repo.save(current, revised, principal, [change_event(current, revised)])
        return AnnouncementView.of(revised, now, None)

    def delete(self, principal: Principal, course_id: str | None, announcement_id: str) -> None:
        authz.authorize(principal, self._operations(course_id).delete)
        current = self._existing_for_staff(principal, course_id, announcement_id)
        event = AnnouncementDeleted(announcement_id=current.id, course_id=current.course_id)
        self._repo.delete(current, principal, [event])

    # ------------------------------------------------------------ reading

    def get(self, principal: Principal, course_id: str | None, announcement_id: str) -> AnnouncementView:
        authz.authorize(principal, self._operations(course_id).get)
        reading = self._repo.reading(principal, course_id, announcement_id)
        standing = self._reader_standing(principal, course_id, reading)
        now = self._now()
        found = reading.announcement
        if found is None or not found.readable_by(principal, now, staff=standing.staff):
            raise AnnouncementNotFound(f"No announcement {announcement_id!r}.")
        return AnnouncementView.of(found, now, reading.read_through)

    def list(
        self,
        principal: Principal,
        course_id: str | None,
        *,
        drafts: bool,
        limit: int,
        cursor: str | None,
    ) -> AnnouncementPage:
        """Pinned first, then newest first; staff see scheduled ones too, and drafts on request."""
        authz.authorize(principal, self._operations(course_id).list)
        reading = self._repo.reading(principal, course_id)
        standing = self._reader_standing(principal, course_id, reading)
        now = self._now()
        inst = principal.institution_id
        if drafts:
            if not standing.staff:
                raise self._not_staff(course_id)
            found, next_cursor = self._repo.drafts_page(inst, course_id, limit, cursor)
        else:
            found, next_cursor = self._repo.feed_page(
                inst,
                course_id,
                visible_by=None if standing.staff else now,
                audiences=standing.audiences,
                limit=limit,
                cursor=cursor,
            )
        items = [AnnouncementView.of(a, now, reading.read_through) for a in found]
        return AnnouncementPage(items=items, next_cursor=next_cursor)

    def read_state(self, principal: Principal, course_id: str | None) -> AnnouncementReadState:
        """Constant cost whatever the class size: the reader's marker and one counting Query."""
        authz.authorize(principal, self._operations(course_id).reads)
        reading = self._repo.reading(principal, course_id)
        standing = self._reader_standing(principal, course_id, reading)
        inst, read_through = principal.institution_id, reading.read_through
        count, more = self._repo.count_unread(
            inst, course_id, read_through=read_through, now=self._now(), audiences=standing.audiences
        )
        return AnnouncementReadState(unread_count=count, more_unread=more, read_through=read_through)

    def mark_all_read(self, principal: Principal, course_id: str | None) -> AnnouncementReadState:
        authz.authorize(principal, self._operations(course_id).mark_read)
        self._reader_standing(principal, course_id, None)
        now = self._now()
        self._repo.mark_read(principal.institution_id, principal.user_id, course_id, now)
        return AnnouncementReadState(unread_count=0, more_unread=False, read_through=now)

    # ------------------------------------------------------------ scheduling

    def publish_due(self, now: datetime) -> int:
        """Record and announce the publication of every scheduled announcement due at `now`.

        Idempotent: each change is conditioned on the announcement still being scheduled as read,
        so however many times (and however concurrently) the scheduler fires, one change commits
        and one AnnouncementPublished is emitted per announcement. The number this run published.
        """
        published = 0
        for shard in range(keys.DUE_ANNOUNCEMENT_SHARDS):
            for due in self._repo.due(shard, now, DUE_PER_RUN):
                published += self._publish(due, now)
        return published

    def _publish(self, due: DueAnnouncement, now: datetime) -> int:
        current = self._repo.get(due.institution_id, due.course_id, due.announcement_id)
        if current is None or current.status is not AnnouncementStatus.SCHEDULED:
            self._repo.forget_due(due)  # deleted, or published by an edit: nothing left to announce
            return 0
        if not domain.due_for_publication(current, now):
            return 0
        # The author scheduled it: the event is theirs, as if they had pressed "publish" then.
        author = Principal(
            user_id=current.author_id, institution_id=current.institution_id, roles=frozenset()
        )
        after = domain.published(current, now)
        try:
            self._repo.record_publication(current, after, author, [published_event(after)])
        except AnnouncementChangedMeanwhile:
            return 0  # edited or published meanwhile: that change (or the next run) decides
        return 1

    # ------------------------------------------------------------ standing

    @staticmethod
    def _operations(course_id: str | None) -> Operations:
        return INSTITUTION_BOARD if course_id is None else COURSE_BOARD

    def _course(self, principal: Principal, course_id: str) -> CourseAccess:
        access = self._courses.load_for(principal, course_id)
        if access is None:
            raise AnnouncementCourseNotFound(f"No course {course_id!r}.")
        return access

    def _staff_standing(self, principal: Principal, course_id: str | None) -> None:
        if course_id is None:
            return  # the operation's role (institution admins) is the whole rule
        if not self._course(principal, course_id).teaches(principal):
            raise self._not_staff(course_id)

    def _reader_standing(
        self, principal: Principal, course_id: str | None, reading: Reading | None
    ) -> Standing:
        """Who the caller is on the board; `reading` carries the course when it was read already."""
        if course_id is None:
            staff = principal.is_institution_admin
            return Standing(staff=staff, audiences=None if staff else domain.audiences_of(principal))
        access = reading.access if reading is not None else self._courses.load_for(principal, course_id)
        if access is None:
            raise AnnouncementCourseNotFound(f"No course {course_id!r}.")
        if not access.is_member(principal):
            raise NotAnnouncementReader(
                "Only the course's instructors and enrolled students read its announcements."
            )
        return Standing(staff=access.teaches(principal), audiences=None)

    @staticmethod
    def _not_staff(course_id: str | None) -> NotAnnouncementAuthor:
        where = "this course's" if course_id else "the institution's"
        return NotAnnouncementAuthor(f"Only {where} staff post, edit and delete its announcements.")

    def _existing_for_staff(
        self, principal: Principal, course_id: str | None, announcement_id: str
    ) -> Announcement:
        """The announcement a change is made to, read with the course that says who may change it."""
        reading = self._repo.reading(principal, course_id, announcement_id)
        if course_id is not None:
            if reading.access is None:
                raise AnnouncementCourseNotFound(f"No course {course_id!r}.")
            if not reading.access.teaches(principal):
                raise self._not_staff(course_id)
        found = reading.announcement
        if found is None:
            raise AnnouncementNotFound(f"No announcement {announcement_id!r}.")
        return found
