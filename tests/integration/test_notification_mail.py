"""The mailer, digests, one-click unsubscribe and bounces, through the real functions and the template's
queues (NotificationMailQueue, the feedback queue, the digest schedule) on in-process moto."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest

from infra.gateway import ApiGateway
from infra.provision import Stack
from infra.pump import EventPump
from lms.notifications.catalog import Category
from lms.notifications.mail import tokens
from lms.notifications.preferences import Channel, Frequency
from lms.notifications.repository import DynamoPreferencesRepository
from tests.support.client import Caller, InProcess, problem
from tests.support.events import drained
from tests.support.mail import (
    emails_to,
    notification_mail,
    one_click,
    queue_mail,
    report_to_ses_bus,
    text_of,
    unsubscribe_link,
)
from tests.support.people import export_document, request_export
from tests.support.tenant import Tenant

DIGESTS = "MailDigestFunction"


@pytest.fixture(scope="module")
def school(stack: Stack, gateway: ApiGateway) -> Tenant:
    return Tenant(stack, gateway)


@pytest.fixture(scope="module")
def admin(school: Tenant) -> Caller:
    return school.admin()


@pytest.fixture(scope="module")
def anonymous(gateway: ApiGateway) -> Caller:
    return Caller(InProcess(gateway), None)


def student(school: Tenant, admin: Caller, **profile: str) -> Caller:
    person = school.invited(admin)
    if profile:
        me = person.get("/users/me").json()
        assert person.patch("/users/me", profile, version=me["version"]).status == 200
    return person


def address_of(person: Caller) -> str:
    return str(person.get("/users/me").json()["email"])


def test_an_immediate_notification_is_sent_once_with_a_one_click_unsubscribe_link(
    stack: Stack, school: Tenant, admin: Caller
) -> None:
    ann = student(school, admin)
    message = notification_mail(school.institution_id, {ann.user_id: "immediately"})

    queue_mail(stack, message)
    drained(stack)
    queue_mail(stack, message)  # delivered again: nothing more is sent
    drained(stack)

    (sent,) = emails_to(stack, address_of(ann))
    assert sent["Subject"] == "Exam moved to Friday"
    assert sent["From"] == "notifications@example.com"
    assert sent["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    path, _ = unsubscribe_link(sent)
    assert path == "/notifications/unsubscribe"
    assert "Biology 101" in text_of(sent)
    assert "http://localhost:5173/courses/c1/announcements/a1" in text_of(sent)


def test_the_one_click_link_switches_the_category_off_and_a_get_changes_nothing(
    stack: Stack, school: Tenant, admin: Caller, anonymous: Caller
) -> None:
    ann = student(school, admin)
    queue_mail(stack, notification_mail(school.institution_id, {ann.user_id: "immediately"}))
    drained(stack)
    _, token = unsubscribe_link(emails_to(stack, address_of(ann))[0])
    preferences = DynamoPreferencesRepository()

    shown = anonymous.get("/notifications/unsubscribe", query={"token": token})
    assert shown.status == 200
    assert shown.headers["Content-Type"].startswith("text/html")
    assert "announcements" in shown.body
    assert (
        preferences.get_preferences(school.institution_id, ann.user_id).frequency(
            Category.ANNOUNCEMENTS, Channel.EMAIL
        )
        is not Frequency.OFF
    )

    for _ in range(2):  # a second click changes nothing more
        answer = one_click(anonymous, token)
        assert answer.status == 200, answer.body
        assert answer.json() == {"categories": ["announcements"]}
    assert (
        preferences.get_preferences(school.institution_id, ann.user_id).frequency(
            Category.ANNOUNCEMENTS, Channel.EMAIL
        )
        is Frequency.OFF
    )


def test_bad_expired_and_tampered_links_are_refused(stack: Stack, anonymous: Caller) -> None:
    secret = unsubscribe_key(stack)
    long_ago = datetime.now(UTC) - tokens.LIFETIME - timedelta(days=1)
    expired = tokens.sign(secret, "inst", "user", ["announcements"], long_ago)
    valid = tokens.sign(secret, "inst", "user", ["announcements"], datetime.now(UTC))
    tampered = tokens.sign(secret, "inst", "other-user", ["announcements"], datetime.now(UTC)).split(".")[0]
    tampered += "." + valid.split(".")[1]

    for method in ("GET", "POST"):
        assert problem(
            anonymous.request(method, "/notifications/unsubscribe", query={"token": expired}),
            410,
            "unsubscribe-link-expired",
        )
        for bad in (tampered, "not-a-token", valid[:-3], "a" * 1025):
            answer = anonymous.request(method, "/notifications/unsubscribe", query={"token": bad})
            assert answer.status in (400, 422), (bad, answer.body)
        assert anonymous.request(method, "/notifications/unsubscribe").status == 422


def unsubscribe_key(stack: Stack) -> bytes:
    """The stack's unsubscribe secret, as the functions read it."""
    spec = next(f for f in stack.functions if f.logical_id == "UnsubscribeFunction")
    secrets = boto3.client("secretsmanager", region_name=stack.region)
    return secrets.get_secret_value(SecretId=spec.environment["UNSUBSCRIBE_SECRET_ARN"])[
        "SecretString"
    ].encode()


def test_suspended_unknown_and_bounced_recipients_get_no_email_and_a_poison_message_goes_to_the_dlq(
    stack: Stack, school: Tenant, admin: Caller
) -> None:
    kept, suspended, bounced = (student(school, admin) for _ in range(3))
    assert admin.post(f"/users/{suspended.user_id}/suspend").status == 200
    report_to_ses_bus(stack, "Bounce", school.institution_id, bounced.user_id, address_of(bounced))
    drained(stack)

    recipients = {p.user_id: "immediately" for p in (kept, suspended, bounced)}
    recipients["nobody-here"] = "immediately"
    queue_mail(stack, "{not json", notification_mail(school.institution_id, recipients))
    drained(stack, max_rounds=100)

    assert len(emails_to(stack, address_of(kept))) == 1
    assert emails_to(stack, address_of(bounced)) == []
    assert bounced.get("/users/me").json()["email_deliverability"] == "bounced"
    dead = EventPump(stack).dead_letters("NotificationMailQueue")
    assert [m["body"] for m in dead] == ["{not json"]


def test_a_complaint_stops_email_to_the_address_and_the_profile_says_so(
    stack: Stack, school: Tenant, admin: Caller
) -> None:
    ann = student(school, admin)
    assert ann.get("/users/me").json()["email_deliverability"] == "deliverable"
    report_to_ses_bus(stack, "Complaint", school.institution_id, ann.user_id, address_of(ann))
    drained(stack)

    assert ann.get("/users/me").json()["email_deliverability"] == "complained"
    assert admin.get(f"/users/{ann.user_id}").json()["email_deliverability"] == "complained"
    queue_mail(stack, notification_mail(school.institution_id, {ann.user_id: "immediately"}))
    drained(stack)
    assert emails_to(stack, address_of(ann)) == []


def _run_digests(stack: Stack, at: datetime) -> Any:
    EventPump(stack).invoke_scheduled(DIGESTS, at=at)


def test_a_daily_digest_gathers_the_days_items_and_goes_once_at_8_in_the_persons_zone(
    stack: Stack, school: Tenant, admin: Caller
) -> None:
    ann = student(school, admin, timezone="Asia/Tokyo", locale="en-GB")
    first = notification_mail(school.institution_id, {ann.user_id: "daily"}, title="Quiz 1 graded")
    second = notification_mail(
        school.institution_id,
        {ann.user_id: "daily"},
        title="New reply",
        type_name="DiscussionReply",
        category="discussions",
    )
    queue_mail(stack, first, second, first)
    drained(stack)
    assert emails_to(stack, address_of(ann)) == []

    now = datetime.now(UTC)
    tokyo_eight = (now + timedelta(hours=9)).replace(hour=8, minute=0, second=0, microsecond=0) - timedelta(
        hours=9
    )
    due = tokyo_eight if tokyo_eight > now else tokyo_eight + timedelta(days=1)
    _run_digests(stack, due - timedelta(minutes=15))
    assert emails_to(stack, address_of(ann)) == []

    for moment in (due, due, due + timedelta(minutes=15)):
        _run_digests(stack, moment)
    (digest,) = emails_to(stack, address_of(ann))
    assert digest["Subject"] == "Your daily digest"
    body = text_of(digest)
    assert body.count("Quiz 1 graded") == 1
    assert "New reply" in body
    _, token = unsubscribe_link(digest)
    assert tokens.verify([unsubscribe_key(stack)], token, due).categories == ("announcements", "discussions")

    _run_digests(stack, due + timedelta(days=1))
    assert len(emails_to(stack, address_of(ann))) == 1  # nothing new waited: no empty digest


def test_a_persons_emails_are_in_their_export_and_erasure_removes_them(
    stack: Stack, school: Tenant, admin: Caller
) -> None:
    ann = student(school, admin)
    queue_mail(
        stack,
        notification_mail(school.institution_id, {ann.user_id: "immediately"}, title="Sent now"),
        notification_mail(school.institution_id, {ann.user_id: "weekly"}, title="Kept for Monday"),
    )
    report_to_ses_bus(stack, "Complaint", school.institution_id, ann.user_id, "old-address@school.example")
    drained(stack)

    job = request_export(ann, ann.user_id)
    drained(stack)
    mail = export_document(stack, school, ann.user_id, job["export_id"])["contexts"]["email"]
    assert len(mail["emails_sent"]) == 1
    assert [e["title"] for e in mail["digest_entries"]] == ["Kept for Monday"]
    assert [d["frequency"] for d in mail["pending_digests"]] == ["weekly"]
    assert [s["reason"] for s in mail["suppressed_addresses"]] == ["complaint"]

    assert admin.delete(f"/users/{ann.user_id}").status == 202
    drained(stack)
    partition = f"INST#{school.institution_id}#USER#{ann.user_id}#EMAIL"
    assert [i for i in school.items() if i["PK"] == partition] == []
