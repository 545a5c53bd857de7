"""The courses context's personal data: a student's enrollments and places on waitlists.

Export: one Query per page of the student's enrollment index (GSI1, keys.student_enrollments_pk),
which lists every course the student was ever on the roster or waitlist of, dropped ones included.

Erasure drops every enrollment that is still active, through the same use case as a drop by an
admin: the seat is freed and goes to the head of the waitlist, the roster counter stays exact and
`StudentDropped` tells progress and analytics. A person who is erased will never learn again, so
keeping their seat would only keep someone else waiting. The dropped enrollment items stay, with
the student's id as a pseudonym and no name, so enrollment counts and histories stay consistent.

Entitlements and commerce orders: the student's own GSI1 partitions find them. Erasure deletes the
entitlements (unused access is of no use to an erased person, a used one is told by the enrollment)
and keeps the orders with the student's id as a pseudonym: the store's order id must keep answering
as it did, or a replayed order would grant access again.

Reviews: a student reviews only courses they were enrolled in, so the enrollment index also finds
their reviews (one BatchGetItem); the reviews they reported are on their own GSI1 partition.
Erasure deletes their reviews (the course's counters follow in the same transaction, and
`ReviewDeleted` says so) and their reports; a staff reply keeps its author's id as a pseudonym.
"""

from __future__ import annotations

from lms import clock, keys
from lms.auth import Principal
from lms.courses.catalog.store import CatalogShardItem
from lms.courses.commerce.repository import DynamoOrderRepository, OrderItem
from lms.courses.enrollment.domain import EnrollmentStatus
from lms.courses.enrollment.errors import EnrollmentNotFound
from lms.courses.enrollment.repository import (
    DynamoEnrollmentRepository,
    EnrollmentItem,
    WaitlistItem,
)
from lms.courses.enrollment.service import EnrollmentService
from lms.courses.entitlements.repository import DynamoEntitlementRepository, EntitlementItem
from lms.courses.errors import ConcurrentModification, CourseNotFound
from lms.courses.repository import CourseItem, DynamoCourseRepository
from lms.courses.reviews.repository import (
    DynamoReviewRepository,
    RatingCounterItem,
    ReviewChange,
    ReviewItem,
    ReviewReportItem,
)
from lms.courses.user_access import EmailClaim
from lms.events.courses import ReviewDeleted
from lms.privacy import Contributor, ExportRecord, ExportSections


def _enrollments(institution_id: str, student_id: str) -> list[EnrollmentItem]:
    partition = keys.student_enrollments_pk(institution_id, student_id)
    pages = EnrollmentItem.by_student.query(partition, scan_index_forward=False).page_iter
    return [EnrollmentItem.from_raw_data(raw) for page in pages for raw in page.get("Items", [])]


def _record(item: EnrollmentItem) -> ExportRecord:
    return {
        "course_id": item.course_id,
        "course_title": item.course_title,
        "status": item.status,
        "requested_at": item.requested_at,
        "enrolled_at": item.enrolled_at,
        "enrolled_by": item.enrolled_by,
        "via_waitlist": bool(item.via_waitlist),
        "waitlist_ticket": item.waitlist_ticket,
        "dropped_at": item.dropped_at,
        "dropped_by": item.dropped_by,
    }


def export(institution_id: str, user_id: str) -> ExportSections:
    """Every enrollment of the student (a waitlisted one names its ticket), review, report, entitlement
    and commerce order."""
    enrollments = _enrollments(institution_id, user_id)
    repository = DynamoReviewRepository()
    reviews = repository.reviews_by(institution_id, user_id, [item.course_id for item in enrollments])
    reports = repository.reports_by(institution_id, user_id)
    return {
        "enrollments": [_record(item) for item in enrollments],
        "reviews": [review.model_dump(mode="json") for review in reviews],
        "entitlements": [
            {
                "course_id": e.course_id,
                "status": e.status,
                "granted_at": e.granted_at,
                "consumed_at": e.consumed_at,
                "order_id": e.order_id,
            }
            for e in DynamoEntitlementRepository().of_student(institution_id, user_id)
        ],
        "commerce_orders": [
            {
                "order_id": o.order_id,
                "course_id": o.course_id,
                "status": o.status,
                "received_at": o.received_at,
                "revoked_at": o.revoked_at,
            }
            for o in DynamoOrderRepository().of_student(institution_id, user_id)
        ],
        "review_reports": [
            {
                "course_id": r.course_id,
                "review_of": r.author_id,
                "reason": r.reason,
                "reported_at": r.reported_at,
            }
            for r in reports
        ],
    }


def erase(institution_id: str, user_id: str, actor: Principal) -> None:
    """Drop every active enrollment (seat freed, waitlist promoted); dropped ones stay pseudonymous.
    Delete the reviews, reports and entitlements; commerce orders stay pseudonymous."""
    service = EnrollmentService(DynamoEnrollmentRepository(), DynamoCourseRepository(), now=clock.now)
    enrollments = _enrollments(institution_id, user_id)
    for item in enrollments:
        if item.status == EnrollmentStatus.DROPPED.value:
            continue
        try:
            service.drop(actor, item.course_id, user_id)
        except (EnrollmentNotFound, CourseNotFound):
            continue  # dropped meanwhile, or the course is gone: nothing left to free
    _erase_reviews(institution_id, user_id, actor, [item.course_id for item in enrollments])
    DynamoEntitlementRepository().delete_of_student(institution_id, user_id)


def _erase_reviews(institution_id: str, user_id: str, actor: Principal, course_ids: list[str]) -> None:
    repository = DynamoReviewRepository()
    for review in repository.reviews_by(institution_id, user_id, course_ids):
        event = ReviewDeleted(course_id=review.course_id, author_id=user_id, deleted_by=actor.user_id)
        change = ReviewChange(institution_id, actor, review.course_id, user_id, review, None, [event])
        try:
            repository.commit(change)
        except ConcurrentModification:
            continue  # deleted or changed meanwhile: a retry of the erasure finds what is left
    for report in repository.reports_by(institution_id, user_id):
        repository.delete_report(report)


CONTRIBUTOR = Contributor(
    name="courses",
    exported=(EnrollmentItem, WaitlistItem, ReviewItem, ReviewReportItem, EntitlementItem, OrderItem),
    not_personal={
        CatalogShardItem: "the catalog's copy of each course's details and instructors (as CourseItem)",
        RatingCounterItem: "counts of stars, of no one in particular",
        EmailClaim: "a read-only view of the users context's e-mail claim, exported and erased there",
        CourseItem: (
            "the course's staff list (`instructor_ids`) is the course's data, read by everyone enrolled; "
            "an erased instructor's id stays on it as a pseudonym"
        ),
    },
    export=export,
    erase=erase,
)
