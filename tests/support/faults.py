"""Failures injected at the AWS boundary: a dying worker, a refusing service, a timed-out function."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from botocore.client import BaseClient


class Faults:
    """Makes chosen AWS calls fail, as a dying worker or a refusing service would; counts every call."""

    def __init__(self) -> None:
        self.calls: Counter[str] = Counter()
        self._rules: list[tuple[str, Callable[[int, dict[str, Any]], bool], Exception]] = []

    def fail(self, operation: str, when: Callable[[int, dict[str, Any]], bool], error: Exception) -> None:
        self._rules.append((operation, when, error))

    @contextmanager
    def active(self, monkeypatch: pytest.MonkeyPatch) -> Iterator[Faults]:
        original = BaseClient._make_api_call  # type: ignore[attr-defined]

        def failing(client: BaseClient, operation: str, params: dict[str, Any]) -> Any:
            self.calls[operation] += 1
            for name, when, error in self._rules:
                if name == operation and when(self.calls[operation], params):
                    raise error
            return original(client, operation, params)

        with monkeypatch.context() as patched:
            patched.setattr(BaseClient, "_make_api_call", failing)
            yield self


class WorkerDied(Exception):
    """What a Lambda timeout or an out-of-memory kill looks like from inside the batch."""
