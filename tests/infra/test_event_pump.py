"""The pump: table stream to its function, bus to queues to consumers, as Lambda's pollers do it."""

from __future__ import annotations

import dataclasses
import json
import threading
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from infra.functions import FunctionSpec
from infra.patches import event_pattern
from infra.provision import Stack
from infra.pump import EventPump

WriteFunction = Callable[[str, str], Path]
ModuleOf = Callable[[FunctionSpec], ModuleType]

# A consumer that records every body it is given and reports the "poison" ones as failed.
PICKY_CONSUMER = """
SEEN = []

def handler(event, context):
    SEEN.extend(record["body"] for record in event["Records"])
    return {"batchItemFailures": [
        {"itemIdentifier": record["messageId"]} for record in event["Records"] if record["body"] == "poison"
    ]}
"""

# A stream function that records the keys of each batch and fails the records named in FAIL.
STREAM_RECORDER = """
BATCHES = []
FAIL = {}  # PK -> how many more times to fail it

def handler(event, context):
    BATCHES.append([record["dynamodb"]["Keys"]["PK"]["S"] for record in event["Records"]])
    failures = []
    for record in event["Records"]:
        key = record["dynamodb"]["Keys"]["PK"]["S"]
        if FAIL.get(key, 0) > 0:
            FAIL[key] -= 1
            failures.append({"itemIdentifier": record["dynamodb"]["SequenceNumber"]})
    return {"batchItemFailures": failures}
"""


def consumer(stack: Stack, folder: Path) -> FunctionSpec:
    """The template's progress consumer, running the given code instead of its own."""
    spec = next(spec for spec in stack.functions if spec.sqs_queue == "ProgressEventsQueue")
    return dataclasses.replace(spec, code_dir=folder, handler="app.handler")


def relay(stack: Stack, folder: Path, **changes: Any) -> FunctionSpec:
    """The template's outbox relay (filter, batch size, retries, OnFailure), running the given code."""
    spec = next(spec for spec in stack.functions if spec.stream)
    return dataclasses.replace(spec, code_dir=folder, handler="app.handler", **changes)


def send(stack: Stack, *bodies: str) -> None:
    sqs = boto3.client("sqs", region_name=stack.region)
    for body in bodies:
        sqs.send_message(QueueUrl=stack.queues["ProgressEventsQueue"].url, MessageBody=body)


def put_outbox(stack: Stack, *keys: str) -> None:
    dynamodb = boto3.client("dynamodb", region_name=stack.region)
    for key in keys:
        item: dict[str, Any] = {
            "PK": {"S": key},
            "SK": {"S": key},
            "entity": {"S": "outbox"},
            "blob": {"B": b"\x00\x01"},
        }
        dynamodb.put_item(TableName=stack.table_name, Item=item)


def queue_depth(stack: Stack, logical_id: str) -> int:
    sqs = boto3.client("sqs", region_name=stack.region)
    attributes = sqs.get_queue_attributes(
        QueueUrl=stack.queues[logical_id].url,
        AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
    )["Attributes"]
    return sum(int(count) for count in attributes.values())


def test_a_failing_message_ends_in_the_dlq_and_the_rest_of_its_batch_is_done_once(
    stack: Stack, write_function: WriteFunction, module_of: ModuleOf
) -> None:
    spec = consumer(stack, write_function("picky", PICKY_CONSUMER))
    stack.functions = [spec]
    send(stack, "first", "poison", "second")

    report = EventPump(stack).drain()

    seen = module_of(spec).SEEN
    assert sorted(body for body in seen if body != "poison") == ["first", "second"]
    assert seen.count("poison") == stack.queues["ProgressEventsQueue"].max_receive_count == 5
    assert (report.messages, report.failures, report.settled) == (2, 5, True)
    assert queue_depth(stack, "ProgressEventsQueue") == 0
    dead = EventPump(stack).dead_letters("ProgressEventsQueue")
    assert [message["body"] for message in dead] == ["poison"]


def test_a_consumer_that_raises_fails_its_whole_batch_and_reports_the_error(
    stack: Stack, write_function: WriteFunction
) -> None:
    folder = write_function(
        "raising",
        """
        def handler(event, context):
            if any(record["body"] == "poison" for record in event["Records"]):
                raise RuntimeError("cannot handle poison")
        """,
    )
    stack.functions = [consumer(stack, folder)]
    errors: list[tuple[str, BaseException]] = []
    send(stack, "innocent", "poison")

    report = EventPump(stack, on_error=lambda source, error: errors.append((source, error))).drain()

    assert report.messages == 0
    assert sorted(message["body"] for message in EventPump(stack).dead_letters("ProgressEventsQueue")) == [
        "innocent",
        "poison",
    ]
    assert {source for source, _ in errors} == {"ProgressConsumerFunction"}
    assert "cannot handle poison" in str(errors[0][1])


def test_a_consumer_without_partial_batch_responses_has_its_reported_failures_ignored(
    stack: Stack, write_function: WriteFunction
) -> None:
    spec = dataclasses.replace(
        consumer(stack, write_function("picky", PICKY_CONSUMER)), report_batch_item_failures=False
    )
    stack.functions = [spec]
    send(stack, "poison")

    report = EventPump(stack).drain()

    assert (report.messages, report.failures) == (1, 0)
    assert EventPump(stack).dead_letters("ProgressEventsQueue") == []


def test_the_sqs_event_is_shaped_like_lambdas(
    stack: Stack, write_function: WriteFunction, module_of: ModuleOf
) -> None:
    folder = write_function(
        "keeper",
        """
        import json

        EVENTS = []

        def handler(event, context):
            EVENTS.append(json.loads(json.dumps(event)))
        """,
    )
    spec = consumer(stack, folder)
    stack.functions = [spec]
    boto3.client("sqs").send_message(
        QueueUrl=stack.queues["ProgressEventsQueue"].url,
        MessageBody="hello",
        MessageAttributes={"kind": {"DataType": "String", "StringValue": "greeting"}},
    )

    EventPump(stack).drain()

    (event,) = module_of(spec).EVENTS
    (record,) = event["Records"]
    assert record["body"] == "hello"
    assert record["eventSource"] == "aws:sqs"
    assert record["eventSourceARN"] == stack.queues["ProgressEventsQueue"].arn
    assert record["awsRegion"] == "us-east-1"
    assert record["attributes"]["ApproximateReceiveCount"] == "1"
    assert record["messageAttributes"]["kind"] == {
        "stringValue": "greeting",
        "stringListValues": [],
        "binaryListValues": [],
        "dataType": "String",
    }
    assert {"messageId", "receiptHandle", "md5OfBody", "md5OfMessageAttributes"} <= set(record)


def test_only_events_matching_the_template_rule_reach_the_progress_queue(
    stack: Stack, write_function: WriteFunction, module_of: ModuleOf
) -> None:
    spec = consumer(stack, write_function("picky", PICKY_CONSUMER))
    stack.functions = [spec]
    events = boto3.client("events")

    def put(source: str, detail_type: str) -> None:
        entry = {"EventBusName": stack.bus_name, "Source": source, "DetailType": detail_type, "Detail": "{}"}
        assert events.put_events(Entries=[entry])["FailedEntryCount"] == 0  # type: ignore[list-item]

    put("lms.courses", "LessonAdded")
    put("lms.courses", "CourseCreated")
    put("lms.progress", "LessonAdded")
    EventPump(stack).drain()

    delivered = [json.loads(body) for body in module_of(spec).SEEN]
    routed = [(event["source"], event["detail-type"]) for event in delivered]
    assert routed == [("lms.courses", "LessonAdded")]


def test_the_relay_is_given_outbox_inserts_only_as_a_lambda_stream_event(
    stack: Stack, write_function: WriteFunction, module_of: ModuleOf
) -> None:
    folder = write_function(
        "stream_keeper",
        """
        import json

        EVENTS = []

        def handler(event, context):
            EVENTS.append(json.loads(json.dumps(event)))
        """,
    )
    spec = relay(stack, folder)
    stack.functions = [spec]
    dynamodb = boto3.client("dynamodb")
    course = {"PK": {"S": "INST#1#COURSE#1"}, "SK": {"S": "COURSE"}, "entity": {"S": "course"}}
    dynamodb.put_item(TableName=stack.table_name, Item=course)
    put_outbox(stack, "OUTBOX#1")
    dynamodb.update_item(
        TableName=stack.table_name,
        Key={"PK": {"S": "OUTBOX#1"}, "SK": {"S": "OUTBOX#1"}},
        UpdateExpression="SET published = :yes",
        ExpressionAttributeValues={":yes": {"BOOL": True}},
    )

    report = EventPump(stack).drain()

    (event,) = module_of(spec).EVENTS
    (record,) = event["Records"]
    assert record["eventName"] == "INSERT"
    assert record["eventSource"] == "aws:dynamodb"
    assert record["eventSourceARN"] == stack.stream_arn
    assert record["dynamodb"]["Keys"] == {"PK": {"S": "OUTBOX#1"}, "SK": {"S": "OUTBOX#1"}}
    assert record["dynamodb"]["NewImage"]["blob"] == {"B": "AAE="}
    assert record["dynamodb"]["StreamViewType"] == "NEW_AND_OLD_IMAGES"
    assert isinstance(record["dynamodb"]["ApproximateCreationDateTime"], int)
    assert (report.stream_records, report.filtered_records) == (1, 2)


def test_a_reported_stream_failure_is_retried_from_that_record_and_not_before(
    stack: Stack, write_function: WriteFunction, module_of: ModuleOf
) -> None:
    spec = relay(stack, write_function("recorder", STREAM_RECORDER))
    stack.functions = [spec]
    module_of(spec).FAIL["OUTBOX#2"] = 1
    put_outbox(stack, "OUTBOX#1", "OUTBOX#2", "OUTBOX#3")
    pump = EventPump(stack)

    first = pump.drain()
    put_outbox(stack, "OUTBOX#4")
    second = pump.drain()

    assert module_of(spec).BATCHES == [
        ["OUTBOX#1", "OUTBOX#2", "OUTBOX#3"],
        ["OUTBOX#2", "OUTBOX#3"],
        ["OUTBOX#4"],
    ]
    assert (first.stream_records, first.failures, second.stream_records) == (3, 1, 1)


def test_batches_are_no_larger_than_the_batch_size(
    stack: Stack, write_function: WriteFunction, module_of: ModuleOf
) -> None:
    spec = relay(stack, write_function("recorder", STREAM_RECORDER), batch_size=2)
    stack.functions = [spec]
    put_outbox(stack, "OUTBOX#1", "OUTBOX#2", "OUTBOX#3")

    EventPump(stack).drain()

    assert module_of(spec).BATCHES == [["OUTBOX#1", "OUTBOX#2"], ["OUTBOX#3"]]


def test_a_stream_record_that_keeps_failing_is_given_up_to_the_on_failure_queue(
    stack: Stack, write_function: WriteFunction, module_of: ModuleOf
) -> None:
    spec = relay(stack, write_function("recorder", STREAM_RECORDER), maximum_retry_attempts=2)
    stack.functions = [spec]
    module_of(spec).FAIL["OUTBOX#2"] = 1000
    put_outbox(stack, "OUTBOX#1", "OUTBOX#2", "OUTBOX#3")

    report = EventPump(stack).drain()
    put_outbox(stack, "OUTBOX#4")
    EventPump(stack).drain()

    assert module_of(spec).BATCHES[-1] == ["OUTBOX#4"]
    assert (report.failures, report.discarded_records) == (3, 2)
    (dead,) = EventPump(stack).dead_letters("OutboxRelayDLQ")
    info = json.loads(dead["body"])
    assert info["requestContext"]["condition"] == "RetryAttemptsExhausted"
    assert info["requestContext"]["approximateInvokeCount"] == 3
    assert info["DDBStreamBatchInfo"]["batchSize"] == 2
    assert info["DDBStreamBatchInfo"]["streamArn"] == stack.stream_arn


def test_a_failed_transaction_does_not_hide_later_stream_records(
    stack: Stack, write_function: WriteFunction, module_of: ModuleOf
) -> None:
    spec = relay(stack, write_function("recorder", STREAM_RECORDER))
    stack.functions = [spec]
    put_outbox(stack, "OUTBOX#1")
    pump = EventPump(stack)
    pump.drain()
    duplicate = {"PK": {"S": "OUTBOX#1"}, "SK": {"S": "OUTBOX#1"}, "entity": {"S": "outbox"}}
    with pytest.raises(ClientError, match="TransactionCanceled"):
        boto3.client("dynamodb").transact_write_items(
            TransactItems=[
                {
                    "Put": {
                        "TableName": stack.table_name,
                        "Item": duplicate,
                        "ConditionExpression": "attribute_not_exists(PK)",
                    }
                }
            ]
        )

    put_outbox(stack, "OUTBOX#2")
    pump.drain()

    assert module_of(spec).BATCHES == [["OUTBOX#1"], ["OUTBOX#2"]]


def test_a_new_pump_on_the_same_stack_resumes_where_the_last_one_stopped(
    stack: Stack, write_function: WriteFunction, module_of: ModuleOf
) -> None:
    spec = relay(stack, write_function("recorder", STREAM_RECORDER))
    stack.functions = [spec]
    put_outbox(stack, "OUTBOX#1")
    EventPump(stack).drain()
    put_outbox(stack, "OUTBOX#2")

    EventPump(stack).drain()

    assert module_of(spec).BATCHES == [["OUTBOX#1"], ["OUTBOX#2"]]


def test_the_background_loop_delivers_and_survives_errors(
    stack: Stack, write_function: WriteFunction, module_of: ModuleOf
) -> None:
    folder = write_function(
        "signalling",
        """
        import threading

        DELIVERED = threading.Event()

        def handler(event, context):
            DELIVERED.set()
        """,
    )
    spec = consumer(stack, folder)
    stack.functions = [spec]
    errors: list[str] = []
    stop = threading.Event()
    pump = EventPump(stack, on_error=lambda source, error: errors.append(source))
    loop = threading.Thread(target=pump.run_forever, args=(stop,), kwargs={"interval": 0.01})
    loop.start()
    try:
        send(stack, "hello")
        assert module_of(spec).DELIVERED.wait(5)
        boto3.client("sqs").delete_queue(QueueUrl=stack.queues["ProgressEventsQueue"].url)
        for _ in range(500):
            if errors:
                break
            stop.wait(0.01)
        assert loop.is_alive()
    finally:
        stop.set()
        loop.join(5)
    assert not loop.is_alive()
    assert errors[0] == "pump"


@pytest.mark.parametrize(
    ("pattern", "event", "expected"),
    [
        ({"eventName": ["INSERT"]}, {"eventName": "INSERT"}, True),
        ({"eventName": ["INSERT"]}, {"eventName": "MODIFY"}, False),
        ({"a": {"b": ["x", "y"]}}, {"a": {"b": "y"}}, True),
        ({"a": {"b": ["x"]}}, {"a": {}}, False),
        ({"a": {"b": ["x"]}}, {}, False),
        ({"tags": ["x"]}, {"tags": ["w", "x"]}, True),
        ({"a": [{"prefix": "lms."}]}, {"a": "lms.courses"}, True),
        ({"a": [{"anything-but": ["x"]}]}, {"a": "x"}, False),
        ({"a": [{"exists": False}]}, {"b": 1}, True),
        ({"a": [{"exists": True}]}, {"b": 1}, False),
        ({"$or": [{"a": ["1"]}, {"b": ["2"]}]}, {"b": "2"}, True),
        ({"a": [{"wildcard": "lms.*.v1"}]}, {"a": "lms.courses.v1"}, True),
        ({"n": [{"numeric": [">", 1]}]}, {"n": 2}, True),
    ],
)
def test_filter_patterns_match_like_lambda_event_filtering(
    pattern: dict[str, Any], event: dict[str, Any], expected: bool
) -> None:
    assert event_pattern(pattern)(event) is expected


def test_an_invalid_filter_is_refused_up_front(stack: Stack, tmp_path: Path) -> None:
    spec = FunctionSpec("Invalid", tmp_path, "app.handler", stream=True, stream_filter={"n": "not a list"})
    stack.functions = [spec]

    with pytest.raises(ValueError, match="must be an object or an array"):
        EventPump(stack)
