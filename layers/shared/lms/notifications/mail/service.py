"""The mailer: a notification's e-mail to each recipient, now or in their next digest.

Idempotent by (notification, recipient). An immediate e-mail is sent only after its sent marker
was claimed with a conditional put, and the claim is given back when SES refuses or fails; so a
duplicate delivery of the queue's message finds the claim and sends nothing, and a retry after a
failure sends what did not go. The one window left is a crash between the claim and SES's answer:
that e-mail is then not sent (at most once), because sending it twice cannot be undone while a
lost notification e-mail is still in the person's inbox (in-app) and their next digest.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from lms import clock
from lms.notifications.catalog import CATALOG
from lms.notifications.mail.composing import Envelope, compose
from lms.notifications.mail.rendering import render
from lms.notifications.mail.repository import DigestEntry
from lms.notifications.mail.schedule import next_due
from lms.notifications.mail.sender import Outgoing
from lms.notifications.mail_contract import MailMessage, MailNotification, MailRecipient

DELIVERABLE_STATUSES = frozenset({"active"})
"""Suspended and erased people receive no e-mail."""


class Addressee(Protocol):
    """What the identity context tells about a recipient (lms.users.queries.email_addressees)."""

    @property
    def user_id(self) -> str: ...
    @property
    def email(self) -> str: ...
    @property
    def display_name(self) -> str: ...
    @property
    def locale(self) -> str | None: ...
    @property
    def timezone(self) -> str | None: ...
    @property
    def status(self) -> str: ...


class AddressBook(Protocol):
    def __call__(self, institution_id: str, user_ids: Sequence[str]) -> Mapping[str, Addressee]: ...


class MailRepository(Protocol):
    def suppressed(
        self, institution_id: str, addresses: Sequence[tuple[str, str]]
    ) -> set[tuple[str, str]]: ...
    def claim_sent(self, institution_id: str, user_id: str, notification_id: str, at: datetime) -> bool: ...
    def release_sent(self, institution_id: str, user_id: str, notification_id: str) -> None: ...
    def add_to_digest(
        self, institution_id: str, user_id: str, frequency: str, entry: DigestEntry, due_at: str
    ) -> bool: ...


class Sender(Protocol):
    @property
    def sender(self) -> str: ...
    def send(self, outgoing: Outgoing) -> str: ...


class UnsubscribeSigner(Protocol):
    def __call__(
        self, institution_id: str, user_id: str, categories: Sequence[str], issued_at: datetime
    ) -> str: ...


@dataclass(frozen=True)
class Links:
    """Where an e-mail's links lead: the web app (its origin) and the API's public URL."""

    web_origin: str
    public_api_url: str

    def web(self, link: str) -> str | None:
        """An absolute link to what a notification is about; an app path joins the web origin."""
        if link.startswith("/") and not link.startswith("//"):
            return f"{self.web_origin.rstrip('/')}{link}"
        if link.startswith("https://"):
            return link
        return None  # anything else (another scheme) is never put in an e-mail

    @property
    def preferences(self) -> str:
        return f"{self.web_origin.rstrip('/')}/notifications/preferences"

    def unsubscribe(self, token: str) -> str:
        return f"{self.public_api_url.rstrip('/')}/notifications/unsubscribe?token={token}"


class UnknownNotificationType(Exception):
    """The message names a type the catalog does not know: it cannot be rendered (a poison message)."""


class MailNotSent(Exception):
    """SES did not take some of the message's e-mails: the message is retried for them."""


@dataclass
class Delivery:
    """What became of one message's recipients."""

    sent: int = 0
    kept_for_digest: int = 0
    duplicates: int = 0
    skipped: int = 0


def deliverable(addressee: Addressee | None) -> bool:
    return addressee is not None and addressee.status in DELIVERABLE_STATUSES and bool(addressee.email)


class Mailer:
    """Sends or keeps a notification's e-mail for each recipient of one queue message."""

    def __init__(
        self,
        repository: MailRepository,
        address_book: AddressBook,
        sender: Sender,
        sign: UnsubscribeSigner,
        links: Links,
        now: Callable[[], datetime] = clock.now,
    ) -> None:
        self._repository = repository
        self._address_book = address_book
        self._sender = sender
        self._sign = sign
        self._links = links
        self._now = now

    def deliver(self, message: MailMessage) -> Delivery:
        """Every recipient's e-mail once; raises MailNotSent after trying all when SES failed some."""
        notification = message.notification
        if notification.type not in CATALOG:
            raise UnknownNotificationType(f"no notification type {notification.type!r} in the catalog")
        addressees = self._address_book(notification.institution_id, [r.user_id for r in message.recipients])
        reachable = {uid: a for uid, a in addressees.items() if deliverable(a)}
        suppressed = self._repository.suppressed(
            notification.institution_id, [(uid, a.email) for uid, a in reachable.items()]
        )
        delivery = Delivery()
        failed: list[Exception] = []
        for recipient in message.recipients:
            addressee = reachable.get(recipient.user_id)
            if addressee is None or (recipient.user_id, addressee.email) in suppressed:
                delivery.skipped += 1
            elif recipient.frequency == "immediately":
                self._send_now(notification, addressee, delivery, failed)
            else:
                self._keep(notification, recipient, addressee, delivery)
        if failed:
            raise MailNotSent(f"SES did not take the e-mail to {len(failed)} recipient(s)") from failed[0]
        return delivery

    def _send_now(
        self,
        notification: MailNotification,
        addressee: Addressee,
        delivery: Delivery,
        failed: list[Exception],
    ) -> None:
        at = self._now()
        institution_id, user_id = notification.institution_id, addressee.user_id
        if not self._repository.claim_sent(institution_id, user_id, notification.notification_id, at):
            delivery.duplicates += 1
            return
        try:
            self._sender.send(self.outgoing(notification, addressee, at))
        except Exception as error:  # SES's refusal or an outage: given back, tried again with the message
            self._repository.release_sent(institution_id, user_id, notification.notification_id)
            failed.append(error)
            return
        delivery.sent += 1

    def outgoing(self, notification: MailNotification, addressee: Addressee, at: datetime) -> Outgoing:
        """The e-mail of one notification to one person, with its signed unsubscribe link."""
        notification_type = CATALOG[notification.type]
        unsubscribe_url = None
        if notification_type.switchable:
            token = self._sign(notification.institution_id, addressee.user_id, [notification.category], at)
            unsubscribe_url = self._links.unsubscribe(token)
        body = render(
            notification_type.template,
            addressee.locale,
            {
                "notification": notification,
                "data": notification.data,
                "recipient_name": addressee.display_name,
                "link_url": self._links.web(notification.link),
                "preferences_url": self._links.preferences,
                "unsubscribe_url": unsubscribe_url,
            },
        )
        envelope = Envelope(
            sender=self._sender.sender,
            recipient=addressee.email,
            recipient_name=addressee.display_name,
            subject=notification.title,
            unsubscribe_url=unsubscribe_url,
            sent_at=at,
        )
        return Outgoing(
            recipient=addressee.email,
            raw=compose(envelope, body),
            institution_id=notification.institution_id,
            user_id=addressee.user_id,
            kind=notification_type.template,
        )

    def _keep(
        self,
        notification: MailNotification,
        recipient: MailRecipient,
        addressee: Addressee,
        delivery: Delivery,
    ) -> None:
        entry = DigestEntry(
            notification_id=notification.notification_id,
            type=notification.type,
            category=notification.category,
            occurred_at=clock.rfc3339(notification.occurred_at),
            title=notification.title,
            body_text=notification.body_text,
            link=notification.link,
        )
        due_at = clock.rfc3339(next_due(recipient.frequency, self._now(), addressee.timezone))
        kept = self._repository.add_to_digest(
            notification.institution_id, addressee.user_id, recipient.frequency, entry, due_at
        )
        if kept:
            delivery.kept_for_digest += 1
        else:
            delivery.duplicates += 1
