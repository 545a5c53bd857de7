"""Opaque identifiers: ULIDs, sortable by creation time."""

from __future__ import annotations

import os
import threading
import time

_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_lock = threading.Lock()
_last = 0


def new_id() -> str:
    """A 26-character ULID (48-bit millisecond time + 80 random bits).

    Monotonic within a process, as the ULID specification allows: an id made in the same
    millisecond as the one before is that one plus one, so ids made one after the other sort in
    the order they were made (a list ordered by id, ties of time broken by id, stays stable).
    """
    global _last
    value = (int(time.time() * 1000) << 80) | int.from_bytes(os.urandom(10), "big")
    with _lock:
        value = max(value, _last + 1)
        _last = value
    chars = []
    for _ in range(26):
        value, rem = divmod(value, 32)
        chars.append(_ALPHABET[rem])
    return "".join(reversed(chars))
