"""One e-mail as MIME: plain text and HTML alternatives, and the headers mailbox providers read.

`List-Unsubscribe` names the signed one-click link and `List-Unsubscribe-Post:
List-Unsubscribe=One-Click` says a POST to it unsubscribes without a page (RFC 8058), which large
providers require of bulk senders; `Auto-Submitted` keeps vacation auto-replies away (RFC 3834).
Header values are single lines: a line break in a title cannot add a header.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, make_msgid

from lms.notifications.mail.rendering import Body

MAX_SUBJECT_LENGTH = 200
# Long header lines are not folded: a folded List-Unsubscribe URL is one that some clients misread.
_POLICY = SMTP.clone(max_line_length=998)


@dataclass(frozen=True)
class Envelope:
    sender: str
    recipient: str
    recipient_name: str
    subject: str
    unsubscribe_url: str | None
    sent_at: datetime


def single_line(text: str, limit: int = MAX_SUBJECT_LENGTH) -> str:
    """Whitespace (line breaks included) collapsed to single spaces, cut at `limit` characters."""
    return " ".join(text.split())[:limit]


def compose(envelope: Envelope, body: Body) -> bytes:
    """The message's bytes as SES sends them (CRLF line ends)."""
    message = EmailMessage(policy=_POLICY)
    message["From"] = envelope.sender
    message["To"] = Address(
        display_name=single_line(envelope.recipient_name, 100), addr_spec=envelope.recipient
    )
    message["Subject"] = single_line(envelope.subject)
    message["Date"] = format_datetime(envelope.sent_at)
    message["Message-ID"] = make_msgid(domain=envelope.sender.rpartition("@")[2] or None)
    message["Auto-Submitted"] = "auto-generated"
    if envelope.unsubscribe_url is not None:
        message["List-Unsubscribe"] = f"<{envelope.unsubscribe_url}>"
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message.set_content(body.text)
    message.add_alternative(body.html, subtype="html")
    return message.as_bytes()
