"""Every change the local stack and the tests make to the libraries they run on, and the library
internals they borrow, in one place.

Written for the versions in `WRITTEN_FOR`; `apply()` refuses to run on others, because what it
changes are internals that a new release may rename or reshape without notice.

- moto: `TransactWriteItems` applies its writes one by one to the live table and swaps a deep
  copy of the table back when a condition fails. Concurrent requests could lose a write or read
  an item of a transaction that is then rolled back, and the table stream could carry its
  records. One lock orders every DynamoDB operation and every DynamoDB Streams read, so a reader
  (the event pump included) sees only committed changes. The rollback copy is made of what the
  transaction touches (`Table.__deepcopy__` while the lock is held), not of the whole table, so a
  transaction costs the same however large the table has grown.
- botocore: nothing is replaced. `every_client` is an event emitter that every botocore session
  created after `apply()` forwards its call events to (through `botocore.handlers.BUILTIN_HANDLERS`,
  the list a new session reads its handlers from, as moto's own `mock_aws` does). Request counting
  (infra.instrument) and fault injection (infra.faults) register ordinary botocore event handlers
  on it. A client made before `apply()` is not seen: call it first (tests/conftest.py does).
- moto's EventBridge pattern matcher (`event_pattern`) decides which Lambda stream filter passes a
  record (infra.pump) and which rule routes an event type (infra.docs), as moto's rules do on the bus.
- moto's EventBridge: a rule's Amazon Data Firehose target (moto raises NotImplementedError for
  one) puts the event into the delivery stream, as one record of JSON without a line end, as
  EventBridge does; the rule's other targets go the way moto sends them.
- moto's Firehose: a batch for an extended S3 destination that transforms, partitions or compresses
  is delivered by infra.firehose (Lambda transformation, dynamic partitioning, GZIP, error prefix)
  instead of being written as it came.
- moto's KMS: `Sign` with `MessageType=DIGEST` signs the digest it is given, as KMS does (moto
  ignores the message type and would hash the digest again, a signature no public key verifies).
- pynamodb: nothing here. The one pynamodb internal the product borrows (`Model._get_connection`,
  so every item type shares one client; pynamodb has no public way, its issues 876 and 1245) runs
  in Lambda as well, where this module is not deployed: it stays in lms.persistence.table, which
  refuses to import under a pynamodb version it was not written for.
"""

from __future__ import annotations

import base64
import copy
import functools
import json
import threading
from collections import defaultdict
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from importlib.metadata import version
from typing import Any

from botocore import handlers
from botocore.hooks import HierarchicalEmitter

WRITTEN_FOR = {"moto": "5.2.5", "botocore": "1.44."}
"""Exact version, or a prefix ending in a dot for a series."""


class UnsupportedLibraryVersion(RuntimeError):
    """A patched library is at a version these patches were not written for."""


def check_versions(found: Callable[[str], str] = version) -> None:
    for package, expected in WRITTEN_FOR.items():
        installed = found(package)
        fits = installed.startswith(expected) if expected.endswith(".") else installed == expected
        if not fits:
            raise UnsupportedLibraryVersion(
                f"infra/patches.py was written for {package} {expected.rstrip('.')}"
                f"{'.x' if expected.endswith('.') else ''}, and {installed} is installed: read what the "
                f"patches rely on in the new version, then update WRITTEN_FOR (or pin {package})."
            )


_applied = False
_apply_lock = threading.Lock()


def apply() -> None:
    """Check the versions and apply every patch; idempotent, process-wide."""
    global _applied
    with _apply_lock:
        if _applied:
            return
        check_versions()
        _serialize_dynamodb()
        _forward_call_events()
        _route_events_to_firehose()
        _deliver_firehose_like_aws()
        _sign_digests_like_kms()
        _applied = True


# ---------------------------------------------------------------------------------------------- botocore

every_client = HierarchicalEmitter()
"""Register botocore event handlers here to see the calls of every client made after `apply()`."""

_FORWARDED_EVENTS = ("provide-client-params", "before-call", "after-call", "after-call-error")


def _forward(event_name: str, **kwargs: Any) -> Any:
    _, response = every_client.emit_until_response(event_name, **kwargs)
    return response


def _forward_call_events() -> None:
    for event in _FORWARDED_EVENTS:
        handlers.BUILTIN_HANDLERS.append((event, _forward))


# ---------------------------------------------------------------------------------------------- moto

_DYNAMODB_LOCK = threading.RLock()
_SERIALIZED_DYNAMODB_CALLS = (
    "transact_write_items",
    "execute_transaction",
    "put_item",
    "update_item",
    "delete_item",
    "get_item",
    "query",
    "scan",
)
_SERIALIZED_STREAM_CALLS = ("describe_stream", "get_shard_iterator", "get_records")


def _serialize_dynamodb() -> None:
    from moto.dynamodb.models import DynamoDBBackend
    from moto.dynamodbstreams.models import DynamoDBStreamsBackend

    for name in _SERIALIZED_DYNAMODB_CALLS:
        original = getattr(DynamoDBBackend, name)
        if name == "transact_write_items":
            original = _with_cheap_rollback_copies(original)
        setattr(DynamoDBBackend, name, _locked(original))
    for name in _SERIALIZED_STREAM_CALLS:
        setattr(DynamoDBStreamsBackend, name, _locked(getattr(DynamoDBStreamsBackend, name)))


def _locked(original: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(original)
    def call(*args: Any, **kwargs: Any) -> Any:
        with _DYNAMODB_LOCK:
            return original(*args, **kwargs)

    return call


def _with_cheap_rollback_copies(original: Callable[..., Any]) -> Callable[..., Any]:
    """Under the lock, a copy of the item index, of the stream's record list and of the items the
    transaction updates in place rolls back exactly as moto's copy of the whole table does.
    """
    from moto.dynamodb.models.dynamo_type import DynamoType
    from moto.dynamodb.models.table import Table

    def snapshot(table: Any, updated: list[dict[str, Any]]) -> Any:
        clone = copy.copy(table)
        clone.items = defaultdict(dict)
        for hash_key, value in table.items.items():
            clone.items[hash_key] = dict(value) if isinstance(value, dict) else value
        for key in updated:  # update_item changes the stored item object itself
            hash_key = DynamoType(key[table.hash_key_attr])
            stored = table.items.get(hash_key)
            if table.range_key_attr is not None and isinstance(stored, dict):
                range_key = DynamoType(key[table.range_key_attr])
                if range_key in stored:
                    clone.items[hash_key][range_key] = copy.deepcopy(stored[range_key])
            elif stored is not None:
                clone.items[hash_key] = copy.deepcopy(stored)
        if table.stream_shard is not None:
            shard = copy.copy(table.stream_shard)
            shard.items = list(table.stream_shard.items)
            shard.table = clone
            clone.stream_shard = shard
        return clone

    @functools.wraps(original)
    def call(backend: Any, transact_items: list[dict[str, Any]]) -> Any:
        updated: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for item in transact_items:
            op = item.get("Update")
            if op is not None:
                updated[op["TableName"]].append(op["Key"])
        with _DYNAMODB_LOCK:
            Table.__deepcopy__ = lambda table, memo: snapshot(table, updated[table.name])  # type: ignore[attr-defined]
            try:
                return original(backend, transact_items)
            finally:
                del Table.__deepcopy__  # type: ignore[attr-defined]

    return call


def _route_events_to_firehose() -> None:
    from moto.events.models import Rule
    from moto.firehose.models import firehose_backends
    from moto.utilities.arns import parse_arn

    original = Rule.send_to_targets

    @functools.wraps(original)
    def send_to_targets(rule: Any, original_event: Any, transform_input: bool = True) -> None:
        streams = [target for target in rule.targets if parse_arn(target["Arn"]).service == "firehose"]
        if streams and rule.event_pattern.matches_event(original_event):
            event = dict(original_event)
            event.pop("ingestion-time", None)  # moto's bookkeeping, not a field of the event
            if isinstance(event.get("time"), int | float):
                moment = datetime.fromtimestamp(float(event["time"]), tz=UTC)
                event["time"] = moment.strftime("%Y-%m-%dT%H:%M:%SZ")
            for target in streams:
                arn = parse_arn(target["Arn"])
                backend = firehose_backends[arn.account][arn.region]
                backend.put_record_batch(arn.resource_id, [{"Data": json.dumps(event).encode()}])
        if len(streams) < len(rule.targets):
            others = copy.copy(rule)
            others.targets = [target for target in rule.targets if target not in streams]
            original(others, original_event, transform_input)

    Rule.send_to_targets = send_to_targets  # type: ignore[method-assign, assignment]


def _deliver_firehose_like_aws() -> None:
    from moto.firehose.models import FirehoseBackend
    from moto.s3.models import s3_backends

    from infra import firehose

    original = FirehoseBackend.put_s3_records

    @functools.wraps(original)
    def put_s3_records(
        backend: Any,
        delivery_stream_name: str,
        version_id: str,
        s3_destination: dict[str, Any],
        records: list[dict[str, bytes]],
    ) -> list[dict[str, str]]:
        if not firehose.configured(s3_destination):
            return original(backend, delivery_stream_name, version_id, s3_destination, records)
        stream = backend.delivery_streams[delivery_stream_name]
        s3 = s3_backends[backend.account_id][backend.partition]
        return firehose.deliver(
            stream_name=delivery_stream_name,
            stream_arn=stream.delivery_stream_arn,
            version_id=version_id,
            region=backend.region_name,
            destination=s3_destination,
            records=records,
            put_object=lambda bucket, key, body: s3.put_object(bucket, key, body),
        )

    FirehoseBackend.put_s3_records = put_s3_records  # type: ignore[method-assign, assignment]


def _sign_digests_like_kms() -> None:
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding, utils
    from moto.kms.responses import KmsResponse

    original = KmsResponse.sign
    digests = {"RSASSA_PKCS1_V1_5_SHA_256": hashes.SHA256()}

    @functools.wraps(original)
    def sign(response: Any) -> str:
        algorithm = response._get_param("SigningAlgorithm")
        if response._get_param("MessageType") != "DIGEST" or algorithm not in digests:
            return original(response)
        key = response.kms_backend.describe_key(response._get_param("KeyId"))
        digest = digests[algorithm]
        signature = key.private_key.private_key.sign(
            response._get_param("Message"), padding.PKCS1v15(), utils.Prehashed(digest)
        )
        return json.dumps(
            {
                "KeyId": key.arn,
                "Signature": base64.b64encode(signature).decode(),
                "SigningAlgorithm": algorithm,
            }
        )

    KmsResponse.sign = sign  # type: ignore[method-assign, assignment]


def event_pattern(pattern: Mapping[str, Any]) -> Callable[[Mapping[str, Any]], bool]:
    """Whether an event matches an EventBridge pattern (Lambda filters use the same syntax).

    ValueError when the pattern is not a valid one.
    """
    from moto.events.exceptions import InvalidEventPatternException
    from moto.events.models import EventPattern

    try:
        compiled = EventPattern.load(json.dumps(pattern))
    except InvalidEventPatternException as error:
        raise ValueError(f"invalid event pattern {pattern!r}: {error.message}") from error
    return lambda event: bool(compiled.matches_event(dict(event)))  # type: ignore[arg-type]


def reset_moto() -> None:
    """Clear moto's state, unless an in-process `mock_aws` is using it."""
    from moto.core.models import MockAWS
    from moto.moto_api._internal.models import moto_api_backend

    if not MockAWS._mocks_active:
        moto_api_backend.reset()
