"""The commerce keys: derived per institution from the stack's secret (template.yaml CommerceSecret).

Read like the cursor secret (lms.persistence.cursor_keys): per container, again every few minutes,
current and previous version, so a store signing with an institution's previous key keeps working
through a rotation until the next one. A signature no known key verifies makes the keys read again
(a rotation another container saw first), at most once a minute.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, cast

from lms import aws
from lms.courses.commerce import signature
from lms.courses.commerce.errors import CommerceSignatureInvalid
from lms.persistence.cursor_keys import CursorKeys
from lms.settings import get_settings

if TYPE_CHECKING:
    from mypy_boto3_secretsmanager import SecretsManagerClient


@cache
def _client() -> SecretsManagerClient:
    return cast("SecretsManagerClient", aws.client("secretsmanager"))


def _secret_id() -> str:
    return get_settings().commerce_secret_arn


commerce_keys = CursorKeys(_secret_id, _client)
"""The container's copy of the stack's commerce secret (COMMERCE_SECRET_ARN)."""


def _institution_keys(secrets: tuple[bytes, ...], institution_id: str) -> list[bytes]:
    return [signature.institution_key(secret, institution_id) for secret in secrets]


def verify_order_signature(institution_id: str, header: str | None, body: bytes, now: float) -> None:
    """Accept a request the institution's store signed (current or previous key); refuse with 401."""
    try:
        signature.verify(header, body, _institution_keys(commerce_keys.accepted(), institution_id), now)
    except CommerceSignatureInvalid:
        fresh = commerce_keys.refreshed()
        if fresh is None:
            raise
        signature.verify(header, body, _institution_keys(fresh, institution_id), now)
