"""No event is lost or applied twice, whatever fails on the way from the outbox to the read models.

One workload (a course with two lessons, two students who enroll and complete lessons, one who
completes the course and one who drops) runs once without faults and once per fault, each in an
institution of its own. After each faulty run the consumers' read models (progress, gradebook,
their inboxes and the events they emit) are compared with the fault-free run's, with ids and times
written as placeholders: an event lost leaves an item or an inbox record missing, an event applied
twice leaves a second inbox record or a state the fault-free run does not have.

Time is the pump's clock (schedules, stream retry backoff) and `lms.clock` (the sweeper's grace),
both moved by the test: nothing waits.
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import boto3
import pytest

from infra import faults
from infra.gateway import ApiGateway, TokenVerifier
from infra.provision import Stack
from infra.pump import EventPump, lambda_backoff
from tests.support.clock import moved_clock
from tests.support.courses import course_with_lessons, enroll
from tests.support.events import put_on_bus
from tests.support.tenant import Tenant

READ_MODEL = frozenset(
    {
        "progress-summary",
        "progress-outline",
        "learning-activity",
        "achievement",
        "gradebook-columns",
        "gradebook-row",
        "inbox",
        "outbox",
    }
)
# Versions count writes: the same state reached from events in another order may take fewer. An
# event applied twice shows as a second inbox record or in the state itself, not only in a version.
_VOLATILE = frozenset({"expires_at", "published_at", "GSI1PK", "GSI1SK", "version", "order_version"})
_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})")
_ID = re.compile(
    r"\b[0-9A-HJKMNP-TV-Z]{26}\b|\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b"
)
RETRY_WINDOW = sum(lambda_backoff(attempt) for attempt in range(1, 21))  # the relay's 20 attempts
SWEEPER = "OutboxSweeperFunction"
Record = Callable[[str, object], None]  # pytest's record_property: the figures in docs/operations.md


class PumpClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@dataclass
class Run:
    tenant: Tenant
    names: dict[str, str]  # id -> its role in the workload

    def read_model(self) -> list[str]:
        """The consumers' items with the workload's ids named, other ids and times as placeholders."""
        texts = []
        for item in self.tenant.items():
            if item["entity"] not in READ_MODEL:
                continue
            kept = _without_volatile({key: _parsed(value) for key, value in item.items()})
            text = json.dumps(kept, sort_keys=True, default=str)
            for value, name in self.names.items():
                text = text.replace(value, name)
            texts.append(_ID.sub("<id>", _TIME.sub("<time>", text)))
        return sorted(texts)

    def handled(self, event_ids: Collection[str] | None = None) -> int:
        """Inbox records: one per event (of `event_ids`, when given) and consumer that handled it."""
        inbox = [item for item in self.tenant.items() if item["entity"] == "inbox"]
        if event_ids is None:
            return len(inbox)
        return sum(1 for item in inbox if str(item["PK"]).rsplit("#", 1)[1] in event_ids)

    def unpublished(self) -> list[dict[str, Any]]:
        return [i for i in self.tenant.items() if i["entity"] == "outbox" and "published_at" not in i]


def _parsed(value: Any) -> Any:
    """A JSON document stored as text, parsed: the order its keys were written in is not the model."""
    if isinstance(value, str) and value[:1] in ("{", "["):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def _without_volatile(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _without_volatile(item) for key, item in value.items() if key not in _VOLATILE}
    if isinstance(value, list):
        return [_without_volatile(item) for item in value]
    return value


def workload(tenant: Tenant) -> Run:
    instructor = tenant.user("instructors", warm=False)
    course_id, lessons = course_with_lessons(instructor, count=2)
    students = [tenant.user("students", warm=False) for _ in range(2)]
    for student in students:
        enroll(tenant, course_id, student)
    for done, student in enumerate(students, start=1):
        for lesson_id in lessons[:done]:
            completion = f"/progress/courses/{course_id}/lessons/{lesson_id}"
            assert student.request("PUT", completion).status in (200, 201)
    assert students[0].delete(f"/courses/{course_id}/enrollments/{students[0].user_id}").status == 204
    names = {
        tenant.institution_id: "<institution>",
        course_id: "<course>",
        instructor.user_id: "<instructor>",
    }
    names.update({lesson_id: f"<lesson-{n}>" for n, lesson_id in enumerate(lessons)})
    names.update({student.user_id: f"<student-{n}>" for n, student in enumerate(students)})
    return Run(tenant, names)


@dataclass
class Deliveries:
    messages: int = 0  # SQS messages the consumers handled (duplicates included)
    discarded: int = 0  # stream records the relay gave up on


def settle(pump: EventPump, time: PumpClock, seen: Deliveries | None = None) -> Deliveries:
    """Drain, moving the pump's clock past any retry backoff, until a round finds nothing at all."""
    seen = seen if seen is not None else Deliveries()
    for _ in range(40):
        time.now += lambda_backoff(20) + 1
        report = pump.drain(max_rounds=50)
        seen.messages += report.messages
        seen.discarded += report.discarded_records
        if report.rounds == 1 and report.settled:
            return seen
    raise AssertionError("the pipeline did not settle")


@pytest.fixture(scope="module")
def time() -> PumpClock:
    return PumpClock()


@pytest.fixture(scope="module")
def pump(stack: Stack, time: PumpClock) -> EventPump:
    return EventPump(stack, clock=time, retry_backoff=lambda_backoff)


@pytest.fixture(scope="module")
def baseline(stack: Stack, pump: EventPump, time: PumpClock) -> Run:
    run = workload(Tenant(stack, ApiGateway(stack, TokenVerifier.for_stack(stack))))
    settle(pump, time)
    assert run.unpublished() == []
    return run


def sweep(pump: EventPump, time: PumpClock) -> None:
    """Let the sweeper's schedule come, the grace period of everything written having passed."""
    time.now += 300
    with pytest.MonkeyPatch.context() as patched, moved_clock(patched, timedelta(minutes=6)):
        # Other scheduled functions (the announcement scheduler) come due at the same time.
        assert SWEEPER in pump.run_schedules()


def waiting(stack: Stack, queue: str) -> int:
    sqs = boto3.client("sqs", region_name=stack.region)
    attributes = sqs.get_queue_attributes(
        QueueUrl=stack.queues[queue].url, AttributeNames=["ApproximateNumberOfMessages"]
    )["Attributes"]
    return int(attributes["ApproximateNumberOfMessages"])


def events_of(run: Run) -> list[dict[str, Any]]:
    return run.tenant.events()


def test_the_workload_exercises_both_consumers(baseline: Run) -> None:
    kinds = {text.split('"entity": "')[1].split('"')[0] for text in baseline.read_model()}
    assert {"progress-summary", "gradebook-row", "inbox", "achievement"} <= kinds


def test_a_bus_down_longer_than_the_stream_retries_loses_nothing(
    stack: Stack, tenant: Tenant, pump: EventPump, time: PumpClock, baseline: Run, record_property: Record
) -> None:
    pointers = waiting(stack, "OutboxRelayDLQ")
    with faults.bus_refuses() as outage:
        run = workload(tenant)
        down_since = time.now
        while waiting(stack, "OutboxRelayDLQ") == pointers:
            assert time.now - down_since < 2 * RETRY_WINDOW, "the relay never gave up"
            time.now += 30
            pump.drain()
        time_given_up = time.now
    # The relay gave up: its DLQ holds where the records were, the items are still owed.
    owed = len(run.unpublished())
    assert owed == len(events_of(run))
    assert outage.accepted == 0

    with faults.bus_refuses(lambda entry: False) as bus:
        sweep(pump, time)
        republished = bus.accepted
        deliveries = settle(pump, time)

    assert republished == owed
    assert run.unpublished() == []
    assert run.read_model() == baseline.read_model()
    record_property("events", owed)
    record_property("relay_gave_up_after_s", time_given_up - down_since)
    record_property("republished_by_one_sweep", republished)
    record_property("duplicates_absorbed", deliveries.messages - run.handled())


def test_entries_the_bus_refuses_one_by_one_are_published_later(
    stack: Stack, tenant: Tenant, pump: EventPump, time: PumpClock, baseline: Run, record_property: Record
) -> None:
    refused: set[str] = set()
    offered = itertools.count()

    def every_third_once(entry: Mapping[str, Any]) -> bool:
        """The second of every three entries the bus is offered, the first time it is offered."""
        detail = str(entry["Detail"])
        if next(offered) % 3 != 1 or detail in refused:
            return False
        refused.add(detail)
        return True

    with faults.bus_refuses(every_third_once) as bus:
        run = workload(tenant)
        deliveries = settle(pump, time)

    assert bus.refused == len(refused) > 0
    assert run.unpublished() == []
    assert run.read_model() == baseline.read_model()
    record_property("events", len(events_of(run)))
    record_property("entries_refused", bus.refused)
    record_property("published_twice", bus.accepted - len(events_of(run)))
    record_property("duplicates_absorbed", deliveries.messages - run.handled())


def test_a_relay_that_dies_after_publishing_and_before_marking_publishes_again(
    stack: Stack, tenant: Tenant, pump: EventPump, time: PumpClock, baseline: Run, record_property: Record
) -> None:
    marks = iter(range(1_000))

    def first_marks(params: Mapping[str, Any]) -> bool:
        return "#OUTBOX#" in params["Key"]["PK"]["S"] and next(marks) < 3

    with faults.call_fails("dynamodb", "UpdateItem", first_marks) as crash:
        run = workload(tenant)
        deliveries = settle(pump, time)

    assert crash.failed == 3
    assert run.unpublished() == []
    assert deliveries.messages > run.handled()
    assert run.read_model() == baseline.read_model()
    record_property("events", len(events_of(run)))
    record_property("duplicates_absorbed", deliveries.messages - run.handled())


def test_a_consumer_that_dies_mid_batch_applies_every_event_once(
    stack: Stack, tenant: Tenant, pump: EventPump, time: PumpClock, baseline: Run, record_property: Record
) -> None:
    commits = iter(range(1_000))

    def third_consumer_commit(params: Mapping[str, Any]) -> bool:
        puts = [item["Put"]["Item"]["PK"]["S"] for item in params["TransactItems"] if "Put" in item]
        return any("#INBOX#" in pk for pk in puts) and next(commits) in (2, 3, 7)

    with faults.call_fails("dynamodb", "TransactWriteItems", third_consumer_commit) as crash:
        run = workload(tenant)
        deliveries = settle(pump, time)

    assert crash.failed == 3
    assert run.read_model() == baseline.read_model()
    record_property("duplicates_absorbed", deliveries.messages - run.handled())


def test_duplicate_and_reordered_deliveries_change_nothing(
    stack: Stack, tenant: Tenant, pump: EventPump, time: PumpClock, baseline: Run, record_property: Record
) -> None:
    run = workload(tenant)
    # Before the relay publishes anything: every event arrives first backwards, then in order,
    # then backwards again.
    replayed = events_of(run)
    put_on_bus(stack, *reversed(replayed))
    deliveries = settle(pump, time)
    put_on_bus(stack, *reversed(events_of(run)))
    deliveries = settle(pump, time, deliveries)

    # The events consumers emit meanwhile (a completion) are delivered only twice: not counted.
    assert deliveries.messages >= 3 * run.handled({event["id"] for event in replayed})
    assert run.read_model() == baseline.read_model()
    record_property("duplicates_absorbed", deliveries.messages - run.handled())


def test_a_poison_message_ends_in_the_dead_letter_queue_and_the_rest_proceeds(
    stack: Stack, tenant: Tenant, pump: EventPump, time: PumpClock, baseline: Run
) -> None:
    dead = waiting(stack, "ProgressEventsDLQ")
    run = workload(tenant)
    poison = {"id": "poison-1", "type": "lms.courses.StudentEnrolled.v1", "data": {"nonsense": True}}
    put_on_bus(stack, poison)
    settle(pump, time)

    assert waiting(stack, "ProgressEventsDLQ") == dead + 1
    assert run.read_model() == baseline.read_model()
