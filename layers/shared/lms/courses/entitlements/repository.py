"""Entitlements in the single table: `ENTITLEMENT#<student>` beside the course (docs/data-model.md)."""

from __future__ import annotations

from datetime import datetime

from pynamodb.attributes import UnicodeAttribute

from lms import keys
from lms.auth import Principal
from lms.courses.entitlements.errors import EntitlementExists, PaymentRequired
from lms.events import DomainEvent
from lms.idempotency import IdempotentRequest, StoredResponse
from lms.persistence.idempotency import find_response, remember_answer
from lms.persistence.outbox import outbox_item
from lms.persistence.table import GSI1, Item
from lms.persistence.transactions import Transaction

ENTITLEMENT_ENTITY = "entitlement"
GRANTED, CONSUMED = "granted", "consumed"
COMMERCE = "commerce"


class EntitlementItem(Item):
    GSI1PK = UnicodeAttribute()  # the student's entitlements (privacy)
    GSI1SK = UnicodeAttribute()
    by_student = GSI1()

    course_id = UnicodeAttribute()
    student_id = UnicodeAttribute()
    status = UnicodeAttribute()  # granted, then consumed by the enrollment
    granted_by = UnicodeAttribute()
    granted_at = UnicodeAttribute()
    consumed_at = UnicodeAttribute(null=True)
    source = UnicodeAttribute(null=True)  # `commerce` for a store's order; absent: an admin's grant
    order_id = UnicodeAttribute(null=True)  # the store's order, which alone may revoke it


def entitlement_item(
    institution_id: str,
    course_id: str,
    student_id: str,
    granted_by: str,
    at: datetime,
    order_id: str | None = None,
) -> EntitlementItem:
    """A new, unused entitlement; one from a store's order names the order."""
    return EntitlementItem(
        keys.course_pk(institution_id, course_id),
        keys.entitlement_sk(student_id),
        entity=ENTITLEMENT_ENTITY,
        GSI1PK=keys.student_entitlements_pk(institution_id, student_id),
        GSI1SK=course_id,
        course_id=course_id,
        student_id=student_id,
        status=GRANTED,
        granted_by=granted_by,
        granted_at=at.isoformat(),
        source=COMMERCE if order_id else None,
        order_id=order_id,
    )


def grant_entitlement(tx: Transaction, item: EntitlementItem) -> None:
    """Put the entitlement unless one is waiting unused (a used one is replaced)."""
    tx.put(
        item,
        EntitlementItem.PK.does_not_exist() | (EntitlementItem.status == CONSUMED),
        EntitlementExists(f"Student {item.student_id!r} already has access to the course."),
    )


def consume_entitlement(
    tx: Transaction, institution_id: str, course_id: str, student_id: str, at: str
) -> None:
    """The enrollment uses the student's entitlement, in the enrollment's transaction (402 without one)."""
    refusal = PaymentRequired(
        "This course is paid. Buy access from your institution's store, or ask an institution admin"
        " to grant it (POST /courses/{course_id}/entitlements), then enroll again.".replace(
            "{course_id}", course_id
        ),
        course_id=course_id,
        how_to_get_access=["purchase", "institution-admin-grant"],
    )
    tx.update(
        EntitlementItem(keys.course_pk(institution_id, course_id), keys.entitlement_sk(student_id)),
        [EntitlementItem.status.set(CONSUMED), EntitlementItem.consumed_at.set(at)],
        EntitlementItem.status == GRANTED,
        refusal,
    )


class DynamoEntitlementRepository:
    def stored_response(self, institution_id: str, user_id: str, key: str) -> StoredResponse | None:
        item = find_response(institution_id, user_id, key)
        if item is None:
            return None
        return StoredResponse(fingerprint=item.fingerprint, status=int(item.status), body=item.body)

    def grant(
        self,
        institution_id: str,
        course_id: str,
        student_id: str,
        actor: Principal,
        at: datetime,
        event: DomainEvent,
        answer: tuple[IdempotentRequest, StoredResponse] | None = None,
    ) -> None:
        """A new entitlement, unless one is waiting unused; one transaction with its event (and the
        first answer to an Idempotency-Key)."""
        tx = Transaction()
        grant_entitlement(tx, entitlement_item(institution_id, course_id, student_id, actor.user_id, at))
        tx.put(outbox_item(event, institution_id, actor))
        if answer is not None:
            remember_answer(tx, institution_id, actor.user_id, *answer)
        tx.commit()

    def of_student(self, institution_id: str, student_id: str) -> list[EntitlementItem]:
        found = EntitlementItem.by_student.query(keys.student_entitlements_pk(institution_id, student_id))
        return [item for item in found if isinstance(item, EntitlementItem)]

    def delete_of_student(self, institution_id: str, student_id: str) -> None:
        """Privacy erasure: the student's entitlements, used or not, are deleted."""
        for item in self.of_student(institution_id, student_id):
            item.delete()
