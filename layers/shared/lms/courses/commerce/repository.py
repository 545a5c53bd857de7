"""Commerce orders in the single table: `INST#i#ORDER#<order id>` / `ORDER` (docs/data-model.md).

The order item is the store's idempotency record: it holds the fingerprint and the answer of the
paid message, then of the refund or cancellation, each written in the transaction of the change it
answers, so a retry finds the answer exactly when the change happened.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pynamodb.attributes import UnicodeAttribute

from lms import keys
from lms.auth import Principal
from lms.courses.commerce.errors import EntitlementConsumed
from lms.courses.entitlements.repository import (
    GRANTED,
    EntitlementItem,
    entitlement_item,
    grant_entitlement,
)
from lms.courses.errors import ConcurrentModification
from lms.events import DomainEvent
from lms.idempotency import StoredResponse
from lms.persistence.outbox import outbox_item
from lms.persistence.table import GSI1, Item
from lms.persistence.transactions import Transaction

ORDER_ENTITY = "commerce-order"
REVOKED = "revoked"


class OrderItem(Item):
    GSI1PK = UnicodeAttribute()  # the student's orders (privacy)
    GSI1SK = UnicodeAttribute()
    by_student = GSI1()

    order_id = UnicodeAttribute()
    course_id = UnicodeAttribute()
    student_id = UnicodeAttribute()
    status = UnicodeAttribute()  # granted, then revoked by a refund or cancellation
    received_at = UnicodeAttribute()
    paid_fingerprint = UnicodeAttribute()
    paid_answer = UnicodeAttribute()  # the answer's JSON
    revoked_at = UnicodeAttribute(null=True)
    revoked_fingerprint = UnicodeAttribute(null=True)
    revoked_answer = UnicodeAttribute(null=True)


@dataclass(frozen=True)
class Order:
    """An order as received: whose, for which course, and the answers already given about it."""

    order_id: str
    course_id: str
    student_id: str
    paid: StoredResponse
    revoked: StoredResponse | None = None


def _order(item: OrderItem) -> Order:
    revoked = None
    if item.revoked_fingerprint is not None and item.revoked_answer is not None:
        revoked = StoredResponse(item.revoked_fingerprint, 200, item.revoked_answer)
    return Order(
        order_id=item.order_id,
        course_id=item.course_id,
        student_id=item.student_id,
        paid=StoredResponse(item.paid_fingerprint, 201, item.paid_answer),
        revoked=revoked,
    )


class DynamoOrderRepository:
    def get(self, institution_id: str, order_id: str) -> Order | None:
        try:
            item = OrderItem.get(keys.order_pk(institution_id, order_id), keys.ORDER_SK, consistent_read=True)
        except OrderItem.DoesNotExist:
            return None
        return _order(item)

    def record_paid(
        self,
        institution_id: str,
        order: Order,
        at: datetime,
        event: DomainEvent,
        actor: Principal,
        received_meanwhile: Callable[[Order], Exception],
    ) -> None:
        """The order, its entitlement and its event in one transaction. An order received meanwhile
        comes back with the refusal: `received_meanwhile(it)` is raised, with no read."""

        def answer(stored: dict[str, Any]) -> Exception:
            return received_meanwhile(_order(OrderItem.from_raw_data(stored)))

        tx = Transaction()
        tx.claim(
            OrderItem(
                keys.order_pk(institution_id, order.order_id),
                keys.ORDER_SK,
                entity=ORDER_ENTITY,
                GSI1PK=keys.student_orders_pk(institution_id, order.student_id),
                GSI1SK=order.order_id,
                order_id=order.order_id,
                course_id=order.course_id,
                student_id=order.student_id,
                status=GRANTED,
                received_at=at.isoformat(),
                paid_fingerprint=order.paid.fingerprint,
                paid_answer=order.paid.body,
            ),
            OrderItem.PK.does_not_exist(),
            answer,
        )
        grant_entitlement(
            tx,
            entitlement_item(
                institution_id, order.course_id, order.student_id, actor.user_id, at, order.order_id
            ),
        )
        tx.put(outbox_item(event, institution_id, actor))
        tx.commit()

    def record_revoked(
        self,
        institution_id: str,
        order: Order,
        answer: StoredResponse,
        at: datetime,
        event: DomainEvent,
        actor: Principal,
    ) -> None:
        """The order marked revoked and its unused entitlement deleted, in one transaction with the event."""
        tx = Transaction()
        tx.update(
            OrderItem(keys.order_pk(institution_id, order.order_id), keys.ORDER_SK),
            [
                OrderItem.status.set(REVOKED),
                OrderItem.revoked_at.set(at.isoformat()),
                OrderItem.revoked_fingerprint.set(answer.fingerprint),
                OrderItem.revoked_answer.set(answer.body),
            ],
            OrderItem.status == GRANTED,
            ConcurrentModification("The order was revoked meanwhile: send the message again."),
        )
        tx.delete(
            EntitlementItem(
                keys.course_pk(institution_id, order.course_id), keys.entitlement_sk(order.student_id)
            ),
            (EntitlementItem.status == GRANTED) & (EntitlementItem.order_id == order.order_id),
            EntitlementConsumed(
                f"The entitlement of order {order.order_id!r} was already used to enroll (or is gone):"
                " the student keeps the enrollment; an institution admin may drop it."
            ),
        )
        tx.put(outbox_item(event, institution_id, actor))
        tx.commit()

    def of_student(self, institution_id: str, student_id: str) -> list[OrderItem]:
        found = OrderItem.by_student.query(keys.student_orders_pk(institution_id, student_id))
        return [item for item in found if isinstance(item, OrderItem)]
