"""Enrollment rules: who may enroll whom, when, and where a student lands; pure (no AWS, no HTTP).

A course with a capacity has a roster counter (capacity, enrolled, waitlisted). The service reads it
to decide, and the write is conditional on the invariant itself (`enrolled < capacity` for a seat),
so concurrent requests never overfill the course. Invariant kept by every change below: a student
waits only while the course is full (`waitlisted > 0` implies `enrolled >= capacity`), so a seat that
frees up goes to the head of the waitlist, never to a newcomer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from pydantic import ConfigDict

from lms.auth import Principal, Role
from lms.courses.domain import Course, CourseStatus, teaches
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
from lms.lazy_model import LazyModel

MAX_PROMOTIONS = 25
"""Promotions one change may make: each is three items of a transaction of at most 100."""


class EnrollmentStatus(StrEnum):
    ENROLLED = "enrolled"
    WAITLISTED = "waitlisted"
    DROPPED = "dropped"


class Enrollment(LazyModel):
    """A student's place in a course: a seat, a place on the waitlist, or a past one (dropped)."""

    model_config = ConfigDict(extra="forbid")

    course_id: str
    student_id: str
    course_title: str
    status: EnrollmentStatus
    enrolled_by: str
    requested_at: datetime
    enrolled_at: datetime | None = None
    via_waitlist: bool = False
    waitlist_ticket: str | None = None  # set while waitlisted: the waitlist's sort key
    dropped_at: datetime | None = None
    dropped_by: str | None = None


@dataclass(frozen=True)
class Roster:
    """The seat counter of a course with a capacity."""

    capacity: int
    enrolled: int = 0
    waitlisted: int = 0

    @property
    def seats_free(self) -> int:
        return max(0, self.capacity - self.enrolled)


@dataclass(frozen=True)
class WaitlistEntry:
    """One place on a waitlist, in first-come order of `ticket`."""

    ticket: str
    student_id: str
    enrolled_by: str
    waitlisted_at: datetime


class Placement(StrEnum):
    SEAT = "seat"
    WAITLIST = "waitlist"


# ---------------------------------------------------------------- who and when


def is_staff_of(principal: Principal, course: Course) -> bool:
    """Institution admins manage every roster; instructors the rosters of the courses they teach."""
    return principal.is_institution_admin or teaches(principal, course)


def enrollee(principal: Principal, student_id: str | None) -> str:
    """The student a request enrolls: students enroll themselves; staff name the student."""
    if student_id is None or student_id == principal.user_id:
        if Role.STUDENT not in principal.roles:
            raise Forbidden("Only students enroll themselves; staff name the student with student_id.")
        return principal.user_id
    if not principal.has_any({Role.INSTITUTION_ADMIN, Role.INSTRUCTOR}):
        raise Forbidden("Students enroll only themselves.", field="student_id")
    return student_id


def ensure_may_manage(principal: Principal, course: Course, student_id: str) -> None:
    """A student acts on their own enrollment; staff on the enrollments of courses they manage."""
    if student_id == principal.user_id and Role.STUDENT in principal.roles:
        return
    if not is_staff_of(principal, course):
        raise Forbidden("Only the course's instructors and institution admins manage other students.")


def ensure_open(course: Course, now: datetime) -> None:
    """A published course inside its enrollment window (either end may be open)."""
    if course.status != CourseStatus.PUBLISHED:
        raise CourseNotOpen(f"The course is {course.status}: only published courses take enrollments.")
    if course.enrollment_opens_at and now < course.enrollment_opens_at:
        raise EnrollmentNotYetOpen(
            "Enrollment has not opened yet.", opens_at=course.enrollment_opens_at.isoformat()
        )
    if course.enrollment_closes_at and now >= course.enrollment_closes_at:
        raise EnrollmentClosed("Enrollment has closed.", closed_at=course.enrollment_closes_at.isoformat())


# ---------------------------------------------------------------- seats and the waitlist


def place(roster: Roster | None, waitlist_enabled: bool) -> Placement:
    """Where a newcomer lands: a seat while one is free, else the waitlist if the course keeps one."""
    if roster is None or roster.enrolled < roster.capacity:
        return Placement.SEAT
    if waitlist_enabled:
        return Placement.WAITLIST
    raise CourseFull(f"All {roster.capacity} seats are taken.", capacity=roster.capacity)


def promotions_after_leaving(roster: Roster, was_enrolled: bool) -> int:
    """How many waitlisted students take a seat when one student leaves the roster or the waitlist."""
    enrolled = roster.enrolled - (1 if was_enrolled else 0)
    waiting = roster.waitlisted - (0 if was_enrolled else 1)
    return min(max(0, roster.capacity - enrolled), waiting, MAX_PROMOTIONS)


class RosterAction(StrEnum):
    CREATE = "create"
    SET_CAPACITY = "set-capacity"
    DELETE = "delete"


@dataclass(frozen=True)
class RosterPlan:
    """What a course change does to its roster counter; committed in the course's transaction."""

    action: RosterAction
    capacity: int | None
    seen: Roster | None = None  # the counter as read: the write is conditional on it
    promote: tuple[WaitlistEntry, ...] = field(default=())


def roster_for_new_course(course: Course) -> RosterPlan | None:
    """A course created with a capacity starts counting at zero; without one it keeps no counter."""
    if course.capacity is None:
        return None
    return RosterPlan(RosterAction.CREATE, course.capacity)


def promotions_for_capacity(roster: Roster, capacity: int) -> int:
    """How many waitlisted students a new capacity seats; refuses one below the enrolled count."""
    if capacity < roster.enrolled:
        raise CapacityBelowEnrollment(
            f"{roster.enrolled} students are enrolled; the capacity cannot be lower.",
            enrolled=roster.enrolled,
            field="capacity",
        )
    promotions = min(capacity - roster.enrolled, roster.waitlisted)
    if promotions > MAX_PROMOTIONS:
        raise TooManyPromotions(
            f"The new capacity would seat {promotions} waiting students; at most {MAX_PROMOTIONS} "
            "per change.",
            field="capacity",
        )
    return promotions


def plan_capacity_change(
    before: Course, after: Course, roster: Roster | None, head: list[WaitlistEntry]
) -> RosterPlan | None:
    """The counter change for a capacity edit; `head` is the front of the waitlist, oldest first.

    A draft has no enrollments, so its counter simply follows the capacity. Once published, a
    course without a capacity has no counter (its enrollments are not counted, so a launch-day
    course does not serialize on one item) and cannot gain one; a capacity can be removed only while
    no one waits.
    """
    if before.capacity == after.capacity:
        return None
    if after.capacity is None:
        if roster is not None and roster.waitlisted > 0:
            raise WaitlistNotEmpty(
                f"{roster.waitlisted} students are waiting; raise the capacity instead.",
                waitlisted=roster.waitlisted,
                field="capacity",
            )
        return RosterPlan(RosterAction.DELETE, None, seen=roster)
    if roster is None:
        if before.status != CourseStatus.DRAFT:
            raise CapacityLocked(
                "Set a capacity before publishing: a published course without one does not count its "
                "enrollments.",
                field="capacity",
            )
        return RosterPlan(RosterAction.CREATE, after.capacity)
    promotions = promotions_for_capacity(roster, after.capacity)
    return RosterPlan(
        RosterAction.SET_CAPACITY, after.capacity, seen=roster, promote=tuple(head[:promotions])
    )
