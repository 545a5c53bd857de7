"""The waitlist under any sequence of enrollments, drops and capacity edits (property-based).

The real EnrollmentService and capacity planning run against an in-memory roster that applies each
change as the table does: all or nothing, and only when the change's conditions hold. A plain
reference model (a set of seats and a queue) says what the roster must look like after every step.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

from hypothesis import given, settings
from hypothesis import strategies as st

from lms.auth import Principal, Role
from lms.courses.domain import Course, CourseStatus
from lms.courses.enrollment import capacity as capacity_edits
from lms.courses.enrollment.domain import (
    Enrollment,
    EnrollmentStatus,
    Placement,
    Roster,
    RosterAction,
    RosterPlan,
    WaitlistEntry,
)
from lms.courses.enrollment.errors import (
    AlreadyEnrolled,
    CapacityBelowEnrollment,
    CourseFull,
    EnrollmentNotFound,
)
from lms.courses.enrollment.service import (
    DropChange,
    EnrollmentChange,
    EnrollmentService,
    Listed,
    RosterChanged,
    RosterQuery,
)
from lms.courses.enrollment.service import (
    EnrollmentStatus as Status,
)
from lms.idempotency import StoredResponse
from tests.support.domain import AT, a_course

STUDENTS = [f"S{i}" for i in range(8)]


@dataclass
class InMemoryRoster:
    """One course's roster items, changed all-or-nothing under the same conditions as the table's."""

    course: Course
    roster: Roster | None
    enrollments: dict[str, Enrollment] = field(default_factory=dict)
    waitlist: dict[str, WaitlistEntry] = field(default_factory=dict)  # by ticket

    def get_course(self, institution_id: str, course_id: str) -> Course | None:
        return self.course

    def get_roster(self, institution_id: str, course_id: str) -> Roster | None:
        return self.roster

    def waitlist_head(self, institution_id: str, course_id: str, count: int) -> list[WaitlistEntry]:
        return [self.waitlist[t] for t in sorted(self.waitlist)][:count]

    def waitlist_position(self, institution_id: str, course_id: str, ticket: str) -> int:
        return sorted(self.waitlist).index(ticket) + 1

    def get_enrollment(self, institution_id: str, course_id: str, student_id: str) -> Enrollment | None:
        return self.enrollments.get(student_id)

    def stored_response(self, institution_id: str, user_id: str, key: str) -> StoredResponse | None:
        return None

    def list_roster(
        self, course: Course, institution_id: str, query: RosterQuery
    ) -> tuple[list[Listed], str | None]:
        raise NotImplementedError

    def list_for_student(
        self, institution_id: str, student_id: str, status: Status | None, limit: int, cursor: str | None
    ) -> tuple[list[Enrollment], str | None]:
        raise NotImplementedError

    def enroll(self, change: EnrollmentChange) -> None:
        new = change.enrollment
        current = self.enrollments.get(new.student_id)
        if current is not None and current.status != EnrollmentStatus.DROPPED:
            raise AlreadyEnrolled("already")
        roster = self.roster
        if change.capped:
            assert roster is not None
            full = roster.enrolled >= roster.capacity
            if full != (change.placement == Placement.WAITLIST):
                raise RosterChanged
        self.enrollments[new.student_id] = new
        if change.placement == Placement.WAITLIST:
            assert new.waitlist_ticket is not None
            self.waitlist[new.waitlist_ticket] = WaitlistEntry(
                new.waitlist_ticket, new.student_id, new.enrolled_by, new.requested_at
            )
        if roster is not None:
            seat = change.placement == Placement.SEAT
            self.roster = Roster(roster.capacity, roster.enrolled + seat, roster.waitlisted + (not seat))

    def _promote(self, entries: list[WaitlistEntry] | tuple[WaitlistEntry, ...]) -> None:
        for entry in entries:
            current = self.enrollments[entry.student_id]
            assert entry.ticket in self.waitlist
            assert current.status == EnrollmentStatus.WAITLISTED
            del self.waitlist[entry.ticket]
            self.enrollments[entry.student_id] = current.model_copy(
                update={"status": EnrollmentStatus.ENROLLED, "waitlist_ticket": None, "via_waitlist": True}
            )

    def drop(self, change: DropChange) -> None:
        before, roster = change.before, self.roster
        if self.enrollments[before.student_id].status != before.status or roster != change.roster:
            raise RosterChanged
        if before.waitlist_ticket is not None:
            del self.waitlist[before.waitlist_ticket]
        self.enrollments[before.student_id] = change.after
        self._promote(change.promote)
        if roster is not None:
            was_enrolled = before.status == EnrollmentStatus.ENROLLED
            seated = len(change.promote)
            self.roster = Roster(
                roster.capacity,
                roster.enrolled - was_enrolled + seated,
                roster.waitlisted - (not was_enrolled) - seated,
            )

    def edit_capacity(self, capacity: int) -> None:
        after = self.course.model_copy(update={"capacity": capacity})
        plan = capacity_edits.plan_capacity_change(self, self.course, after)
        self.course = after
        if plan is not None:
            self.apply(plan)

    def apply(self, plan: RosterPlan) -> None:
        assert plan.action == RosterAction.SET_CAPACITY
        assert self.roster is not None
        assert plan.capacity is not None
        self._promote(plan.promote)
        seated = len(plan.promote)
        self.roster = Roster(plan.capacity, self.roster.enrolled + seated, self.roster.waitlisted - seated)


@dataclass
class Reference:
    """What the roster means: a set of seats and a first-come queue."""

    capacity: int
    seats: set[str] = field(default_factory=set)
    queue: list[str] = field(default_factory=list)

    def fill(self) -> list[str]:
        promoted = []
        while self.queue and len(self.seats) < self.capacity:
            promoted.append(self.queue.pop(0))
            self.seats.add(promoted[-1])
        return promoted


Step = tuple[str, int]
steps = st.lists(
    st.one_of(
        st.tuples(st.just("enroll"), st.integers(0, len(STUDENTS) - 1)),
        st.tuples(st.just("drop"), st.integers(0, len(STUDENTS) - 1)),
        st.tuples(st.just("capacity"), st.integers(1, 6)),
    ),
    max_size=40,
)


@settings(max_examples=150, deadline=None)
@given(st.integers(1, 4), st.booleans(), steps)
def test_the_roster_matches_seats_and_a_first_come_queue_after_every_step(
    capacity: int, waitlist_enabled: bool, plan: list[Step]
) -> None:
    course: Course = a_course(
        status=CourseStatus.PUBLISHED, capacity=capacity, waitlist_enabled=waitlist_enabled
    )
    store = InMemoryRoster(course, Roster(capacity))
    tickets = itertools.count()
    service = EnrollmentService(
        store, store, now=lambda: AT, new_id=lambda: f"{next(tickets):010d}", pause=lambda _: None
    )
    model = Reference(capacity)
    for action, value in plan:
        if action == "enroll":
            student = STUDENTS[value]
            me = Principal(student, "I1", frozenset({Role.STUDENT}))
            known = student in model.seats or student in model.queue
            full = len(model.seats) >= model.capacity
            try:
                enrollment, position = service.enroll(me, course.id, None)
            except AlreadyEnrolled:
                assert known
            except CourseFull:
                assert full
                assert not waitlist_enabled
                assert not known
            else:
                assert not known
                if full:
                    model.queue.append(student)
                    assert enrollment.status == EnrollmentStatus.WAITLISTED
                    assert position == len(model.queue)
                else:
                    model.seats.add(student)
        elif action == "drop":
            student = STUDENTS[value]
            me = Principal(student, "I1", frozenset({Role.STUDENT}))
            try:
                service.drop(me, course.id, student)
            except EnrollmentNotFound:
                assert student not in model.seats
                assert student not in model.queue
            else:
                model.seats.discard(student)
                if student in model.queue:
                    model.queue.remove(student)
                promoted = model.fill()
                # FIFO: the seat goes to whoever has waited longest.
                assert [s for s in promoted if store.enrollments[s].via_waitlist] == promoted
        else:
            try:
                store.edit_capacity(value)
            except CapacityBelowEnrollment:
                assert value < len(model.seats)
            else:
                model.capacity = value
                model.fill()
        roster = store.roster
        assert roster is not None
        assert roster.enrolled == len(model.seats) <= roster.capacity == model.capacity
        assert roster.waitlisted == len(model.queue) == len(store.waitlist)
        on_roster = {s for s, e in store.enrollments.items() if e.status == EnrollmentStatus.ENROLLED}
        assert on_roster == model.seats
        assert [store.waitlist[t].student_id for t in sorted(store.waitlist)] == model.queue
        if model.queue:
            assert roster.enrolled >= roster.capacity
