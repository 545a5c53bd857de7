"""The catalog in memory: filters, word-prefix search, facet counts and sorted pages; pure.

The index is kept per shard (lms.courses.catalog.store): when one shard changes, only its part is
rebuilt. A query runs on every part and merges: set intersections for the filters and the facet
counts, a vocabulary bisected for the word prefixes, and each part's own sorted order walked from
the cursor, so a page costs about the same whatever the catalog's size.
"""

from __future__ import annotations

import bisect
import heapq
from collections.abc import Iterable, Iterator, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from itertools import islice
from types import MappingProxyType

from lms.courses.catalog.entry import CatalogEntry, fold, words
from lms.courses.reviews.domain import NEUTRAL_RATING, weighted_rating

TITLE_WEIGHT = 2  # a query word found in the title counts twice one found in the description only

SortKey = tuple[int | str, ...]


class CatalogSort(StrEnum):
    RELEVANCE = "relevance"
    NEWEST = "newest"
    TITLE = "title"
    RATING = "rating"
    PRICE = "price"


FACETS = ("category", "level", "language", "price")
FREE, PAID = "free", "paid"
_NONE: frozenset[int] = frozenset()

# A sort key ends with the course id, so the order is total and a cursor names one position.
SORT_KEY_LENGTHS = {
    CatalogSort.RELEVANCE: 3,
    CatalogSort.NEWEST: 2,
    CatalogSort.TITLE: 2,
    CatalogSort.RATING: 3,
}
Ratings = Mapping[str, tuple[int, int]]  # course id -> (review count, total of stars)
_NO_RATINGS: Ratings = MappingProxyType({})


@dataclass(frozen=True)
class CatalogFilter:
    """What a page must match; every field is optional but `status`."""

    status: str
    text: str | None = None
    category: str | None = None
    level: str | None = None
    language: str | None = None
    instructors: frozenset[str] = frozenset()  # each of them teaches the course
    has_video: bool | None = None
    min_duration: int | None = None
    max_duration: int | None = None
    free: bool | None = None
    currency: str | None = None  # paid in this currency; the price range is in its minor unit
    min_price: int | None = None
    max_price: int | None = None
    standard: str | None = None  # a CASE identifier or a human coding scheme, compared without case

    def terms(self) -> list[str]:
        return list(dict.fromkeys(words(self.text or "")))


def order_of(sort: CatalogSort, wanted: CatalogFilter) -> CatalogSort:
    """Relevance without search text is newest first."""
    return CatalogSort.NEWEST if sort == CatalogSort.RELEVANCE and wanted.text is None else sort


@dataclass(frozen=True)
class Facets:
    categories: dict[str, int]
    levels: dict[str, int]
    languages: dict[str, int]
    prices: dict[str, int]  # free, paid


@dataclass(frozen=True)
class CatalogPage:
    ids: list[str]
    total: int
    facets: Facets
    last_key: SortKey | None  # the sort key of the page's last item, when more follow


def _micros(stamp: str) -> int:
    at = datetime.fromisoformat(stamp)
    return int(at.timestamp() * 1_000_000)


class _Vocabulary:
    """Sorted distinct words and the entries holding each: a prefix is a range of the list."""

    def __init__(self, texts: Iterable[tuple[int, Iterable[str]]]) -> None:
        postings: dict[str, set[int]] = {}
        for index, text_words in texts:
            for word in text_words:
                postings.setdefault(word, set()).add(index)
        self._words = sorted(postings)
        self._postings = postings

    def starting_with(self, prefix: str) -> set[int]:
        start = bisect.bisect_left(self._words, prefix)
        found: set[int] = set()
        for word in islice(self._words, start, None):
            if not word.startswith(prefix):
                break
            found |= self._postings[word]
        return found


def _grouped(values: Iterable[tuple[int, str]]) -> dict[str, set[int]]:
    groups: dict[str, set[int]] = {}
    for index, value in values:
        groups.setdefault(value, set()).add(index)
    return groups


@dataclass
class ShardIndex:
    """One shard's entries with their filter sets, vocabularies and sorted orders."""

    entries: list[CatalogEntry]
    _sets: dict[str, dict[str, set[int]]] = field(init=False)
    _video: set[int] = field(init=False)
    _title: _Vocabulary = field(init=False)
    _description: _Vocabulary = field(init=False)
    _newest: list[int] = field(init=False)
    _keys: dict[CatalogSort, list[SortKey]] = field(init=False)
    _orders: dict[CatalogSort, list[int]] = field(init=False)
    _status_counts: dict[str, dict[str, list[tuple[str, int]]]] = field(init=False, default_factory=dict)
    _rated_with: Ratings | None = field(init=False, default=None)

    def __post_init__(self) -> None:
        numbered = list(enumerate(self.entries))
        self._sets = {
            "status": _grouped((i, e.status) for i, e in numbered),
            "category": _grouped((i, e.category) for i, e in numbered),
            "level": _grouped((i, e.level) for i, e in numbered),
            "language": _grouped((i, e.language) for i, e in numbered),
            "instructor": _grouped((i, who) for i, e in numbered for who in e.instructor_ids),
            "price": _grouped((i, FREE if e.price_currency is None else PAID) for i, e in numbered),
            "currency": _grouped((i, e.price_currency) for i, e in numbered if e.price_currency),
            "standard": _grouped((i, term) for i, e in numbered for term in e.standards),
        }
        self._video = {i for i, e in numbered if e.has_video}
        self._title = _Vocabulary((i, words(e.title)) for i, e in numbered)
        self._description = _Vocabulary((i, e.description_words.split()) for i, e in numbered)
        self._newest = [-_micros(e.listed_at) for e in self.entries]
        self._keys = {
            CatalogSort.NEWEST: [(n, e.id) for n, e in zip(self._newest, self.entries, strict=True)],
            CatalogSort.TITLE: [(fold(e.title), e.id) for e in self.entries],
            CatalogSort.PRICE: [
                (0, "", 0, e.id)
                if e.price_currency is None
                else (1, e.price_currency, e.price_minor or 0, e.id)
                for e in self.entries
            ],
        }
        self._orders = {
            sort: sorted(range(len(self.entries)), key=keys.__getitem__) for sort, keys in self._keys.items()
        }

    def rate(self, ratings: Ratings, prior_mean: float) -> None:
        """Order the entries by weighted rating (best first), once per set of ratings read."""
        if self._rated_with is ratings:
            return
        keys: list[SortKey] = []
        for newest, entry in zip(self._newest, self.entries, strict=True):
            count, total = ratings.get(entry.id, (0, 0))
            weighted = weighted_rating(count, total, prior_mean)
            keys.append((-round(weighted * 1_000_000), newest, entry.id))
        self._keys[CatalogSort.RATING] = keys
        self._orders[CatalogSort.RATING] = sorted(range(len(self.entries)), key=keys.__getitem__)
        self._rated_with = ratings

    def _matching(self, wanted: CatalogFilter) -> AbstractSet[int]:
        """The entries the filter keeps; the status's own set (never changed) when nothing else filters."""
        found = self._sets["status"].get(wanted.status, _NONE)
        for name, value in (
            ("category", wanted.category),
            ("level", wanted.level),
            ("language", wanted.language),
            ("price", None if wanted.free is None else FREE if wanted.free else PAID),
            ("currency", wanted.currency),
            ("standard", None if wanted.standard is None else wanted.standard.lower()),
            *(("instructor", who) for who in sorted(wanted.instructors)),
        ):
            if value is not None and found:
                found = found & self._sets[name].get(value, _NONE)
        if wanted.has_video is not None:
            found = found & self._video if wanted.has_video else found - self._video
        if wanted.min_duration is not None or wanted.max_duration is not None:
            low = wanted.min_duration or 0
            high = wanted.max_duration if wanted.max_duration is not None else 1 << 62
            found = {i for i in found if low <= self.entries[i].duration_minutes <= high}
        if wanted.min_price is not None or wanted.max_price is not None:
            low = wanted.min_price or 0
            high = wanted.max_price if wanted.max_price is not None else 1 << 62
            found = {i for i in found if low <= (self.entries[i].price_minor or 0) <= high}
        return found

    def _by_score(self, found: AbstractSet[int], terms: Sequence[str]) -> Mapping[int, AbstractSet[int]]:
        """The matching entries grouped by score; every term must start a word of the title or description.

        Set operations only: a term found in the title adds TITLE_WEIGHT, in the description only 1.
        """
        groups: Mapping[int, AbstractSet[int]] = {0: found}
        for term in terms:
            in_title = self._title.starting_with(term)
            in_either = in_title | self._description.starting_with(term)
            regrouped: dict[int, set[int]] = {}
            for score, members in groups.items():
                hits = members & in_either
                title_hits = hits & in_title
                if title_hits:
                    regrouped.setdefault(score + TITLE_WEIGHT, set()).update(title_hits)
                if len(title_hits) < len(hits):
                    regrouped.setdefault(score + 1, set()).update(hits - title_hits)
            groups = regrouped
        return groups

    def search(
        self, wanted: CatalogFilter, terms: Sequence[str], sort: CatalogSort, after: SortKey | None
    ) -> tuple[AbstractSet[int], Iterator[tuple[SortKey, str]]]:
        """The matching entries, and their (sort key, id) after the cursor in order, lazily."""
        found = self._matching(wanted)
        if not terms:
            return found, self._walk(sort, found, after)
        groups = self._by_score(found, terms) if found else {}
        found = set[int]().union(*groups.values())
        if sort != CatalogSort.RELEVANCE:
            return found, self._walk(sort, found, after)
        return found, self._by_relevance(groups, after)

    def _by_relevance(
        self, groups: Mapping[int, AbstractSet[int]], after: SortKey | None
    ) -> Iterator[tuple[SortKey, str]]:
        for score in sorted(groups, reverse=True):
            if after is not None and -score < int(after[0]):
                continue
            within = after[1:] if after is not None and -score == after[0] else None
            for key, course_id in self._walk(CatalogSort.NEWEST, groups[score], within):
                yield (-score, *key), course_id

    def _walk(
        self, sort: CatalogSort, found: AbstractSet[int], after: SortKey | None
    ) -> Iterator[tuple[SortKey, str]]:
        keys, order = self._keys[sort], self._orders[sort]
        start = 0 if after is None else bisect.bisect_right(order, after, key=keys.__getitem__)
        for i in islice(order, start, None):
            if i in found:
                yield keys[i], self.entries[i].id

    def counts(self, found: AbstractSet[int], status: str) -> dict[str, list[tuple[str, int]]]:
        """How many of `found` hold each category, level and language (remembered for a whole status)."""
        whole = found is self._sets["status"].get(status)
        if whole and status in self._status_counts:
            return self._status_counts[status]
        counted = {
            facet: [(value, n) for value, members in self._sets[facet].items() if (n := len(found & members))]
            for facet in FACETS
        }
        if whole:
            self._status_counts[status] = counted
        return counted


@dataclass
class CatalogIndex:
    """Every shard's index; a query merges their answers."""

    shards: list[ShardIndex]
    ratings: Ratings | None = None  # read only when a search sorts by rating

    def page(
        self, wanted: CatalogFilter, sort: CatalogSort, after: SortKey | None, limit: int
    ) -> CatalogPage:
        sort = order_of(sort, wanted)
        if sort == CatalogSort.RATING:
            ratings = self.ratings if self.ratings is not None else _NO_RATINGS
            count = sum(n for n, _ in ratings.values())
            prior = sum(t for _, t in ratings.values()) / count if count else NEUTRAL_RATING
            for shard in self.shards:
                shard.rate(ratings, prior)
        terms = wanted.terms()
        if wanted.text is not None and not terms:
            terms = [""]  # punctuation only: every word starts with the empty prefix
        heads: list[Iterator[tuple[SortKey, str]]] = []
        counts: dict[str, dict[str, int]] = {facet: {} for facet in FACETS}
        total = 0
        for shard in self.shards:
            found, ordered = shard.search(wanted, terms, sort, after)
            if not found:
                continue
            heads.append(ordered)
            total += len(found)
            for facet, counted in shard.counts(found, wanted.status).items():
                tally = counts[facet]
                for value, shared in counted:
                    tally[value] = tally.get(value, 0) + shared
        best = list(islice(heapq.merge(*heads), limit + 1))
        more = len(best) > limit
        page = best[:limit]
        return CatalogPage(
            ids=[course_id for _, course_id in page],
            total=total,
            facets=Facets(
                categories=dict(sorted(counts["category"].items())),
                levels=dict(sorted(counts["level"].items())),
                languages=dict(sorted(counts["language"].items())),
                prices={FREE: counts["price"].get(FREE, 0), PAID: counts["price"].get(PAID, 0)},
            ),
            last_key=page[-1][0] if more and page else None,
        )
