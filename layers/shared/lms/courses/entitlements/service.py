"""Granting entitlements: an institution admin gives a student access to a paid course."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Protocol

from lms import authz, clock, idempotency
from lms.auth import Principal
from lms.courses import policy
from lms.courses.domain import Course, ensure_visible
from lms.courses.entitlements.errors import CourseIsFree
from lms.courses.entitlements.schemas import EntitlementView
from lms.courses.errors import CourseNotFound
from lms.events import DomainEvent
from lms.events.courses import EntitlementGranted
from lms.idempotency import IdempotentRequest, StoredResponse


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
        answer: tuple[IdempotentRequest, StoredResponse] | None = None,
    ) -> None: ...
    def stored_response(self, institution_id: str, user_id: str, key: str) -> StoredResponse | None: ...


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

    def grant(
        self, principal: Principal, course_id: str, student_id: str, request: IdempotentRequest | None = None
    ) -> EntitlementView:
        """Access to a paid course for one self-enrollment (with an Idempotency-Key, a retry gets the
        first answer)."""
        authz.authorize(principal, policy.GRANT_ENTITLEMENT)
        self._replay_if_seen(principal, request)
        course = self._courses.get_course(principal.institution_id, course_id)
        if course is None:
            raise CourseNotFound(f"No course {course_id!r}.")
        ensure_visible(principal, course)
        if course.price is None:
            raise CourseIsFree("The course is free: students enroll without an entitlement.")
        at = self._now()
        view = EntitlementView(course_id=course_id, student_id=student_id, status="granted", granted_at=at)
        event = EntitlementGranted(course_id=course_id, student_id=student_id, granted_by=principal.user_id)
        answer = None
        if request is not None:
            answer = (request, StoredResponse(request.fingerprint, 201, view.model_dump_json()))
        self._repo.grant(principal.institution_id, course_id, student_id, principal, at, event, answer)
        return view

    def _replay_if_seen(self, principal: Principal, request: IdempotentRequest | None) -> None:
        if request is not None:
            stored = self._repo.stored_response(principal.institution_id, principal.user_id, request.key)
            idempotency.replay(stored, request)
