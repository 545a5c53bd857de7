"""Entitlements in the single table: `ENTITLEMENT#<student>` beside the course (docs/data-model.md)."""

from __future__ import annotations

from datetime import datetime

from pynamodb.attributes import UnicodeAttribute

from lms import keys
from lms.auth import Principal
from lms.courses.entitlements.errors import EntitlementExists, PaymentRequired
from lms.events import DomainEvent
from lms.persistence.outbox import outbox_item
from lms.persistence.table import GSI1, Item
from lms.persistence.transactions import Transaction

ENTITLEMENT_ENTITY = "entitlement"
GRANTED, CONSUMED = "granted", "consumed"


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
    def grant(
        self,
        institution_id: str,
        course_id: str,
        student_id: str,
        actor: Principal,
        at: datetime,
        event: DomainEvent,
    ) -> None:
        """A new entitlement, unless one is waiting unused; one transaction with its event."""
        tx = Transaction()
        item = EntitlementItem(
            keys.course_pk(institution_id, course_id),
            keys.entitlement_sk(student_id),
            entity=ENTITLEMENT_ENTITY,
            GSI1PK=keys.student_entitlements_pk(institution_id, student_id),
            GSI1SK=course_id,
            course_id=course_id,
            student_id=student_id,
            status=GRANTED,
            granted_by=actor.user_id,
            granted_at=at.isoformat(),
        )
        tx.put(
            item,
            EntitlementItem.PK.does_not_exist() | (EntitlementItem.status == CONSUMED),
            EntitlementExists(f"Student {student_id!r} already has access to the course."),
        )
        tx.put(outbox_item(event, institution_id, actor))
        tx.commit()

    def of_student(self, institution_id: str, student_id: str) -> list[EntitlementItem]:
        found = EntitlementItem.by_student.query(keys.student_entitlements_pk(institution_id, student_id))
        return [item for item in found if isinstance(item, EntitlementItem)]
