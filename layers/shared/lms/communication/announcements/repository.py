"""Announcement items in the single table (access patterns: docs/data-model.md, "Announcements").

A board (a course's announcements, or the institution's) is one partition (`keys.announcements_pk`)
holding its announcements and, for each scheduled one, a due marker. GSI1 lists a board's
published and scheduled announcements pinned first then newest first (`#FEED`), and its drafts
(`#DRAFTS`); the due markers are also in a sparse GSI1 index of every institution
(`keys.due_announcements_pk`) that the announcement scheduler reads. How far a person has read a
board is one item in their own partition (`keys.announcement_reads_pk`): posting writes nothing
per reader, and an unread count is one Query of the feed from that point.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pynamodb.attributes import BooleanAttribute, UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.exceptions import PutError

from lms import clock, keys
from lms.auth import Principal
from lms.communication import course_access
from lms.communication.announcements.domain import (
    Announcement,
    AnnouncementStatus,
    Audience,
)
from lms.communication.announcements.errors import (
    AnnouncementChangedMeanwhile,
    AnnouncementCourseNotFound,
    NotAnnouncementAuthor,
)
from lms.events import DomainEvent
from lms.idempotency import IdempotentRequest, StoredResponse
from lms.pagination import decode_cursor, encode_cursor
from lms.persistence.idempotency import remember_answer
from lms.persistence.outbox import outbox_item
from lms.persistence.table import GSI1, Item, VersionedItem, batch_get
from lms.persistence.transactions import Transaction

ANNOUNCEMENT_ENTITY = "announcement"
DUE_ENTITY = "announcement-due"
READ_ENTITY = "announcement-read"
AUTHORED_ENTITY = "announcement-authored"

UNREAD_COUNT_LIMIT = 100
"""Unread announcements counted per board at most (one Query page): "100+" beyond."""


class AnnouncementItem(VersionedItem):
    GSI1PK = UnicodeAttribute()  # the board's feed, or its drafts
    GSI1SK = UnicodeAttribute()
    by_board = GSI1()

    announcement_id = UnicodeAttribute()
    course_id = UnicodeAttribute(null=True)
    title = UnicodeAttribute()
    body = UnicodeAttribute()
    status = UnicodeAttribute()
    pinned = BooleanAttribute()
    audience = UnicodeAttribute()
    author_id = UnicodeAttribute()
    author_erased = BooleanAttribute(default=False)
    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute()
    publish_at = UTCDateTimeAttribute(null=True)


class DueAnnouncementItem(Item):
    """A scheduled announcement's place in the scheduler's index, until its publication is recorded."""

    GSI1PK = UnicodeAttribute()
    GSI1SK = UnicodeAttribute()
    by_time = GSI1()

    institution_id = UnicodeAttribute()
    course_id = UnicodeAttribute(null=True)
    announcement_id = UnicodeAttribute()


class ReadMarkerItem(Item):
    """How far one person has read one board: everything visible up to `read_through`."""

    user_id = UnicodeAttribute()
    course_id = UnicodeAttribute(null=True)
    read_through = UTCDateTimeAttribute()


# What a board's reads ask of its items beside the course's own attributes (the course item holds
# its whole outline, so the shared BatchGetItem names what it reads).
_READ_ATTRIBUTES = sorted({*AnnouncementItem.get_attributes(), *ReadMarkerItem.get_attributes()})


@dataclass(frozen=True)
class Reading:
    """What a request on a board reads at once: the course as the caller stands in it (a course's
    board; None when unknown), the announcement it names and the caller's read marker. The
    announcement and the marker are used only once the course let the caller in."""

    access: course_access.CourseAccess | None
    announcement: Announcement | None = None
    read_through: datetime | None = None


class AuthoredAnnouncementItem(Item):
    """An announcement under its author, for their privacy export and erasure."""

    author_id = UnicodeAttribute()
    course_id = UnicodeAttribute(null=True)
    announcement_id = UnicodeAttribute()


@dataclass(frozen=True)
class DueAnnouncement:
    institution_id: str
    course_id: str | None
    announcement_id: str


def _iso(moment: datetime) -> str:
    return clock.rfc3339(moment)


def _index_keys(announcement: Announcement) -> tuple[str, str]:
    inst, course = announcement.institution_id, announcement.course_id
    if announcement.status is AnnouncementStatus.DRAFT or announcement.publish_at is None:
        return keys.announcement_drafts_pk(inst, course), keys.announcement_draft_sk(
            _iso(announcement.created_at), announcement.id
        )
    return keys.announcement_feed_pk(inst, course), keys.announcement_feed_sk(
        announcement.pinned, _iso(announcement.publish_at), announcement.id
    )


def _item(announcement: Announcement) -> AnnouncementItem:
    gsi_pk, gsi_sk = _index_keys(announcement)
    return AnnouncementItem(
        keys.announcements_pk(announcement.institution_id, announcement.course_id),
        keys.announcement_sk(announcement.id),
        entity=ANNOUNCEMENT_ENTITY,
        GSI1PK=gsi_pk,
        GSI1SK=gsi_sk,
        version=announcement.version,
        announcement_id=announcement.id,
        course_id=announcement.course_id,
        title=announcement.title,
        body=announcement.body,
        status=announcement.status.value,
        pinned=announcement.pinned,
        audience=announcement.audience.value,
        author_id=announcement.author_id,
        author_erased=announcement.author_erased,
        created_at=announcement.created_at,
        updated_at=announcement.updated_at,
        publish_at=announcement.publish_at,
    )


def announcement_of(item: AnnouncementItem, institution_id: str) -> Announcement:
    return Announcement(
        id=item.announcement_id,
        institution_id=institution_id,
        course_id=item.course_id,
        title=item.title,
        body=item.body,
        status=AnnouncementStatus(item.status),
        pinned=bool(item.pinned),
        audience=Audience(item.audience),
        author_id=item.author_id,
        author_erased=bool(item.author_erased),
        created_at=item.created_at,
        updated_at=item.updated_at,
        publish_at=item.publish_at,
        version=int(item.version),
    )


def _due_item(announcement: Announcement) -> DueAnnouncementItem:
    assert announcement.publish_at is not None
    return DueAnnouncementItem(
        keys.announcements_pk(announcement.institution_id, announcement.course_id),
        keys.announcement_due_sk(announcement.id),
        entity=DUE_ENTITY,
        GSI1PK=keys.due_announcements_pk(keys.due_announcement_shard(announcement.id)),
        GSI1SK=keys.due_announcement_sk(_iso(announcement.publish_at), announcement.id),
        institution_id=announcement.institution_id,
        course_id=announcement.course_id,
        announcement_id=announcement.id,
    )


def _authored_item(announcement: Announcement) -> AuthoredAnnouncementItem:
    return AuthoredAnnouncementItem(
        keys.authored_announcements_pk(announcement.institution_id, announcement.author_id),
        keys.announcement_sk(announcement.id),
        entity=AUTHORED_ENTITY,
        author_id=announcement.author_id,
        course_id=announcement.course_id,
        announcement_id=announcement.id,
    )


@dataclass(frozen=True)
class Idempotent:
    """An Idempotency-Key request and the answer to store with the change it makes."""

    request: IdempotentRequest
    response: StoredResponse


class DynamoAnnouncementRepository:
    def get(self, institution_id: str, course_id: str | None, announcement_id: str) -> Announcement | None:
        try:
            item = AnnouncementItem.get(
                keys.announcements_pk(institution_id, course_id),
                keys.announcement_sk(announcement_id),
                consistent_read=True,
            )
        except AnnouncementItem.DoesNotExist:
            return None
        return announcement_of(item, institution_id)

    def reading(
        self, principal: Principal, course_id: str | None, announcement_id: str | None = None
    ) -> Reading:
        """The course (a course's board), the announcement when named and the caller's read marker:
        one consistent BatchGetItem, every key known from the path and the caller."""
        inst = principal.institution_id
        marker_key = (
            keys.announcement_reads_pk(inst, principal.user_id),
            keys.announcement_board_sk(course_id),
        )
        wanted = [marker_key]
        if announcement_id is not None:
            announcement_key = (keys.announcements_pk(inst, course_id), keys.announcement_sk(announcement_id))
            wanted.append(announcement_key)
        access = None
        if course_id is None:
            raws = batch_get(wanted)
        else:
            access, raws = course_access.load_with(principal, course_id, wanted, _READ_ATTRIBUTES)
        found = {(raw["PK"]["S"], raw["SK"]["S"]): raw for raw in raws}
        announcement = found.get(announcement_key) if announcement_id is not None else None
        marker = found.get(marker_key)
        return Reading(
            access=access,
            announcement=announcement_of(AnnouncementItem.from_raw_data(announcement), inst)
            if announcement is not None
            else None,
            read_through=ReadMarkerItem.from_raw_data(marker).read_through if marker is not None else None,
        )

    def mark_read(self, institution_id: str, user_id: str, course_id: str | None, through: datetime) -> None:
        """One PutItem; a later "mark all read" never moves the marker back."""
        marker = ReadMarkerItem(
            keys.announcement_reads_pk(institution_id, user_id),
            keys.announcement_board_sk(course_id),
            entity=READ_ENTITY,
            user_id=user_id,
            course_id=course_id,
            read_through=through,
        )
        try:
            marker.save(ReadMarkerItem.PK.does_not_exist() | (ReadMarkerItem.read_through <= through))
        except PutError as error:
            if error.cause_response_code != "ConditionalCheckFailedException":
                raise

    def create(
        self,
        announcement: Announcement,
        actor: Principal,
        events: Iterable[DomainEvent],
        idempotent: Idempotent | None,
    ) -> None:
        """One transaction: the announcement, its author's pointer, its due marker, events, answer."""
        tx = Transaction()
        self._check_board(tx, announcement, actor)
        tx.put(_item(announcement), AnnouncementItem.PK.does_not_exist())
        tx.put(_authored_item(announcement))
        if announcement.status is AnnouncementStatus.SCHEDULED:
            tx.put(_due_item(announcement))
        self._add_events(tx, announcement.institution_id, actor, events)
        if idempotent is not None:
            remember_answer(
                tx,
                announcement.institution_id,
                actor.user_id,
                idempotent.request,
                idempotent.response,
            )
        tx.commit()

    def save(
        self, before: Announcement, after: Announcement, actor: Principal, events: Iterable[DomainEvent]
    ) -> None:
        """One transaction conditioned on the version read; the due marker follows the state."""
        tx = Transaction()
        self._check_board(tx, after, actor)
        tx.put(
            _item(after),
            AnnouncementItem.version == before.version,
            AnnouncementChangedMeanwhile("The announcement changed meanwhile; read it again."),
        )
        self._follow_schedule(tx, before, after)
        self._add_events(tx, after.institution_id, actor, events)
        tx.commit()

    def delete(self, announcement: Announcement, actor: Principal, events: Iterable[DomainEvent]) -> None:
        tx = Transaction()
        self._check_board(tx, announcement, actor)
        tx.delete(
            _item(announcement),
            AnnouncementItem.version == announcement.version,
            AnnouncementChangedMeanwhile("The announcement changed meanwhile; read it again."),
        )
        tx.delete(_authored_item(announcement))
        if announcement.status is AnnouncementStatus.SCHEDULED:
            tx.delete(_due_item(announcement))
        self._add_events(tx, announcement.institution_id, actor, events)
        tx.commit()

    def record_publication(
        self, before: Announcement, after: Announcement, actor: Principal, events: Iterable[DomainEvent]
    ) -> None:
        """The scheduler's change: only while still scheduled as read, so it happens once."""
        tx = Transaction()
        tx.put(
            _item(after),
            (AnnouncementItem.version == before.version)
            & (AnnouncementItem.status == AnnouncementStatus.SCHEDULED.value),
            AnnouncementChangedMeanwhile("The announcement changed meanwhile."),
        )
        tx.delete(_due_item(before))
        self._add_events(tx, after.institution_id, actor, events)
        tx.commit()

    def forget_due(self, due: DueAnnouncement) -> None:
        """Drop a marker whose announcement is gone or no longer scheduled (a lost race left it)."""
        DueAnnouncementItem(
            keys.announcements_pk(due.institution_id, due.course_id),
            keys.announcement_due_sk(due.announcement_id),
        ).delete()

    def feed_page(
        self,
        institution_id: str,
        course_id: str | None,
        *,
        visible_by: datetime | None,
        audiences: frozenset[Audience] | None,
        limit: int,
        cursor: str | None,
    ) -> tuple[list[Announcement], str | None]:
        """One Query of the board's feed backwards; `visible_by` hides what is not yet published."""
        partition = keys.announcement_feed_pk(institution_id, course_id)
        start = decode_cursor(cursor, partition_attr="GSI1PK", partition=partition)
        results = AnnouncementItem.by_board.query(
            partition,
            filter_condition=self._reader_filter(visible_by, audiences),
            scan_index_forward=False,
            last_evaluated_key=start,
            limit=limit,
            page_size=limit,
        )
        page = next(results.page_iter)
        found = [
            announcement_of(AnnouncementItem.from_raw_data(raw), institution_id)
            for raw in page.get("Items", [])
        ]
        return found, encode_cursor(page.get("LastEvaluatedKey"))

    def drafts_page(
        self, institution_id: str, course_id: str | None, limit: int, cursor: str | None
    ) -> tuple[list[Announcement], str | None]:
        """One Query of the board's drafts, newest first."""
        partition = keys.announcement_drafts_pk(institution_id, course_id)
        start = decode_cursor(cursor, partition_attr="GSI1PK", partition=partition)
        results = AnnouncementItem.by_board.query(
            partition, scan_index_forward=False, last_evaluated_key=start, limit=limit, page_size=limit
        )
        page = next(results.page_iter)
        found = [
            announcement_of(AnnouncementItem.from_raw_data(raw), institution_id)
            for raw in page.get("Items", [])
        ]
        return found, encode_cursor(page.get("LastEvaluatedKey"))

    def count_unread(
        self,
        institution_id: str,
        course_id: str | None,
        *,
        read_through: datetime | None,
        now: datetime,
        audiences: frozenset[Audience] | None,
    ) -> tuple[int, bool]:
        """One Query (COUNT) of the feed: what became visible after `read_through`, up to now.

        The key range runs from unpinned ones after `read_through` to the last pinned one; the
        filter drops pinned ones read before and scheduled ones not yet visible, both few.
        """
        since = _iso(read_through) if read_through is not None else None
        lower, upper = keys.announcement_feed_after(since)
        condition = self._reader_filter(now, audiences)
        if read_through is not None:
            condition &= AnnouncementItem.publish_at > read_through
        results = AnnouncementItem.by_board.query(
            keys.announcement_feed_pk(institution_id, course_id),
            AnnouncementItem.GSI1SK.between(lower, upper),
            filter_condition=condition,
            limit=UNREAD_COUNT_LIMIT,
            page_size=UNREAD_COUNT_LIMIT,
            attributes_to_get=["PK"],
        )
        page = next(results.page_iter)
        return int(page.get("Count", 0)), "LastEvaluatedKey" in page

    def due(self, shard: int, now: datetime, limit: int) -> list[DueAnnouncement]:
        """One Query of a shard of the scheduler's index: markers whose time has come, earliest first."""
        results = DueAnnouncementItem.by_time.query(
            keys.due_announcements_pk(shard),
            keys.due_announcements_until(_iso(now)) >= DueAnnouncementItem.GSI1SK,
            limit=limit,
            page_size=limit,
        )
        page = next(results.page_iter)
        return [
            DueAnnouncement(
                institution_id=item.institution_id,
                course_id=item.course_id,
                announcement_id=item.announcement_id,
            )
            for item in (DueAnnouncementItem.from_raw_data(raw) for raw in page.get("Items", []))
        ]

    def authored(self, institution_id: str, user_id: str) -> Iterator[AuthoredAnnouncementItem]:
        yield from AuthoredAnnouncementItem.query(keys.authored_announcements_pk(institution_id, user_id))

    def read_markers(self, institution_id: str, user_id: str) -> Iterator[ReadMarkerItem]:
        yield from ReadMarkerItem.query(keys.announcement_reads_pk(institution_id, user_id))

    @staticmethod
    def _reader_filter(visible_by: datetime | None, audiences: frozenset[Audience] | None) -> Any:
        condition: Any = None
        if visible_by is not None:
            recorded = AnnouncementItem.status == AnnouncementStatus.PUBLISHED.value
            condition = recorded | (AnnouncementItem.publish_at <= visible_by)
        if audiences is not None:
            by_audience = AnnouncementItem.audience.is_in(*sorted(a.value for a in audiences))
            condition = by_audience if condition is None else condition & by_audience
        return condition

    @staticmethod
    def _check_board(tx: Transaction, announcement: Announcement, actor: Principal) -> None:
        """A course's staff post on it: the rule read before is checked again at commit."""
        if announcement.course_id is None:
            return
        refusal: Exception = NotAnnouncementAuthor("You no longer teach this course.")
        if actor.is_institution_admin:
            refusal = AnnouncementCourseNotFound(f"No course {announcement.course_id!r}.")
        course_access.check_teaches(tx, announcement.institution_id, announcement.course_id, actor, refusal)

    @staticmethod
    def _follow_schedule(tx: Transaction, before: Announcement, after: Announcement) -> None:
        if after.status is AnnouncementStatus.SCHEDULED:
            tx.put(_due_item(after))
        elif before.status is AnnouncementStatus.SCHEDULED:
            tx.delete(_due_item(before))

    @staticmethod
    def _add_events(
        tx: Transaction, institution_id: str, actor: Principal, events: Iterable[DomainEvent]
    ) -> None:
        for event in events:
            tx.put(outbox_item(event, institution_id, actor))
