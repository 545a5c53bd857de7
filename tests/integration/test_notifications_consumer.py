"""The notifications consumer: events become inbox entries and mail messages for the right people."""

from __future__ import annotations

import json
import os
from typing import Any

import boto3
import pytest

from infra.provision import Stack
from infra.pump import EventPump
from lms.events.analytics import AtRiskReason, LearnerAtRisk, LearnerBackOnTrack
from lms.events.communication import MessageSent
from lms.events.courses import StudentEnrolled, StudentWaitlisted
from lms.events.progress import CourseCompleted
from lms.notifications.consumer import consumer
from lms.settings import get_settings
from tests.support.client import Caller
from tests.support.courses import course_with_lessons, enroll
from tests.support.events import envelope, grade_released, put_on_bus
from tests.support.tenant import Tenant


class Course:
    """A published course: its instructor, three enrolled students, a suspended one, an outsider."""

    def __init__(self, tenant: Tenant) -> None:
        self.tenant = tenant
        self.instructor = tenant.instructor()
        self.id, _ = course_with_lessons(self.instructor, 1)
        self.students = [tenant.student() for _ in range(3)]
        for student in self.students:
            enroll(tenant, self.id, student)
        self.admin = tenant.admin()
        self.suspended = tenant.invited(self.admin)
        enroll(tenant, self.id, self.suspended)
        assert self.admin.post(f"/users/{self.suspended.user_id}/suspend").status == 200
        self.outsider = tenant.student()


@pytest.fixture
def course(tenant: Tenant) -> Course:
    return Course(tenant)


@pytest.fixture
def mail_queue(stack: Stack) -> str:
    url = get_settings().notification_mail_queue_url
    mail_messages(stack, url)  # what earlier tests sent
    return url


def mail_messages(stack: Stack, url: str) -> list[dict[str, Any]]:
    """Every message waiting on the mail queue, taken off it."""
    sqs = boto3.client("sqs", region_name=stack.region)
    found: list[dict[str, Any]] = []
    while True:
        answer = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)
        batch = answer.get("Messages", [])
        if not batch:
            return found
        found += [json.loads(m["Body"]) for m in batch]
        for m in batch:
            sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])


def inbox(caller: Caller) -> list[dict[str, Any]]:
    response = caller.get("/notifications")
    assert response.status == 200, response.body
    items: list[dict[str, Any]] = response.json()["items"]
    return items


def test_an_announcement_reaches_the_course_s_people_but_not_its_author_nor_the_suspended(
    stack: Stack, course: Course
) -> None:
    posted = course.instructor.post(
        f"/communication/courses/{course.id}/announcements",
        {"title": "Exam moved", "body": "<p>To Friday.</p>"},
    )
    assert posted.status == 201, posted.body
    report = EventPump(stack).drain(max_rounds=50)
    assert report.settled
    assert report.failures == 0
    for student in course.students:
        (entry,) = inbox(student)
        assert (entry["type"], entry["title"], entry["read"]) == (
            "AnnouncementPublished",
            "Exam moved",
            False,
        )
        assert entry["link"] == f"/communication/courses/{course.id}/announcements/{posted.json()['id']}"
        assert student.get("/notifications/unread-count").json()["unread"] == 1
    for nobody in (course.instructor, course.outsider, course.admin):
        assert inbox(nobody) == []
    stored = [i for i in course.tenant.items() if i["entity"] == "notification"]
    assert course.suspended.user_id not in {i["user_id"] for i in stored}


def test_a_duplicate_delivery_creates_no_second_entry_and_no_second_mail(
    stack: Stack, course: Course, mail_queue: str
) -> None:
    student = course.students[0]
    released = envelope(
        grade_released(course.id, "assignment-1", student.user_id, "80"), course.tenant.institution_id
    )
    assert consumer.handle(released) is True
    assert consumer.handle(released) is False
    (entry,) = inbox(student)
    assert entry["type"] == "GradeReleased"
    assert entry["id"] == released.id
    (message,) = mail_messages(stack, mail_queue)
    assert message["notification"]["notification_id"] == released.id
    assert message["notification"]["category"] == "grades"
    assert message["recipients"] == [{"user_id": student.user_id, "frequency": "immediately"}]
    for other in [*course.students[1:], course.instructor]:
        assert inbox(other) == []


def test_events_delivered_out_of_order_are_each_told_once_and_listed_by_when_they_happened(
    stack: Stack, course: Course
) -> None:
    student = course.students[0]
    institution = course.tenant.institution_id
    waitlisted = envelope(
        StudentWaitlisted(course_id=course.id, student_id=student.user_id, position=1), institution
    )
    promoted = envelope(
        StudentEnrolled(course_id=course.id, student_id=student.user_id, enrolled_by="x", via_waitlist=True),
        institution,
    )
    for delivered in (promoted, waitlisted, promoted, waitlisted):
        consumer.handle(delivered)
    assert [e["type"] for e in inbox(student)] == ["PromotedFromWaitlist", "Waitlisted"]


def test_the_person_who_caused_an_event_is_not_told_of_it_but_is_told_of_an_award(
    stack: Stack, course: Course
) -> None:
    student = course.students[0]
    institution = course.tenant.institution_id
    own_enrollment = StudentEnrolled(
        course_id=course.id, student_id=student.user_id, enrolled_by=student.user_id
    )
    consumer.handle(envelope(own_enrollment, institution, actor=student.user_id, roles=["students"]))
    assert inbox(student) == []
    completed = CourseCompleted(student_id=student.user_id, course_id=course.id)
    consumer.handle(envelope(completed, institution, actor=student.user_id, roles=["students"]))
    assert [e["type"] for e in inbox(student)] == ["CourseCompleted"]


def test_a_person_whose_inbox_or_mail_is_off_gets_neither(
    stack: Stack, course: Course, mail_queue: str
) -> None:
    inbox_off, mail_off = course.students[:2]
    off = {"categories": {"messages": {"in_app": "off"}}}
    assert inbox_off.put("/users/me/notification-preferences", off).status == 200
    assert (
        mail_off.put(
            "/users/me/notification-preferences", {"categories": {"messages": {"email": "off"}}}
        ).status
        == 200
    )
    sent = MessageSent(
        conversation_id="c-1",
        message_id="m-1",
        recipient_ids=[inbox_off.user_id, mail_off.user_id],
        preview="Hi",
    )
    consumer.handle(envelope(sent, course.tenant.institution_id, actor=course.instructor.user_id))
    assert inbox(inbox_off) == []
    assert [e["type"] for e in inbox(mail_off)] == ["DirectMessageReceived"]
    (message,) = mail_messages(stack, mail_queue)
    assert message["recipients"] == [{"user_id": inbox_off.user_id, "frequency": "immediately"}]


def test_a_large_audience_is_told_in_chunks_through_the_fan_out_queue(stack: Stack, course: Course) -> None:
    os.environ["NOTIFICATION_CHUNK_SIZE"] = "2"
    get_settings.cache_clear()
    try:
        posted = course.instructor.post(
            f"/communication/courses/{course.id}/announcements", {"title": "In chunks", "body": "<p>Hi.</p>"}
        )
        assert posted.status == 201, posted.body
        pump = EventPump(stack)
        report = pump.drain(max_rounds=50)
    finally:
        del os.environ["NOTIFICATION_CHUNK_SIZE"]
        get_settings.cache_clear()
    assert report.settled
    assert report.failures == 0
    for student in course.students:
        assert [e["title"] for e in inbox(student)] == ["In chunks"]
    assert inbox(course.instructor) == []


def test_a_poison_event_ends_in_the_dlq_and_the_rest_of_the_batch_is_told(
    stack: Stack, course: Course
) -> None:
    student = course.students[0]
    institution = course.tenant.institution_id
    good = envelope(grade_released(course.id, "assignment-2", student.user_id, "70"), institution)
    poison = {**good.model_dump(mode="json"), "id": "poison-notification", "data": {"nonsense": True}}
    pump = EventPump(stack)
    put_on_bus(stack, poison, good)
    report = pump.drain(max_rounds=50)
    assert report.failures >= stack.queues["NotificationEventsQueue"].max_receive_count
    dead = [json.loads(m["body"])["detail"] for m in pump.dead_letters("NotificationEventsQueue")]
    assert poison in dead
    assert [e["id"] for e in inbox(student)] == [good.id]


def test_a_finished_roster_import_and_a_ready_export_are_told_to_who_asked(
    stack: Stack, tenant: Tenant
) -> None:
    admin = tenant.admin()
    rows = [
        {"email": f"ada-{n}@{tenant.institution_id}.example", "given_name": "Ada", "family_name": "L"}
        for n in range(2)
    ]
    submitted = admin.post("/users/imports", {"rows": [{**r, "role": "student"} for r in rows]})
    assert submitted.status in (201, 202), submitted.body
    student = tenant.invited(admin)
    exported = student.post(f"/users/{student.user_id}/exports")
    assert exported.status in (201, 202), exported.body
    report = EventPump(stack).drain(max_rounds=50)
    assert report.failures == 0
    (finished,) = [e for e in inbox(admin) if e["type"] == "RosterImportFinished"]
    assert finished["data"]["created"] == 2
    assert finished["link"] == f"/users/imports/{submitted.json()['id']}"
    (ready,) = inbox(student)
    assert (ready["type"], ready["category"]) == ("PrivacyExportReady", "account")
    assert [t for t in tenant.event_types() if t in ("RosterImportFinished", "UserExportReady")] == [
        "RosterImportFinished",
        "UserExportReady",
    ]
    EventPump(stack).drain(max_rounds=50)
    assert len([e for e in inbox(admin) if e["type"] == "RosterImportFinished"]) == 1


def test_a_learner_at_risk_is_told_to_the_course_s_instructors_and_never_to_the_student(
    stack: Stack, course: Course, mail_queue: str
) -> None:
    student = course.students[0]
    institution = course.tenant.institution_id
    staff = [course.instructor.user_id]
    at_risk = LearnerAtRisk(
        course_id=course.id,
        student_id=student.user_id,
        reasons=[AtRiskReason(rule="inactive", detail="No activity for 8 days.")],
        instructor_ids=staff,
    )
    back = LearnerBackOnTrack(
        course_id=course.id, student_id=student.user_id, resolved=["inactive"], instructor_ids=staff
    )
    # The analytics sweep (no person) or the student's own event flags them: neither tells the student.
    flagged = envelope(at_risk, institution, actor=student.user_id, roles=["students"])
    consumer.handle(flagged)
    consumer.handle(flagged)
    consumer.handle(envelope(back, institution, actor="analytics"))

    told = inbox(course.instructor)
    assert [e["type"] for e in told] == ["LearnerBackOnTrack", "LearnerAtRisk"]
    at_risk_entry = told[1]
    assert at_risk_entry["body_text"] == "No activity for 8 days."
    assert at_risk_entry["link"] == f"/analytics/courses/{course.id}/students/{student.user_id}"
    assert at_risk_entry["category"] == "learners"
    assert inbox(student) == []
    # Staff alerts go to e-mail in the daily digest by default: queued with that frequency.
    recipients = [r for m in mail_messages(stack, mail_queue) for r in m["recipients"]]
    assert recipients == [{"user_id": course.instructor.user_id, "frequency": "daily"}] * 2
