"""Receiving a store's order messages: a paid order grants an entitlement, a refund revokes it.

No person is signed in: the request's signature made with the institution's key is checked before
this runs (lms.courses.commerce.signing), and the institution comes from that key's path.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Protocol

from lms import clock
from lms.auth import Principal
from lms.courses.commerce.errors import OrderConflict, OrderNotFound, OrderStudentNotFound
from lms.courses.commerce.repository import Order
from lms.courses.commerce.schemas import OrderMessage, OrderStatus, OrderView
from lms.courses.domain import Course
from lms.courses.entitlements.errors import CourseIsFree
from lms.courses.errors import CourseNotFound
from lms.events import DomainEvent
from lms.events.courses import EntitlementGranted, EntitlementRevoked
from lms.idempotency import IdempotentRequest, Replay, StoredResponse

COMMERCE_ACTOR = "commerce"
"""The actor of the events a store's orders cause, and the `granted_by` of their entitlements."""


class OrderRepository(Protocol):
    def get(self, institution_id: str, order_id: str) -> Order | None: ...
    def record_paid(
        self,
        institution_id: str,
        order: Order,
        at: datetime,
        event: DomainEvent,
        actor: Principal,
        received_meanwhile: Callable[[Order], Exception],
    ) -> None: ...
    def record_revoked(
        self,
        institution_id: str,
        order: Order,
        answer: StoredResponse,
        at: datetime,
        event: DomainEvent,
        actor: Principal,
    ) -> None: ...


class CourseReader(Protocol):
    def get_course(self, institution_id: str, course_id: str) -> Course | None: ...


FindStudent = Callable[[str, str | None, str | None], str | None]
"""(institution, user id, e-mail) -> the active student's id, or None (lms.courses.user_access)."""


class CommerceService:
    def __init__(
        self,
        orders: OrderRepository,
        courses: CourseReader,
        find_student: FindStudent,
        now: Callable[[], datetime] = clock.now,
    ) -> None:
        self._orders = orders
        self._courses = courses
        self._find_student = find_student
        self._now = now

    def receive(self, institution_id: str, message: OrderMessage) -> OrderView:
        """Act on one message; one already received is answered as the first time (Replay)."""
        request = IdempotentRequest.of(message.order_id, message.model_dump(mode="json"))
        assert request is not None
        actor = Principal(user_id=COMMERCE_ACTOR, institution_id=institution_id, roles=frozenset())
        order = self._orders.get(institution_id, message.order_id)
        if message.revokes:
            return self._revoke(actor, message, request, order)
        return self._grant(actor, message, request, order)

    def _grant(
        self, actor: Principal, message: OrderMessage, request: IdempotentRequest, order: Order | None
    ) -> OrderView:
        institution_id = actor.institution_id
        if order is not None:
            raise _answer_to(order.paid, request, message.order_id)
        course = self._courses.get_course(institution_id, message.course_id)
        if course is None:
            raise CourseNotFound(f"The institution has no course {message.course_id!r}.")
        if course.price is None:
            raise CourseIsFree("The course is free: students enroll without buying access.")
        student_id = self._find_student(institution_id, message.user_id, message.email)
        if student_id is None:
            raise OrderStudentNotFound("The order names no active student of the institution.")
        at = self._now()
        view = OrderView(
            order_id=message.order_id,
            course_id=message.course_id,
            student_id=student_id,
            status="granted",
            received_at=at,
        )
        paid = Order(
            order_id=message.order_id,
            course_id=message.course_id,
            student_id=student_id,
            paid=StoredResponse(request.fingerprint, 201, view.model_dump_json()),
        )
        event = EntitlementGranted(
            course_id=message.course_id,
            student_id=student_id,
            granted_by=COMMERCE_ACTOR,
            origin="commerce",
            order_id=message.order_id,
        )
        # A concurrent delivery of the same order committed first: answer as it was answered.
        self._orders.record_paid(
            institution_id,
            paid,
            at,
            event,
            actor,
            lambda first: _answer_to(first.paid, request, first.order_id),
        )
        return view

    def _revoke(
        self, actor: Principal, message: OrderMessage, request: IdempotentRequest, order: Order | None
    ) -> OrderView:
        if order is None:
            raise OrderNotFound(f"No paid order {message.order_id!r} was received: nothing to revoke.")
        if order.revoked is not None:
            raise _answer_to(order.revoked, request, message.order_id)
        if message.course_id != order.course_id or message.user_id not in (None, order.student_id):
            raise OrderConflict(
                f"Order {message.order_id!r} was paid for another course or student than this message names."
            )
        at = self._now()
        view = OrderView(
            order_id=order.order_id,
            course_id=order.course_id,
            student_id=order.student_id,
            status="revoked",
            received_at=at,
        )
        answer = StoredResponse(request.fingerprint, 200, view.model_dump_json())
        event = EntitlementRevoked(
            course_id=order.course_id,
            student_id=order.student_id,
            order_id=order.order_id,
            reason="refunded" if message.status == OrderStatus.REFUNDED else "cancelled",
        )
        self._orders.record_revoked(actor.institution_id, order, answer, at, event, actor)
        return view


def _answer_to(stored: StoredResponse, request: IdempotentRequest, order_id: str) -> Exception:
    """The same message again gets the first answer; other contents under the same order id, a 409."""
    if stored.fingerprint == request.fingerprint:
        return Replay(stored)
    return OrderConflict(f"Order {order_id!r} was received before with other contents.")
