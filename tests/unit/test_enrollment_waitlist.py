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
from lms.courses.enrollment.domain import (
    EnrollmentStatus,
    Roster,
)
from lms.courses.enrollment.errors import (
    AlreadyEnrolled,
    CapacityBelowEnrollment,
    CourseFull,
    EnrollmentNotFound,
)
from lms.courses.enrollment.service import (
    EnrollmentService,
)
from tests.support.domain import AT, a_course
from tests.support.fakes import InMemoryRoster

STUDENTS = [f"S{i}" for i in range(8)]


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
