"""The relay publishes outbox insertions in order, 10 per call, and resumes from a failure."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from lms.relay import pending_events, publish


def outbox_record(n: int, entity: str = "outbox", event_name: str = "INSERT") -> dict[str, Any]:
    return {
        "eventName": event_name,
        "dynamodb": {
            "SequenceNumber": f"{n:05d}",
            "NewImage": {
                "entity": {"S": entity},
                "source": {"S": "lms.courses"},
                "detail_type": {"S": "CourseCreated"},
                "detail": {"S": f'{{"n": {n}}}'},
            },
        },
    }


class FakeBus:
    """Accepts entries until `fail_at` (counted across calls); then answers like a throttled PutEvents."""

    def __init__(self, fail_at: int | None = None, raise_on_call: int | None = None) -> None:
        self.published: list[dict[str, Any]] = []
        self.calls = 0
        self._fail_at = fail_at
        self._raise_on_call = raise_on_call

    def put_events(self, *, Entries: list[dict[str, Any]]) -> Mapping[str, Any]:  # noqa: N803
        self.calls += 1
        if self.calls == self._raise_on_call:
            raise ConnectionError("bus unreachable")
        results, failed = [], 0
        for entry in Entries:
            if self._fail_at is not None and len(self.published) + failed >= self._fail_at:
                results.append({"ErrorCode": "ThrottlingException"})
                failed += 1
            else:
                self.published.append(entry)
                results.append({"EventId": str(len(self.published))})
        return {"FailedEntryCount": failed, "Entries": results}


def test_only_outbox_insertions_are_relayed() -> None:
    records = [outbox_record(1), outbox_record(2, entity="course"), outbox_record(3, event_name="REMOVE")]
    assert [p.sequence_number for p in pending_events(records, "bus")] == ["00001"]


def test_all_events_are_published_ten_per_call() -> None:
    bus = FakeBus()
    assert publish(pending_events([outbox_record(n) for n in range(25)], "bus"), bus) is None
    assert bus.calls == 3
    assert [e["Detail"] for e in bus.published] == [f'{{"n": {n}}}' for n in range(25)]


def test_a_failed_entry_makes_the_batch_resume_from_it() -> None:
    bus = FakeBus(fail_at=13)
    resume = publish(pending_events([outbox_record(n) for n in range(25)], "bus"), bus)
    assert resume == "00013"
    assert len(bus.published) == 13


def test_an_unreachable_bus_loses_nothing() -> None:
    bus = FakeBus(raise_on_call=2)
    resume = publish(pending_events([outbox_record(n) for n in range(25)], "bus"), bus)
    assert resume == "00010"
    assert len(bus.published) == 10
