"""Digests: each person's daily (08:00) or weekly (Monday 08:00) e-mail of what waited, in their time zone.

The digest function runs on a schedule and reads the sparse index of pending digests up to the
time it runs for. A digest is sent once per period: its period marker is claimed with a
conditional put before sending, so a second run for the same time, or two overlapping runs, send
nothing twice; the claim is given back when SES fails, and the next run tries again. A period
found already claimed (a run that crashed after claiming) moves the entries to the next period,
so none is lost and none is sent twice.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from lms import clock, keys
from lms.notifications.mail.composing import Envelope, compose
from lms.notifications.mail.rendering import DIGEST_TEMPLATE, render
from lms.notifications.mail.repository import DigestEntry, DueDigest
from lms.notifications.mail.schedule import next_due
from lms.notifications.mail.sender import Outgoing
from lms.notifications.mail.service import (
    AddressBook,
    Addressee,
    Links,
    MailRepository,
    Sender,
    UnsubscribeSigner,
    deliverable,
)

PAGE = 100
SUBJECTS = {"daily": "Your daily digest", "weekly": "Your weekly digest"}


class DigestRepository(MailRepository, Protocol):
    def due_digests(self, shard: int, until: datetime, limit: int) -> list[DueDigest]: ...
    def digest_entries(self, due: DueDigest) -> list[DigestEntry]: ...
    def claim_period(self, due: DueDigest, at: datetime) -> bool: ...
    def release_period(self, due: DueDigest) -> None: ...
    def finish_digest(self, due: DueDigest, sent: list[DigestEntry], next_due_at: str) -> None: ...
    def postpone(self, due: DueDigest, next_due_at: str) -> None: ...


@dataclass
class DigestRun:
    sent: int = 0
    postponed: int = 0
    dropped: int = 0  # nobody to send to (suspended, erased, undeliverable): the entries go
    failed: int = 0


class Digests:
    """Sends the digests due at a moment, each once."""

    def __init__(
        self,
        repository: DigestRepository,
        address_book: AddressBook,
        sender: Sender,
        sign: UnsubscribeSigner,
        links: Links,
    ) -> None:
        self._repository = repository
        self._address_book = address_book
        self._sender = sender
        self._sign = sign
        self._links = links

    def send_due(self, at: datetime) -> DigestRun:
        """Every digest due at `at` or before; page by page, each shard of the index."""
        run = DigestRun()
        for shard in range(keys.DUE_DIGEST_SHARDS):
            failed: set[DueDigest] = set()
            while True:
                page = [d for d in self._repository.due_digests(shard, at, PAGE) if d not in failed]
                for due in page:
                    if not self._send(due, at, run):
                        failed.add(due)
                if not page or len(page) < PAGE:
                    break
        return run

    def _send(self, due: DueDigest, at: datetime, run: DigestRun) -> bool:
        addressee = self._address_book(due.institution_id, [due.user_id]).get(due.user_id)
        timezone = addressee.timezone if addressee is not None else None
        following = clock.rfc3339(next_due(due.frequency, datetime.fromisoformat(due.due_at), timezone))
        if not self._repository.claim_period(due, at):
            self._repository.postpone(due, following)
            run.postponed += 1
            return True
        entries = self._repository.digest_entries(due)
        if (
            addressee is None
            or not deliverable(addressee)
            or not entries
            or self._repository.suppressed(due.institution_id, [(due.user_id, addressee.email)])
        ):
            self._repository.finish_digest(due, entries, following)
            run.dropped += 1
            return True
        try:
            self._sender.send(self._outgoing(due, addressee, entries, at))
        except Exception:
            self._repository.release_period(due)
            run.failed += 1
            return False
        self._repository.finish_digest(due, entries, following)
        run.sent += 1
        return True

    def _outgoing(
        self, due: DueDigest, addressee: Addressee, entries: Sequence[DigestEntry], at: datetime
    ) -> Outgoing:
        categories = sorted({entry.category for entry in entries})
        unsubscribe_url = self._links.unsubscribe(self._sign(due.institution_id, due.user_id, categories, at))
        subject = SUBJECTS.get(due.frequency, SUBJECTS["daily"])
        body = render(
            DIGEST_TEMPLATE,
            addressee.locale,
            {
                "subject": subject,
                "frequency": due.frequency,
                "recipient_name": addressee.display_name,
                "items": [
                    {"title": e.title, "body_text": e.body_text, "link_url": self._links.web(e.link)}
                    for e in entries
                ],
                "preferences_url": self._links.preferences,
            },
        )
        envelope = Envelope(
            sender=self._sender.sender,
            recipient=addressee.email,
            recipient_name=addressee.display_name,
            subject=subject,
            unsubscribe_url=unsubscribe_url,
            sent_at=at,
        )
        return Outgoing(
            recipient=addressee.email,
            raw=compose(envelope, body),
            institution_id=due.institution_id,
            user_id=due.user_id,
            kind=DIGEST_TEMPLATE,
        )
