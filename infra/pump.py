"""Lambda's event source mappings, done by hand: table stream to its function, queues to consumers.

moto stores events but cannot run functions, so the pump polls what a Lambda poller would poll and
invokes the handlers in-process with the events Lambda would build, honouring partial batch
failures, retries, visibility and dead-letter queues. It also plays EventBridge's scheduler: a
function's `Schedule` events (`rate(...)`) invoke it on the pump's clock, with a scheduled event.

Where it differs from AWS, on purpose:
- A failed stream batch is retried at once, unless the pump is given a `retry_backoff` (the
  running local stack's is `lambda_backoff`: 1 s doubling up to 60 s, so the relay's 20 attempts
  span about 15 minutes). Tests drive retries round by round instead.
- A failed SQS message is made visible again at once, not when its visibility timeout ends.
- Schedules run from `run_forever` (or `run_schedules`), first one period after the pump started.
"""

from __future__ import annotations

import base64
import json
import logging
import os
import threading
import time
import uuid
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import boto3
from botocore.config import Config

from infra.functions import FunctionSpec, invoke
from infra.patches import event_pattern
from infra.provision import Stack, StreamPosition
from lms.settings import get_settings

if TYPE_CHECKING:
    from mypy_boto3_sqs import SQSClient

logger = logging.getLogger(__name__)

ErrorHandler = Callable[[str, BaseException], None]
Clock = Callable[[], float]
Backoff = Callable[[int], float]

_SQS_MAX_RECEIVE = 10
_STREAM_READ_LIMIT = 1000
_DEAD_LETTER_PEEK_VISIBILITY = 30


@dataclass
class DrainReport:
    """What one `drain` did; `failures` and retries are what a test of error handling looks at."""

    rounds: int = 0
    stream_records: int = 0  # delivered to a stream function and checkpointed
    filtered_records: int = 0  # dropped by a function's FilterCriteria
    discarded_records: int = 0  # given up after MaximumRetryAttempts (sent to OnFailure)
    messages: int = 0  # SQS messages processed and deleted
    failures: int = 0  # records or messages a handler failed, counted per attempt
    settled: bool = False  # the last round found nothing to do


class EventPump:
    """Drives the stack's stream and queue consumers; positions in the stream belong to the stack,
    so a new pump on the same stack resumes where the last one stopped."""

    def __init__(
        self,
        stack: Stack,
        *,
        endpoint_url: str | None = None,
        on_error: ErrorHandler | None = None,
        clock: Clock = time.monotonic,
        retry_backoff: Backoff | None = None,
        consumers: Collection[str] | None = None,
    ) -> None:
        self._stack = stack
        # A test of one queue consumer drives only that one (logical ids): the other consumers'
        # queues fill and stay undelivered, as if those functions were not deployed.
        self._consumers = None if consumers is None else frozenset(consumers)
        self._clock = clock
        self._retry_backoff = retry_backoff
        self._next_runs: dict[tuple[str, int], float] = {}
        self._started = clock()
        self._wall_at_start = datetime.now(UTC)
        endpoint = endpoint_url if endpoint_url is not None else stack.endpoint_url
        # botocore routes DynamoDB Streams to "<account>.streams-ddb.<region>.amazonaws.com",
        # which moto's in-process mock does not recognise; the regional endpoint it does.
        self._streams: Any = boto3.client(
            "dynamodbstreams",
            region_name=stack.region,
            endpoint_url=endpoint,
            config=Config(account_id_endpoint_mode="disabled"),
        )
        self._sqs: SQSClient = boto3.client("sqs", region_name=stack.region, endpoint_url=endpoint)
        self._on_error = on_error if on_error is not None else _log_error
        # Compiled up front: an invalid filter fails the pump's start, as it fails a deployment.
        self._filters = {
            spec.logical_id: event_pattern(spec.stream_filter)
            for spec in stack.functions
            if spec.stream_filter is not None
        }

    def drain(self, max_rounds: int = 20) -> DrainReport:
        """Deliver until a round finds nothing to do or `max_rounds` rounds have run."""
        report = DrainReport()
        with self._stack.delivery_lock:
            _export(self._stack.env)
            while report.rounds < max_rounds and not report.settled:
                report.rounds += 1
                delivered = 0
                for spec in self._stack.functions:
                    if spec.stream:
                        delivered += self._pump_stream(spec, report)
                for spec in self._stack.functions:
                    if spec.sqs_queue is not None and self._drives(spec.logical_id):
                        delivered += self._pump_queue(spec, report)
                report.settled = delivered == 0
        return report

    def _drives(self, logical_id: str) -> bool:
        return self._consumers is None or logical_id in self._consumers

    def run_forever(
        self, stop: threading.Event, interval: float = 0.2, after_round: Callable[[], None] | None = None
    ) -> None:
        """Drain and run what is scheduled every `interval` seconds until `stop` is set, then
        `after_round` (the local stack's mail folder); errors go to `on_error`."""
        while not stop.is_set():
            try:
                self.drain()
                self.run_schedules()
                if after_round is not None:
                    after_round()
            except Exception as error:
                self._on_error("pump", error)
            stop.wait(interval)

    def run_schedules(self) -> list[str]:
        """Invoke every function whose schedule is due on the pump's clock; their logical ids."""
        now = self._clock()
        invoked = []
        for spec in self._stack.functions:
            for index, period in enumerate(spec.schedules):
                due = self._next_runs.setdefault((spec.logical_id, index), self._started + period)
                if due <= now:
                    # Runs missed while the pump was busy are not made up, as EventBridge's are not.
                    self._next_runs[(spec.logical_id, index)] = now + period
                    self.invoke_scheduled(spec.logical_id)
                    invoked.append(spec.logical_id)
        return invoked

    def now(self) -> datetime:
        """The pump's clock as a date: the wall clock moved as far as the pump's clock was moved."""
        return self._wall_at_start + timedelta(seconds=self._clock() - self._started)

    def invoke_scheduled(self, logical_id: str, *, at: datetime | None = None) -> None:
        """Invoke a function as its schedule would, once; an error goes to `on_error`.

        The scheduled event's `time` is `at`, or the pump's clock: a test that moves the clock
        forward moves what a scheduled function takes for now, as EventBridge's `time` would be.
        """
        spec = next(spec for spec in self._stack.functions if spec.logical_id == logical_id)
        stack = self._stack
        event = {
            "version": "0",
            "id": str(uuid.uuid4()),
            "detail-type": "Scheduled Event",
            "source": "aws.events",
            "account": stack.account_id,
            "time": (at or self.now()).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "region": stack.region,
            "resources": [f"arn:aws:events:{stack.region}:{stack.account_id}:rule/{spec.name}-schedule"],
            "detail": {},
        }
        with stack.delivery_lock:
            _export(stack.env)
            self._invoke(spec, event, [])

    def dead_letters(self, queue_logical_id: str) -> list[dict[str, Any]]:
        """The messages waiting in a queue's dead-letter queue (or in the queue, if it is one).

        Each is shaped like a record of an SQS Lambda event; the messages stay in the queue.
        """
        queue = self._stack.queues[queue_logical_id]
        url = queue.dlq_url or queue.url
        arn = next(info.arn for info in self._stack.queues.values() if info.url == url)
        peeked: list[dict[str, Any]] = []
        while True:
            received = self._receive(url, _SQS_MAX_RECEIVE, visibility_timeout=_DEAD_LETTER_PEEK_VISIBILITY)
            if not received:
                break
            peeked.extend(received)
        self._make_visible(url, peeked)
        return [self._sqs_record(message, arn) for message in peeked]

    # ------------------------------------------------------------------ stream

    def _pump_stream(self, spec: FunctionSpec, report: DrainReport) -> int:
        """One pass of a stream function over every shard; the number of records it was given."""
        description = self._streams.describe_stream(StreamArn=self._stack.stream_arn)["StreamDescription"]
        delivered = 0
        for shard in description["Shards"]:
            key = (spec.logical_id, shard["ShardId"])
            position = self._stack.stream_positions.setdefault(key, StreamPosition())
            if position.retry and position.retry_at > self._clock():
                continue
            while True:
                records = self._read_shard(shard["ShardId"], position)
                if not records:
                    break
                given, stopped = self._deliver_stream(spec, shard["ShardId"], records, position, report)
                delivered += given
                if stopped:
                    break
        return delivered

    def _read_shard(self, shard_id: str, position: StreamPosition) -> list[dict[str, Any]]:
        # A fresh iterator on every read: moto's iterators hold the shard object, which a failed
        # TransactWriteItems replaces (rollback swaps in a copy of the table), leaving them blind.
        arguments: dict[str, Any] = {"StreamArn": self._stack.stream_arn, "ShardId": shard_id}
        if position.sequence_number is None:
            arguments["ShardIteratorType"] = "TRIM_HORIZON"
        else:
            arguments["ShardIteratorType"] = (
                "AT_SEQUENCE_NUMBER" if position.retry else "AFTER_SEQUENCE_NUMBER"
            )
            arguments["SequenceNumber"] = position.sequence_number
        iterator = self._streams.get_shard_iterator(**arguments)["ShardIterator"]
        records: list[dict[str, Any]] = self._streams.get_records(
            ShardIterator=iterator, Limit=_STREAM_READ_LIMIT
        )["Records"]
        return records

    def _deliver_stream(
        self,
        spec: FunctionSpec,
        shard_id: str,
        records: Sequence[dict[str, Any]],
        position: StreamPosition,
        report: DrainReport,
    ) -> tuple[int, bool]:
        """Give the records to the function in batches; (records given, stopped on a failure)."""
        given = 0
        batch: list[dict[str, Any]] = []
        for index, raw in enumerate(records):
            record = self._stream_record(raw)
            passes = self._filters.get(spec.logical_id)
            if passes is None or passes(record):
                batch.append(record)
            else:
                report.filtered_records += 1
            last = index == len(records) - 1
            if len(batch) == spec.batch_size or (last and batch):
                given += len(batch)
                failed_at = self._invoke_stream(spec, batch, report)
                if failed_at is not None:
                    self._retry_or_discard(spec, shard_id, batch, failed_at, position, report)
                    return given, True
                report.stream_records += len(batch)
                batch = []
            if not batch:
                # Filtered records count as done: Lambda never retries what it never delivered.
                _advance(position, raw["dynamodb"]["SequenceNumber"])
        return given, False

    def _invoke_stream(
        self, spec: FunctionSpec, batch: list[dict[str, Any]], report: DrainReport
    ) -> int | None:
        """Index of the first record to retry, or None when the whole batch succeeded."""
        identifiers = [record["dynamodb"]["SequenceNumber"] for record in batch]
        failed = self._invoke(spec, {"Records": batch}, identifiers)
        if not failed:
            return None
        # Lambda resumes from the lowest failed sequence number; the ones before it are done.
        report.failures += len(failed)
        return min(identifiers.index(identifier) for identifier in failed)

    def _retry_or_discard(
        self,
        spec: FunctionSpec,
        shard_id: str,
        batch: list[dict[str, Any]],
        failed_at: int,
        position: StreamPosition,
        report: DrainReport,
    ) -> None:
        report.stream_records += failed_at
        failed_sequence = batch[failed_at]["dynamodb"]["SequenceNumber"]
        attempts = (
            position.attempts + 1 if position.retry and position.sequence_number == failed_sequence else 1
        )
        limit = spec.maximum_retry_attempts
        if limit is not None and attempts > limit:
            self._send_to_on_failure(spec, shard_id, batch[failed_at:], attempts)
            report.discarded_records += len(batch) - failed_at
            _advance(position, batch[-1]["dynamodb"]["SequenceNumber"])
            return
        position.sequence_number = failed_sequence
        position.retry = True
        position.attempts = attempts
        if self._retry_backoff is not None:
            position.retry_at = self._clock() + self._retry_backoff(attempts)

    def _send_to_on_failure(
        self, spec: FunctionSpec, shard_id: str, records: Sequence[dict[str, Any]], attempts: int
    ) -> None:
        if spec.on_failure_queue is None:
            return
        # What Lambda sends an OnFailure destination for a stream: where the records are, not them.
        stack = self._stack
        first, last = records[0]["dynamodb"], records[-1]["dynamodb"]
        message = {
            "requestContext": {
                "requestId": str(uuid.uuid4()),
                "functionArn": f"arn:aws:lambda:{stack.region}:{stack.account_id}:function:{spec.name}",
                "condition": "RetryAttemptsExhausted",
                "approximateInvokeCount": attempts,
            },
            "responseContext": {
                "statusCode": 200,
                "executedVersion": "$LATEST",
                "functionError": "Unhandled",
            },
            "version": "1.0",
            "timestamp": datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "DDBStreamBatchInfo": {
                "shardId": shard_id,
                "startSequenceNumber": first["SequenceNumber"],
                "endSequenceNumber": last["SequenceNumber"],
                "approximateArrivalOfFirstRecord": _rfc3339(first["ApproximateCreationDateTime"]),
                "approximateArrivalOfLastRecord": _rfc3339(last["ApproximateCreationDateTime"]),
                "batchSize": len(records),
                "streamArn": self._stack.stream_arn,
            },
        }
        queue = self._stack.queues[spec.on_failure_queue]
        self._sqs.send_message(QueueUrl=queue.url, MessageBody=json.dumps(message))

    def _stream_record(self, raw: Mapping[str, Any]) -> dict[str, Any]:
        dynamodb = dict(raw["dynamodb"])
        created = dynamodb.get("ApproximateCreationDateTime")
        if isinstance(created, datetime):
            dynamodb["ApproximateCreationDateTime"] = int(created.timestamp())
        for image in ("Keys", "NewImage", "OldImage"):
            if image in dynamodb:
                dynamodb[image] = _json_safe(dynamodb[image])
        return {
            "eventID": raw["eventID"],
            "eventName": raw["eventName"],
            "eventVersion": "1.1",
            "eventSource": "aws:dynamodb",
            "awsRegion": self._stack.region,
            "dynamodb": dynamodb,
            "eventSourceARN": self._stack.stream_arn,
        }

    # ------------------------------------------------------------------ queues

    def _pump_queue(self, spec: FunctionSpec, report: DrainReport) -> int:
        """One pass of a consumer over its queue; failed messages become visible again afterwards."""
        assert spec.sqs_queue is not None
        queue = self._stack.queues[spec.sqs_queue]
        delivered = 0
        failed_messages: list[dict[str, Any]] = []
        while True:
            messages = self._receive(queue.url, spec.batch_size)
            if not messages:
                break
            delivered += len(messages)
            records = [self._sqs_record(message, queue.arn) for message in messages]
            failed = self._invoke(spec, {"Records": records}, [record["messageId"] for record in records])
            done = [message for message in messages if message["MessageId"] not in failed]
            failed_messages.extend(message for message in messages if message["MessageId"] in failed)
            report.messages += len(done)
            report.failures += len(messages) - len(done)
            for chunk in _chunks(done, _SQS_MAX_RECEIVE):
                self._sqs.delete_message_batch(
                    QueueUrl=queue.url,
                    Entries=[
                        {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(chunk)
                    ],
                )
        # Lambda lets a failed message's visibility timeout run out; locally it returns at once.
        self._make_visible(queue.url, failed_messages)
        return delivered

    def _receive(
        self, url: str, count: int, *, visibility_timeout: int | None = None
    ) -> list[dict[str, Any]]:
        messages: list[dict[str, Any]] = []
        while len(messages) < count:
            arguments: dict[str, Any] = {
                "QueueUrl": url,
                "MaxNumberOfMessages": min(_SQS_MAX_RECEIVE, count - len(messages)),
                "WaitTimeSeconds": 0,
                "MessageSystemAttributeNames": ["All"],
                "MessageAttributeNames": ["All"],
            }
            if visibility_timeout is not None:
                arguments["VisibilityTimeout"] = visibility_timeout
            received = self._sqs.receive_message(**arguments).get("Messages", [])
            messages.extend(received)  # type: ignore[arg-type]
            if not received:
                break
        return messages

    def _make_visible(self, url: str, messages: Sequence[Mapping[str, Any]]) -> None:
        for chunk in _chunks(messages, _SQS_MAX_RECEIVE):
            self._sqs.change_message_visibility_batch(
                QueueUrl=url,
                Entries=[
                    {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"], "VisibilityTimeout": 0}
                    for i, m in enumerate(chunk)
                ],
            )

    def _sqs_record(self, message: Mapping[str, Any], queue_arn: str) -> dict[str, Any]:
        record: dict[str, Any] = {
            "messageId": message["MessageId"],
            "receiptHandle": message["ReceiptHandle"],
            "body": message["Body"],
            "attributes": dict(message.get("Attributes", {})),
            "messageAttributes": {
                name: _lambda_message_attribute(value)
                for name, value in (message.get("MessageAttributes") or {}).items()
            },
            "md5OfBody": message["MD5OfBody"],
            "eventSource": "aws:sqs",
            "eventSourceARN": queue_arn,
            "awsRegion": self._stack.region,
        }
        if "MD5OfMessageAttributes" in message:
            record["md5OfMessageAttributes"] = message["MD5OfMessageAttributes"]
        return record

    # ------------------------------------------------------------------ invocation

    def _invoke(self, spec: FunctionSpec, event: dict[str, Any], identifiers: Sequence[str]) -> set[str]:
        """Run the handler; the identifiers of the items that failed (all of them if it raised)."""
        # Functions share this process: an invocation sees its own variables and the stack's (which
        # a test may change: an unreachable bus).
        _export({**spec.environment, **self._stack.env})
        try:
            response = invoke(spec, event, region=self._stack.region)
        except Exception as error:
            self._on_error(spec.logical_id, error)
            return set(identifiers)
        if not spec.report_batch_item_failures or not isinstance(response, dict):
            return set()
        failures = response.get("batchItemFailures") or []
        failed = {item.get("itemIdentifier") if isinstance(item, dict) else None for item in failures}
        if not failed <= set(identifiers):
            # Lambda treats a missing or unknown identifier as the failure of the whole batch.
            self._on_error(spec.logical_id, ValueError(f"invalid batchItemFailures {failures!r}"))
            return set(identifiers)
        return {str(identifier) for identifier in failed}


def lambda_backoff(attempts: int) -> float:
    """Seconds before retrying a stream batch that failed `attempts` times: 1 s doubling to 60 s."""
    return float(min(2 ** (attempts - 1), 60))


def _advance(position: StreamPosition, sequence_number: str) -> None:
    position.sequence_number = sequence_number
    position.retry = False
    position.attempts = 0


def _export(env: Mapping[str, str]) -> None:
    changed = {key: value for key, value in env.items() if os.environ.get(key) != value}
    if changed:
        os.environ.update(changed)
        get_settings.cache_clear()


def _json_safe(value: Any) -> Any:
    """DynamoDB JSON as Lambda delivers it: binary values base64-encoded."""
    if isinstance(value, bytes | bytearray):
        return base64.b64encode(value).decode()
    if isinstance(value, Mapping):
        return {key: _json_safe(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_json_safe(item) for item in value]
    return value


def _lambda_message_attribute(value: Mapping[str, Any]) -> dict[str, Any]:
    attribute: dict[str, Any] = {
        "stringListValues": list(value.get("StringListValues", [])),
        "binaryListValues": [_json_safe(item) for item in value.get("BinaryListValues", [])],
        "dataType": value["DataType"],
    }
    if "StringValue" in value:
        attribute["stringValue"] = value["StringValue"]
    if "BinaryValue" in value:
        attribute["binaryValue"] = _json_safe(value["BinaryValue"])
    return attribute


def _rfc3339(epoch_seconds: Any) -> str:
    moment = datetime.fromtimestamp(float(epoch_seconds), tz=UTC)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _chunks(items: Sequence[Any], size: int) -> list[Sequence[Any]]:
    return [items[start : start + size] for start in range(0, len(items), size)]


def _log_error(source: str, error: BaseException) -> None:
    logger.error("%s failed", source, exc_info=error)
