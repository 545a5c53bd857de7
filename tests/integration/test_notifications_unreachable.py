"""Suspended and erased people through the real handlers and pipeline: never told (no inbox entry, no
mail message), and an erasure takes the person's notifications with it."""

from __future__ import annotations

import json
from typing import Any

import boto3

from infra.provision import Stack
from lms.settings import get_settings
from tests.support.client import Caller
from tests.support.courses import course_with_lessons, enroll
from tests.support.events import drained
from tests.support.tenant import Tenant

NOTIFYING = {"NotificationsConsumerFunction", "NotificationFanoutFunction"}
"""The consumers that make notifications (the mailer is left out, so its queue can be read)."""


def mail_recipients(stack: Stack) -> list[str]:
    """The people of every mail message waiting on the mail queue, taken off it."""
    sqs = boto3.client("sqs", region_name=stack.region)
    url = get_settings().notification_mail_queue_url
    found: list[str] = []
    while batch := sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", []):
        for message in batch:
            found += [r["user_id"] for r in json.loads(message["Body"])["recipients"]]
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    return found


def partition_of(tenant: Tenant, person: Caller) -> list[dict[str, Any]]:
    pk = f"INST#{tenant.institution_id}#USER#{person.user_id}#NOTIFICATIONS"
    return [i for i in tenant.items() if i["PK"] == pk]


def announce(instructor: Caller, course_id: str, title: str) -> None:
    posted = instructor.post(
        f"/communication/courses/{course_id}/announcements", {"title": title, "body": "<p>Hi.</p>"}
    )
    assert posted.status == 201, posted.body


def test_suspended_and_erased_people_are_never_told_and_erasure_removes_their_notifications(
    stack: Stack, tenant: Tenant
) -> None:
    admin = tenant.admin()
    instructor = tenant.instructor()
    course_id, _ = course_with_lessons(instructor, 1)
    active, suspended, erased = (tenant.invited(admin) for _ in range(3))
    for person in (active, suspended, erased):
        enroll(tenant, course_id, person)
        # E-mail at once, so that a mail message would be queued for each person told.
        choice = {"categories": {"announcements": {"email": "immediately"}}}
        assert person.put("/users/me/notification-preferences", choice).status == 200
    announce(instructor, course_id, "Before")
    drained(stack, consumers=NOTIFYING)
    assert sorted(mail_recipients(stack)) == sorted(p.user_id for p in (active, suspended, erased))
    assert [i["entity"] for i in partition_of(tenant, erased)].count("notification") == 1

    assert admin.post(f"/users/{suspended.user_id}/suspend").status == 200
    assert admin.delete(f"/users/{erased.user_id}").status == 202
    drained(stack)  # the erasure runs in every context
    assert partition_of(tenant, erased) == []
    mail_recipients(stack)

    announce(instructor, course_id, "After")
    drained(stack, consumers=NOTIFYING)

    assert [e["title"] for e in active.get("/notifications").json()["items"]] == ["After", "Before"]
    assert [i["title"] for i in partition_of(tenant, suspended) if i["entity"] == "notification"] == [
        "Before"
    ]
    assert partition_of(tenant, erased) == []
    assert mail_recipients(stack) == [active.user_id]
