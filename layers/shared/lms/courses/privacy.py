"""The courses context's personal data: a student's enrollments and places on waitlists.

Export: one Query per page of the student's enrollment index (GSI1, keys.student_enrollments_pk),
which lists every course the student was ever on the roster or waitlist of, dropped ones included.

Erasure drops every enrollment that is still active, through the same use case as a drop by an
admin: the seat is freed and goes to the head of the waitlist, the roster counter stays exact and
`StudentDropped` tells progress and analytics. A person who is erased will never learn again, so
keeping their seat would only keep someone else waiting. The dropped enrollment items stay, with
the student's id as a pseudonym and no name, so enrollment counts and histories stay consistent.
"""

from __future__ import annotations

from lms import clock, keys
from lms.auth import Principal
from lms.courses.enrollment.domain import EnrollmentStatus
from lms.courses.enrollment.errors import EnrollmentNotFound
from lms.courses.enrollment.repository import (
    DynamoEnrollmentRepository,
    EnrollmentItem,
    WaitlistItem,
)
from lms.courses.enrollment.service import EnrollmentService
from lms.courses.errors import CourseNotFound
from lms.courses.repository import CourseItem, DynamoCourseRepository
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
    """Every enrollment of the student; a waitlisted one names its waitlist ticket."""
    return {"enrollments": [_record(item) for item in _enrollments(institution_id, user_id)]}


def erase(institution_id: str, user_id: str, actor: Principal) -> None:
    """Drop every active enrollment (seat freed, waitlist promoted); dropped ones stay pseudonymous."""
    service = EnrollmentService(DynamoEnrollmentRepository(), DynamoCourseRepository(), now=clock.now)
    for item in _enrollments(institution_id, user_id):
        if item.status == EnrollmentStatus.DROPPED.value:
            continue
        try:
            service.drop(actor, item.course_id, user_id)
        except (EnrollmentNotFound, CourseNotFound):
            continue  # dropped meanwhile, or the course is gone: nothing left to free


CONTRIBUTOR = Contributor(
    name="courses",
    exported=(EnrollmentItem, WaitlistItem),
    not_personal={
        CourseItem: (
            "the course's staff list (`instructor_ids`) is the course's data, read by everyone enrolled; "
            "an erased instructor's id stays on it as a pseudonym"
        ),
    },
    export=export,
    erase=erase,
)
