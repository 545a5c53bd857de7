"""One-click unsubscribe tokens: signed, bound to a person and categories, expiring, rotatable."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lms.notifications.mail import tokens
from lms.notifications.mail.errors import UnsubscribeLinkExpired, UnsubscribeLinkInvalid

KEY = b"k" * 64
PREVIOUS = b"p" * 64
NOW = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)


def test_a_signed_token_names_its_person_and_categories() -> None:
    token = tokens.sign(KEY, "I1", "U1", ["announcements"], NOW)
    found = tokens.verify([KEY], token, NOW + timedelta(days=1))
    assert (found.institution_id, found.user_id, found.categories) == ("I1", "U1", ("announcements",))


def test_a_token_signed_before_a_rotation_is_still_accepted() -> None:
    token = tokens.sign(PREVIOUS, "I1", "U1", ["grades"], NOW)
    assert tokens.verify([KEY, PREVIOUS], token, NOW).categories == ("grades",)


def test_an_expired_token_is_refused() -> None:
    token = tokens.sign(KEY, "I1", "U1", ["grades"], NOW)
    with pytest.raises(UnsubscribeLinkExpired):
        tokens.verify([KEY], token, NOW + tokens.LIFETIME)


def test_another_key_or_a_changed_claim_is_refused() -> None:
    token = tokens.sign(KEY, "I1", "U1", ["grades"], NOW)
    with pytest.raises(UnsubscribeLinkInvalid):
        tokens.verify([PREVIOUS], token, NOW)
    other = tokens.sign(KEY, "I1", "U2", ["grades"], NOW)
    forged = other.split(".")[0] + "." + token.split(".")[1]
    with pytest.raises(UnsubscribeLinkInvalid):
        tokens.verify([KEY], forged, NOW)


@given(st.text(max_size=300))
def test_no_text_is_accepted_or_crashes_the_check(text: str) -> None:
    with pytest.raises((UnsubscribeLinkInvalid, UnsubscribeLinkExpired)):
        tokens.verify([KEY], text, NOW)


@given(st.binary(min_size=1, max_size=200))
def test_a_signed_payload_that_is_not_a_token_is_refused_as_invalid(payload: bytes) -> None:
    encoded = tokens._encode(payload)
    token = f"{encoded}.{tokens._signature(KEY, encoded)}"
    with pytest.raises(UnsubscribeLinkInvalid):
        tokens.verify([KEY], token, NOW)
