"""Idempotency-Key semantics: a retried create answers with the first response and changes nothing."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from lms.errors import Problem


@dataclass(frozen=True)
class IdempotentRequest:
    """A create request that carried an Idempotency-Key, with a fingerprint of its body."""

    key: str
    fingerprint: str

    @classmethod
    def of(cls, key: str | None, body: Any) -> IdempotentRequest | None:
        if key is None:
            return None
        digest = hashlib.sha256(json.dumps(body, sort_keys=True, default=str).encode()).hexdigest()
        return cls(key=key, fingerprint=digest)


@dataclass(frozen=True)
class StoredResponse:
    """The first answer to an Idempotency-Key, stored in the transaction of the change it made."""

    fingerprint: str
    status: int
    body: str


class Replay(Exception):
    """The request was already handled: answer with the stored response (lms.http does)."""

    def __init__(self, response: StoredResponse) -> None:
        super().__init__("replayed")
        self.response = response


class IdempotencyKeyReused(Problem):
    """The `Idempotency-Key` was used before with a different body."""

    status = 422
    slug = "idempotency-key-reused"
    title = "The Idempotency-Key was already used for a different request"


def replay(stored: StoredResponse | None, request: IdempotentRequest) -> None:
    """Raise Replay for a request seen before; refuse a key reused for another body."""
    if stored is not None:
        raise answer_to_retry(stored, request)


def answer_to_retry(stored: StoredResponse, request: IdempotentRequest) -> Exception:
    """The answer to a request whose key has a stored first answer: it, or a refusal of the reuse."""
    if stored.fingerprint != request.fingerprint:
        return IdempotencyKeyReused(
            "Use a new Idempotency-Key for a different request.", field="Idempotency-Key"
        )
    return Replay(stored)
