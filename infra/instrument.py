"""Counts AWS requests by instrumenting botocore, and refuses a DynamoDB Scan in a request path."""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from botocore.client import BaseClient


class ScanInRequestPath(AssertionError):
    """A request handler scanned the table: every access pattern must be a Get or a Query."""


class AwsCallRecorder:
    """Records (service, operation) of every botocore call made inside `recording()` on this thread."""

    _installed = False
    _lock = threading.Lock()
    _local = threading.local()

    def __init__(self) -> None:
        self.calls: Counter[tuple[str, str]] = Counter()
        self.scans: list[str] = []
        self.seconds = 0.0

    @classmethod
    def install(cls) -> None:
        """Wrap botocore once per process; recording is off unless a recorder is active."""
        with cls._lock:
            if cls._installed:
                return
            original = BaseClient._make_api_call  # type: ignore[attr-defined]

            def _recorded(client: BaseClient, operation: str, params: dict[str, Any]) -> Any:
                recorder: AwsCallRecorder | None = getattr(cls._local, "active", None)
                if recorder is None:
                    return original(client, operation, params)
                service = client.meta.service_model.service_name
                if service == "dynamodb" and operation == "Scan":
                    # Recorded as well as raised: a handler's catch-all must not hide it.
                    recorder.scans.append(str(params.get("TableName")))
                    raise ScanInRequestPath(f"Scan of {params.get('TableName')} in a request path")
                recorder.calls[(service, operation)] += 1
                started = time.perf_counter()
                try:
                    return original(client, operation, params)
                finally:
                    recorder.seconds += time.perf_counter() - started

            BaseClient._make_api_call = _recorded  # type: ignore[attr-defined]
            cls._installed = True

    @contextmanager
    def recording(self) -> Iterator[AwsCallRecorder]:
        self.install()
        previous = getattr(self._local, "active", None)
        self._local.active = self
        try:
            yield self
        finally:
            self._local.active = previous

    def dynamodb_requests(self) -> int:
        return sum(n for (service, _), n in self.calls.items() if service == "dynamodb")

    def operations(self, service: str = "dynamodb") -> dict[str, int]:
        return {op: n for (svc, op), n in sorted(self.calls.items()) if svc == service}
