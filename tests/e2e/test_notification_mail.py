"""E-mail over the running local stack: what a person receives lands in the mail folder as an .eml
file, and its one-click unsubscribe link, POSTed as RFC 8058 says, switches that category off."""

from __future__ import annotations

import email
import json
import time
import uuid
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.policy import default
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import boto3

from infra.local_stack import LocalStack
from tests.support.client import Caller, OverHttp
from tests.support.courses import course_with_lessons
from tests.support.local import demo, eventually, first_sign_in, new_user, signed_in


def invited_student(local: LocalStack) -> tuple[Caller, dict[str, str]]:
    admin = signed_in(local, demo(local, "institution-admins"))
    address = f"reader-{uuid.uuid4().hex[:8]}@demo.example"
    answer = admin.post(
        "/users", {"email": address, "given_name": "Rae", "family_name": "Reader", "role": "student"}
    )
    assert answer.status == 201, answer.body
    student = first_sign_in(local, address, answer.json()["temporary_password"])
    return student, answer.json()


def eml_to(folder: Path, address: str, timeout: float = 60.0) -> EmailMessage:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for path in sorted(folder.glob("*.eml")):
            message = email.message_from_bytes(path.read_bytes(), policy=default)
            if isinstance(message, EmailMessage) and address in str(message["To"]):
                return message
        time.sleep(0.2)
    raise AssertionError(f"no e-mail to {address} in {folder}: {sorted(p.name for p in folder.glob('*'))}")


def test_an_email_lands_in_the_mail_folder_and_its_one_click_link_unsubscribes(local: LocalStack) -> None:
    student, profile = invited_student(local)
    state = json.loads(Path(local.state_file or "").read_text())
    assert state["mail_folder"] == str(local.mail.path)
    sqs = boto3.client("sqs", region_name=local.region, endpoint_url=local.aws_endpoint_url)
    message = {
        "notification": {
            "notification_id": uuid.uuid4().hex,
            "type": "AnnouncementPublished",
            "category": "announcements",
            "institution_id": demo(local, "institution-admins").institution_id,
            "occurred_at": datetime.now(UTC).isoformat(),
            "actor_id": None,
            "title": "Welcome to the course",
            "body_text": "Read the syllabus before Monday.",
            "link": "/courses/c1",
            "data": {},
        },
        "recipients": [{"user_id": profile["id"], "frequency": "immediately"}],
    }
    sqs.send_message(
        QueueUrl=local.stack.queues["NotificationMailQueue"].url, MessageBody=json.dumps(message)
    )

    received = eml_to(local.mail.path, profile["email"])
    assert received["Subject"] == "Welcome to the course"
    assert received["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    link = urlsplit(str(received["List-Unsubscribe"]).strip("<>"))
    assert f"{link.scheme}://{link.netloc}" == local.api_url

    anonymous = Caller(OverHttp(local.api_url), None)
    answer = anonymous.request(
        "POST",
        link.path,
        query={"token": parse_qs(link.query)["token"][0]},
        body="List-Unsubscribe=One-Click",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert answer.status == 200, answer.body
    assert answer.json() == {"categories": ["announcements"]}
    assert student.get("/users/me").status == 200


def emails_in(folder: Path, address: str) -> list[EmailMessage]:
    found = []
    for path in sorted(folder.glob("*.eml")):
        message = email.message_from_bytes(path.read_bytes(), policy=default)
        if isinstance(message, EmailMessage) and address in str(message["To"]):
            found.append(message)
    return found


def test_an_announcement_emails_a_student_at_once_and_another_in_their_daily_digest(
    local: LocalStack,
) -> None:
    instructor = new_user(local, "instructors", demo(local, "institution-admins").institution_id)
    course_id, _ = course_with_lessons(instructor, count=1, title="Mailed optics")
    now_reader, now_profile = invited_student(local)
    later_reader, later_profile = invited_student(local)
    version = later_reader.get("/users/me").json()["version"]
    assert later_reader.patch("/users/me", {"timezone": "Asia/Tokyo"}, version=version).status == 200
    for reader in (now_reader, later_reader):
        assert reader.post(f"/courses/{course_id}/enrollments", {}).status == 201
    choice = {"categories": {"announcements": {"email": "immediately"}}}
    assert now_reader.request("PUT", "/users/me/notification-preferences", json_body=choice).status == 200

    board = f"/communication/courses/{course_id}/announcements"
    posted = instructor.post(board, {"title": "Lab moved", "body": "<p>Room 4.</p>"})
    assert posted.status == 201, posted.body

    received = eml_to(local.mail.path, now_profile["email"])
    assert received["Subject"] == "Lab moved"
    link = urlsplit(str(received["List-Unsubscribe"]).strip("<>"))
    anonymous = Caller(OverHttp(local.api_url), None)
    answer = anonymous.request(
        "POST",
        link.path,
        query={"token": parse_qs(link.query)["token"][0]},
        body="List-Unsubscribe=One-Click",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert answer.json() == {"categories": ["announcements"]}
    preferences = now_reader.get("/users/me/notification-preferences").json()
    assert "off" in json.dumps(preferences)

    # The other student's announcements e-mail is daily (the platform's default): none yet.
    assert emails_in(local.mail.path, later_profile["email"]) == []
    now = datetime.now(UTC)
    tokyo_eight = (now + timedelta(hours=9)).replace(hour=8, minute=0, second=0, microsecond=0) - timedelta(
        hours=9
    )
    due = tokyo_eight if tokyo_eight > now + timedelta(minutes=1) else tokyo_eight + timedelta(days=1)
    assert eventually(lambda: _kept_for_digest(local, later_profile["id"]), seconds=60)
    for moment in (due - timedelta(minutes=15), due, due):
        local.pump.invoke_scheduled("MailDigestFunction", at=moment)
    digest = eml_to(local.mail.path, later_profile["email"])
    assert digest["Subject"] == "Your daily digest"
    assert "Lab moved" in str(digest.get_body(preferencelist=("plain",)))
    local.pump.invoke_scheduled("MailDigestFunction", at=due + timedelta(minutes=15))
    time.sleep(1)
    local.mail.collect()
    assert len(emails_in(local.mail.path, later_profile["email"])) == 1


def _kept_for_digest(local: LocalStack, user_id: str) -> bool:
    table = boto3.resource("dynamodb", region_name=local.region, endpoint_url=local.aws_endpoint_url).Table(
        local.stack.table_name
    )
    institution = demo(local, "institution-admins").institution_id
    partition = f"INST#{institution}#USER#{user_id}#EMAIL"
    return bool(
        table.query(KeyConditionExpression="PK = :p", ExpressionAttributeValues={":p": partition})["Items"]
    )
