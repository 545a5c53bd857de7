"""The single table: one pynamodb base model bound lazily to the configured table."""

from __future__ import annotations

from typing import Any, ClassVar

from pynamodb.attributes import NumberAttribute, UnicodeAttribute
from pynamodb.connection import Connection
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model

from lms.settings import get_settings


class GSI1(GlobalSecondaryIndex["Item"]):  # type: ignore[no-untyped-call]
    class Meta:
        index_name = "GSI1"
        projection = AllProjection()

    GSI1PK = UnicodeAttribute(hash_key=True)
    GSI1SK = UnicodeAttribute(range_key=True)


class Item(Model):
    """Base of every item type; `entity` names the type of an item in the shared key space."""

    class Meta:
        table_name: ClassVar[str | None] = None
        region: ClassVar[str] = "us-east-1"

    PK = UnicodeAttribute(hash_key=True)
    SK = UnicodeAttribute(range_key=True)
    entity = UnicodeAttribute()

    @classmethod
    def _get_connection(cls) -> Any:
        # Bind to the table named by the environment on first use, not at import time.
        settings = get_settings()
        if cls.Meta.table_name != settings.table_name:
            cls.Meta.table_name = settings.table_name
            cls.Meta.region = settings.region
        if "_connection" not in cls.__dict__:
            # Each item type needs its own connection: its schema names the indexes it queries.
            cls._connection = None
        return super()._get_connection()


class VersionedItem(Item):
    version = NumberAttribute(default=1)


def connection() -> Connection:
    """The low-level connection used for transactions; shares the models' botocore client."""
    return Item._get_connection().connection  # type: ignore[no-any-return]
