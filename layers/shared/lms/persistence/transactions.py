"""One TransactWriteItems per request, with the refusal each condition stands for."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import Any

from pynamodb.constants import ALL_OLD
from pynamodb.exceptions import CancellationReason, TransactWriteError
from pynamodb.expressions.condition import Condition
from pynamodb.expressions.update import Action
from pynamodb.models import Model
from pynamodb.transactions import TransactWrite

from lms.errors import ContendedChange
from lms.persistence.table import connection

CONFLICT_ATTEMPTS = 4
"""Sends of one transaction while DynamoDB cancels it for another transaction on the same items."""
_BACKOFF_SECONDS = 0.01  # doubled per attempt, with jitter: contenders do not collide again in step


class Transaction:
    """Collects writes; `commit` raises the refusal registered for the first failed condition.

    pynamodb sends condition checks, then deletes, then puts, then updates; the cancellation
    reasons come back in that order, so refusals are kept per kind and joined the same way.
    """

    def __init__(self) -> None:
        self._tx = TransactWrite(connection=connection())
        self._refusals: dict[str, list[Exception | None]] = {
            "check": [],
            "delete": [],
            "put": [],
            "update": [],
        }
        self._claims: dict[int, Callable[[dict[str, Any]], Exception]] = {}  # by place among the puts
        self.refused: list[Exception] = []
        """After a refused commit: the refusal of every condition that failed, in the order added."""

    def check(
        self, model_cls: type[Model], hash_key: str, range_key: str, condition: Condition, refusal: Exception
    ) -> None:
        self._tx.condition_check(model_cls, hash_key, range_key, condition=condition)
        self._refusals["check"].append(refusal)

    def delete(
        self, item: Model, condition: Condition | None = None, refusal: Exception | None = None
    ) -> None:
        self._tx.delete(item, condition=condition)
        self._refusals["delete"].append(refusal)

    def put(self, item: Model, condition: Condition | None = None, refusal: Exception | None = None) -> None:
        self._tx.save(item, condition=condition)
        self._refusals["put"].append(refusal)

    def claim(self, item: Model, condition: Condition, answer: Callable[[dict[str, Any]], Exception]) -> None:
        """Put an item that makes the request happen once; refused, `answer(the item as stored)`.

        The stored item comes back with the refusal (ReturnValuesOnConditionCheckFailure=ALL_OLD),
        so a request made before is answered without a read first. It decides over any other
        refusal: a repeated request also meets the conditions its first run made false."""
        self._claims[len(self._refusals["put"])] = answer
        self._tx.save(item, condition=condition, return_values=ALL_OLD)
        self._refusals["put"].append(None)

    def update(
        self,
        item: Model,
        actions: list[Action],
        condition: Condition | None = None,
        refusal: Exception | None = None,
    ) -> None:
        """Change attributes in place (counters: `ADD`), without reading the item first."""
        self._tx.update(item, actions, condition=condition)
        self._refusals["update"].append(refusal)

    def commit(self) -> None:
        """Send the transaction; a refused condition raises its refusal.

        DynamoDB cancels a transaction that touches an item another transaction is writing at that
        moment (`TransactionConflict`): nothing of it was applied and its conditions are evaluated
        anew, so sending the same request again is always safe. After `CONFLICT_ATTEMPTS` sends the
        caller gets `ContendedChange` (409, retry), never an unexplained error.
        """
        ordered = [r for kind in ("check", "delete", "put", "update") for r in self._refusals[kind]]
        for attempt in range(CONFLICT_ATTEMPTS):
            try:
                with self._tx:  # pynamodb sends the transaction when its block ends without an error
                    pass
                return
            except TransactWriteError as error:
                reasons = error.cancellation_reasons or []
                self._answer_claimed(reasons, error)
                self.refused = [
                    refusal
                    for reason, refusal in zip(reasons, ordered, strict=False)
                    if reason is not None and reason.code == "ConditionalCheckFailed" and refusal is not None
                ]
                if self.refused:
                    raise self.refused[0] from error
                if not any(reason is not None and reason.code == "TransactionConflict" for reason in reasons):
                    raise
                if attempt + 1 == CONFLICT_ATTEMPTS:
                    raise ContendedChange(
                        "Other changes to the same data were being applied at the same moment; "
                        "nothing was changed. Send the request again."
                    ) from error
                time.sleep(random.uniform(0, _BACKOFF_SECONDS * 2**attempt))  # noqa: S311  # nosec B311 - jitter, not a secret

    def _answer_claimed(self, reasons: list[CancellationReason | None], error: TransactWriteError) -> None:
        first_put = len(self._refusals["check"]) + len(self._refusals["delete"])
        for place, answer in self._claims.items():
            at = first_put + place
            reason = reasons[at] if at < len(reasons) else None
            if reason is not None and reason.code == "ConditionalCheckFailed" and reason.raw_item:
                raise answer(reason.raw_item) from error
