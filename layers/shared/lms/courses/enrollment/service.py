"""Use cases of enrollment: enroll, drop, rosters; authorize, apply the rules, commit with events."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from lms import authz, clock, idempotency, ids
from lms.auth import Principal
from lms.courses import policy
from lms.courses.domain import Course, ensure_visible
from lms.courses.enrollment import domain
from lms.courses.enrollment.capacity import promotion_events
from lms.courses.enrollment.domain import Enrollment, EnrollmentStatus, Placement, Roster, WaitlistEntry
from lms.courses.enrollment.errors import AlreadyEnrolled, CourseFull, EnrollmentNotFound, RosterBusy
from lms.courses.enrollment.schemas import EnrollmentView
from lms.courses.errors import CourseNotFound
from lms.errors import Forbidden
from lms.events import DomainEvent
from lms.events.courses import StudentDropped, StudentEnrolled, StudentWaitlisted
from lms.idempotency import IdempotentRequest, StoredResponse

MAX_ATTEMPTS = 8
"""Attempts at a roster change that keeps meeting concurrent changes before answering roster-busy."""


class RosterChanged(Exception):
    """The roster changed between the read and the conditional write: read again and retry."""


@dataclass
class EnrollmentChange:
    """A new enrollment (a seat or a place on the waitlist), committed in one transaction."""

    enrollment: Enrollment
    placement: Placement
    capped: bool
    prerequisites: list[str]
    actor: Principal
    events: list[DomainEvent]
    idempotent: IdempotentRequest | None = None
    response: StoredResponse | None = None
    consumes_entitlement: bool = False  # a student enrolling themself in a paid course


@dataclass
class DropChange:
    """A student leaving the roster or the waitlist, with the promotions it makes."""

    before: Enrollment
    after: Enrollment
    roster: Roster | None  # as read; the counter write is conditional on it
    promote: list[WaitlistEntry]
    actor: Principal
    events: list[DomainEvent] = field(default_factory=list)


@dataclass(frozen=True)
class RosterQuery:
    status: EnrollmentStatus = EnrollmentStatus.ENROLLED
    limit: int = 20
    cursor: str | None = None


@dataclass(frozen=True)
class Listed:
    """An enrollment of a list, with its waitlist position where the list knows it."""

    enrollment: Enrollment
    position: int | None = None


@dataclass(frozen=True)
class Standing:
    """A course with one student's enrollment and its seat counter, read together in one request."""

    course: Course | None
    enrollment: Enrollment | None = None
    roster: Roster | None = None  # exists while the course has a capacity
    answer: StoredResponse | None = None  # the first answer to the caller's Idempotency-Key


class CourseReader(Protocol):
    def get_course(self, institution_id: str, course_id: str) -> Course | None: ...
    def get_standing(
        self, institution_id: str, course_id: str, student_id: str, answer_to: tuple[str, str] | None = None
    ) -> Standing: ...


class EnrollmentRepository(Protocol):
    def waitlist_head(self, institution_id: str, course_id: str, count: int) -> list[WaitlistEntry]: ...
    def waitlist_position(self, institution_id: str, course_id: str, ticket: str) -> int: ...
    def enroll(self, change: EnrollmentChange) -> None: ...
    def drop(self, change: DropChange) -> None: ...
    def list_roster(
        self, course: Course, institution_id: str, query: RosterQuery
    ) -> tuple[list[Listed], str | None]: ...
    def list_for_student(
        self,
        institution_id: str,
        student_id: str,
        status: EnrollmentStatus | None,
        limit: int,
        cursor: str | None,
    ) -> tuple[list[Enrollment], str | None]: ...


class EnrollmentService:
    def __init__(
        self,
        repository: EnrollmentRepository,
        courses: CourseReader,
        now: Callable[[], datetime] = clock.now,
        new_id: Callable[[], str] = ids.new_id,
        pause: Callable[[int], None] | None = None,
    ) -> None:
        self._repo = repository
        self._courses = courses
        self._now = now
        self._new_id = new_id
        self._pause = pause or _backoff

    def _standing(
        self, principal: Principal, course_id: str, student_id: str, request: IdempotentRequest | None = None
    ) -> tuple[Course, Standing]:
        """The visible course with the student's enrollment and the seat counter, one read.

        With an Idempotency-Key the first answer is read too, and replayed before any rule runs.
        The enrollment and the counter are used only once the course let the caller in."""
        answer_to = (principal.user_id, request.key) if request is not None else None
        standing = self._courses.get_standing(principal.institution_id, course_id, student_id, answer_to)
        if request is not None:
            idempotency.replay(standing.answer, request)
        if standing.course is None:
            raise CourseNotFound(f"No course {course_id!r}.")
        ensure_visible(principal, standing.course)
        return standing.course, standing

    def _retrying(
        self,
        principal: Principal,
        course: Course,
        student_id: str,
        first: Standing,
        attempt: Callable[[Standing], Enrollment],
    ) -> Enrollment:
        """Run a read-decide-write attempt again, on a new read, while concurrent roster changes beat it."""
        standing = first
        for number in range(MAX_ATTEMPTS):
            if number:
                standing = self._courses.get_standing(principal.institution_id, course.id, student_id)
            try:
                return attempt(standing)
            except RosterChanged:
                self._pause(number)
        raise RosterBusy("Many roster changes arrived at once; retry the request.")

    # ------------------------------------------------------------ enroll

    def enroll(
        self,
        principal: Principal,
        course_id: str,
        student_id: str | None,
        request: IdempotentRequest | None = None,
    ) -> tuple[Enrollment, int | None]:
        """Give the student a seat, or a place on the waitlist; returns the waitlist position if any."""
        authz.authorize(principal, policy.ENROLL_STUDENT)
        # The student `domain.enrollee` names when it lets the request through.
        course, standing = self._standing(principal, course_id, student_id or principal.user_id, request)
        student = domain.enrollee(principal, student_id)
        if student != principal.user_id and not domain.is_staff_of(principal, course):
            raise Forbidden("Only the course's instructors and institution admins enroll other students.")
        domain.ensure_open(course, self._now())
        enrollment = self._retrying(
            principal,
            course,
            student,
            standing,
            lambda now: self._enroll_once(principal, course, student, now, request),
        )
        position = None
        if enrollment.waitlist_ticket is not None:
            position = self._repo.waitlist_position(
                principal.institution_id, course.id, enrollment.waitlist_ticket
            )
        return enrollment, position

    def _enroll_once(
        self,
        principal: Principal,
        course: Course,
        student_id: str,
        standing: Standing,
        request: IdempotentRequest | None,
    ) -> Enrollment:
        capped = course.capacity is not None
        roster = standing.roster if capped else None
        try:
            placement = domain.place(roster, course.waitlist_enabled)
        except CourseFull:
            # A student already on the roster hears that, not that the course is full.
            current = standing.enrollment
            if current is not None and current.status != EnrollmentStatus.DROPPED:
                raise AlreadyEnrolled(f"Student {student_id!r} is already {current.status}.") from None
            raise
        at = self._now()
        base = Enrollment(
            course_id=course.id,
            student_id=student_id,
            course_title=course.title,
            status=EnrollmentStatus.ENROLLED,
            enrolled_by=principal.user_id,
            requested_at=at,
        )
        event: DomainEvent
        if placement == Placement.SEAT:
            enrollment = base.model_copy(update={"enrolled_at": at})
            event = StudentEnrolled(course_id=course.id, student_id=student_id, enrolled_by=principal.user_id)
        else:
            assert roster is not None
            enrollment = base.model_copy(
                update={"status": EnrollmentStatus.WAITLISTED, "waitlist_ticket": self._new_id()}
            )
            # The place as counted at the read; the answer recounts after the commit.
            event = StudentWaitlisted(
                course_id=course.id, student_id=student_id, position=roster.waitlisted + 1
            )
        change = EnrollmentChange(
            enrollment=enrollment,
            placement=placement,
            capped=capped,
            prerequisites=course.prerequisites,
            actor=principal,
            consumes_entitlement=course.price is not None and student_id == principal.user_id,
            events=[event],
        )
        if request is not None:
            change.idempotent = request
            # A waitlisted retry answers with the place counted at the first request.
            view = EnrollmentView.of(enrollment, None if roster is None else roster.waitlisted + 1)
            change.response = StoredResponse(request.fingerprint, 201, view.model_dump_json())
        self._repo.enroll(change)
        return enrollment

    # ------------------------------------------------------------ drop

    def drop(self, principal: Principal, course_id: str, student_id: str) -> Enrollment:
        authz.authorize(principal, policy.DROP_ENROLLMENT)
        course, standing = self._standing(principal, course_id, student_id)
        domain.ensure_may_manage(principal, course, student_id)
        return self._retrying(
            principal,
            course,
            student_id,
            standing,
            lambda now: self._drop_once(principal, course, student_id, now),
        )

    def _drop_once(
        self, principal: Principal, course: Course, student_id: str, standing: Standing
    ) -> Enrollment:
        inst = principal.institution_id
        before = standing.enrollment
        if before is None or before.status == EnrollmentStatus.DROPPED:
            raise EnrollmentNotFound(f"Student {student_id!r} is not on this course's roster or waitlist.")
        was_enrolled = before.status == EnrollmentStatus.ENROLLED
        roster = standing.roster if course.capacity is not None else None
        promote: list[WaitlistEntry] = []
        if roster is not None:
            count = domain.promotions_after_leaving(roster, was_enrolled)
            if count:
                head = self._repo.waitlist_head(inst, course.id, count + 1)
                promote = [e for e in head if e.student_id != student_id][:count]
        after = before.model_copy(
            update={
                "status": EnrollmentStatus.DROPPED,
                "waitlist_ticket": None,
                "dropped_at": self._now(),
                "dropped_by": principal.user_id,
            }
        )
        dropped = StudentDropped(
            course_id=course.id,
            student_id=student_id,
            dropped_by=principal.user_id,
            was_waitlisted=not was_enrolled,
        )
        change = DropChange(
            before=before,
            after=after,
            roster=roster,
            promote=promote,
            actor=principal,
            events=[dropped, *promotion_events(promote, course.id)],
        )
        self._repo.drop(change)
        return after

    # ------------------------------------------------------------ reads

    def get_enrollment(
        self, principal: Principal, course_id: str, student_id: str
    ) -> tuple[Enrollment, int | None]:
        authz.authorize(principal, policy.GET_ENROLLMENT)
        course, standing = self._standing(principal, course_id, student_id)
        domain.ensure_may_manage(principal, course, student_id)
        enrollment = standing.enrollment
        if enrollment is None:
            raise EnrollmentNotFound(f"Student {student_id!r} has never been on this course's roster.")
        position = None
        if enrollment.waitlist_ticket is not None:
            position = self._repo.waitlist_position(
                principal.institution_id, course.id, enrollment.waitlist_ticket
            )
        return enrollment, position

    def list_roster(
        self, principal: Principal, course_id: str, query: RosterQuery
    ) -> tuple[list[Listed], str | None]:
        authz.authorize(principal, policy.LIST_ENROLLMENTS)
        course = self._courses.get_course(principal.institution_id, course_id)
        if course is None:
            raise CourseNotFound(f"No course {course_id!r}.")
        ensure_visible(principal, course)
        if not domain.is_staff_of(principal, course):
            raise Forbidden("Only the course's instructors and institution admins read its roster.")
        return self._repo.list_roster(course, principal.institution_id, query)

    def list_mine(
        self, principal: Principal, status: EnrollmentStatus | None, limit: int, cursor: str | None
    ) -> tuple[list[Enrollment], str | None]:
        authz.authorize(principal, policy.LIST_MY_ENROLLMENTS)
        return self._repo.list_for_student(principal.institution_id, principal.user_id, status, limit, cursor)


def _backoff(attempt: int) -> None:
    # Full jitter: spreads the retries of requests that lost to each other.
    time.sleep(random.uniform(0, 0.005 * 2**attempt))  # noqa: S311 - not cryptographic
