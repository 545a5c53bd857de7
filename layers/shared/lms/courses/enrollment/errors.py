"""Refusals of enrollment, one problem type each."""

from __future__ import annotations

from lms.errors import Conflict, NotFound, Problem


class CourseNotOpen(Conflict):
    """Only published courses take enrollments (drafts are not ready, archived courses are closed)."""

    slug = "course-not-open"
    title = "The course does not take enrollments"


class EnrollmentNotYetOpen(Conflict):
    """Enrollment opens at the course's `enrollment_opens_at` (named as `opens_at`)."""

    slug = "enrollment-not-yet-open"
    title = "Enrollment has not opened yet"


class EnrollmentClosed(Conflict):
    """Enrollment closed at the course's `enrollment_closes_at` (named as `closed_at`)."""

    slug = "enrollment-closed"
    title = "Enrollment has closed"


class PrerequisitesNotMet(Conflict):
    """The student has not completed every prerequisite course; `unmet` lists the missing ones."""

    slug = "prerequisites-not-met"
    title = "The student has not completed the course's prerequisites"


class AlreadyEnrolled(Conflict):
    """The student already holds a seat or a place on the waitlist of this course."""

    slug = "already-enrolled"
    title = "The student is already enrolled or waitlisted"


class CourseFull(Conflict):
    """Every seat is taken and the course keeps no waitlist (`capacity` names the seats)."""

    slug = "course-full"
    title = "The course is full"


class RosterBusy(Conflict):
    """Many changes to this course's roster arrived at once and this one kept losing; retry."""

    slug = "roster-busy"
    title = "The roster is changing too fast; retry"


class EnrollmentNotFound(NotFound):
    """The student is not on the course's roster or waitlist."""

    slug = "enrollment-not-found"
    title = "Enrollment not found"


class CapacityLocked(Conflict):
    """A published course without a capacity cannot gain one: its enrollments are not counted."""

    slug = "capacity-locked"
    title = "The course's capacity can only be set before publication"


class CapacityBelowEnrollment(Conflict):
    """The capacity cannot drop below the students enrolled now (`enrolled`)."""

    slug = "capacity-below-enrollment"
    title = "More students are enrolled than the new capacity"


class WaitlistNotEmpty(Conflict):
    """Removing the capacity would leave waitlisted students waiting for no seat; raise it instead."""

    slug = "waitlist-not-empty"
    title = "Students are waiting for a seat"


class TooManyPromotions(Conflict):
    """One change promotes at most 25 waitlisted students; raise the capacity in smaller steps."""

    slug = "too-many-promotions"
    title = "The change would promote too many waitlisted students at once"


class NotAStudent(Problem):
    """Staff enroll students: the account named by `student_id` has another role or is suspended."""

    status = 422
    slug = "not-a-student"
    title = "The account is not an active student of your institution"
