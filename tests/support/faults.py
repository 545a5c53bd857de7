"""Failures injected at the AWS boundary: a dying worker, a refusing service, a timed-out function."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from botocore.exceptions import ClientError

from infra import patches


@contextmanager
def before_each_call(handler: Callable[[str, dict[str, Any]], None]) -> Iterator[None]:
    """`handler(operation, params)` runs before every AWS call made inside the block, by any client.

    It is a botocore event handler on `infra.patches.every_client`: what it raises, the call raises.
    """

    def on_call(params: dict[str, Any], model: Any, **_: Any) -> None:
        handler(model.name, params)

    patches.every_client.register("provide-client-params", on_call)
    try:
        yield
    finally:
        patches.every_client.unregister("provide-client-params", on_call)


class Faults:
    """Makes chosen AWS calls fail, as a dying worker or a refusing service would; counts every call."""

    def __init__(self) -> None:
        self.calls: Counter[str] = Counter()
        self._rules: list[tuple[str, Callable[[int, dict[str, Any]], bool], Exception]] = []

    def fail(self, operation: str, when: Callable[[int, dict[str, Any]], bool], error: Exception) -> None:
        self._rules.append((operation, when, error))

    @contextmanager
    def active(self) -> Iterator[Faults]:
        def failing(operation: str, params: dict[str, Any]) -> None:
            self.calls[operation] += 1
            for name, when, error in self._rules:
                if name == operation and when(self.calls[operation], params):
                    raise error

        with before_each_call(failing):
            yield self


class WorkerDied(Exception):
    """What a Lambda timeout or an out-of-memory kill looks like from inside the batch."""


def transaction_conflict(items: int = 1, conflicting: int = 0) -> ClientError:
    """DynamoDB's answer to a transaction that touched an item another transaction was writing."""
    reasons = [{"Code": "TransactionConflict" if n == conflicting else "None"} for n in range(items)]
    return ClientError(
        {
            "Error": {"Code": "TransactionCanceledException", "Message": "Transaction cancelled"},
            "CancellationReasons": reasons,
        },
        "TransactWriteItems",
    )


def touches(params: dict[str, Any], key: tuple[str, str]) -> bool:
    """Whether a TransactWriteItems request writes or checks the item of `key` (PK, SK)."""
    for item in params.get("TransactItems", []):
        for action in item.values():
            where = action.get("Key") or action.get("Item") or {}
            if (where.get("PK", {}).get("S"), where.get("SK", {}).get("S")) == key:
                return True
    return False
