"""Amazon Data Firehose's delivery to S3, as the event archive's stream is configured, for moto.

moto keeps a delivery stream's configuration but writes each batch as it came: under an hourly
prefix, uncompressed, with no record transformation and no dynamic partitioning. `deliver` sends a
batch the way Firehose does (infra.patches hands it moto's batches):
- the records go through the stream's transformation Lambda, run in-process (`register_function`),
  with the event and the response of Firehose's data transformation;
- the records it returned `Ok` are grouped by their partition keys; each group is one object under
  `Prefix` with `!{partitionKeyFromLambda:...}`, `!{timestamp:...}` and `!{firehose:...}` filled
  in, named `<stream>-<version>-<yyyy-MM-dd-HH-mm-ss>-<uuid>` and the stream's `FileExtension`,
  GZIP-compressed when `CompressionFormat` says so; `Dropped` records are left out;
- `ProcessingFailed` records (and every record of a response that does not answer each one) go
  under `ErrorOutputPrefix` (`processing-failed`) as Firehose's error records.

Where it differs from AWS, on purpose: there is no buffer. Each batch moto is given (one per event
that EventBridge delivers) is written at once, so a local archive holds more and smaller objects than
a deployed one, and an event is queryable as soon as it is on the bus. The Lambda is invoked once
per batch, without Firehose's retries; when it fails, the batch is filed under the error prefix
at once.
"""

from __future__ import annotations

import base64
import gzip
import json
import logging
import re
import uuid
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

logger = logging.getLogger(__name__)

Processor = Callable[[dict[str, Any]], Any]
PutObject = Callable[[str, str, bytes], object]

_processors: dict[str, Processor] = {}

_EXPRESSION = re.compile(r"!\{([a-zA-Z]+):([^}]*)\}")
# Firehose's timestamp expressions use Java's DateTimeFormatter letters.
_JAVA_DATE_LETTERS = {"yyyy": "%Y", "MM": "%m", "dd": "%d", "HH": "%H", "mm": "%M", "ss": "%S"}


class DeliveryError(RuntimeError):
    """The stream's configuration asks for something this emulation does not do."""


def register_function(arn: str, processor: Processor) -> None:
    """Run `processor` with the Lambda event when a stream's transformation names `arn`."""
    _processors[arn] = processor


def configured(destination: Mapping[str, Any]) -> bool:
    """Whether a destination uses what moto ignores (transformation, partitioning, compression)."""
    return (
        bool((destination.get("ProcessingConfiguration") or {}).get("Enabled"))
        or bool((destination.get("DynamicPartitioningConfiguration") or {}).get("Enabled"))
        or destination.get("CompressionFormat", "UNCOMPRESSED") != "UNCOMPRESSED"
    )


def deliver(
    *,
    stream_name: str,
    stream_arn: str,
    version_id: str,
    region: str,
    destination: Mapping[str, Any],
    records: Sequence[Mapping[str, bytes]],
    put_object: PutObject,
) -> list[dict[str, str]]:
    """Write a batch as Firehose would; the record ids of the PutRecordBatch answer."""
    now = datetime.now(UTC)
    ids = [str(uuid.uuid4()) for _ in records]
    transformed = _transform(destination, stream_arn, region, ids, records, now)
    bucket = str(destination["BucketARN"]).split(":")[-1]
    groups: dict[tuple[tuple[str, str], ...], list[bytes]] = {}
    failed: list[bytes] = []
    for record_id, raw in zip(ids, records, strict=True):
        outcome = transformed.get(record_id)
        if outcome is None or outcome.get("result") == "ProcessingFailed":
            failed.append(_error_record(raw["Data"], now, destination))
            continue
        if outcome.get("result") == "Dropped":
            continue
        keys = ((outcome.get("metadata") or {}).get("partitionKeys")) or {}
        groups.setdefault(tuple(sorted(keys.items())), []).append(base64.b64decode(outcome["data"]))
    for keys, lines in groups.items():
        prefix = _fill(str(destination.get("Prefix", "")), dict(keys), now, "")
        put_object(
            bucket,
            prefix + _object_name(stream_name, version_id, now, destination),
            _body(lines, destination),
        )
    if failed:
        prefix = _fill(str(destination.get("ErrorOutputPrefix", "")), {}, now, "processing-failed")
        put_object(
            bucket,
            prefix + _object_name(stream_name, version_id, now, destination),
            _body(failed, destination),
        )
    return [{"RecordId": record_id} for record_id in ids]


def _transform(
    destination: Mapping[str, Any],
    stream_arn: str,
    region: str,
    ids: Sequence[str],
    records: Sequence[Mapping[str, bytes]],
    now: datetime,
) -> dict[str, dict[str, Any]]:
    """Each record's outcome by record id: the Lambda's answer, or the record unchanged."""
    processing = destination.get("ProcessingConfiguration") or {}
    if not processing.get("Enabled"):
        encoded = [base64.b64encode(record["Data"]).decode() for record in records]
        return {
            record_id: {"result": "Ok", "data": data} for record_id, data in zip(ids, encoded, strict=True)
        }
    arn = _lambda_arn(processing)
    processor = _processors.get(arn)
    if processor is None:
        raise DeliveryError(f"no function registered for the transformation Lambda {arn}")
    arrival = int(now.timestamp() * 1000)
    event = {
        "invocationId": str(uuid.uuid4()),
        "deliveryStreamArn": stream_arn,
        "region": region,
        "records": [
            {
                "recordId": record_id,
                "approximateArrivalTimestamp": arrival,
                "data": base64.b64encode(record["Data"]).decode(),
            }
            for record_id, record in zip(ids, records, strict=True)
        ],
    }
    try:
        response = processor(event)
    except Exception:
        # As Firehose after its retries: the batch's records go under the error prefix, and the
        # bus (here, the PutEvents that brought them) never hears of it.
        logger.exception("the transformation Lambda %s failed", arn)
        return {}
    answered = {item["recordId"]: item for item in (response or {}).get("records", [])}
    if set(answered) != set(ids):
        # Firehose fails the whole batch when the response does not answer each record once.
        return {}
    return answered


def _lambda_arn(processing: Mapping[str, Any]) -> str:
    processors = processing.get("Processors") or []
    if len(processors) != 1 or processors[0].get("Type") != "Lambda":
        raise DeliveryError(f"only one Lambda processor is emulated, not {processors!r}")
    parameters = {p["ParameterName"]: p["ParameterValue"] for p in processors[0].get("Parameters", [])}
    return str(parameters["LambdaArn"])


def _fill(template: str, keys: Mapping[str, str], now: datetime, error_type: str) -> str:
    def expression(match: re.Match[str]) -> str:
        namespace, argument = match.group(1), match.group(2)
        if namespace == "partitionKeyFromLambda":
            if argument not in keys:
                raise DeliveryError(f"the transformation gave no partition key {argument!r}")
            return keys[argument]
        if namespace == "timestamp":
            return now.strftime(_strftime(argument))
        if namespace == "firehose" and argument == "error-output-type":
            return error_type
        if namespace == "firehose" and argument == "random-string":
            return uuid.uuid4().hex[:11]
        raise DeliveryError(f"the expression !{{{namespace}:{argument}}} is not emulated")

    return _EXPRESSION.sub(expression, template)


def _strftime(java_pattern: str) -> str:
    return re.sub("yyyy|MM|dd|HH|mm|ss", lambda m: _JAVA_DATE_LETTERS[m.group(0)], java_pattern)


def _object_name(stream_name: str, version_id: str, now: datetime, destination: Mapping[str, Any]) -> str:
    extension = str(destination.get("FileExtension", ""))
    if not extension and destination.get("CompressionFormat") == "GZIP":
        extension = ".gz"
    return f"{stream_name}-{version_id}-{now.strftime('%Y-%m-%d-%H-%M-%S')}-{uuid.uuid4()}{extension}"


def _body(lines: Sequence[bytes], destination: Mapping[str, Any]) -> bytes:
    data = b"".join(lines)
    compression = destination.get("CompressionFormat", "UNCOMPRESSED")
    if compression == "GZIP":
        return gzip.compress(data)
    if compression != "UNCOMPRESSED":
        raise DeliveryError(f"compression {compression} is not emulated")
    return data


def _error_record(data: bytes, now: datetime, destination: Mapping[str, Any]) -> bytes:
    processing = destination.get("ProcessingConfiguration") or {}
    record = {
        "attemptsMade": 1,
        "arrivalTimestamp": int(now.timestamp() * 1000),
        "errorCode": "Lambda.ProcessingFailed",
        "errorMessage": "The record was returned as ProcessingFailed, or not answered, by the Lambda.",
        "attemptEndingTimestamp": int(now.timestamp() * 1000),
        "rawData": base64.b64encode(data).decode(),
        "lambdaArn": _lambda_arn(processing) if processing.get("Enabled") else None,
    }
    return (json.dumps(record) + "\n").encode()
