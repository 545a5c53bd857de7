"""The keys that sign pagination cursors: the stack's cursor secret (template.yaml CursorSecret).

Cursors are signed with the secret's current version and accepted when signed with the current or
the previous one, so a rotation (a new secret value) leaves the cursors clients hold valid until the
next one. Each container reads the secret on first use and again every few minutes; a cursor that
no known key verifies makes it read the secret at once (at most once a minute), so a container that
has not yet seen a rotation accepts cursors signed by one that has.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import cache
from threading import Lock
from typing import TYPE_CHECKING, cast

from lms import aws
from lms.settings import get_settings

if TYPE_CHECKING:
    from mypy_boto3_secretsmanager import SecretsManagerClient

REFRESH_SECONDS = 300.0
"""How long a container signs with the key it read before reading the secret again."""
RETRY_SECONDS = 60.0
"""How soon an unverifiable cursor may make the container read the secret again."""


class CursorKeys:
    """The current and previous versions of one secret, cached per container."""

    def __init__(
        self,
        secret_id: Callable[[], str],
        client: Callable[[], SecretsManagerClient],
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._secret_id = secret_id
        self._client = client
        self._clock = clock
        self._lock = Lock()
        self._keys: tuple[bytes, ...] = ()
        self._read_at = 0.0
        self._read_from = ""

    def signing(self) -> bytes:
        """The key new cursors are signed with: the secret's current version."""
        return self.accepted()[0]

    def accepted(self) -> tuple[bytes, ...]:
        """The keys a cursor may be signed with: current, then previous (when there is one)."""
        with self._lock:
            secret_id = self._secret_id()
            stale = self._clock() - self._read_at >= REFRESH_SECONDS
            if not self._keys or stale or secret_id != self._read_from:
                self._read(secret_id)
            return self._keys

    def refreshed(self) -> tuple[bytes, ...] | None:
        """The keys read again now, or None when they were read too recently to have changed."""
        with self._lock:
            if self._keys and self._clock() - self._read_at < RETRY_SECONDS:
                return None
            self._read(self._secret_id())
            return self._keys

    def _read(self, secret_id: str) -> None:
        client = self._client()
        current = client.get_secret_value(SecretId=secret_id)["SecretString"].encode()
        try:
            previous = client.get_secret_value(SecretId=secret_id, VersionStage="AWSPREVIOUS")
        except client.exceptions.ResourceNotFoundException:
            self._keys = (current,)  # never rotated
        else:
            self._keys = (current, previous["SecretString"].encode())
        self._read_at = self._clock()
        self._read_from = secret_id


@cache
def _client() -> SecretsManagerClient:
    return cast("SecretsManagerClient", aws.client("secretsmanager"))


def _secret_id() -> str:
    return get_settings().cursor_secret_arn


cursor_keys = CursorKeys(_secret_id, _client)
"""The container's keys, read through the one settings model (CURSOR_SECRET_ARN)."""
