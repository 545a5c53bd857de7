"""Due-soon reminders through the real scheduled function (DueReminderFunction) on in-process moto:
the assessments' due markers written by the API, the reminder told once per student and item."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest

from infra.instrument import AwsCallRecorder
from infra.provision import Stack
from infra.pump import EventPump
from lms.settings import get_settings
from tests.support.assignments import ASSIGNMENTS, published, submitted
from tests.support.client import Caller
from tests.support.courses import course_with_lessons, enroll
from tests.support.quizzes import published_quiz, take
from tests.support.tenant import Tenant

REMINDERS = "DueReminderFunction"


def _raise(where: str, error: Exception) -> None:
    raise error


def run_reminders(stack: Stack, at: datetime) -> dict[str, int]:
    """One scheduled run at `at`; the DynamoDB and SQS requests it made."""
    recorder = AwsCallRecorder()
    with recorder.recording():
        EventPump(stack, on_error=_raise).invoke_scheduled(REMINDERS, at=at)
    return {f"{service}:{op}": n for (service, op), n in recorder.calls.items()}


def reminders_in(caller: Caller) -> list[dict[str, Any]]:
    response = caller.get("/notifications")
    assert response.status == 200, response.body
    return [e for e in response.json()["items"] if e["type"] in ("AssignmentDueSoon", "QuizDueSoon")]


def mail_recipients(stack: Stack) -> list[tuple[str, str]]:
    """(type, user id) of every mail message waiting on the mail queue, taken off it."""
    sqs = boto3.client("sqs", region_name=stack.region)
    url = get_settings().notification_mail_queue_url
    found: list[tuple[str, str]] = []
    while batch := sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", []):
        for message in batch:
            body = json.loads(message["Body"])
            found += [(body["notification"]["type"], r["user_id"]) for r in body["recipients"]]
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    return found


class Class:
    """A published course: its instructor, three enrolled students, a suspended one, a bystander."""

    def __init__(self, tenant: Tenant) -> None:
        self.instructor = tenant.instructor()
        self.id, _ = course_with_lessons(self.instructor, 1)
        self.students = [tenant.student() for _ in range(3)]
        for student in self.students:
            enroll(tenant, self.id, student)
        admin = tenant.admin()
        self.suspended = tenant.invited(admin)
        enroll(tenant, self.id, self.suspended)
        assert admin.post(f"/users/{self.suspended.user_id}/suspend").status == 200
        self.outsider = tenant.student()


@pytest.fixture
def course(tenant: Tenant) -> Class:
    return Class(tenant)


def test_an_assignment_reminds_who_has_not_submitted_once_however_often_and_whenever_it_runs(
    stack: Stack, tenant: Tenant, course: Class
) -> None:
    now = datetime.now(UTC)
    done, late, busy = course.students
    made = published(course.instructor, course.id, due_at=(now + timedelta(hours=30)).isoformat())
    submitted(done, made["id"])
    extension = f"{ASSIGNMENTS}/{made['id']}/extensions/{busy.user_id}"
    granted = course.instructor.request(
        "PUT", extension, json_body={"due_at": (now + timedelta(hours=50)).isoformat()}
    )
    assert granted.status == 200, granted.body
    mail_recipients(stack)  # what earlier tests left on the queue

    run_reminders(stack, now)  # due in 30 hours: not yet
    assert reminders_in(late) == []

    for hours in (7, 7, 7.25, 8):  # due within a day: several runs, a repeated one among them
        run_reminders(stack, now + timedelta(hours=hours))
    (reminder,) = reminders_in(late)
    assert reminder["title"] == "Due soon: Essay on light"
    assert reminder["link"] == f"/assessments/assignments/{made['id']}"
    assert reminder["data"]["assessment_id"] == made["id"]
    for nobody in (done, busy, course.instructor, course.outsider):
        assert reminders_in(nobody) == []
    told = {i["user_id"] for i in tenant.items() if i["entity"] == "notification"}
    assert course.suspended.user_id not in told
    assert mail_recipients(stack) == [("AssignmentDueSoon", late.user_id)]

    # The due date moves: a new pass reads the roster again, but nobody is told twice.
    current = course.instructor.get(f"{ASSIGNMENTS}/{made['id']}").json()
    moved = course.instructor.patch(
        f"{ASSIGNMENTS}/{made['id']}",
        {"due_at": (now + timedelta(hours=20)).isoformat()},
        version=current["version"],
    )
    assert moved.status == 200, moved.body
    run_reminders(stack, now + timedelta(hours=9))
    assert len(reminders_in(late)) == 1
    assert mail_recipients(stack) == []

    # The student with an extension is reminded a day before their own due date, once.
    for hours in (27, 27, 30):
        run_reminders(stack, now + timedelta(hours=hours))
    assert [r["data"]["assessment_id"] for r in reminders_in(busy)] == [made["id"]]
    assert len(reminders_in(late)) == 1
    assert mail_recipients(stack) == [("AssignmentDueSoon", busy.user_id)]


def test_a_deleted_reminder_is_not_sent_again(stack: Stack, course: Class) -> None:
    now = datetime.now(UTC)
    student = course.students[0]
    published(course.instructor, course.id, due_at=(now + timedelta(hours=10)).isoformat())
    run_reminders(stack, now)
    (reminder,) = reminders_in(student)
    assert student.delete(f"/notifications/{reminder['id']}").status == 204

    moved_clock = now + timedelta(minutes=15)
    run_reminders(stack, moved_clock)
    assert reminders_in(student) == []


def test_a_quiz_reminds_who_has_not_submitted_an_attempt(stack: Stack, course: Class) -> None:
    now = datetime.now(UTC)
    attempted, idle, _ = course.students
    quiz = published_quiz(course.instructor, course.id, due_at=(now + timedelta(hours=20)).isoformat())
    take(attempted, quiz["id"], {})

    run_reminders(stack, now)

    (reminder,) = reminders_in(idle)
    assert (reminder["type"], reminder["link"]) == ("QuizDueSoon", f"/assessments/quizzes/{quiz['id']}")
    assert reminders_in(attempted) == []


def test_a_draft_reminds_nobody(stack: Stack, course: Class) -> None:
    now = datetime.now(UTC)
    draft = course.instructor.post(
        ASSIGNMENTS, {**_body(course.id), "due_at": (now + timedelta(hours=5)).isoformat()}
    )
    assert draft.status == 201, draft.body

    run_reminders(stack, now)

    assert all(reminders_in(s) == [] for s in course.students)


def test_a_run_with_nothing_new_to_remind_of_costs_the_index_reads_and_one_batch_read(
    stack: Stack, course: Class
) -> None:
    now = datetime.now(UTC)
    published(course.instructor, course.id, due_at=(now + timedelta(hours=3)).isoformat())
    run_reminders(stack, now)

    calls = run_reminders(stack, now + timedelta(minutes=15))

    # One Query per shard of the due index, then one BatchGetItem of the handled records.
    assert calls == {"dynamodb:Query": 4, "dynamodb:BatchGetItem": 1}


def _body(course_id: str) -> dict[str, Any]:
    return {
        "course_id": course_id,
        "title": "Draft essay",
        "instructions": "Write.",
        "points": "10",
        "submission_types": ["text"],
    }


def test_a_student_with_an_extension_who_dropped_the_course_is_not_reminded(
    stack: Stack, course: Class
) -> None:
    now = datetime.now(UTC)
    leaving = course.students[0]
    made = published(course.instructor, course.id, due_at=(now + timedelta(hours=5)).isoformat())
    extension = f"{ASSIGNMENTS}/{made['id']}/extensions/{leaving.user_id}"
    granted = course.instructor.request(
        "PUT", extension, json_body={"due_at": (now + timedelta(hours=30)).isoformat()}
    )
    assert granted.status == 200, granted.body
    assert leaving.delete(f"/courses/{course.id}/enrollments/{leaving.user_id}").status in (200, 204)

    run_reminders(stack, now + timedelta(hours=8))

    assert reminders_in(leaving) == []
