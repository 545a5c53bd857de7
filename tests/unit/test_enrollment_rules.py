"""Enrollment rules: who enrolls whom, the open window, seats, the waitlist and capacity edits."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lms.auth import Principal, Role
from lms.courses.domain import CourseStatus
from lms.courses.enrollment import domain
from lms.courses.enrollment.domain import Placement, Roster, RosterAction, WaitlistEntry
from lms.courses.enrollment.errors import (
    CapacityBelowEnrollment,
    CapacityLocked,
    CourseFull,
    CourseNotOpen,
    EnrollmentClosed,
    EnrollmentNotYetOpen,
    TooManyPromotions,
    WaitlistNotEmpty,
)
from lms.errors import Forbidden
from tests.support.domain import AT, a_course


def who(user_id: str, *roles: Role) -> Principal:
    return Principal(user_id=user_id, institution_id="I1", roles=frozenset(roles))


STUDENT = who("S1", Role.STUDENT)
TEACHER = who("T1", Role.INSTRUCTOR)
ADMIN = who("A1", Role.INSTITUTION_ADMIN)


def waiting(*students: str) -> list[WaitlistEntry]:
    return [WaitlistEntry(f"{i:04d}", s, s, AT) for i, s in enumerate(students)]


def test_students_enroll_themselves_and_staff_name_the_student() -> None:
    assert domain.enrollee(STUDENT, None) == "S1"
    assert domain.enrollee(STUDENT, "S1") == "S1"
    assert domain.enrollee(TEACHER, "S2") == "S2"
    assert domain.enrollee(ADMIN, "S2") == "S2"
    with pytest.raises(Forbidden):
        domain.enrollee(STUDENT, "S2")
    with pytest.raises(Forbidden):
        domain.enrollee(TEACHER, None)


def test_staff_manage_only_the_rosters_of_courses_they_run() -> None:
    course = a_course(instructor_ids=["T1"])
    domain.ensure_may_manage(TEACHER, course, "S9")
    domain.ensure_may_manage(ADMIN, course, "S9")
    domain.ensure_may_manage(STUDENT, course, "S1")
    with pytest.raises(Forbidden):
        domain.ensure_may_manage(STUDENT, course, "S2")
    with pytest.raises(Forbidden):
        domain.ensure_may_manage(who("T2", Role.INSTRUCTOR), course, "S1")


def test_only_a_published_course_inside_its_window_is_open() -> None:
    domain.ensure_open(a_course(status=CourseStatus.PUBLISHED), AT)
    for status in (CourseStatus.DRAFT, CourseStatus.ARCHIVED):
        with pytest.raises(CourseNotOpen):
            domain.ensure_open(a_course(status=status), AT)
    window = a_course(
        status=CourseStatus.PUBLISHED,
        enrollment_opens_at=AT,
        enrollment_closes_at=AT + timedelta(days=1),
    )
    with pytest.raises(EnrollmentNotYetOpen):
        domain.ensure_open(window, AT - timedelta(seconds=1))
    domain.ensure_open(window, AT)
    with pytest.raises(EnrollmentClosed):
        domain.ensure_open(window, AT + timedelta(days=1))


def test_a_newcomer_gets_a_seat_while_one_is_free_else_waits_or_is_refused() -> None:
    assert domain.place(None, waitlist_enabled=False) == Placement.SEAT
    assert domain.place(Roster(capacity=2, enrolled=1), waitlist_enabled=False) == Placement.SEAT
    assert domain.place(Roster(capacity=2, enrolled=2), waitlist_enabled=True) == Placement.WAITLIST
    with pytest.raises(CourseFull):
        domain.place(Roster(capacity=2, enrolled=2), waitlist_enabled=False)


@given(st.integers(1, 50), st.integers(0, 50), st.integers(0, 50), st.booleans())
def test_a_leaver_frees_at_most_their_own_seat_for_the_waitlist(
    capacity: int, enrolled: int, waitlisted: int, was_enrolled: bool
) -> None:
    enrolled = min(enrolled, capacity)
    if waitlisted:
        enrolled = capacity  # the invariant: students wait only while the course is full
    if (was_enrolled and enrolled == 0) or (not was_enrolled and waitlisted == 0):
        return
    roster = Roster(capacity, enrolled, waitlisted)
    promoted = domain.promotions_after_leaving(roster, was_enrolled)
    assert promoted == (min(1, waitlisted) if was_enrolled else 0)


def test_a_new_course_counts_seats_only_when_it_has_a_capacity() -> None:
    assert domain.roster_for_new_course(a_course()) is None
    plan = domain.roster_for_new_course(a_course(capacity=30))
    assert plan is not None
    assert (plan.action, plan.capacity) == (RosterAction.CREATE, 30)


def test_raising_the_capacity_seats_the_head_of_the_waitlist() -> None:
    before = a_course(status=CourseStatus.PUBLISHED, capacity=2)
    plan = domain.plan_capacity_change(
        before, before.model_copy(update={"capacity": 4}), Roster(2, 2, 3), waiting("S3", "S4", "S5")
    )
    assert plan is not None
    assert plan.action == RosterAction.SET_CAPACITY
    assert [e.student_id for e in plan.promote] == ["S3", "S4"]


def test_capacity_edits_that_would_break_the_roster_are_refused() -> None:
    published = a_course(status=CourseStatus.PUBLISHED, capacity=5)
    with pytest.raises(CapacityBelowEnrollment):
        domain.plan_capacity_change(published, published.model_copy(update={"capacity": 3}), Roster(5, 4), [])
    with pytest.raises(WaitlistNotEmpty):
        domain.plan_capacity_change(
            published, published.model_copy(update={"capacity": None}), Roster(5, 5, 1), []
        )
    uncapped = a_course(status=CourseStatus.PUBLISHED)
    with pytest.raises(CapacityLocked):
        domain.plan_capacity_change(uncapped, uncapped.model_copy(update={"capacity": 10}), None, [])
    crowded = Roster(5, 5, domain.MAX_PROMOTIONS + 1)
    with pytest.raises(TooManyPromotions):
        domain.plan_capacity_change(published, published.model_copy(update={"capacity": 100}), crowded, [])


def test_a_draft_s_counter_follows_its_capacity_freely() -> None:
    draft = a_course(capacity=None)
    plan = domain.plan_capacity_change(draft, draft.model_copy(update={"capacity": 10}), None, [])
    assert plan is not None
    assert plan.action == RosterAction.CREATE
    capped = a_course(capacity=10)
    plan = domain.plan_capacity_change(capped, capped.model_copy(update={"capacity": None}), Roster(10), [])
    assert plan is not None
    assert plan.action == RosterAction.DELETE
    assert domain.plan_capacity_change(capped, capped, Roster(10), []) is None
