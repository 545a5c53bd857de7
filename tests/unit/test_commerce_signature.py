"""The commerce signature: HMAC-SHA256 over `<t>.<body>`, per-institution keys, 5 minutes of tolerance."""

from __future__ import annotations

import pytest

from lms.courses.commerce.errors import CommerceSignatureInvalid, CommerceSignatureStale
from lms.courses.commerce.signature import TOLERANCE_SECONDS, institution_key, sign, verify

BODY = b'{"order_id":"o-1","status":"paid","course_id":"c","user_id":"u"}'
NOW = 1_800_000_000
CURRENT, PREVIOUS = institution_key(b"secret-2", "inst-a"), institution_key(b"secret-1", "inst-a")


def test_each_institution_has_its_own_key_from_the_one_stack_secret() -> None:
    assert institution_key(b"secret-2", "inst-a") == CURRENT
    assert institution_key(b"secret-2", "inst-b") != CURRENT
    assert len(CURRENT) == 64


@pytest.mark.parametrize("key", [CURRENT, PREVIOUS])
def test_a_signature_of_the_current_or_previous_key_within_the_tolerance_is_accepted(key: bytes) -> None:
    for signed_at in (NOW - TOLERANCE_SECONDS, NOW, NOW + TOLERANCE_SECONDS):
        verify(sign(key, signed_at, BODY), BODY, [CURRENT, PREVIOUS], NOW)


def test_one_matching_signature_among_several_is_enough() -> None:
    signed = sign(CURRENT, NOW, BODY)  # t=<NOW>,v1=<mac>
    verify(signed.replace(",v1=", f",v1={'f' * 64},v1=") + f",v1={'0' * 64}", BODY, [CURRENT], NOW)


@pytest.mark.parametrize(
    "header",
    [
        None,
        "",
        "v1=abc",
        f"t={NOW}",
        f"t=now,v1={'0' * 64}",
        f"t={NOW},v0={'0' * 64}",
        sign(institution_key(b"secret-2", "inst-b"), NOW, BODY),  # another institution's key
        sign(CURRENT, NOW, BODY + b" "),  # the body changed after signing
        sign(CURRENT, NOW, BODY).replace(f"t={NOW}", f"t={NOW + 1}"),  # the time changed
    ],
)
def test_anything_else_is_refused_as_invalid(header: str | None) -> None:
    with pytest.raises(CommerceSignatureInvalid):
        verify(header, BODY, [CURRENT, PREVIOUS], NOW)


@pytest.mark.parametrize("signed_at", [NOW - TOLERANCE_SECONDS - 1, NOW + TOLERANCE_SECONDS + 1])
def test_a_right_signature_outside_the_tolerance_is_stale(signed_at: int) -> None:
    with pytest.raises(CommerceSignatureStale):
        verify(sign(CURRENT, signed_at, BODY), BODY, [CURRENT], NOW)
