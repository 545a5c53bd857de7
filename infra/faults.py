"""Faults injected into the AWS calls of every client in this process, for the fault-injection suite.

They act at the SDK's edge (botocore event hooks on `infra.patches.every_client`): the code under
test sees exactly what AWS would answer it, and nothing of the project is replaced.

- `bus_refuses(which)`: PutEvents refuses the entries `which` selects, entry by entry
  (`ErrorCode: InternalFailure`, as EventBridge answers when it cannot take an event); the other
  entries of the call are published. Refusing everything is the bus being unavailable.
- `call_fails(service, operation, which)`: a call `which` selects fails with a ClientError before
  reaching AWS (a crash of the caller at that point, as far as what is stored goes).
Both count what they saw: `accepted` entries and `refused` entries, `failed` calls.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from botocore.awsrequest import AWSResponse, HTTPHeaders

from infra import patches

EntryFilter = Callable[[Mapping[str, Any]], bool]
CallFilter = Callable[[Mapping[str, Any]], bool]

_REFUSED = "lms_faults_refused"
_REFUSAL = {"ErrorCode": "InternalFailure", "ErrorMessage": "The event bus is unavailable (injected)."}


def _answer(status: int, parsed: dict[str, Any]) -> tuple[AWSResponse, dict[str, Any]]:
    parsed.setdefault("ResponseMetadata", {"HTTPStatusCode": status, "HTTPHeaders": {}})
    return AWSResponse("https://fault.injected", status, HTTPHeaders(), None), parsed


@dataclass
class BusFault:
    which: EntryFilter
    accepted: int = 0
    refused: int = 0

    def keep(self, params: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
        entries = list(params.get("Entries") or [])
        refused = [index for index, entry in enumerate(entries) if self.which(entry)]
        context[_REFUSED] = (refused, len(entries))
        if len(refused) < len(entries):  # all refused: the call never reaches the bus (below)
            params["Entries"] = [entry for index, entry in enumerate(entries) if index not in refused]

    def short_circuit(self, context: dict[str, Any], **_: Any) -> Any:
        refused, total = context.get(_REFUSED, ([], 0))
        if total and len(refused) == total:
            return _answer(200, {"FailedEntryCount": total, "Entries": [_REFUSAL] * total})
        return None

    def splice(self, parsed: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
        refused, total = context.pop(_REFUSED, ([], 0))
        if not total or "Entries" not in parsed:
            return
        published = iter(parsed["Entries"])
        parsed["Entries"] = [
            dict(_REFUSAL) if index in refused else next(published) for index in range(total)
        ]
        parsed["FailedEntryCount"] = sum(1 for entry in parsed["Entries"] if "ErrorCode" in entry)
        self.refused += len(refused)
        self.accepted += total - parsed["FailedEntryCount"]


@dataclass
class CallFault:
    which: CallFilter
    code: str
    failed: int = 0

    def note(self, params: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
        context["lms_faults_fail"] = self.which(params)

    def fail(self, context: dict[str, Any], **_: Any) -> Any:
        if not context.pop("lms_faults_fail", False):
            return None
        self.failed += 1
        return _answer(400, {"Error": {"Code": self.code, "Message": "Injected failure."}})


@contextmanager
def bus_refuses(which: EntryFilter = lambda entry: True) -> Iterator[BusFault]:
    patches.apply()
    fault = BusFault(which)
    hooks: list[tuple[str, Callable[..., Any]]] = [
        ("provide-client-params.eventbridge.PutEvents", fault.keep),
        ("before-call.eventbridge.PutEvents", fault.short_circuit),
        ("after-call.eventbridge.PutEvents", fault.splice),
    ]
    with _registered(hooks):
        yield fault


@contextmanager
def call_fails(
    service: str, operation: str, which: CallFilter, *, code: str = "InternalServerError"
) -> Iterator[CallFault]:
    """`which` gets the call's parameters; each call it selects fails with `code`.

    `service` is botocore's hyphenized service id (`dynamodb`, `eventbridge`, `sqs`).
    """
    patches.apply()
    fault = CallFault(which, code)
    hooks: list[tuple[str, Callable[..., Any]]] = [
        (f"provide-client-params.{service}.{operation}", fault.note),
        (f"before-call.{service}.{operation}", fault.fail),
    ]
    with _registered(hooks):
        yield fault


@contextmanager
def _registered(hooks: list[tuple[str, Callable[..., Any]]]) -> Iterator[None]:
    for event, handler in hooks:
        patches.every_client.register(event, handler)
    try:
        yield
    finally:
        for event, handler in hooks:
            patches.every_client.unregister(event, handler)
