"""The single table: one pynamodb base model, bound on first use to the configured table, and one
connection (one botocore session and client) shared by every item type of the process.

pynamodb gives each model class a connection of its own, and each connection a botocore session
and client of its own: in a new container the first request of each item type paid 75-124 ms for
them. pynamodb has no public way to share one (its issues 876 and 1245 ask for it), so `Item`
overrides the private `Model._get_connection`, and the connection is given the process's botocore
session (lms.aws) through the private `Connection._local`, written for the pynamodb versions named in
`PYNAMODB_VERSIONS`: another version stops the import here, and tests/unit/test_table_connection.py
shows every item type on one client.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from typing import Any, ClassVar

import pynamodb
from pynamodb.attributes import NumberAttribute, UnicodeAttribute
from pynamodb.connection import Connection, TableConnection
from pynamodb.connection.base import MetaTable
from pynamodb.constants import (
    ATTR_DEFINITIONS,
    ATTR_NAME,
    ATTR_TYPE,
    GLOBAL_SECONDARY_INDEXES,
    INDEX_NAME,
    KEY_SCHEMA,
    KEY_TYPE,
    LOCAL_SECONDARY_INDEXES,
    STRING,
    TABLE_NAME,
)
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model
from pynamodb.types import HASH, RANGE

from lms import aws
from lms.settings import get_settings

PYNAMODB_VERSIONS = ("6.1.0",)
if pynamodb.__version__ not in PYNAMODB_VERSIONS:
    raise ImportError(
        f"lms.persistence.table overrides pynamodb internals written for {PYNAMODB_VERSIONS}, "
        f"not {pynamodb.__version__}: check Model._get_connection and update PYNAMODB_VERSIONS"
    )


class GSI1(GlobalSecondaryIndex["Item"]):  # type: ignore[no-untyped-call]
    class Meta:
        index_name = "GSI1"
        projection = AllProjection()

    GSI1PK = UnicodeAttribute(hash_key=True)
    GSI1SK = UnicodeAttribute(range_key=True)


def _key_schema(hash_key: str, range_key: str) -> list[dict[str, str]]:
    return [{ATTR_NAME: hash_key, KEY_TYPE: HASH}, {ATTR_NAME: range_key, KEY_TYPE: RANGE}]


@cache
def _table_connection(table_name: str, region: str) -> TableConnection:
    # The schema of the whole table (its keys and every index), so one connection serves every
    # item type: pynamodb reads it only for key and index attribute names.
    schema = MetaTable(
        {
            TABLE_NAME: table_name,
            KEY_SCHEMA: _key_schema("PK", "SK"),
            ATTR_DEFINITIONS: [
                {ATTR_NAME: name, ATTR_TYPE: STRING} for name in ("PK", "SK", "GSI1PK", "GSI1SK")
            ],
            GLOBAL_SECONDARY_INDEXES: [
                {INDEX_NAME: GSI1.Meta.index_name, KEY_SCHEMA: _key_schema("GSI1PK", "GSI1SK")}
            ],
            LOCAL_SECONDARY_INDEXES: [],
        }
    )
    meta = Item.Meta
    found = TableConnection(
        table_name,
        region=region,
        connect_timeout_seconds=meta.connect_timeout_seconds,
        read_timeout_seconds=meta.read_timeout_seconds,
        max_retry_attempts=meta.max_retry_attempts,
        max_pool_connections=meta.max_pool_connections,
        meta_table=schema,
    )
    # pynamodb's connection makes a botocore session of its own (Connection.session, one per
    # thread); it takes this thread's shared one, so every other client reuses the SDK data it loads.
    found.connection._local.session = aws.session()
    return found


def table_connection() -> TableConnection:
    """The process's connection to the configured table (batch reads, raw queries)."""
    settings = get_settings()
    return _table_connection(settings.table_name, settings.region)


BATCH_GET_LIMIT = 100  # keys per BatchGetItem, DynamoDB's limit


def batch_get(
    wanted: list[tuple[str, str]], *, consistent: bool = True, attributes: Iterable[str] | None = None
) -> list[dict[str, Any]]:
    """BatchGetItem of items of the table by (PK, SK), 100 keys a request, retrying unprocessed keys.

    `attributes` names what to read of every item (with PK and SK), when one of them is large and
    little of it is needed (a course item holds its whole outline)."""
    names = sorted({"PK", "SK", *attributes}) if attributes is not None else None
    found_connection = table_connection()
    table = found_connection.table_name
    unique = list(dict.fromkeys(wanted))
    found: list[dict[str, Any]] = []
    for start in range(0, len(unique), BATCH_GET_LIMIT):
        chunk = unique[start : start + BATCH_GET_LIMIT]
        keys_left: list[Any] = [{"PK": {"S": pk}, "SK": {"S": sk}} for pk, sk in chunk]
        while keys_left:
            answer = found_connection.batch_get_item(
                keys_left, consistent_read=consistent, attributes_to_get=names
            )
            found.extend(answer.get("Responses", {}).get(table, []))
            keys_left = answer.get("UnprocessedKeys", {}).get(table, {}).get("Keys", [])
    return found


def connection() -> Connection:
    """The low-level connection used for transactions: the models' botocore client."""
    return table_connection().connection


class Item(Model):
    """Base of every item type; `entity` names the type of an item in the shared key space."""

    class Meta:
        table_name: ClassVar[str | None] = None
        region: ClassVar[str] = "us-east-1"
        connect_timeout_seconds: ClassVar[float]
        read_timeout_seconds: ClassVar[float]
        max_retry_attempts: ClassVar[int]
        max_pool_connections: ClassVar[int]

    PK = UnicodeAttribute(hash_key=True)
    SK = UnicodeAttribute(range_key=True)
    entity = UnicodeAttribute()

    @classmethod
    def _get_connection(cls) -> TableConnection:
        # Bound to the table named by the environment on first use, not at import time; every
        # subclass shares `Item.Meta`, so they all name that table.
        found = table_connection()
        cls.Meta.table_name = found.table_name
        cls.Meta.region = get_settings().region
        return found


class VersionedItem(Item):
    version = NumberAttribute(default=1)
