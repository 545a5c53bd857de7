"""Enrollment items in the single table: roster entries, the seat counter, the waitlist.

Access patterns and request counts: docs/data-model.md. Every change is one TransactWriteItems
with its outbox items; the counter is only ever changed by `ADD` under a condition.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from pynamodb.attributes import BooleanAttribute, NumberAttribute, UnicodeAttribute
from pynamodb.expressions.condition import Condition
from pynamodb.expressions.update import Action

from lms import clock, keys
from lms.auth import Principal
from lms.courses import progress_access, user_access
from lms.courses.domain import Course
from lms.courses.enrollment.domain import (
    Enrollment,
    EnrollmentStatus,
    Placement,
    Roster,
    RosterAction,
    RosterPlan,
    WaitlistEntry,
)
from lms.courses.enrollment.errors import AlreadyEnrolled, NotAStudent, PrerequisitesNotMet
from lms.courses.enrollment.service import (
    DropChange,
    EnrollmentChange,
    Listed,
    RosterChanged,
    RosterQuery,
)
from lms.courses.entitlements.repository import consume_entitlement
from lms.events import DomainEvent
from lms.pagination import decode_cursor, encode_cursor
from lms.persistence.idempotency import remember_answer
from lms.persistence.outbox import outbox_item
from lms.persistence.table import GSI1, Item
from lms.persistence.transactions import Transaction

ENROLLMENT_ENTITY = "enrollment"
ROSTER_ENTITY = "roster"
WAITLIST_ENTITY = "waitlist-entry"
_OFFSET = "offset"  # carried in a waitlist page's cursor: the position of its first entry, minus one
_OFFSETS = frozenset({_OFFSET})


class EnrollmentItem(Item):
    GSI1PK = UnicodeAttribute()  # the student's enrollments across courses
    GSI1SK = UnicodeAttribute()  # <requested_at>#<course_id>: newest first when read backwards
    by_student = GSI1()

    course_id = UnicodeAttribute()
    student_id = UnicodeAttribute()
    course_title = UnicodeAttribute()  # as it was at enrollment, for the student's own list
    status = UnicodeAttribute()
    enrolled_by = UnicodeAttribute()
    requested_at = UnicodeAttribute()
    enrolled_at = UnicodeAttribute(null=True)
    via_waitlist = BooleanAttribute(default=False)
    waitlist_ticket = UnicodeAttribute(null=True)
    dropped_at = UnicodeAttribute(null=True)
    dropped_by = UnicodeAttribute(null=True)


class RosterItem(Item):
    """The seat counter of a course with a capacity; it exists exactly while the course has one."""

    course_id = UnicodeAttribute()
    capacity = NumberAttribute()
    enrolled = NumberAttribute(default=0)
    waitlisted = NumberAttribute(default=0)


class WaitlistItem(Item):
    course_id = UnicodeAttribute()
    ticket = UnicodeAttribute()
    student_id = UnicodeAttribute()
    enrolled_by = UnicodeAttribute()
    waitlisted_at = UnicodeAttribute()


_OPTIONAL = ("enrolled_at", "waitlist_ticket", "dropped_at", "dropped_by")


def _enrollment_item(institution_id: str, enrollment: Enrollment) -> EnrollmentItem:
    data = enrollment.model_dump(mode="json")
    item = EnrollmentItem(
        keys.course_pk(institution_id, enrollment.course_id),
        keys.enrollment_sk(enrollment.student_id),
        entity=ENROLLMENT_ENTITY,
        GSI1PK=keys.student_enrollments_pk(institution_id, enrollment.student_id),
        GSI1SK=keys.student_enrollments_sk(data["requested_at"], enrollment.course_id),
        via_waitlist=enrollment.via_waitlist,
    )
    for name in (
        "course_id",
        "student_id",
        "course_title",
        "status",
        "enrolled_by",
        "requested_at",
        *_OPTIONAL,
    ):
        setattr(item, name, data[name])
    return item


def enrollment_of_raw(raw: dict[str, Any]) -> Enrollment:
    """An enrollment item as BatchGetItem returns it."""
    return _enrollment(EnrollmentItem.from_raw_data(raw))


def roster_of_raw(raw: dict[str, Any]) -> Roster:
    """The seat counter as BatchGetItem returns it."""
    return _roster(RosterItem.from_raw_data(raw))


def _roster(item: RosterItem) -> Roster:
    return Roster(capacity=int(item.capacity), enrolled=int(item.enrolled), waitlisted=int(item.waitlisted))


def _enrollment(item: EnrollmentItem) -> Enrollment:
    return Enrollment(
        course_id=item.course_id,
        student_id=item.student_id,
        course_title=item.course_title,
        status=EnrollmentStatus(item.status),
        enrolled_by=item.enrolled_by,
        requested_at=datetime.fromisoformat(item.requested_at),
        via_waitlist=bool(item.via_waitlist),
        **{name: getattr(item, name) for name in _OPTIONAL},
    )


def _waitlist_item(institution_id: str, enrollment: Enrollment, ticket: str) -> WaitlistItem:
    return WaitlistItem(
        keys.course_pk(institution_id, enrollment.course_id),
        keys.waitlist_sk(ticket),
        entity=WAITLIST_ENTITY,
        course_id=enrollment.course_id,
        ticket=ticket,
        student_id=enrollment.student_id,
        enrolled_by=enrollment.enrolled_by,
        waitlisted_at=clock.rfc3339(enrollment.requested_at),
    )


def _entry(item: WaitlistItem) -> WaitlistEntry:
    return WaitlistEntry(
        ticket=item.ticket,
        student_id=item.student_id,
        enrolled_by=item.enrolled_by,
        waitlisted_at=datetime.fromisoformat(item.waitlisted_at),
    )


def _roster_key(institution_id: str, course_id: str) -> RosterItem:
    return RosterItem(keys.course_pk(institution_id, course_id), keys.ROSTER_SK)


def _add_events(tx: Transaction, events: Sequence[DomainEvent], actor: Principal) -> None:
    for event in events:
        tx.put(outbox_item(event, actor.institution_id, actor))


def add_promotions(
    tx: Transaction,
    institution_id: str,
    course_id: str,
    entries: Sequence[WaitlistEntry],
    at: datetime,
    refusal: Exception,
) -> None:
    """Seat these waitlisted students: their place on the waitlist goes, their enrollment turns enrolled.

    The counter's share (`enrolled + n`, `waitlisted - n`) is the caller's, in the same transaction.
    """
    pk = keys.course_pk(institution_id, course_id)
    for entry in entries:
        tx.delete(WaitlistItem(pk, keys.waitlist_sk(entry.ticket)), WaitlistItem.PK.exists(), refusal)
        actions: list[Action] = [
            EnrollmentItem.status.set(EnrollmentStatus.ENROLLED.value),
            EnrollmentItem.enrolled_at.set(clock.rfc3339(at)),
            EnrollmentItem.via_waitlist.set(True),
            EnrollmentItem.waitlist_ticket.remove(),
        ]
        tx.update(
            EnrollmentItem(pk, keys.enrollment_sk(entry.student_id)),
            actions,
            (EnrollmentItem.status == EnrollmentStatus.WAITLISTED.value)
            & (EnrollmentItem.waitlist_ticket == entry.ticket),
            refusal,
        )


def add_roster_plan(
    tx: Transaction, institution_id: str, course_id: str, plan: RosterPlan, at: datetime, refusal: Exception
) -> None:
    """A course edit's share of the roster (lms.courses.repository commits it with the course)."""
    key = _roster_key(institution_id, course_id)
    if plan.action == RosterAction.CREATE:
        assert plan.capacity is not None
        item = RosterItem(
            key.PK,
            key.SK,
            entity=ROSTER_ENTITY,
            course_id=course_id,
            capacity=plan.capacity,
            enrolled=0,
            waitlisted=0,
        )
        tx.put(item, RosterItem.PK.does_not_exist(), refusal)
    elif plan.action == RosterAction.DELETE:
        if plan.seen is not None:
            tx.delete(key, RosterItem.waitlisted == 0, refusal)
    else:
        assert plan.capacity is not None
        assert plan.seen is not None
        seated = len(plan.promote)
        actions: list[Action] = [RosterItem.capacity.set(plan.capacity)]
        if seated:
            actions += [RosterItem.enrolled.add(seated), RosterItem.waitlisted.add(-seated)]
        # No one joined the waitlist since the read, and no enrollment outgrew the new capacity.
        condition = (RosterItem.enrolled <= plan.capacity) & (RosterItem.waitlisted == plan.seen.waitlisted)
        tx.update(key, actions, condition, refusal)
        add_promotions(tx, institution_id, course_id, plan.promote, at, refusal)


class DynamoEnrollmentRepository:
    """Reads are one request each; every change is one TransactWriteItems with its outbox items."""

    def get_roster(self, institution_id: str, course_id: str) -> Roster | None:
        try:
            item = RosterItem.get(
                keys.course_pk(institution_id, course_id), keys.ROSTER_SK, consistent_read=True
            )
        except RosterItem.DoesNotExist:
            return None
        return _roster(item)

    def waitlist_head(self, institution_id: str, course_id: str, count: int) -> list[WaitlistEntry]:
        page = next(
            WaitlistItem.query(
                keys.course_pk(institution_id, course_id),
                WaitlistItem.SK.startswith(keys.WAITLIST_PREFIX),
                consistent_read=True,
                limit=count,
                page_size=count,
            ).page_iter
        )
        return [_entry(WaitlistItem.from_raw_data(raw)) for raw in page.get("Items", [])]

    def waitlist_position(self, institution_id: str, course_id: str, ticket: str) -> int:
        """1 + the students ahead: a count of the waitlist's keys up to this ticket."""
        ahead_and_self = WaitlistItem.count(
            keys.course_pk(institution_id, course_id),
            WaitlistItem.SK.between(keys.WAITLIST_PREFIX, keys.waitlist_sk(ticket)),
            consistent_read=True,
        )
        return max(1, ahead_and_self)

    def enroll(self, change: EnrollmentChange) -> None:
        enrollment = change.enrollment
        inst = change.actor.institution_id
        tx = Transaction()
        incomplete: dict[str, Exception] = {}
        for prerequisite in change.prerequisites:
            incomplete[prerequisite] = PrerequisitesNotMet(
                "The student has not completed every prerequisite."
            )
            progress_access.check_completed(
                tx, inst, enrollment.student_id, prerequisite, incomplete[prerequisite]
            )
        if enrollment.enrolled_by != enrollment.student_id:
            # Only active students of the institution are enrolled.
            refusal = NotAStudent(f"{enrollment.student_id!r} is not an active student.", field="student_id")
            user_access.check_active_student(tx, inst, enrollment.student_id, refusal)
        tx.put(
            _enrollment_item(inst, enrollment),
            EnrollmentItem.PK.does_not_exist() | (EnrollmentItem.status == EnrollmentStatus.DROPPED.value),
            AlreadyEnrolled(f"Student {enrollment.student_id!r} is already enrolled or waitlisted."),
        )
        if change.placement == Placement.WAITLIST:
            assert enrollment.waitlist_ticket is not None
            tx.put(
                _waitlist_item(inst, enrollment, enrollment.waitlist_ticket),
                WaitlistItem.PK.does_not_exist(),
                RosterChanged(),
            )
        _add_events(tx, change.events, change.actor)
        if change.idempotent and change.response:
            remember_answer(tx, inst, change.actor.user_id, change.idempotent, change.response)
        if change.consumes_entitlement:
            consume_entitlement(
                tx, inst, enrollment.course_id, enrollment.student_id, enrollment.requested_at.isoformat()
            )
        if change.capped:
            counter: Condition
            if change.placement == Placement.SEAT:
                action, counter = RosterItem.enrolled.add(1), RosterItem.enrolled < RosterItem.capacity
            else:
                action, counter = RosterItem.waitlisted.add(1), RosterItem.enrolled >= RosterItem.capacity
            tx.update(_roster_key(inst, enrollment.course_id), [action], counter, RosterChanged())
        try:
            tx.commit()
        except PrerequisitesNotMet:
            unmet = [prerequisite for prerequisite, refusal in incomplete.items() if refusal in tx.refused]
            raise PrerequisitesNotMet(
                f"Complete {', '.join(unmet)} first.", unmet=unmet, prerequisites=change.prerequisites
            ) from None

    def drop(self, change: DropChange) -> None:
        before = change.before
        inst = change.actor.institution_id
        pk = keys.course_pk(inst, before.course_id)
        now = change.after.dropped_at or clock.now()
        tx = Transaction()
        if before.waitlist_ticket is not None:
            tx.delete(
                WaitlistItem(pk, keys.waitlist_sk(before.waitlist_ticket)),
                WaitlistItem.PK.exists(),
                RosterChanged(),
            )
        tx.put(
            _enrollment_item(inst, change.after),
            (EnrollmentItem.status == before.status.value)
            & (EnrollmentItem.requested_at == _enrollment_item(inst, before).requested_at),
            RosterChanged(),
        )
        add_promotions(tx, inst, before.course_id, change.promote, now, RosterChanged())
        _add_events(tx, change.events, change.actor)
        if change.roster is not None:
            was_enrolled = before.status == EnrollmentStatus.ENROLLED
            seated = len(change.promote)
            enrolled = seated - (1 if was_enrolled else 0)
            waitlisted = -seated - (0 if was_enrolled else 1)
            actions: list[Action] = [RosterItem.enrolled.add(enrolled), RosterItem.waitlisted.add(waitlisted)]
            # The promotions were chosen from this waitlist and this capacity: both unchanged.
            tx.update(
                _roster_key(inst, before.course_id),
                actions,
                (RosterItem.waitlisted == change.roster.waitlisted)
                & (RosterItem.capacity == change.roster.capacity),
                RosterChanged(),
            )
        tx.commit()

    # ------------------------------------------------------------ lists

    def list_roster(
        self, course: Course, institution_id: str, query: RosterQuery
    ) -> tuple[list[Listed], str | None]:
        partition = keys.course_pk(institution_id, course.id)
        if query.status == EnrollmentStatus.WAITLISTED:
            start = decode_cursor(query.cursor, partition_attr="PK", partition=partition, numbers=_OFFSETS)
            return self._waitlist_page(course, partition, start, query.limit)
        start = decode_cursor(query.cursor, partition_attr="PK", partition=partition)
        results = EnrollmentItem.query(
            partition,
            EnrollmentItem.SK.startswith("ENROLLMENT#"),
            filter_condition=EnrollmentItem.status == query.status.value,
            last_evaluated_key=start,
            page_size=query.limit,
        )
        # Exactly one Query per page: a filtered page may hold fewer than `limit` items.
        page = next(results.page_iter)
        listed = [Listed(_enrollment(EnrollmentItem.from_raw_data(raw))) for raw in page.get("Items", [])]
        return listed, encode_cursor(page.get("LastEvaluatedKey"))

    def _waitlist_page(
        self, course: Course, partition: str, start: dict[str, Any] | None, limit: int
    ) -> tuple[list[Listed], str | None]:
        offset = int(start.pop(_OFFSET, {}).get("N", "0")) if start else 0
        page = next(
            WaitlistItem.query(
                partition,
                WaitlistItem.SK.startswith(keys.WAITLIST_PREFIX),
                last_evaluated_key=start,
                page_size=limit,
            ).page_iter
        )
        entries = [_entry(WaitlistItem.from_raw_data(raw)) for raw in page.get("Items", [])]
        listed = [
            Listed(
                Enrollment(
                    course_id=course.id,
                    student_id=e.student_id,
                    course_title=course.title,
                    status=EnrollmentStatus.WAITLISTED,
                    enrolled_by=e.enrolled_by,
                    requested_at=e.waitlisted_at,
                    waitlist_ticket=e.ticket,
                ),
                position=offset + index + 1,
            )
            for index, e in enumerate(entries)
        ]
        last = page.get("LastEvaluatedKey")
        if last:
            last = {**last, _OFFSET: {"N": str(offset + len(entries))}}
        return listed, encode_cursor(last)

    def list_for_student(
        self,
        institution_id: str,
        student_id: str,
        status: EnrollmentStatus | None,
        limit: int,
        cursor: str | None,
    ) -> tuple[list[Enrollment], str | None]:
        partition = keys.student_enrollments_pk(institution_id, student_id)
        start = decode_cursor(cursor, partition_attr="GSI1PK", partition=partition)
        results = EnrollmentItem.by_student.query(
            partition,
            filter_condition=None if status is None else EnrollmentItem.status == status.value,
            scan_index_forward=False,
            last_evaluated_key=start,
            page_size=limit,
        )
        page = next(results.page_iter)
        found = [_enrollment(EnrollmentItem.from_raw_data(raw)) for raw in page.get("Items", [])]
        return found, encode_cursor(page.get("LastEvaluatedKey"))
