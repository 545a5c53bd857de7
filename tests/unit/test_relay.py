"""The relay and the sweeper publish outbox items 10 per call and mark exactly what the bus accepted."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from lms.relay import OutboxKey, PendingEvent, deliver, pending_events, sweep

NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)
GRACE = timedelta(minutes=5)


def outbox_record(n: int, entity: str = "outbox", event_name: str = "INSERT") -> dict[str, Any]:
    return {
        "eventName": event_name,
        "dynamodb": {
            "SequenceNumber": f"{n:05d}",
            "NewImage": {
                "PK": {"S": f"INST#i#OUTBOX#{n}"},
                "SK": {"S": "EVENT"},
                "entity": {"S": entity},
                "source": {"S": "lms.courses"},
                "detail_type": {"S": "CourseCreated"},
                "detail": {"S": f'{{"n": {n}}}'},
            },
        },
    }


def stream(count: int) -> list[PendingEvent]:
    return pending_events([outbox_record(n) for n in range(count)])


class FakeBus:
    """Accepts entries, except those whose `n` is refused; raises on the calls numbered in `down`."""

    def __init__(self, refused: Iterable[int] = (), down: Iterable[int] = ()) -> None:
        self.published: list[str] = []
        self.calls = 0
        self.refused = set(refused)
        self.down = set(down)

    def put_events(self, *, Entries: list[dict[str, Any]]) -> Mapping[str, Any]:  # noqa: N803
        self.calls += 1
        if self.calls in self.down:
            raise ConnectionError("bus unreachable")
        results = []
        for entry in Entries:
            if entry["Detail"] in {f'{{"n": {n}}}' for n in self.refused}:
                results.append({"ErrorCode": "InternalFailure", "ErrorMessage": "try again"})
            else:
                self.published.append(entry["Detail"])
                results.append({"EventId": str(len(self.published))})
        return {"FailedEntryCount": sum("ErrorCode" in r for r in results), "Entries": results}


class FakeOutbox:
    """The index of unpublished items, in memory: one partition per list, oldest first."""

    def __init__(self, partitions: list[list[PendingEvent]] | None = None) -> None:
        self.partitions = partitions or []
        self.marked: list[OutboxKey] = []

    def mark_published(self, key: OutboxKey) -> None:
        self.marked.append(key)
        self.partitions = [[e for e in p if e.key != key] for p in self.partitions]

    def unpublished(self, occurred_before: datetime) -> list[list[PendingEvent]]:
        return [
            [e for e in p if e.occurred_at is not None and e.occurred_at < occurred_before]
            for p in self.partitions
        ]


def owed(n: int, age: timedelta) -> PendingEvent:
    return PendingEvent(
        key=OutboxKey(f"INST#i#OUTBOX#{n}", "EVENT"),
        source="lms.courses",
        detail_type="CourseCreated",
        detail=f'{{"n": {n}}}',
        occurred_at=NOW - age,
    )


def test_only_outbox_insertions_are_relayed() -> None:
    records = [outbox_record(1), outbox_record(2, entity="course"), outbox_record(3, event_name="REMOVE")]
    assert [p.sequence_number for p in pending_events(records)] == ["00001"]


def test_all_events_are_published_ten_per_call_and_each_is_marked() -> None:
    bus, outbox = FakeBus(), FakeOutbox()
    delivery = deliver(stream(25), "bus", bus, outbox)
    assert (bus.calls, delivery.refused) == (3, [])
    assert bus.published == [f'{{"n": {n}}}' for n in range(25)]
    assert outbox.marked == [OutboxKey(f"INST#i#OUTBOX#{n}", "EVENT") for n in range(25)]


def test_a_partly_refused_call_marks_the_accepted_entries_and_stops_there() -> None:
    bus, outbox = FakeBus(refused={13, 15}), FakeOutbox()
    delivery = deliver(stream(25), "bus", bus, outbox)
    assert [e.sequence_number for e in delivery.refused] == ["00013", "00015"]
    assert bus.calls == 2
    assert [key.pk for key in outbox.marked] == [f"INST#i#OUTBOX#{n}" for n in range(20) if n not in (13, 15)]


def test_an_unreachable_bus_marks_nothing_it_did_not_take() -> None:
    bus, outbox = FakeBus(down={2}), FakeOutbox()
    delivery = deliver(stream(25), "bus", bus, outbox)
    assert delivery.refused[0].sequence_number == "00010"
    assert len(outbox.marked) == len(bus.published) == 10


def test_the_sweeper_republishes_only_what_is_older_than_the_grace_period() -> None:
    old, young = owed(1, timedelta(hours=2)), owed(2, timedelta(minutes=1))
    bus, outbox = FakeBus(), FakeOutbox([[old, young]])
    result = sweep(outbox, "bus", bus, now=NOW, grace=GRACE, has_time=lambda: True)
    assert (result.republished, bus.published) == (1, ['{"n": 1}'])
    assert outbox.partitions == [[young]]
    assert result.oldest_age(NOW) == timedelta(hours=2)


def test_a_refusal_leaves_a_partition_for_the_next_run_but_not_the_others() -> None:
    first = [owed(n, timedelta(hours=3) - timedelta(seconds=n)) for n in range(15)]
    second = [owed(100, timedelta(hours=1))]
    bus, outbox = FakeBus(refused={3}), FakeOutbox([first, second])
    result = sweep(outbox, "bus", bus, now=NOW, grace=GRACE, has_time=lambda: True)
    assert (result.republished, result.refused) == (10, 1)
    assert [e.detail for e in outbox.partitions[0]] == [f'{{"n": {n}}}' for n in [3, *range(10, 15)]]
    assert outbox.partitions[1] == []
    assert result.oldest_age(NOW) == timedelta(hours=3)


def test_the_sweeper_stops_when_its_time_is_up() -> None:
    bus, outbox = FakeBus(), FakeOutbox([[owed(n, timedelta(hours=1)) for n in range(30)]])
    budget = iter([True, True, False])
    result = sweep(outbox, "bus", bus, now=NOW, grace=GRACE, has_time=lambda: next(budget))
    assert (result.republished, bus.calls, len(outbox.partitions[0])) == (20, 2, 10)


def test_nothing_owed_is_an_age_of_zero() -> None:
    result = sweep(FakeOutbox([[], []]), "bus", FakeBus(), now=NOW, grace=GRACE, has_time=lambda: True)
    assert (result.republished, result.oldest_age(NOW)) == (0, timedelta(0))
