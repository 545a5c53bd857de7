"""The unsubscribe links' keys: the stack's unsubscribe secret (template.yaml UnsubscribeSecret).

Read like the cursor secret (lms.persistence.cursor_keys): per container, again every few
minutes, current and previous version, so a rotation breaks no link already sent.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from functools import cache
from typing import TYPE_CHECKING, cast

from lms import aws
from lms.notifications.mail import tokens
from lms.persistence.cursor_keys import CursorKeys
from lms.settings import get_settings

if TYPE_CHECKING:
    from mypy_boto3_secretsmanager import SecretsManagerClient


@cache
def _client() -> SecretsManagerClient:
    return cast("SecretsManagerClient", aws.client("secretsmanager"))


def _secret_id() -> str:
    return get_settings().unsubscribe_secret_arn


unsubscribe_keys = CursorKeys(_secret_id, _client)
"""The container's unsubscribe keys (UNSUBSCRIBE_SECRET_ARN)."""


def sign_unsubscribe(
    institution_id: str, user_id: str, categories: Sequence[str], issued_at: datetime
) -> str:
    """A signed one-click unsubscribe token under the secret's current version."""
    return tokens.sign(unsubscribe_keys.signing(), institution_id, user_id, categories, issued_at)


def verify_unsubscribe(token: str, now: datetime) -> tokens.Unsubscription:
    """The unsubscription a token asks for; a token no known key verifies makes the keys read again
    (a rotation another container made), then is refused."""
    try:
        return tokens.verify(unsubscribe_keys.accepted(), token, now)
    except tokens.UnsubscribeLinkInvalid:
        fresh = unsubscribe_keys.refreshed()
        if fresh is None:
            raise
        return tokens.verify(fresh, token, now)
