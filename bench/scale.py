"""Catalog reads at two catalog sizes: the request count must not grow with the institution's courses."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from bench.expectations import scenario_key
from bench.invoke import Answer, ApiCall, ApiFunction, BenchError, Caller, EmulatedAws
from bench.operations import Progress, format_requests, measure_scenario, routes_of
from bench.scenarios import Scenario
from bench.seed import Seeder
from lms.courses.domain import Course, CourseStatus

SIZES = (100, 10_000)
INSTITUTION = "bench-catalog"
STUDENT = Caller("bench-reader", INSTITUTION, ("students",))
SEED_CHUNK = 250


@dataclass(frozen=True)
class ScaleRow:
    name: str
    call: str
    size: int
    requests: Mapping[str, int]
    items: int  # courses in the answer
    p50_ms: float
    p99_ms: float


class _CatalogRead(Scenario):
    name = ""
    method, path = "GET", "/courses"
    query: Mapping[str, str] = {}
    disposable = frozenset()  # reads leave nothing behind

    def __init__(self, api: ApiFunction, first: Course) -> None:
        super().__init__(api)
        self.first = first
        self.items = 0

    @classmethod
    def key(cls) -> str:
        return f"{scenario_key(cls.method, cls.path)} ({cls.name})"

    def describe(self) -> str:
        query = "&".join(f"{k}={v}" for k, v in self.query.items() if k != "cursor")
        return f"{self.method} {self.path}" + (f"?{query}" if query else "")

    def next_call(self, index: int) -> ApiCall:
        return ApiCall(self.method, self.path, STUDENT, query=self.query)

    def after(self, answer: Answer) -> None:
        body = answer.json()
        self.items = len(body["items"]) if "items" in body else 1


class GetCourse(_CatalogRead):
    name = "GetCourse"
    path = "/courses/{course_id}"

    def next_call(self, index: int) -> ApiCall:
        return ApiCall("GET", self.path, STUDENT, {"course_id": self.first.id})


class FirstPage(_CatalogRead):
    name = "ListCourses first page"
    query = {"limit": "20"}


class NextPage(_CatalogRead):
    name = "ListCourses next page"

    def setup(self) -> None:
        answer, _ = self.api.measure(ApiCall("GET", self.path, STUDENT, query={"limit": "5"}))
        cursor = answer.json()["next_cursor"]
        if not cursor:
            raise BenchError("the catalog has a single page: seed more courses than the page size")
        self.query = {"limit": "5", "cursor": cursor}

    def describe(self) -> str:
        return f"{self.method} {self.path}?limit=5&cursor=<page 2>"


class Search(_CatalogRead):
    name = "ListCourses search"
    query = {"search": "algebra 7", "limit": "20"}


class FilteredByTitle(_CatalogRead):
    name = "ListCourses filtered by title"
    query = {"category": "mathematics", "level": "beginner", "language": "en", "sort": "title", "limit": "20"}


READS: tuple[type[_CatalogRead], ...] = (GetCourse, FirstPage, NextPage, Search, FilteredByTitle)


def run_scale(
    aws: EmulatedAws,
    *,
    calls: int,
    warmup: int,
    sizes: Sequence[int] = SIZES,
    progress: Progress | None = None,
    reads: Sequence[type[_CatalogRead]] = READS,
) -> list[ScaleRow]:
    """Grow one institution's published catalog through `sizes`, measuring each read at each size."""
    aws.fresh()
    routes = routes_of(aws.api_functions())
    seeder = Seeder(INSTITUTION, "bench-scale-instructor")
    first: Course | None = None
    rows = []
    seeded = 0
    for size in sorted(sizes):
        while seeded < size:
            chunk = min(SEED_CHUNK, size - seeded)
            # Catalog reads need the course items only; lesson items would just grow moto's table.
            stored = seeder.store((seeder.build(status=CourseStatus.PUBLISHED)[0], []) for _ in range(chunk))
            first = first or stored[0]
            seeded += chunk
        assert first is not None
        for read_type in reads:
            api = routes[scenario_key(read_type.method, read_type.path)]
            read = read_type(api, first)
            measured = measure_scenario(read, calls=calls, warmup=warmup)
            row = ScaleRow(
                name=read.name,
                call=read.describe(),
                size=size,
                requests=measured.requests,
                items=read.items,
                p50_ms=measured.p50_ms,
                p99_ms=measured.p99_ms,
            )
            rows.append(row)
            if progress:
                progress(
                    f"{row.name:<24} {size:>6} courses  {format_requests(row.requests):<12} "
                    f"{row.items:>3} items  p50 {row.p50_ms:6.2f} ms  p99 {row.p99_ms:6.2f} ms"
                )
    return rows
