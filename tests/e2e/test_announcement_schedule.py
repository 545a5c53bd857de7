"""An instructor schedules an announcement over HTTP; it appears, and is announced once, at its time.

The local stack's clock is moved forward instead of waiting: its schedules fire on it and the
scheduled event's `time` follows it, as EventBridge's does on a real clock.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
from boto3.dynamodb.conditions import Attr

from infra.local_stack import LocalStack
from tests.support.courses import course_with_lessons
from tests.support.local import demo, eventually, new_student, signed_in


def test_a_scheduled_announcement_appears_at_its_time(local: LocalStack) -> None:
    instructor = signed_in(local, demo(local, "instructors"))
    student = new_student(local)
    course, _ = course_with_lessons(instructor, 1, title="Astronomy")
    assert student.post(f"/courses/{course}/enrollments", {}).status == 201
    board = f"/communication/courses/{course}/announcements"
    at = datetime.now(UTC) + timedelta(minutes=30)

    body = {"title": "Night lab", "body": "<p>Meet at the telescope.</p>", "publish_at": at.isoformat()}
    made = instructor.post(board, body)
    assert (made.status, made.json()["status"]) == (201, "scheduled")
    path = f"{board}/{made.json()['id']}"
    assert student.get(path).status == 404
    assert student.get(f"/communication/courses/{course}/announcement-reads").json()["unread_count"] == 0

    local.clock.advance(timedelta(minutes=31).total_seconds())

    assert eventually(lambda: student.get(path).status == 200)
    page = student.get(board).json()["items"]
    assert [(a["title"], a["status"], a["unread"]) for a in page] == [("Night lab", "published", True)]
    assert [e["data"]["title"] for e in published_events(local, made.json()["id"])] == ["Night lab"]


def published_events(local: LocalStack, announcement_id: str) -> list[dict[str, Any]]:
    """The AnnouncementPublished envelopes of the announcement in the outbox (a test-side scan)."""
    dynamodb = boto3.resource("dynamodb", region_name=local.region, endpoint_url=local.aws_endpoint_url)
    items = dynamodb.Table(local.stack.table_name).scan(FilterExpression=Attr("entity").eq("outbox"))["Items"]
    envelopes = [json.loads(str(item["detail"])) for item in items]
    return [
        e
        for e in envelopes
        if e["type"] == "lms.communication.AnnouncementPublished.v1"
        and e["data"]["announcement_id"] == announcement_id
    ]
