"""Signed one-click unsubscribe links: who (institution, user), from what (categories), until when.

A token is `<payload>.<signature>`, both base64url without padding: the payload is compact JSON
`{"i": institution, "u": user, "c": [category, ...], "e": expiry (epoch seconds)}` (a
notification's e-mail names its category, a digest every category it gathers) and the signature its
HMAC-SHA256 under the unsubscribe secret (template.yaml UnsubscribeSecret). Links are signed with
the secret's current version and accepted under the current or the previous one, so a rotation
leaves the links in people's mailboxes working until the rotation after. No state is kept: a
token is only ever used to switch one category's e-mail off, which may safely happen twice.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from lms.notifications.mail.errors import UnsubscribeLinkExpired, UnsubscribeLinkInvalid

__all__ = ["UnsubscribeLinkExpired", "UnsubscribeLinkInvalid", "Unsubscription", "sign", "verify"]

LIFETIME = timedelta(days=90)
"""How long an e-mail's unsubscribe link works: a person may act on an old e-mail."""

_MAX_TOKEN_LENGTH = 1024


@dataclass(frozen=True)
class Unsubscription:
    """What a valid token asks for: this person's e-mail of these categories switched off."""

    institution_id: str
    user_id: str
    categories: tuple[str, ...]
    expires_at: int  # epoch seconds


def _encode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _signature(key: bytes, payload: str) -> str:
    return _encode(hmac.new(key, payload.encode("ascii"), hashlib.sha256).digest())


def sign(
    key: bytes, institution_id: str, user_id: str, categories: Sequence[str], issued_at: datetime
) -> str:
    """A token for switching `categories` off for the person, valid for LIFETIME from `issued_at`."""
    expires_at = int((issued_at + LIFETIME).timestamp())
    claims = {"i": institution_id, "u": user_id, "c": list(categories), "e": expires_at}
    payload = _encode(json.dumps(claims, separators=(",", ":"), sort_keys=True).encode())
    return f"{payload}.{_signature(key, payload)}"


def verify(keys: Sequence[bytes], token: str, now: datetime) -> Unsubscription:
    """The unsubscription a token signed by one of `keys` asks for; refuses tampered or expired ones."""
    payload, dot, signature = token.partition(".")
    if not dot or not payload or len(token) > _MAX_TOKEN_LENGTH or not token.isascii():
        raise UnsubscribeLinkInvalid(
            "The unsubscribe link is incomplete: copy the whole link from the e-mail."
        )
    if not any(hmac.compare_digest(_signature(key, payload), signature) for key in keys):
        raise UnsubscribeLinkInvalid("The unsubscribe link was altered or was not issued by this platform.")
    try:
        claims = json.loads(_decode(payload))
        unsubscription = Unsubscription(
            institution_id=str(claims["i"]),
            user_id=str(claims["u"]),
            categories=tuple(str(category) for category in claims["c"]),
            expires_at=int(claims["e"]),
        )
        if not unsubscription.categories or not isinstance(claims["c"], list):
            raise ValueError("no categories")
    except (ValueError, KeyError, TypeError, binascii.Error) as error:
        raise UnsubscribeLinkInvalid("The unsubscribe link cannot be read.") from error
    if now.timestamp() >= unsubscription.expires_at:
        raise UnsubscribeLinkExpired(
            "The unsubscribe link has expired: change your notification preferences in the app."
        )
    return unsubscription
