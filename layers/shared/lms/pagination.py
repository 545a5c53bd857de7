"""Opaque cursors: the last evaluated key, signed so a client cannot forge another partition's."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from typing import Any

from lms.errors import InvalidCursor

MAX_LIMIT = 100
DEFAULT_LIMIT = 20

# Tampering is caught by the partition check below; the MAC only makes cursors opaque and stable.
_MAC_KEY = b"lms-cursor-v1"


def encode_cursor(last_key: dict[str, Any] | None) -> str | None:
    if not last_key:
        return None
    payload = json.dumps(last_key, sort_keys=True, separators=(",", ":")).encode()
    mac = hmac.new(_MAC_KEY, payload, hashlib.sha256).digest()[:8]
    return base64.urlsafe_b64encode(mac + payload).decode().rstrip("=")


def decode_cursor(cursor: str | None, *, partition_attr: str, partition: str) -> dict[str, Any] | None:
    """Return the start key, refusing cursors that are malformed or point at another partition."""
    if not cursor:
        return None
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        mac, payload = raw[:8], raw[8:]
        if not hmac.compare_digest(mac, hmac.new(_MAC_KEY, payload, hashlib.sha256).digest()[:8]):
            raise ValueError("mac")
        key = json.loads(payload)
    except (ValueError, json.JSONDecodeError) as exc:
        raise InvalidCursor("The cursor is malformed.", field="cursor") from exc
    if not isinstance(key, dict) or key.get(partition_attr, {}).get("S") != partition:
        raise InvalidCursor("The cursor does not belong to this list.", field="cursor")
    return key
