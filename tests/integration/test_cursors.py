"""Cursors are signed with the stack's secret (rotatable) and decode only to the key shape of their list."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

import boto3
import pytest

from infra.provision import Stack
from lms.errors import InvalidCursor
from lms.pagination import decode_cursor, encode_cursor
from lms.persistence.cursor_keys import REFRESH_SECONDS, RETRY_SECONDS, CursorKeys
from lms.settings import get_settings

if TYPE_CHECKING:
    from mypy_boto3_secretsmanager import SecretsManagerClient

CATALOG = "INST#a#CATALOG#published"
KEY = {
    "GSI1PK": {"S": CATALOG},
    "GSI1SK": {"S": "mathematics#beginner#2026-01-01#1"},
    "PK": {"S": "INST#a#COURSE#1"},
    "SK": {"S": "COURSE"},
}


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def own_secret(stack: Stack) -> tuple[SecretsManagerClient, str]:
    """A secret of the test's own, so rotating it leaves the stack's cursor key alone."""
    client = boto3.client("secretsmanager", region_name=stack.region)
    arn = client.create_secret(Name=f"rotation-{uuid.uuid4().hex}", SecretString="first-key")["ARN"]
    return client, arn


def secret_value(stack: Stack) -> bytes:
    client = boto3.client("secretsmanager", region_name=stack.region)
    return client.get_secret_value(SecretId=get_settings().cursor_secret_arn)["SecretString"].encode()


def test_the_template_s_secret_is_generated_for_the_stack(stack: Stack) -> None:
    value = secret_value(stack)
    assert len(value) == 64
    assert value.isalnum()


def test_a_cursor_round_trips_within_its_partition(stack: Stack) -> None:
    cursor = encode_cursor(KEY)
    assert decode_cursor(cursor, partition_attr="GSI1PK", partition=CATALOG) == KEY


def test_a_cursor_of_another_partition_is_refused(stack: Stack) -> None:
    cursor = encode_cursor({**KEY, "GSI1PK": {"S": "INST#b#CATALOG#published"}})
    with pytest.raises(InvalidCursor):
        decode_cursor(cursor, partition_attr="GSI1PK", partition=CATALOG)


@pytest.mark.parametrize("cursor", ["not-base64!!", "AAAA", "A" * 5000, "tampered"])
def test_a_malformed_or_tampered_cursor_is_refused(stack: Stack, cursor: str) -> None:
    if cursor == "tampered":
        signed = encode_cursor(KEY)
        assert signed is not None
        cursor = signed[:-2] + ("zz" if not signed.endswith("zz") else "yy")
    with pytest.raises(InvalidCursor):
        decode_cursor(cursor, partition_attr="GSI1PK", partition=CATALOG)


@pytest.mark.parametrize(
    "key",
    [
        "a string",
        [KEY],
        {k: v for k, v in KEY.items() if k != "SK"},
        {**KEY, "Extra": {"S": "x"}},
        {**KEY, "PK": {"N": "1"}},
        {**KEY, "PK": {"S": ""}},
        {**KEY, "PK": {"S": "x", "N": "1"}},
        {**KEY, "GSI1PK": {"S": {"S": CATALOG}}},
    ],
)
def test_a_signed_cursor_that_is_not_a_key_of_the_list_is_refused(stack: Stack, key: Any) -> None:
    with pytest.raises(InvalidCursor):
        decode_cursor(encode_cursor(key), partition_attr="GSI1PK", partition=CATALOG)


def test_a_list_s_own_numbers_must_be_digits(stack: Stack) -> None:
    base = {"PK": {"S": "INST#a#COURSE#1"}, "SK": {"S": "WAITLIST#1"}}
    numbers = frozenset({"offset"})
    good = {**base, "offset": {"N": "20"}}
    assert decode_cursor(encode_cursor(good), partition_attr="PK", partition=base["PK"]["S"], numbers=numbers)
    for offset in ({"N": "-1"}, {"N": "1e9"}, {"S": "20"}, {"N": "9" * 20}):
        with pytest.raises(InvalidCursor):
            decode_cursor(
                encode_cursor({**base, "offset": offset}),
                partition_attr="PK",
                partition=base["PK"]["S"],
                numbers=numbers,
            )


def test_after_a_rotation_cursors_of_the_previous_key_stay_valid_until_the_next(stack: Stack) -> None:
    clock = Clock()
    client, arn = own_secret(stack)
    keys = CursorKeys(lambda: arn, lambda: client, clock)
    assert keys.accepted() == (b"first-key",)

    client.put_secret_value(SecretId=arn, SecretString="second-key")
    assert keys.signing() == b"first-key"  # read once per container, not per request
    clock.now += REFRESH_SECONDS
    assert keys.accepted() == (b"second-key", b"first-key")

    client.put_secret_value(SecretId=arn, SecretString="third-key")
    clock.now += REFRESH_SECONDS
    assert keys.accepted() == (b"third-key", b"second-key")


def test_an_unknown_signature_reads_the_secret_again_at_most_once_a_minute(stack: Stack) -> None:
    clock = Clock()
    client, arn = own_secret(stack)
    keys = CursorKeys(lambda: arn, lambda: client, clock)
    assert keys.accepted() == (b"first-key",)
    client.put_secret_value(SecretId=arn, SecretString="rotated-elsewhere")
    assert keys.refreshed() is None
    clock.now += RETRY_SECONDS
    assert keys.refreshed() == (b"rotated-elsewhere", b"first-key")
