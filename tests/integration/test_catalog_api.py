"""Searching and browsing the catalog through the handler: one page answers, whatever the catalog's size."""

from __future__ import annotations

import pytest

from bench.expectations import expected_requests
from bench.seed import Seeder
from lms.courses.domain import CourseStatus
from lms.edge import SECURITY_HEADERS
from tests.support.client import problem
from tests.support.courses import add_lesson, add_section, create_course, publish, published_course
from tests.support.tenant import Tenant


def _seed(tenant: Tenant, count: int) -> None:
    """`count` published courses ("Linear Algebra <n>") stored directly, as the benchmark seeds them."""
    seeder = Seeder(tenant.institution_id, "seeded-instructor")
    seeder.store((seeder.build(status=CourseStatus.PUBLISHED)[0], []) for _ in range(count))


def test_a_search_finds_a_rare_course_on_the_first_page(tenant: Tenant) -> None:
    instructor, student = tenant.instructor(), tenant.student()
    _seed(tenant, 30)
    wanted = published_course(instructor, title="Introduction to Economics", category="economics")
    found = student.get("/courses", query={"search": "intro", "limit": "2"})
    assert found.status == 200, found.body
    body = found.json()
    assert [c["id"] for c in body["items"]] == [wanted["id"]]
    assert body["next_cursor"] is None
    assert body["total"] == 1
    assert body["facets"] == {
        "categories": {"economics": 1},
        "levels": {"beginner": 1},
        "languages": {"en": 1},
        "prices": {"free": 1, "paid": 0},
    }


def test_search_ignores_case_and_accents_and_ranks_title_matches_first(tenant: Tenant) -> None:
    instructor, student = tenant.instructor(), tenant.student()
    in_description = published_course(
        instructor, title="Markets", description="<p>A first look at <b>économie</b>.</p>"
    )
    in_title = published_course(instructor, title="Économie générale", category="economics")
    for text in ("econ", "ÉCON", "Economie"):
        items = student.get("/courses", query={"search": text}).json()["items"]
        assert [c["id"] for c in items] == [in_title["id"], in_description["id"]], text
    assert student.get("/courses", query={"search": "conomie"}).json()["items"] == []


def test_filters_facets_and_sorts_answer_together(tenant: Tenant) -> None:
    instructor, other, student = tenant.instructor(), tenant.instructor(), tenant.student()
    video = create_course(instructor, title="Zoology in pictures", category="science", language="fr")
    section = add_section(instructor, video["id"])
    add_lesson(
        instructor,
        video["id"],
        section["id"],
        content_type="video",
        content=None,
        content_url="https://video.example/zoo",
        duration_minutes=90,
    )
    publish(instructor, video["id"])
    text = published_course(other, title="Algebra", category="mathematics")
    published_course(other, title="Botany", category="science", level="intermediate")

    science = student.get("/courses", query={"category": "science", "sort": "title"}).json()
    assert [c["title"] for c in science["items"]] == ["Botany", "Zoology in pictures"]
    assert science["facets"]["levels"] == {"beginner": 1, "intermediate": 1}
    assert science["facets"]["languages"] == {"en": 1, "fr": 1}
    with_video = student.get("/courses", query={"has_video": "true"}).json()["items"]
    assert [c["id"] for c in with_video] == [video["id"]]
    long = student.get("/courses", query={"min_duration": "60", "max_duration": "120"}).json()["items"]
    assert [c["id"] for c in long] == [video["id"]]
    theirs = student.get("/courses", query={"instructor_id": other.user_id, "sort": "newest"}).json()
    assert [c["title"] for c in theirs["items"]] == ["Botany", "Algebra"]
    assert theirs["facets"]["categories"] == {"mathematics": 1, "science": 1}
    french = student.get("/courses", query={"language": "fr"}).json()["items"]
    assert [c["id"] for c in french] == [video["id"]]
    assert student.get("/courses", query={"language": "fr", "has_video": "false"}).json()["total"] == 0
    assert text["id"] not in [c["id"] for c in with_video]


def test_a_change_is_searchable_at_the_next_request(tenant: Tenant) -> None:
    instructor, student = tenant.instructor(), tenant.student()
    course = published_course(instructor, title="Astronomy")
    assert student.get("/courses", query={"search": "astro"}).json()["total"] == 1
    renamed = instructor.patch(f"/courses/{course['id']}", {"title": "Cosmology"}, version=course["version"])
    assert renamed.status == 200
    assert student.get("/courses", query={"search": "astro"}).json()["total"] == 0
    assert student.get("/courses", query={"search": "cosmo"}).json()["total"] == 1
    instructor.post(f"/courses/{course['id']}/archive")
    assert student.get("/courses", query={"search": "cosmo"}).json()["total"] == 0
    archived = instructor.get("/courses", query={"search": "cosmo", "status": "archived"}).json()
    assert [c["id"] for c in archived["items"]] == [course["id"]]


def test_a_steady_catalog_costs_one_read_of_its_version_and_one_of_the_page(tenant: Tenant) -> None:
    student = tenant.student()
    _seed(tenant, 25)
    student.get("/courses", query={"search": "algebra"})
    first = student.get("/courses", query={"search": "algebra 1", "sort": "title", "limit": "5"})
    assert student.last_calls == expected_requests("GET", "/courses")
    assert len(first.json()["items"]) == 5
    second = student.get(
        "/courses",
        query={"search": "algebra 1", "sort": "title", "limit": "5", "cursor": first.json()["next_cursor"]},
    )
    assert student.last_calls == expected_requests("GET", "/courses")
    titles = [c["title"] for c in first.json()["items"] + second.json()["items"]]
    assert titles == sorted(titles, key=str.casefold)
    empty = student.get("/courses", query={"search": "nothing"})
    assert empty.json()["items"] == []
    assert student.last_calls == expected_requests("GET", "/courses", "empty page")


def test_a_cursor_belongs_to_its_own_search(tenant: Tenant, other_tenant: Tenant) -> None:
    student = tenant.student()
    _seed(tenant, 4)
    cursor = student.get("/courses", query={"limit": "1", "sort": "title"}).json()["next_cursor"]
    assert cursor
    problem(student.get("/courses", query={"limit": "1", "cursor": cursor}), 400, "invalid-cursor")
    problem(
        student.get("/courses", query={"limit": "1", "sort": "title", "search": "x", "cursor": cursor}),
        400,
        "invalid-cursor",
    )
    _seed(other_tenant, 1)
    problem(
        other_tenant.student().get("/courses", query={"limit": "1", "sort": "title", "cursor": cursor}),
        400,
        "invalid-cursor",
    )
    assert student.get("/courses", query={"limit": "1", "sort": "title", "cursor": cursor}).status == 200


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"sort": "cheapest"}, "sort"),
        ({"has_video": "maybe"}, "has_video"),
        ({"min_duration": "-1"}, "min_duration"),
        ({"max_duration": "many"}, "max_duration"),
        ({"language": "English"}, "language"),
        ({"instructor_id": "a b"}, "instructor_id"),
        ({"search": ""}, "search"),
        ({"search": "x" * 101}, "search"),
        ({"status": "deleted"}, "status"),
    ],
)
def test_bad_catalog_queries_are_refused(tenant: Tenant, query: dict[str, str], field: str) -> None:
    body = problem(tenant.student().get("/courses", query=query), 422, "validation-failed")
    assert body["errors"][0]["field"] == field


def test_catalog_and_course_reads_answer_304_to_a_current_etag(tenant: Tenant) -> None:
    instructor, student = tenant.instructor(), tenant.student()
    course = published_course(instructor, title="Geometry")
    listed = student.get("/courses")
    tag = listed.header("ETag") or ""
    assert tag.startswith('"')
    assert listed.header("Cache-Control") == "private, max-age=5"
    unchanged = student.get("/courses", headers={"If-None-Match": tag})
    assert (unchanged.status, unchanged.body, unchanged.header("ETag")) == (304, "", tag)
    assert student.get("/courses", query={"search": "none"}, headers={"If-None-Match": tag}).status == 200

    read = student.get(f"/courses/{course['id']}")
    assert read.header("ETag") == f'"{course["version"]}"'
    assert read.header("Cache-Control") == "private, max-age=5"
    assert (
        student.get(f"/courses/{course['id']}", headers={"If-None-Match": read.header("ETag") or ""}).status
        == 304
    )
    instructor.patch(f"/courses/{course['id']}", {"title": "Plane geometry"}, version=course["version"])
    again = student.get(f"/courses/{course['id']}", headers={"If-None-Match": read.header("ETag") or ""})
    assert again.status == 200
    assert again.json()["title"] == "Plane geometry"
    assert student.get("/courses", headers={"If-None-Match": tag}).status == 200


def test_catalog_reads_keep_every_other_security_header(tenant: Tenant) -> None:
    listed = tenant.student().get("/courses")
    for name, value in SECURITY_HEADERS.items():
        if name != "Cache-Control":
            assert listed.header(name) == value, name


def test_personal_reads_are_never_stored(tenant: Tenant) -> None:
    student = tenant.student()
    assert student.get("/enrollments").header("Cache-Control") == "no-store"


def test_another_institutions_courses_are_never_found(tenant: Tenant, other_tenant: Tenant) -> None:
    published_course(other_tenant.instructor(), title="Secret Statistics")
    assert tenant.student().get("/courses", query={"search": "secret"}).json()["total"] == 0
