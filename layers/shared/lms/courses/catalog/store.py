"""The catalog index in the table: entries spread over shard items, one version item per institution.

Layout (docs/data-model.md): `INST#i#CATALOG-INDEX` holds `SHARD#00`..`SHARD#63`, each with one
attribute per course (`c_<course>`: the entry as JSON) and a `rev` counter, and `VERSION`, with one
counter per shard (`s00`..`s63`). A course change sets its entry and adds 1 to both counters in the
change's own transaction, with no read: the index is as fresh as the course. At 10,000 courses of
about 500 bytes a shard holds ~80 KB, far below DynamoDB's 400 KB item limit (~50,000 courses).

A function keeps each institution's index in memory. Every read costs one strongly consistent
GetItem of the version item (under 1 KB: one read unit); only the shards whose counter moved are
read again (one BatchGetItem) and re-indexed, so a change is visible to the next request and a
steady catalog costs one request per search whatever its size.
"""

from __future__ import annotations

import hashlib
import json
import time
import zlib
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from pynamodb.attributes import NumberAttribute, UnicodeAttribute

from lms import keys
from lms.courses.catalog.entry import CatalogEntry
from lms.courses.catalog.index import (
    SORT_KEY_LENGTHS,
    CatalogIndex,
    CatalogPage,
    CatalogSort,
    ShardIndex,
    SortKey,
    order_of,
)
from lms.errors import InvalidCursor
from lms.ids import new_id
from lms.pagination import decode_position, encode_position
from lms.persistence.table import Item, connection
from lms.persistence.transactions import Transaction
from lms.settings import get_settings

if TYPE_CHECKING:
    from lms.courses.service import CatalogQuery

SHARDS = 64
CACHED_INSTITUTIONS = 8  # a container serving many institutions keeps the most recent ones
SHARD_ENTITY = "catalog-shard"
SIGNALS_ENTITY = "catalog-signals"
SIGNALS_TTL_SECONDS = 60.0
"""How long a container sorts by the ratings it read: ratings are not worth a read per search."""
_COUNT_PREFIX, _TOTAL_PREFIX = "n_", "t_"
VERSION_ENTITY = "catalog-version"
_ENTRY_PREFIX = "c_"
_BATCH_GET_MAX = 100
_SEED_CHUNK = 100  # entries per UpdateItem: its expression stays far below DynamoDB's 4 KB


class CatalogShardItem(Item):
    rev = NumberAttribute(default=0)


class CatalogSignalsItem(Item):
    """Review counts (`n_<course>`) and star totals (`t_<course>`) of a shard's courses, read raw."""


class CatalogVersionItem(Item):
    """Its counters are attributes named by shard (`s07`), changed with `ADD` and read raw.

    `generation` is set when the item is first written: counters restart from 0 when an index
    is written anew (a restored table, a reseeded benchmark), the generation does not repeat.
    """

    generation = UnicodeAttribute(null=True)


def shard_of(course_id: str) -> int:
    return zlib.crc32(course_id.encode()) % SHARDS


def _counter(shard: int) -> str:
    return f"s{shard:02d}"


def add_entry(tx: Transaction, institution_id: str, entry: CatalogEntry) -> None:
    """Set a course's entry in its shard and count the change, inside the course's transaction."""
    pk = keys.catalog_index_pk(institution_id)
    shard = shard_of(entry.id)
    tx.update(
        CatalogShardItem(pk, keys.catalog_shard_sk(shard)),
        [
            CatalogShardItem.entity.set(SHARD_ENTITY),
            UnicodeAttribute(attr_name=_ENTRY_PREFIX + entry.id).set(entry.to_json()),
            CatalogShardItem.rev.add(1),
        ],
    )
    tx.update(
        CatalogVersionItem(pk, keys.CATALOG_VERSION_SK),
        [CatalogVersionItem.entity.set(VERSION_ENTITY), NumberAttribute(attr_name=_counter(shard)).add(1)],
    )


def add_rating(tx: Transaction, institution_id: str, course_id: str, count: int, total: int) -> None:
    """Count a review's stars in the catalog's signals, inside the review's transaction."""
    names = [
        NumberAttribute(attr_name=_COUNT_PREFIX + course_id),
        NumberAttribute(attr_name=_TOTAL_PREFIX + course_id),
    ]
    tx.update(
        CatalogSignalsItem(
            keys.catalog_index_pk(institution_id), keys.catalog_signals_sk(shard_of(course_id))
        ),
        [CatalogSignalsItem.entity.set(SIGNALS_ENTITY), names[0].add(count), names[1].add(total)],
    )


def write_entries(institution_id: str, entries: list[CatalogEntry]) -> None:
    """Set many entries at once, outside any transaction: benchmarks and tests seed thousands of courses."""
    pk = keys.catalog_index_pk(institution_id)
    table = get_settings().table_name
    by_shard: dict[int, list[CatalogEntry]] = {}
    for entry in entries:
        by_shard.setdefault(shard_of(entry.id), []).append(entry)
    for shard, members in by_shard.items():
        for start in range(0, len(members), _SEED_CHUNK):
            chunk = members[start : start + _SEED_CHUNK]
            names = {f"#c{n}": _ENTRY_PREFIX + entry.id for n, entry in enumerate(chunk)}
            values: dict[str, Any] = {f":c{n}": {"S": entry.to_json()} for n, entry in enumerate(chunk)}
            setting = ", ".join(f"#c{n} = :c{n}" for n in range(len(chunk)))
            _update(
                table,
                pk,
                keys.catalog_shard_sk(shard),
                f"SET #e = :shard, {setting} ADD #r :one",
                {
                    "names": {**names, "#e": "entity", "#r": "rev"},
                    "values": {**values, ":shard": {"S": SHARD_ENTITY}, ":one": {"N": "1"}},
                },
            )
            _update(
                table,
                pk,
                keys.CATALOG_VERSION_SK,
                "SET #e = :version, #g = if_not_exists(#g, :g) ADD #s :one",
                {
                    "names": {"#e": "entity", "#g": "generation", "#s": _counter(shard)},
                    "values": {":version": {"S": VERSION_ENTITY}, ":g": {"S": new_id()}, ":one": {"N": "1"}},
                },
            )


def rebuild(institution_id: str, entries: list[CatalogEntry]) -> None:
    """Write the institution's index anew from these entries: every shard item replaced (an entry
    of a course no longer listed goes), then a version item of a new generation, so every
    container reads the whole index again. Idempotent: the same entries give the same shards.

    A course changed while this runs may keep the entry written here until its next change:
    run it again afterwards (docs/operations.md).
    """
    pk = keys.catalog_index_pk(institution_id)
    table = get_settings().table_name
    by_shard: dict[int, list[CatalogEntry]] = {shard: [] for shard in range(SHARDS)}
    for entry in entries:
        by_shard[shard_of(entry.id)].append(entry)
    for shard, members in by_shard.items():
        item: dict[str, Any] = {
            "PK": {"S": pk},
            "SK": {"S": keys.catalog_shard_sk(shard)},
            "entity": {"S": SHARD_ENTITY},
            "rev": {"N": "1"},
        }
        item.update({_ENTRY_PREFIX + entry.id: {"S": entry.to_json()} for entry in members})
        connection().dispatch("PutItem", {"TableName": table, "Item": item})
    version: dict[str, Any] = {
        "PK": {"S": pk},
        "SK": {"S": keys.CATALOG_VERSION_SK},
        "entity": {"S": VERSION_ENTITY},
        "generation": {"S": new_id()},
    }
    version.update({_counter(shard): {"N": "1"} for shard in range(SHARDS)})
    connection().dispatch("PutItem", {"TableName": table, "Item": version})


def _update(table: str, pk: str, sk: str, expression: str, parts: dict[str, dict[str, Any]]) -> None:
    connection().dispatch(
        "UpdateItem",
        {
            "TableName": table,
            "Key": {"PK": {"S": pk}, "SK": {"S": sk}},
            "UpdateExpression": expression,
            "ExpressionAttributeNames": parts["names"],
            "ExpressionAttributeValues": parts["values"],
        },
    )


@dataclass
class _Loaded:
    generation: str
    counters: dict[int, int]
    shards: dict[int, ShardIndex]
    index: CatalogIndex
    signals_read_at: float | None  # never, until a search sorts by rating


def _entries(raw: dict[str, Any]) -> list[CatalogEntry]:
    return [
        CatalogEntry.from_json(value["S"]) for name, value in raw.items() if name.startswith(_ENTRY_PREFIX)
    ]


class DynamoCatalogStore:
    """Each institution's index, loaded once and refreshed shard by shard when a counter moves."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._loaded: OrderedDict[str, _Loaded] = OrderedDict()
        self._clock = clock
        self.signals_ttl_seconds = SIGNALS_TTL_SECONDS

    def index(self, institution_id: str, *, with_ratings: bool = False) -> CatalogIndex:
        """The institution's index as of now; `with_ratings` also brings ratings at most a TTL old."""
        pk = keys.catalog_index_pk(institution_id)
        table = get_settings().table_name
        key = {"PK": {"S": pk}, "SK": {"S": keys.CATALOG_VERSION_SK}}
        answer = connection().dispatch("GetItem", {"TableName": table, "Key": key, "ConsistentRead": True})
        version = answer.get("Item", {})
        generation = version.get("generation", {}).get("S", "")
        counters = {
            int(name[1:]): int(value["N"])
            for name, value in version.items()
            if name[0] == "s" and name[1:].isdigit()
        }
        loaded = self._loaded.get(institution_id)
        if loaded is not None and loaded.generation != generation:
            loaded = None
        known = loaded.counters if loaded else {}
        stale = [shard for shard, counter in counters.items() if known.get(shard) != counter]
        now = self._clock()
        read_at = loaded.signals_read_at if loaded else None
        signals_due = with_ratings and (read_at is None or now - read_at >= self.signals_ttl_seconds)
        if loaded is not None and not stale and not signals_due:
            self._loaded.move_to_end(institution_id)
            return loaded.index
        shards = dict(loaded.shards) if loaded else {}
        shards.update(self._read_shards(table, pk, stale))
        ratings = loaded.index.ratings if loaded else None
        if signals_due:
            ratings, read_at = self._read_signals(table, pk), now
        index = CatalogIndex([shards[s] for s in sorted(shards)], ratings)
        fresh = _Loaded(generation, counters, shards, index, read_at)
        self._loaded[institution_id] = fresh
        self._loaded.move_to_end(institution_id)
        while len(self._loaded) > CACHED_INSTITUTIONS:
            self._loaded.popitem(last=False)
        return fresh.index

    def _read_signals(self, table: str, pk: str) -> dict[str, tuple[int, int]]:
        """Every course's review count and star total (one eventually consistent BatchGetItem)."""
        counts: dict[str, int] = {}
        totals: dict[str, int] = {}
        wanted = [{"PK": {"S": pk}, "SK": {"S": keys.catalog_signals_sk(shard)}} for shard in range(SHARDS)]
        pending: dict[str, Any] = {table: {"Keys": wanted}}
        while pending:
            answer = connection().dispatch("BatchGetItem", {"RequestItems": pending})
            for raw in answer.get("Responses", {}).get(table, []):
                for name, value in raw.items():
                    if name.startswith(_COUNT_PREFIX):
                        counts[name.removeprefix(_COUNT_PREFIX)] = int(value["N"])
                    elif name.startswith(_TOTAL_PREFIX):
                        totals[name.removeprefix(_TOTAL_PREFIX)] = int(value["N"])
            pending = answer.get("UnprocessedKeys") or {}
        return {course: (n, totals.get(course, 0)) for course, n in counts.items() if n > 0}

    def _read_shards(self, table: str, pk: str, shards: list[int]) -> dict[int, ShardIndex]:
        found: dict[int, ShardIndex] = {}
        by_key = {keys.catalog_shard_sk(shard): shard for shard in shards}
        for start in range(0, len(shards), _BATCH_GET_MAX):
            wanted = [
                {"PK": {"S": pk}, "SK": {"S": sk}} for sk in list(by_key)[start : start + _BATCH_GET_MAX]
            ]
            pending: dict[str, Any] = {table: {"Keys": wanted, "ConsistentRead": True}}
            while pending:
                answer = connection().dispatch("BatchGetItem", {"RequestItems": pending})
                for raw in answer.get("Responses", {}).get(table, []):
                    found[by_key[raw["SK"]["S"]]] = ShardIndex(_entries(raw))
                pending = answer.get("UnprocessedKeys") or {}
        return found

    def search(self, institution_id: str, query: CatalogQuery) -> tuple[CatalogPage, str | None]:
        """One page of the index; the cursor names the last item's sort key, for this query only."""
        fingerprint = _fingerprint(institution_id, query)
        after = _position(query.cursor, fingerprint, query) if query.cursor else None
        with_ratings = query.sort == CatalogSort.RATING
        page = self.index(institution_id, with_ratings=with_ratings).page(
            query.filter, query.sort, after, query.limit
        )
        if page.last_key is None:
            return page, None
        return page, encode_position({"q": fingerprint, "after": list(page.last_key)})


def _fingerprint(institution_id: str, query: CatalogQuery) -> str:
    """Names the list a cursor belongs to: the institution, the filter and the order."""
    wanted = asdict(query.filter)
    wanted["instructors"] = sorted(query.filter.instructors)
    text = json.dumps([institution_id, wanted, str(query.sort)], sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:24]


def _position(cursor: str, fingerprint: str, query: CatalogQuery) -> SortKey:
    position = decode_position(cursor)
    if not isinstance(position, dict) or set(position) != {"q", "after"}:
        raise InvalidCursor("The cursor is malformed.", field="cursor")
    after = position["after"]
    if not (
        isinstance(after, list)
        and len(after) == SORT_KEY_LENGTHS[order_of(query.sort, query.filter)]
        and all(isinstance(part, int | str) and not isinstance(part, bool) for part in after)
    ):
        raise InvalidCursor("The cursor is malformed.", field="cursor")
    if position["q"] != fingerprint:
        raise InvalidCursor("The cursor does not belong to this list.", field="cursor")
    return tuple(after)
