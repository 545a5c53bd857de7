"""Counts AWS requests with botocore's event hooks, and refuses a DynamoDB Scan in a request path."""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from infra import patches

_STARTED = "lms_recorder_started"


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
        """Listen to every client once per process; recording is off unless a recorder is active."""
        with cls._lock:
            if cls._installed:
                return
            patches.apply()
            # before-call, not provide-client-params: presigning a URL emits the latter too.
            patches.every_client.register("before-call", cls._on_call)
            patches.every_client.register("after-call", cls._on_done)
            patches.every_client.register("after-call-error", cls._on_done)
            cls._installed = True

    @classmethod
    def _active(cls) -> AwsCallRecorder | None:
        return getattr(cls._local, "active", None)

    @classmethod
    def _on_call(cls, params: dict[str, Any], model: Any, context: dict[str, Any], **_: Any) -> None:
        recorder = cls._active()
        if recorder is None:
            return
        service, operation = model.service_model.service_name, model.name
        if service == "dynamodb" and operation == "Scan":
            table = str(json.loads(params.get("body") or b"{}").get("TableName"))
            # Recorded as well as raised: a handler's catch-all must not hide it.
            recorder.scans.append(table)
            raise ScanInRequestPath(f"Scan of {table} in a request path")
        recorder.calls[(service, operation)] += 1
        context[_STARTED] = time.perf_counter()

    @classmethod
    def _on_done(cls, context: dict[str, Any], **_: Any) -> None:
        recorder = cls._active()
        started = context.pop(_STARTED, None)
        if recorder is not None and started is not None:
            recorder.seconds += time.perf_counter() - started

    @contextmanager
    def recording(self) -> Iterator[AwsCallRecorder]:
        self.install()
        previous = self._active()
        self._local.active = self
        try:
            yield self
        finally:
            self._local.active = previous

    def dynamodb_requests(self) -> int:
        return sum(n for (service, _), n in self.calls.items() if service == "dynamodb")

    def operations(self, service: str = "dynamodb") -> dict[str, int]:
        return {op: n for (svc, op), n in sorted(self.calls.items()) if svc == service}
