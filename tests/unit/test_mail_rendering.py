"""E-mail bodies: every notification type has both bodies, hostile data stays text, locales fall back."""

from __future__ import annotations

import email
from datetime import UTC, datetime
from email.message import EmailMessage
from email.policy import default

import pytest

from lms.notifications.catalog import CATALOG
from lms.notifications.mail.composing import Envelope, compose
from lms.notifications.mail.rendering import DIGEST_TEMPLATE, has_template, locale_chain, render
from lms.notifications.mail_contract import MailNotification
from tests.support.richtext import HOSTILE, markup_of

SENT_AT = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
ALLOWED_TAGS = {
    "html",
    "head",
    "meta",
    "title",
    "body",
    "p",
    "h1",
    "div",
    "a",
    "hr",
    "ul",
    "li",
    "strong",
    "br",
    "span",
}
LINKS = {
    "https://lms.example/courses/c1",
    "https://lms.example/notifications/preferences",
    "https://api.example/u?token=t",
}


def notification(type_name: str, hostile: str) -> MailNotification:
    return MailNotification(
        notification_id="N1",
        type=type_name,
        category=CATALOG[type_name].category.value,
        institution_id="I1",
        occurred_at=SENT_AT,
        actor_id="U2",
        title=f"Title {hostile}",
        body_text=f"Body {hostile}",
        link="/courses/c1",
        data={
            key: hostile
            for key in (
                "course_title",
                "topic_title",
                "sender_name",
                "assessment_title",
                "assignment_title",
                "achievement",
                "due_at",
            )
        },
    )


def context(n: MailNotification, name: str) -> dict[str, object]:
    return {
        "notification": n,
        "data": n.data,
        "recipient_name": name,
        "link_url": "https://lms.example/courses/c1",
        "preferences_url": "https://lms.example/notifications/preferences",
        "unsubscribe_url": "https://api.example/u?token=t",
    }


@pytest.mark.parametrize("type_name", sorted(CATALOG))
def test_every_notification_type_has_a_text_and_an_html_template(type_name: str) -> None:
    assert has_template(CATALOG[type_name].template), f"no e-mail templates for {type_name}"


@pytest.mark.parametrize("type_name", sorted(CATALOG))
def test_hostile_data_in_every_template_stays_text(type_name: str) -> None:
    for hostile in HOSTILE:
        n = notification(type_name, hostile)
        body = render(CATALOG[type_name].template, "en", context(n, hostile))
        markup = markup_of(body.html)
        assert set(markup.tags) <= ALLOWED_TAGS, hostile
        assert {value for tag, name, value in markup.attributes if name == "href"} <= LINKS, hostile
        assert not [name for _, name, _ in markup.attributes if name.startswith("on")], hostile
        assert hostile in body.text  # plain text is never interpreted: it shows what was written


def test_the_digest_keeps_hostile_items_as_text() -> None:
    for hostile in HOSTILE:
        items = [{"title": hostile, "body_text": hostile, "link_url": None}]
        body = render(
            DIGEST_TEMPLATE,
            "en",
            {
                "subject": "s",
                "frequency": "daily",
                "recipient_name": hostile,
                "items": items,
                "preferences_url": "https://lms.example/notifications/preferences",
            },
        )
        assert set(markup_of(body.html).tags) <= ALLOWED_TAGS, hostile


def test_a_locale_falls_back_to_its_language_then_english() -> None:
    assert locale_chain("fr-CA") == ("fr-CA", "fr", "en")
    assert locale_chain("pt_BR") == ("pt-BR", "pt", "en")
    assert locale_chain(None) == ("en",)
    assert locale_chain("../../etc/passwd") == ("en",)
    n = notification("Enrolled", "x")
    assert "Bonjour Ann" in render("enrolled", "fr-CA", context(n, "Ann")).html
    assert "Hello Ann" in render("enrolled", "de-AT", context(n, "Ann")).html


def test_a_message_carries_one_click_unsubscribe_and_keeps_its_headers_single_line() -> None:
    n = notification("Enrolled", "x")
    body = render("enrolled", "en", context(n, "Ann"))
    raw = compose(
        Envelope(
            sender="notifications@lms.example",
            recipient="ann@school.example",
            recipient_name="Ann\r\nBcc: victim@evil.example",
            subject="Hello\r\nBcc: victim@evil.example",
            unsubscribe_url="https://api.example/notifications/unsubscribe?token=abc.def",
            sent_at=SENT_AT,
        ),
        body,
    )
    message = email.message_from_bytes(raw, policy=default)
    assert isinstance(message, EmailMessage)
    assert message["List-Unsubscribe"] == "<https://api.example/notifications/unsubscribe?token=abc.def>"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message["Bcc"] is None
    assert message["Subject"] == "Hello Bcc: victim@evil.example"
    assert {part.get_content_type() for part in message.iter_parts()} == {"text/plain", "text/html"}
