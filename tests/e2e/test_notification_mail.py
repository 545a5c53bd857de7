"""E-mail over the running local stack: what a person receives lands in the mail folder as an .eml
file, and its one-click unsubscribe link, POSTed as RFC 8058 says, switches that category off."""

from __future__ import annotations

import email
import json
import time
import uuid
from datetime import UTC, datetime
from email.message import EmailMessage
from email.policy import default
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import boto3

from infra.local_stack import LocalStack
from tests.support.client import Caller, OverHttp
from tests.support.local import demo, first_sign_in, signed_in


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
