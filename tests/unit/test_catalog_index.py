"""The catalog index on a generated catalog of 10,000 courses, against a brute-force reference.

The index is built through the real path (lms.courses.catalog: entry of each course, shards, query)
without the table, which the integration tests cover; the reference reads every entry.
"""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from lms.courses.catalog.entry import CatalogEntry, entry_of, fold, words
from lms.courses.catalog.index import (
    TITLE_WEIGHT,
    CatalogFilter,
    CatalogIndex,
    CatalogSort,
    Ratings,
    ShardIndex,
    SortKey,
    order_of,
)
from lms.courses.catalog.store import SHARDS, shard_of
from lms.courses.domain import ContentType, Course, CourseStatus, LessonSummary, Level, Section
from lms.courses.reviews.domain import weighted_rating

CATALOG_SIZE = 10_000
SUBJECTS = ["Introduction", "Économie", "Algebra", "Poetry", "Biology", "Histoire", "Statistics", "Chemistry"]
QUALIFIERS = ["to", "de", "applied", "modern", "advanced", "practical", "for", "beginners"]
CATEGORIES = ["mathematics", "economics", "literature", "science", "history"]
LANGUAGES = ["en", "fr", "de"]
INSTRUCTORS = [f"teacher-{n}" for n in range(12)]
START = datetime(2026, 1, 1, tzinfo=UTC)


def _course(rng: random.Random, n: int) -> Course:
    title = " ".join([rng.choice(SUBJECTS), rng.choice(QUALIFIERS), rng.choice(SUBJECTS), str(n)])
    description = f"<p>{rng.choice(SUBJECTS)} and {rng.choice(QUALIFIERS)} <b>{rng.choice(SUBJECTS)}</b>.</p>"
    lessons = [
        LessonSummary(
            id=f"l{n}-{k}",
            title=f"Lesson {k}",
            content_type=rng.choice(list(ContentType)),
            duration_minutes=rng.randrange(5, 90),
        )
        for k in range(rng.randrange(1, 4))
    ]
    at = START + timedelta(minutes=rng.randrange(0, 500_000))
    status = rng.choices(list(CourseStatus), weights=[1, 8, 1])[0]
    return Course(
        id=f"course-{n:05d}",
        institution_id="inst",
        title=title,
        description=description,
        category=rng.choice(CATEGORIES),
        level=rng.choice(list(Level)),
        language=rng.choice(LANGUAGES),
        learning_objectives=["x"],
        prerequisites=[],
        status=status,
        instructor_ids=rng.sample(INSTRUCTORS, rng.randrange(1, 3)),
        created_at=at,
        updated_at=at,
        published_at=at + timedelta(days=1) if status != CourseStatus.DRAFT else None,
        sections=[Section(id=f"s{n}", title="Week", lessons=lessons)],
    )


def _index(entries: list[CatalogEntry], ratings: Ratings | None = None) -> CatalogIndex:
    shards: dict[int, list[CatalogEntry]] = {}
    for entry in entries:
        shards.setdefault(shard_of(entry.id), []).append(entry)
    return CatalogIndex([ShardIndex(shards[s]) for s in sorted(shards)], ratings)


def _ratings(entries: list[CatalogEntry]) -> dict[str, tuple[int, int]]:
    """Reviews of a third of the courses: (count, total of stars)."""
    rng = random.Random(5)
    rated = {}
    for entry in entries[::3]:
        count = rng.randrange(1, 40)
        rated[entry.id] = (count, sum(rng.randrange(1, 6) for _ in range(count)))
    return rated


@pytest.fixture(scope="module")
def entries() -> list[CatalogEntry]:
    rng = random.Random(12)
    return [entry_of(_course(rng, n)) for n in range(CATALOG_SIZE)]


@pytest.fixture(scope="module")
def ratings(entries: list[CatalogEntry]) -> dict[str, tuple[int, int]]:
    return _ratings(entries)


@pytest.fixture(scope="module")
def index(entries: list[CatalogEntry], ratings: dict[str, tuple[int, int]]) -> CatalogIndex:
    return _index(entries, ratings)


# ---------------------------------------------------------------- the reference: every entry, one by one


def _matches(entry: CatalogEntry, wanted: CatalogFilter) -> int | None:
    """The entry's relevance score, or None when it does not match."""
    checks = [
        entry.status == wanted.status,
        wanted.category in (None, entry.category),
        wanted.level in (None, entry.level),
        wanted.language in (None, entry.language),
        wanted.instructors <= set(entry.instructor_ids),
        wanted.has_video in (None, entry.has_video),
        wanted.min_duration is None or entry.duration_minutes >= wanted.min_duration,
        wanted.max_duration is None or entry.duration_minutes <= wanted.max_duration,
    ]
    if not all(checks):
        return None
    score = 0
    title, description = words(entry.title), entry.description_words.split()
    for term in wanted.terms():
        if any(w.startswith(term) for w in title):
            score += TITLE_WEIGHT
        elif any(w.startswith(term) for w in description):
            score += 1
        else:
            return None
    return score


def _reference_key(
    entry: CatalogEntry, score: int, sort: CatalogSort, ratings: Ratings, prior: float
) -> SortKey:
    newest = -int(datetime.fromisoformat(entry.listed_at).timestamp() * 1_000_000)
    if sort == CatalogSort.RELEVANCE:
        return (-score, newest, entry.id)
    if sort == CatalogSort.RATING:
        count, total = ratings.get(entry.id, (0, 0))
        return (-round(weighted_rating(count, total, prior) * 1_000_000), newest, entry.id)
    if sort == CatalogSort.NEWEST:
        return (newest, entry.id)
    if sort == CatalogSort.PRICE:
        free = entry.price_currency is None
        return (
            (0, "", 0, entry.id)
            if free
            else (1, entry.price_currency or "", entry.price_minor or 0, entry.id)
        )
    return (fold(entry.title), entry.id)


def _reference(
    entries: list[CatalogEntry], wanted: CatalogFilter, sort: CatalogSort, ratings: Ratings | None = None
) -> list[str]:
    order = order_of(sort, wanted)
    scored = [(e, s) for e in entries if (s := _matches(e, wanted)) is not None]
    rated = ratings if ratings is not None else _ratings(entries)
    prior = sum(t for _, t in rated.values()) / sum(n for n, _ in rated.values())
    return [
        e.id
        for e, s in sorted(scored, key=lambda pair: _reference_key(pair[0], pair[1], order, rated, prior))
    ]


QUERIES = [
    CatalogFilter(status="published"),
    CatalogFilter(status="published", text="intro"),
    CatalogFilter(status="published", text="ECON"),
    CatalogFilter(status="published", text="économie appl"),
    CatalogFilter(status="published", text="histo", category="history", level="beginner"),
    CatalogFilter(status="published", language="fr", has_video=True, min_duration=60, max_duration=120),
    CatalogFilter(status="published", instructors=frozenset({"teacher-3"}), has_video=False),
    CatalogFilter(status="draft", instructors=frozenset({"teacher-1", "teacher-2"})),
    CatalogFilter(status="archived", text="statistics 12"),
    CatalogFilter(status="published", text="zzz"),
]


@pytest.mark.parametrize("wanted", QUERIES)
@pytest.mark.parametrize("sort", list(CatalogSort))
def test_the_first_page_holds_the_best_matches_of_10000_courses(
    entries: list[CatalogEntry],
    ratings: dict[str, tuple[int, int]],
    index: CatalogIndex,
    wanted: CatalogFilter,
    sort: CatalogSort,
) -> None:
    expected = _reference(entries, wanted, sort, ratings)
    page = index.page(wanted, sort, None, 20)
    assert page.ids == expected[:20]
    assert page.total == len(expected)
    assert (page.last_key is not None) == (len(expected) > 20)


@pytest.mark.parametrize("wanted", QUERIES[:6])
def test_facets_count_the_whole_filtered_set(
    entries: list[CatalogEntry], index: CatalogIndex, wanted: CatalogFilter
) -> None:
    matched = [e for e in entries if _matches(e, wanted) is not None]
    facets = index.page(wanted, CatalogSort.RELEVANCE, None, 5).facets
    for name, field in (("categories", "category"), ("levels", "level"), ("languages", "language")):
        expected: dict[str, int] = {}
        for entry in matched:
            value = getattr(entry, field)
            expected[value] = expected.get(value, 0) + 1
        assert getattr(facets, name) == dict(sorted(expected.items())), name


def test_paging_with_cursors_visits_every_match_once(
    entries: list[CatalogEntry], index: CatalogIndex
) -> None:
    wanted = CatalogFilter(status="published", text="alg")
    for sort in CatalogSort:
        seen: list[str] = []
        after = None
        while True:
            page = index.page(wanted, sort, after, 100)
            seen += page.ids
            if page.last_key is None:
                break
            after = page.last_key
        assert seen == _reference(entries, wanted, sort), sort


def test_a_cursor_keeps_its_place_while_courses_are_added_and_removed(entries: list[CatalogEntry]) -> None:
    wanted = CatalogFilter(status="published")
    before = _index(entries, _ratings(entries))
    first = before.page(wanted, CatalogSort.TITLE, None, 50)
    assert first.last_key is not None
    changed = [e for e in entries if e.id not in first.ids[:10]]  # some of page one are gone
    changed.append(replace(entries[0], id="course-new", title="Aaa first of all", status="published"))
    after = _index(changed).page(wanted, CatalogSort.TITLE, first.last_key, 50)
    remaining = _reference(entries, wanted, CatalogSort.TITLE)
    assert after.ids == remaining[50:100]


def test_title_matches_rank_above_description_matches() -> None:
    base = entry_of(_course(random.Random(2), 2))
    title_hit = replace(base, id="a", title="Introduction to Statistics", description_words="numbers")
    description_hit = replace(
        base,
        id="b",
        title="Numbers",
        description_words="an introduction",
        listed_at="2030-01-01T00:00:00+00:00",
    )
    found = _index([title_hit, description_hit]).page(
        CatalogFilter(status=base.status, text="intro"), CatalogSort.RELEVANCE, None, 10
    )
    assert found.ids == ["a", "b"]


def test_words_are_matched_by_prefix_without_case_or_accents() -> None:
    base = entry_of(_course(random.Random(3), 3))
    economie = replace(base, id="e", title="Économie politique", description_words="")
    index = _index([economie])
    for text in ("econ", "ÉCONOMIE", "économie pol", "POLIT econ"):
        assert index.page(
            CatalogFilter(status=base.status, text=text), CatalogSort.RELEVANCE, None, 5
        ).ids == ["e"]
    for text in ("conomie", "economies", "econ x"):
        assert (
            index.page(CatalogFilter(status=base.status, text=text), CatalogSort.RELEVANCE, None, 5).ids == []
        )


def test_courses_spread_over_every_shard(entries: list[CatalogEntry]) -> None:
    assert {shard_of(e.id) for e in entries} == set(range(SHARDS))


def test_one_five_star_review_does_not_beat_a_hundred_of_four_point_eight() -> None:
    prior = 4.0
    assert weighted_rating(100, 480, prior) > weighted_rating(1, 5, prior)
    assert weighted_rating(1, 5, prior) > weighted_rating(0, 0, prior) == prior
