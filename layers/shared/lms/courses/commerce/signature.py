"""Signed commerce requests: `Lms-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256>` over `<t>.<raw body>`.

The scheme of the well-known payment webhooks: the timestamp is signed with the body, so a captured
request replays for at most `TOLERANCE_SECONDS`; signatures compare in constant time. Each
institution has its own key, derived from the stack's secret (`institution_key`), so a store's key
signs for its own institution only. Pure: the keys come from the caller (lms.courses.commerce.signing).
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Sequence

from lms.courses.commerce.errors import CommerceSignatureInvalid, CommerceSignatureStale

HEADER = "Lms-Signature"
SCHEME = "v1"
TOLERANCE_SECONDS = 300
"""How far a request's timestamp may lie from the receiver's clock, either way."""
KEY_CONTEXT = "lms-commerce:"


def institution_key(stack_secret: bytes, institution_id: str) -> bytes:
    """The institution's signing key: HMAC-SHA256(stack secret, "lms-commerce:" + id), as hex text."""
    digest = hmac.new(stack_secret, f"{KEY_CONTEXT}{institution_id}".encode(), hashlib.sha256)
    return digest.hexdigest().encode()


def _mac(key: bytes, timestamp: str, body: bytes) -> str:
    return hmac.new(key, timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


def sign(key: bytes, timestamp: int, body: bytes) -> str:
    """The header value a store sends with `body` at `timestamp` (unix seconds)."""
    return f"t={timestamp},{SCHEME}={_mac(key, str(timestamp), body)}"


def verify(header: str | None, body: bytes, keys: Sequence[bytes], now: float) -> None:
    """Accept a request signed by one of `keys` within the tolerance of `now`; refuse anything else."""
    if not header:
        raise CommerceSignatureInvalid(f"The request carries no {HEADER} header.")
    timestamp, signatures = "", []
    for part in header.split(","):
        name, _, value = part.strip().partition("=")
        if name == "t":
            timestamp = value
        elif name == SCHEME:
            signatures.append(value)
    if not timestamp.isdigit() or len(timestamp) > 12 or not signatures:
        raise CommerceSignatureInvalid(f"{HEADER} must be 't=<unix seconds>,{SCHEME}=<hex signature>'.")
    expected = [_mac(key, timestamp, body) for key in keys]
    # Every pair is compared (constant time each): the answer does not tell which key came close.
    matched = [hmac.compare_digest(e, s) for e in expected for s in signatures]
    if not any(matched):
        raise CommerceSignatureInvalid("The signature does not match the body under the institution's key.")
    if abs(now - int(timestamp)) > TOLERANCE_SECONDS:
        raise CommerceSignatureStale(
            f"The signature's timestamp is more than {TOLERANCE_SECONDS} seconds from now: sign again."
        )
