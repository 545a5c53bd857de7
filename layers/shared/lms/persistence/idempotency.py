"""First answers to Idempotency-Key requests, stored in the transaction that made them."""

from __future__ import annotations

import time
from typing import Any

from pynamodb.attributes import NumberAttribute, UnicodeAttribute

from lms import keys
from lms.idempotency import IdempotentRequest, StoredResponse, answer_to_retry
from lms.persistence.table import Item
from lms.persistence.transactions import Transaction

IDEMPOTENCY_ENTITY = "idempotency"
RETENTION_SECONDS = 24 * 3600


class IdempotencyItem(Item):
    fingerprint = UnicodeAttribute()
    status = NumberAttribute()
    body = UnicodeAttribute()
    expires_at = NumberAttribute()


def idempotency_item(
    institution_id: str, user_id: str, key: str, fingerprint: str, status: int, body: str
) -> IdempotencyItem:
    return IdempotencyItem(
        keys.idempotency_pk(institution_id, user_id, key),
        keys.IDEMPOTENCY_SK,
        entity=IDEMPOTENCY_ENTITY,
        fingerprint=fingerprint,
        status=status,
        body=body,
        expires_at=int(time.time()) + RETENTION_SECONDS,
    )


def remember_answer(
    tx: Transaction,
    institution_id: str,
    user_id: str,
    request: IdempotentRequest,
    response: StoredResponse,
) -> None:
    """Store the first answer in the change's own transaction, claiming the key.

    A key used before (its answer stored and not expired) cancels the transaction, which brings the
    stored answer back: the request is answered with it (a Replay) or refused as a reuse for another
    body, without a read first."""

    def answer(stored: dict[str, Any]) -> Exception:
        item = IdempotencyItem.from_raw_data(stored)
        first = StoredResponse(fingerprint=item.fingerprint, status=int(item.status), body=item.body)
        return answer_to_retry(first, request)

    tx.claim(
        idempotency_item(
            institution_id, user_id, request.key, response.fingerprint, response.status, response.body
        ),
        IdempotencyItem.PK.does_not_exist() | (IdempotencyItem.expires_at < int(time.time())),
        answer,
    )


def response_key(institution_id: str, user_id: str, key: str) -> tuple[str, str]:
    """The (PK, SK) of the first answer to a caller's key, for a read that fetches it with others."""
    return keys.idempotency_pk(institution_id, user_id, key), keys.IDEMPOTENCY_SK


def response_of_raw(raw: dict[str, Any] | None) -> StoredResponse | None:
    """The stored first answer as BatchGetItem returns it; None when absent or expired."""
    if raw is None:
        return None
    item = IdempotencyItem.from_raw_data(raw)
    # TTL deletion lags; an expired answer is no longer a promise.
    if item.expires_at <= time.time():
        return None
    return StoredResponse(fingerprint=item.fingerprint, status=int(item.status), body=item.body)


def find_response(institution_id: str, user_id: str, key: str) -> IdempotencyItem | None:
    try:
        item = IdempotencyItem.get(
            keys.idempotency_pk(institution_id, user_id, key), keys.IDEMPOTENCY_SK, consistent_read=True
        )
    except IdempotencyItem.DoesNotExist:
        return None
    # TTL deletion lags; an expired answer is no longer a promise.
    return item if item.expires_at > time.time() else None
