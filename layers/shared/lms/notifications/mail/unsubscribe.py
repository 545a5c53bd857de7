"""One-click unsubscribe: a signed link switches its categories' e-mail off for its person.

Public (no sign-in: the person acts from their mailbox), so the token is the only authority: it
names the institution, the person and the categories, and only a valid, unexpired signature is
acted on. A POST acts (RFC 8058); a GET only checks the link and shows what a POST would do,
because mail scanners open links. Doing it twice changes nothing more.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Protocol

from lms import clock
from lms.notifications.catalog import CATALOG
from lms.notifications.mail.tokens import Unsubscription

OFF = "off"
SWITCHABLE_CATEGORIES = frozenset(t.category.value for t in CATALOG.values() if t.switchable)


class EmailPreferences(Protocol):
    def set_email_frequency(
        self, institution_id: str, user_id: str, category: str, frequency: str
    ) -> None: ...


class Verify(Protocol):
    def __call__(self, token: str, now: datetime) -> Unsubscription: ...


class Unsubscribe:
    def __init__(
        self, preferences: EmailPreferences, verify: Verify, now: Callable[[], datetime] = clock.now
    ) -> None:
        self._preferences = preferences
        self._verify = verify
        self._now = now

    def check(self, token: str) -> list[str]:
        """The categories a valid link would switch off (nothing changes)."""
        return _switchable(self._verify(token, self._now()))

    def unsubscribe(self, token: str) -> list[str]:
        """Switch the link's categories' e-mail off; the categories switched."""
        unsubscription = self._verify(token, self._now())
        categories = _switchable(unsubscription)
        for category in categories:
            self._preferences.set_email_frequency(
                unsubscription.institution_id, unsubscription.user_id, category, OFF
            )
        return categories


def _switchable(unsubscription: Unsubscription) -> list[str]:
    # A category no longer in the catalog, or one nobody may switch off, is left as it is.
    return sorted(set(unsubscription.categories) & SWITCHABLE_CATEGORIES)
