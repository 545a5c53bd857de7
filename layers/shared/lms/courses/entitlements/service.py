"""Granting entitlements: an institution admin gives a student access to a paid course."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Protocol

from lms import authz, clock
from lms.auth import Principal
from lms.courses import policy
from lms.courses.domain import Course, ensure_visible
from lms.courses.entitlements.errors import CourseIsFree
from lms.courses.errors import CourseNotFound
from lms.events import DomainEvent
from lms.events.courses import EntitlementGranted


class CourseReader(Protocol):
    def get_course(self, institution_id: str, course_id: str) -> Course | None: ...


class EntitlementRepository(Protocol):
    def grant(
        self,
        institution_id: str,
        course_id: str,
        student_id: str,
        actor: Principal,
        at: datetime,
        event: DomainEvent,
    ) -> None: ...


class EntitlementService:
    def __init__(
        self,
        repository: EntitlementRepository,
        courses: CourseReader,
        now: Callable[[], datetime] = clock.now,
    ) -> None:
        self._repo = repository
        self._courses = courses
        self._now = now

    def grant(self, principal: Principal, course_id: str, student_id: str) -> datetime:
        """Access to a paid course for one self-enrollment; returns when it was granted."""
        authz.authorize(principal, policy.GRANT_ENTITLEMENT)
        course = self._courses.get_course(principal.institution_id, course_id)
        if course is None:
            raise CourseNotFound(f"No course {course_id!r}.")
        ensure_visible(principal, course)
        if course.price is None:
            raise CourseIsFree("The course is free: students enroll without an entitlement.")
        at = self._now()
        event = EntitlementGranted(course_id=course_id, student_id=student_id, granted_by=principal.user_id)
        self._repo.grant(principal.institution_id, course_id, student_id, principal, at, event)
        return at
