"""Opaque cursors: the last evaluated key, signed so a client cannot forge another partition's."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from typing import Any

from lms.errors import InvalidCursor
from lms.persistence.cursor_keys import cursor_keys

MAX_LIMIT = 100
DEFAULT_LIMIT = 20

# A cursor names a key of the table: the MAC (a key of the stack's own, lms.persistence.cursor_keys)
# makes sure the API issued it, and the partition check that it is a page of the list asked for.
_MAC_BYTES = 16
_MAX_CURSOR_CHARS = 2048

# The attributes of a last evaluated key, by the partition attribute the list queries: the table's
# keys, and for an index also the index's keys. All of them are strings (template.yaml).
_KEY_ATTRIBUTES = {
    "PK": frozenset({"PK", "SK"}),
    "GSI1PK": frozenset({"PK", "SK", "GSI1PK", "GSI1SK"}),
}


def encode_cursor(last_key: dict[str, Any] | None) -> str | None:
    if not last_key:
        return None
    payload = json.dumps(last_key, sort_keys=True, separators=(",", ":")).encode()
    mac = _mac(cursor_keys.signing(), payload)
    return base64.urlsafe_b64encode(mac + payload).decode().rstrip("=")


def encode_position(position: dict[str, Any]) -> str:
    """A cursor for a list that is not a Query (an in-memory index): its position, signed."""
    payload = json.dumps(position, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    return base64.urlsafe_b64encode(_mac(cursor_keys.signing(), payload) + payload).decode().rstrip("=")


def decode_position(cursor: str) -> Any:
    """The position an `encode_position` cursor holds; the list checks that its shape is its own."""
    return _signed_payload(cursor)


def decode_cursor(
    cursor: str | None,
    *,
    partition_attr: str,
    partition: str,
    numbers: frozenset[str] = frozenset(),
) -> dict[str, Any] | None:
    """Return the start key, refusing cursors that are malformed or point at another partition.

    The key must have exactly the attributes a page of this list ends with, each a string of the
    table's keys, plus `numbers` (the list's own counters, e.g. a waitlist position) as digits.
    """
    if not cursor:
        return None
    key = _signed_payload(cursor)
    expected = _KEY_ATTRIBUTES[partition_attr] | numbers
    shaped = isinstance(key, dict) and set(key) == expected
    if not shaped or not all(_typed(key, name, numbers) for name in key):
        raise InvalidCursor("The cursor is malformed.", field="cursor")
    if key[partition_attr]["S"] != partition:
        raise InvalidCursor("The cursor does not belong to this list.", field="cursor")
    start: dict[str, Any] = key
    return start


def _signed_payload(cursor: str) -> Any:
    if len(cursor) > _MAX_CURSOR_CHARS:
        raise InvalidCursor("The cursor is malformed.", field="cursor")
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
    except (ValueError, binascii.Error) as exc:
        raise InvalidCursor("The cursor is malformed.", field="cursor") from exc
    mac, payload = raw[:_MAC_BYTES], raw[_MAC_BYTES:]
    if not _signed_by(cursor_keys.accepted(), mac, payload):
        keys = cursor_keys.refreshed()  # rotated since this container read the keys?
        if keys is None or not _signed_by(keys, mac, payload):
            raise InvalidCursor("The cursor is malformed.", field="cursor")
    try:
        return json.loads(payload)
    except (ValueError, RecursionError) as exc:
        raise InvalidCursor("The cursor is malformed.", field="cursor") from exc


def _mac(key: bytes, payload: bytes) -> bytes:
    return hmac.new(key, payload, hashlib.sha256).digest()[:_MAC_BYTES]


def _signed_by(keys: tuple[bytes, ...], mac: bytes, payload: bytes) -> bool:
    return any(hmac.compare_digest(mac, _mac(key, payload)) for key in keys)


def _typed(key: dict[str, Any], name: str, numbers: frozenset[str]) -> bool:
    value = key[name]
    if not isinstance(value, dict) or len(value) != 1:
        return False
    if name in numbers:
        number = value.get("N")
        return isinstance(number, str) and number.isascii() and number.isdigit() and len(number) <= 9
    text = value.get("S")
    return isinstance(text, str) and 0 < len(text) <= 1024
