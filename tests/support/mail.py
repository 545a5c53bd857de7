"""E-mail in tests: messages for the mail queue, what SES accepted, and SES's bounce reports."""

from __future__ import annotations

import email
import json
import uuid
from datetime import UTC, datetime
from email.message import EmailMessage
from email.policy import default
from typing import Any
from urllib.parse import parse_qs, urlsplit

import boto3

from infra.mail_folder import eml_bytes, sent_messages
from infra.provision import Stack
from tests.support.client import Caller


def notification_mail(
    institution_id: str,
    recipients: dict[str, str],
    *,
    type_name: str = "AnnouncementPublished",
    category: str = "announcements",
    title: str = "Exam moved to Friday",
    notification_id: str | None = None,
    occurred_at: datetime | None = None,
) -> dict[str, Any]:
    """One NotificationMailQueue message (lms.notifications.mail_contract) as notif sends it."""
    return {
        "notification": {
            "notification_id": notification_id or uuid.uuid4().hex,
            "type": type_name,
            "category": category,
            "institution_id": institution_id,
            "occurred_at": (occurred_at or datetime.now(UTC)).isoformat(),
            "actor_id": "instructor-1",
            "title": title,
            "body_text": "The exam is on Friday at 10:00 in room 4.",
            "link": "/courses/c1/announcements/a1",
            "data": {"course_title": "Biology 101"},
        },
        "recipients": [{"user_id": user_id, "frequency": f} for user_id, f in recipients.items()],
    }


def queue_mail(stack: Stack, *bodies: dict[str, Any] | str) -> None:
    """Put messages on NotificationMailQueue as the notifications consumer does."""
    sqs = boto3.client("sqs", region_name=stack.region)
    for body in bodies:
        text = body if isinstance(body, str) else json.dumps(body)
        sqs.send_message(QueueUrl=stack.queues["NotificationMailQueue"].url, MessageBody=text)


def emails_to(stack: Stack, address: str) -> list[EmailMessage]:
    """Every e-mail SES (moto) accepted for `address`, oldest first, parsed."""
    found = []
    for message in sent_messages(stack.region):
        parsed = email.message_from_bytes(eml_bytes(message), policy=default)
        assert isinstance(parsed, EmailMessage)
        if address.lower() in str(parsed["To"]).lower():
            found.append(parsed)
    return found


def text_of(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    assert part is not None
    return str(part.get_content())  # type: ignore[attr-defined]


def unsubscribe_link(message: EmailMessage) -> tuple[str, str]:
    """The one-click link's path and token, from the List-Unsubscribe header."""
    url = urlsplit(str(message["List-Unsubscribe"]).strip("<>"))
    return url.path, parse_qs(url.query)["token"][0]


def one_click(anonymous: Caller, token: str) -> Any:
    """POST the link as RFC 8058 says a mail client does."""
    return anonymous.request(
        "POST",
        "/notifications/unsubscribe",
        query={"token": token},
        body="List-Unsubscribe=One-Click",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )


def report_to_ses_bus(stack: Stack, kind: str, institution_id: str, user_id: str, address: str) -> None:
    """Publish a bounce or complaint as SES's configuration set does (on the default bus)."""
    detail: dict[str, Any] = {
        "eventType": kind,
        "mail": {
            "destination": [address],
            "tags": {
                "institution_id": [institution_id],
                "user_id": [user_id],
                "ses:configuration-set": [f"lms-{stack.stage}-mail"],
            },
        },
    }
    if kind == "Bounce":
        detail["bounce"] = {
            "bounceType": "Permanent",
            "bounceSubType": "General",
            "bouncedRecipients": [
                {"emailAddress": address, "diagnosticCode": "smtp; 550 5.1.1 no such user"}
            ],
        }
    else:
        detail["complaint"] = {
            "complainedRecipients": [{"emailAddress": address}],
            "complaintFeedbackType": "abuse",
        }
    events = boto3.client("events", region_name=stack.region)
    detail_type = "Email Bounced" if kind == "Bounce" else "Email Complaint Received"
    answer = events.put_events(
        Entries=[{"Source": "aws.ses", "DetailType": detail_type, "Detail": json.dumps(detail)}]
    )
    assert answer["FailedEntryCount"] == 0
