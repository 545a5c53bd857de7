"""Firehose's delivery to S3 as the local stack emulates it (infra.firehose): the transformation's
answers decide each record's object, the prefix expressions are filled in, and a failing
transformation files its batch under the error prefix instead of failing the sender."""

from __future__ import annotations

import base64
import gzip
import json
import re
from typing import Any

import pytest

from infra import firehose

LAMBDA = "arn:aws:lambda:us-east-1:123456789012:function:transform"
DESTINATION: dict[str, Any] = {
    "BucketARN": "arn:aws:s3:::archive",
    "Prefix": "events/part=!{partitionKeyFromLambda:part}/",
    "ErrorOutputPrefix": "errors/!{firehose:error-output-type}/!{timestamp:yyyy/MM/dd}/",
    "CompressionFormat": "GZIP",
    "FileExtension": ".json.gz",
    "ProcessingConfiguration": {
        "Enabled": True,
        "Processors": [
            {"Type": "Lambda", "Parameters": [{"ParameterName": "LambdaArn", "ParameterValue": LAMBDA}]}
        ],
    },
}


def answer(record: dict[str, Any]) -> dict[str, Any]:
    """A transformation: `drop` is dropped, `bad` fails, anything else goes to its part, upper-cased."""
    text = base64.b64decode(record["data"]).decode()
    if text in ("drop", "bad"):
        return {"recordId": record["recordId"], "result": "Dropped" if text == "drop" else "ProcessingFailed"}
    return {
        "recordId": record["recordId"],
        "result": "Ok",
        "data": base64.b64encode(text.upper().encode() + b"\n").decode(),
        "metadata": {"partitionKeys": {"part": text[0]}},
    }


def deliver(
    records: list[bytes], processor: firehose.Processor, destination: dict[str, Any] = DESTINATION
) -> dict[str, bytes]:
    written: dict[str, bytes] = {}
    firehose.register_function(LAMBDA, processor)
    ids = firehose.deliver(
        stream_name="archive-stream",
        stream_arn="arn:aws:firehose:us-east-1:123456789012:deliverystream/archive-stream",
        version_id="1",
        region="us-east-1",
        destination=destination,
        records=[{"Data": data} for data in records],
        put_object=lambda bucket, key, body: written.__setitem__(f"{bucket}/{key}", body),
    )
    assert len(ids) == len(records)
    return written


def contents(written: dict[str, bytes]) -> dict[str, bytes]:
    """Each object's folder and its decompressed bytes."""
    return {key.rsplit("/", 1)[0]: gzip.decompress(body) for key, body in written.items()}


def test_records_are_grouped_by_their_partition_keys_into_one_compressed_object_each() -> None:
    written = deliver(
        [b"apple", b"avocado", b"banana", b"drop"],
        lambda event: {"records": [answer(r) for r in event["records"]]},
    )

    assert contents(written) == {
        "archive/events/part=a": b"APPLE\nAVOCADO\n",
        "archive/events/part=b": b"BANANA\n",
    }
    name = re.compile(r"archive-stream-1-\d{4}(-\d{2}){5}-[0-9a-f-]{36}\.json\.gz")
    assert all(name.fullmatch(key.rsplit("/", 1)[1]) for key in written)


def test_failed_records_are_filed_under_the_error_prefix_with_their_raw_data() -> None:
    written = deliver([b"apple", b"bad"], lambda event: {"records": [answer(r) for r in event["records"]]})

    [errors] = [key for key in written if key.startswith("archive/errors/")]
    assert re.fullmatch(r"archive/errors/processing-failed/\d{4}/\d{2}/\d{2}/.+\.json\.gz", errors)
    [error] = [json.loads(line) for line in gzip.decompress(written[errors]).splitlines()]
    assert base64.b64decode(error["rawData"]) == b"bad"
    assert error["lambdaArn"] == LAMBDA


def failing(event: dict[str, Any]) -> dict[str, Any]:
    raise RuntimeError("the transformation crashed")


@pytest.mark.parametrize(
    "processor",
    [failing, lambda event: {"records": []}, lambda event: None],
    ids=["raises", "answers-no-record", "answers-nothing"],
)
def test_a_batch_the_transformation_does_not_answer_goes_under_the_error_prefix(
    processor: firehose.Processor,
) -> None:
    written = deliver([b"apple", b"banana"], processor)

    assert [key.split("/")[1] for key in written] == ["errors"]
    raw = [json.loads(line)["rawData"] for line in gzip.decompress(next(iter(written.values()))).splitlines()]
    assert [base64.b64decode(data) for data in raw] == [b"apple", b"banana"]


def test_without_a_transformation_the_records_are_written_as_they_came() -> None:
    plain = {key: value for key, value in DESTINATION.items() if key != "ProcessingConfiguration"}
    plain.update(Prefix="raw/!{timestamp:yyyy}/", CompressionFormat="UNCOMPRESSED", FileExtension="")

    written = deliver([b"one\n", b"two\n"], failing, plain)

    [(key, body)] = written.items()
    assert re.fullmatch(r"archive/raw/\d{4}/archive-stream-1-.+", key)
    assert body == b"one\ntwo\n"


def test_an_expression_the_emulation_does_not_know_is_refused() -> None:
    unknown = {**DESTINATION, "Prefix": "events/!{partitionKeyFromQuery:part}/"}

    with pytest.raises(firehose.DeliveryError, match="partitionKeyFromQuery"):
        deliver([b"apple"], lambda event: {"records": [answer(r) for r in event["records"]]}, unknown)
