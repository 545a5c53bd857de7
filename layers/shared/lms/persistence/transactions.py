"""One TransactWriteItems per request, with the refusal each condition stands for."""

from __future__ import annotations

from pynamodb.exceptions import TransactWriteError
from pynamodb.expressions.condition import Condition
from pynamodb.expressions.update import Action
from pynamodb.models import Model
from pynamodb.transactions import TransactWrite

from lms.persistence.table import connection


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
        ordered = [r for kind in ("check", "delete", "put", "update") for r in self._refusals[kind]]
        try:
            with self._tx:  # pynamodb sends the transaction when its block ends without an error
                pass
        except TransactWriteError as error:
            for reason, refusal in zip(error.cancellation_reasons or [], ordered, strict=False):
                if reason is not None and reason.code == "ConditionalCheckFailed" and refusal is not None:
                    raise refusal from error
            raise
