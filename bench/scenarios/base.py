"""What a scenario is: its route, the status it answers, its set-up and the call to measure."""

from __future__ import annotations

import contextlib
import io
from collections.abc import Mapping
from typing import ClassVar

from bench.expectations import scenario_key
from bench.invoke import Answer, ApiCall, ApiFunction, BenchError
from infra.pump import EventPump
from lms.audit import AUDIT_ENTITY
from lms.persistence.idempotency import IDEMPOTENCY_ENTITY
from lms.persistence.outbox import OUTBOX_ENTITY

PAGE_SIZE = 20  # the API's default `limit`

# What writes leave behind that no scenario reads back.
TRAIL = frozenset({OUTBOX_ENTITY, IDEMPOTENCY_ENTITY, AUDIT_ENTITY})


class Scenario:
    """Measures one operation; subclasses set the route, the status and the calls.

    `setup` and whatever `next_call` and `after` do besides building the call are not measured.
    """

    method: ClassVar[str]
    path: ClassVar[str]
    variant: ClassVar[str | None] = None
    status: ClassVar[int] = 200
    # The steady state: the caller's account check (lms.users.access) is cached, as it is for
    # 30 s in a warm container. A scenario of the first request of a user sets this to False.
    warm_account_check: ClassVar[bool] = True
    # Entities of the items the calls leave behind and nothing reads: deleted now and then between
    # calls, because moto's TransactWriteItems copies the whole table.
    disposable: ClassVar[frozenset[str]] = TRAIL
    # Set-up that needs the event pipeline (read models built by consumers) keeps the table's
    # stream, and drives it with `deliver_events`.
    needs_events: ClassVar[bool] = False

    def __init__(
        self,
        api: ApiFunction,
        page_size: int = PAGE_SIZE,
        routes: Mapping[str, ApiFunction] | None = None,
    ) -> None:
        self.api = api
        self.page_size = page_size  # of the lists; their set-up makes one item more than a page
        self.routes = routes or {}  # `METHOD /path` -> function, for set-up through other functions

    @classmethod
    def key(cls) -> str:
        return scenario_key(cls.method, cls.path, cls.variant)

    def setup(self) -> None:
        """Data every call of the scenario uses."""

    def next_call(self, index: int) -> ApiCall:
        raise NotImplementedError

    def after(self, answer: Answer) -> None:
        """Keep what the next call needs (a new version) or delete what the call consumed."""

    def send(self, call: ApiCall, expect: int) -> Answer:
        """A set-up call, through whichever function of the stack serves its route."""
        api = self.routes.get(scenario_key(call.method, call.resource), self.api)
        return api.send(call, expect)

    def deliver_events(self) -> None:
        """Run the outbox relay and the consumers until every event is handled (set-up)."""
        with contextlib.redirect_stdout(io.StringIO()):  # the consumers' metrics (EMF)
            report = EventPump(self.api.stack).drain()
        if not report.settled or report.failures:
            raise BenchError(f"{self.key()}: the event pipeline did not settle cleanly: {report}")

    def page_query(self) -> dict[str, str]:
        return {"limit": str(self.page_size)}

    def check_full_page(self, answer: Answer) -> None:
        """A list benchmark measures full pages: fewer items would flatter it."""
        found = len(answer.json()["items"])
        if found != self.page_size:
            raise BenchError(f"{self.key()} returned {found} items, not a page of {self.page_size}")


def if_match(version: int) -> dict[str, str]:
    return {"If-Match": f'"{version}"'}
