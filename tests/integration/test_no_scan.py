"""A Scan in a request path fails the test that made it, even when the handler turns it into a 500."""

from __future__ import annotations

import boto3
import pytest

from infra.instrument import AwsCallRecorder, ScanInRequestPath
from infra.provision import Stack


def test_a_scan_while_recording_is_refused_and_remembered(stack: Stack) -> None:
    client = boto3.client("dynamodb", region_name=stack.region)
    recorder = AwsCallRecorder()
    with recorder.recording(), pytest.raises(ScanInRequestPath):
        client.scan(TableName=stack.table_name, Limit=1)
    assert recorder.scans == [stack.table_name]
    with recorder.recording():
        client.query(
            TableName=stack.table_name,
            KeyConditionExpression="PK = :pk",
            ExpressionAttributeValues={":pk": {"S": "INST#nobody#COURSE#none"}},
        )
    assert recorder.operations() == {"Query": 1}
