"""Announcements through the gateway emulation: posting, reading, states, read state and refusals."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bench.expectations import expected_requests
from infra.provision import Stack
from tests.support.announcements import Course, announcement, board, created, events_of, problem_type
from tests.support.client import Caller
from tests.support.courses import course_with_lessons, enroll
from tests.support.events import drained
from tests.support.people import export_document
from tests.support.tenant import Tenant


def reads(course_id: str) -> str:
    return f"/communication/courses/{course_id}/announcement-reads"


@pytest.fixture(scope="module")
def course(stack: Stack, gateway: Any) -> Course:
    return Course(Tenant(stack, gateway))


@pytest.fixture(scope="module")
def other(stack: Stack, gateway: Any) -> Course:
    return Course(Tenant(stack, gateway))


# ---------------------------------------------------------------- posting and reading


def test_an_instructor_posts_and_an_enrolled_student_reads_it_sanitised(course: Course) -> None:
    response = course.instructor.post(
        board(course.id), announcement(body='<p onclick="steal()">Hi <script>alert(1)</script>all</p>')
    )

    made = created(response)
    assert made["body"] == "<p>Hi all</p>"
    assert made["status"] == "published"
    assert response.header("ETag") == '"1"'
    assert course.instructor.dynamodb_requests == 2  # the course (GetItem), one transaction
    read = course.student.get(f"{board(course.id)}/{made['id']}")
    assert read.status == 200, read.body
    assert read.json()["body"] == "<p>Hi all</p>"
    published = [
        e
        for e in events_of(course.tenant, "AnnouncementPublished")
        if e["data"]["announcement_id"] == made["id"]
    ]
    assert [e["data"]["preview"] for e in published] == ["Hi all"]
    assert published[0]["data"]["course_id"] == course.id
    assert set(published[0]["data"]) == {
        "announcement_id", "course_id", "audience", "title", "preview", "pinned", "published_at"
    }  # fmt: skip


def test_pinned_come_first_then_newest_first_a_page_at_a_time(stack: Stack, gateway: Any) -> None:
    course = Course(Tenant(stack, gateway))
    first = course.post(title="first")
    pinned = course.post(title="pinned", pinned=True)
    last = course.post(title="last")

    page = course.student.get(board(course.id), query={"limit": "2"})
    assert page.status == 200, page.body
    assert [a["title"] for a in page.json()["items"]] == ["pinned", "last"]
    rest = course.student.get(board(course.id), query={"limit": "2", "cursor": page.json()["next_cursor"]})
    assert [a["title"] for a in rest.json()["items"]] == ["first"]
    assert {first["id"], pinned["id"], last["id"]} == {
        a["id"] for a in page.json()["items"] + rest.json()["items"]
    }


def test_unread_count_follows_posts_and_mark_all_read(stack: Stack, gateway: Any) -> None:
    course = Course(Tenant(stack, gateway))
    course.post(title="one")
    course.post(title="two", pinned=True)

    state = course.student.get(reads(course.id))
    assert state.json()["unread_count"] == 2
    assert course.student.last_calls == expected_requests(
        "GET", "/communication/courses/{course_id}/announcement-reads"
    )
    assert [a["unread"] for a in course.student.get(board(course.id)).json()["items"]] == [True, True]
    marked = course.student.request("PUT", reads(course.id))
    assert marked.status == 200, marked.body
    assert course.student.get(reads(course.id)).json()["unread_count"] == 0
    course.post(title="three")
    assert course.student.get(reads(course.id)).json() | {"read_through": None} == {
        "unread_count": 1,
        "more_unread": False,
        "read_through": None,
    }
    assert course.instructor.get(reads(course.id)).json()["unread_count"] == 3


# ---------------------------------------------------------------- states


def test_a_draft_is_seen_by_staff_only_until_published(course: Course) -> None:
    draft = course.post(title="draft", draft=True)
    assert draft["status"] == "draft"

    assert course.student.get(f"{board(course.id)}/{draft['id']}").status == 404
    assert draft["id"] not in [a["id"] for a in course.student.get(board(course.id)).json()["items"]]
    drafts = course.instructor.get(board(course.id), query={"drafts": "true"}).json()["items"]
    assert draft["id"] in [a["id"] for a in drafts]
    assert (
        problem_type(course.student.get(board(course.id), query={"drafts": "true"}))
        == "not-announcement-author"
    )

    published = course.instructor.patch(f"{board(course.id)}/{draft['id']}", {"draft": False}, version=1)
    assert published.status == 200, published.body
    assert published.json()["status"] == "published"
    assert course.student.get(f"{board(course.id)}/{draft['id']}").status == 200
    types = [
        e["type"].split(".")[2]
        for e in course.tenant.events()
        if e["data"].get("announcement_id") == draft["id"]
    ]
    assert types == ["AnnouncementDrafted", "AnnouncementPublished"]


def test_a_scheduled_announcement_is_hidden_from_students_until_its_time(course: Course) -> None:
    at = datetime.now(UTC) + timedelta(days=1)
    scheduled = course.post(title="later", publish_at=at.isoformat())

    assert scheduled["status"] == "scheduled"
    assert course.student.get(f"{board(course.id)}/{scheduled['id']}").status == 404
    assert scheduled["id"] in [a["id"] for a in course.instructor.get(board(course.id)).json()["items"]]
    assert scheduled["id"] not in [a["id"] for a in course.student.get(board(course.id)).json()["items"]]
    scheduled_events = [
        e
        for e in events_of(course.tenant, "AnnouncementScheduled")
        if e["data"]["announcement_id"] == scheduled["id"]
    ]
    assert len(scheduled_events) == 1


def test_a_published_announcement_cannot_go_back_to_draft_but_can_be_edited(course: Course) -> None:
    made = course.post()
    path = f"{board(course.id)}/{made['id']}"

    refused = course.instructor.patch(path, {"draft": True}, version=1)
    assert refused.status == 409
    assert problem_type(refused) == "announcement-already-published"
    edited = course.instructor.patch(path, {"title": "Exam moved again", "pinned": True}, version=1)
    assert edited.status == 200, edited.body
    assert edited.header("ETag") == '"2"'
    assert edited.json()["pinned"] is True
    assert course.instructor.patch(path, {"title": "stale"}, version=1).status == 412
    assert course.instructor.patch(path, {"title": "no version"}).status == 428


def test_deleting_removes_it_for_every_reader(course: Course) -> None:
    made = course.post(title="oops")
    path = f"{board(course.id)}/{made['id']}"

    assert course.instructor.delete(path).status == 204
    assert course.student.get(path).status == 404
    assert course.instructor.delete(path).status == 404
    assert any(
        e["data"]["announcement_id"] == made["id"] for e in events_of(course.tenant, "AnnouncementDeleted")
    )


def test_a_retried_create_with_the_same_idempotency_key_posts_once(course: Course) -> None:
    headers = {"Idempotency-Key": "ann-retry-1"}
    first = created(course.instructor.post(board(course.id), announcement(title="once"), headers=headers))
    again = course.instructor.post(board(course.id), announcement(title="once"), headers=headers)

    assert again.status == 201
    assert again.header("Idempotent-Replayed") == "true"
    assert again.json()["id"] == first["id"]
    titles = [
        a["title"] for a in course.instructor.get(board(course.id), query={"limit": "100"}).json()["items"]
    ]
    assert titles.count("once") == 1
    reused = course.instructor.post(board(course.id), announcement(title="other"), headers=headers)
    assert reused.status == 422
    assert problem_type(reused) == "idempotency-key-reused"


# ---------------------------------------------------------------- refusals


def test_only_the_course_staff_post_edit_and_delete(course: Course) -> None:
    made = course.post()
    path = f"{board(course.id)}/{made['id']}"

    assert course.student.post(board(course.id), announcement()).status == 403
    not_theirs = course.other_instructor.post(board(course.id), announcement())
    assert not_theirs.status == 403
    assert problem_type(not_theirs) == "not-announcement-author"
    assert course.other_instructor.patch(path, {"title": "x"}, version=1).status == 403
    assert course.other_instructor.delete(path).status == 403
    assert (
        created(course.admin.post(board(course.id), announcement(title="from the admin")))["status"]
        == "published"
    )


def test_only_members_read_and_a_dropped_student_no_longer(course: Course) -> None:
    made = course.post()
    path = f"{board(course.id)}/{made['id']}"

    for reader in (course.dropped, course.outsider):
        for response in (reader.get(path), reader.get(board(course.id)), reader.get(reads(course.id))):
            assert response.status == 403, response.body
            assert problem_type(response) == "not-announcement-reader"
    assert course.other_instructor.get(path).status == 403
    assert course.admin.get(path).status == 200


def test_another_institution_finds_neither_the_course_nor_its_announcements(
    course: Course, other: Course
) -> None:
    made = course.post()

    for caller in (other.instructor, other.student, other.admin):
        assert caller.get(f"{board(course.id)}/{made['id']}").status == 404
        assert caller.get(board(course.id)).status == 404
        assert caller.get(reads(course.id)).status == 404
    assert other.admin.post(board(course.id), announcement()).status == 404
    assert other.admin.patch(f"{board(course.id)}/{made['id']}", {"title": "x"}, version=1).status == 404
    assert other.admin.delete(f"{board(course.id)}/{made['id']}").status == 404
    assert other.admin.get(f"{board(other.id)}/{made['id']}").status == 404


def test_unknown_courses_and_announcements_are_not_found(course: Course) -> None:
    assert course.instructor.get(f"{board(course.id)}/NOPE").status == 404
    assert course.instructor.get(f"{board('no-such-course')}/NOPE").status == 404
    assert course.instructor.post(board("no-such-course"), announcement()).status == 404
    assert course.instructor.get(f"{board(course.id)}/bad%20id").status == 404
    assert course.instructor.patch(f"{board(course.id)}/NOPE", {"title": "x"}, version=1).status == 404


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"body": "<p>x</p>"}, "title"),
        ({"title": "x"}, "body"),
        ({"title": "x", "body": "<script>alert(1)</script>"}, "body"),
        ({"title": "x", "body": "x" * 20_001}, "body"),
        ({"title": "", "body": "x"}, "title"),
        ({"title": "x", "body": "x", "publish_at": "tomorrow"}, "publish_at"),
        ({"title": "x", "body": "x", "publish_at": "2030-01-01T00:00:00"}, "publish_at"),
        ({"title": "x", "body": "x", "color": "red"}, "color"),
    ],
)
def test_invalid_announcements_are_refused_naming_the_field(
    course: Course, body: dict[str, Any], field: str
) -> None:
    response = course.instructor.post(board(course.id), body)

    assert response.status == 422, response.body
    assert field in [e["field"] for e in response.json()["errors"]]


def test_a_course_announcement_has_no_role_audience(course: Course) -> None:
    response = course.instructor.post(board(course.id), announcement(audience="students"))

    assert response.status == 422
    assert problem_type(response) == "invalid-announcement-audience"


def test_an_empty_or_null_patch_is_refused(course: Course) -> None:
    path = f"{board(course.id)}/{course.post()['id']}"

    assert course.instructor.patch(path, {}, version=1).status == 422
    assert course.instructor.patch(path, {"title": None}, version=1).status == 422
    assert course.instructor.patch(path, {"body": "<img src=x onerror=alert(1)>"}, version=1).status == 422


# ---------------------------------------------------------------- the institution's board


def test_an_institution_announcement_reaches_its_role_only(stack: Stack, gateway: Any) -> None:
    tenant = Tenant(stack, gateway)
    admin, instructor, student = tenant.admin(), tenant.instructor(), tenant.student()
    everyone = created(admin.post("/communication/announcements", announcement(title="campus closed")))
    students = created(
        admin.post("/communication/announcements", announcement(title="exam rules", audience="students"))
    )

    seen = {
        c.role: [a["title"] for a in c.get("/communication/announcements").json()["items"]]
        for c in (admin, instructor, student)
    }
    assert seen == {
        "institution-admins": ["exam rules", "campus closed"],
        "instructors": ["campus closed"],
        "students": ["exam rules", "campus closed"],
    }
    assert instructor.get(f"/communication/announcements/{students['id']}").status == 404
    assert student.get(f"/communication/announcements/{everyone['id']}").status == 200
    assert instructor.get("/communication/announcement-reads").json()["unread_count"] == 1
    assert student.get("/communication/announcement-reads").json()["unread_count"] == 2
    assert instructor.post("/communication/announcements", announcement()).status == 403
    assert student.request("PUT", "/communication/announcement-reads").status == 200
    assert student.get("/communication/announcement-reads").json()["unread_count"] == 0
    assert (
        admin.patch(
            f"/communication/announcements/{everyone['id']}", {"audience": "instructors"}, version=1
        ).status
        == 200
    )
    assert student.get(f"/communication/announcements/{everyone['id']}").status == 404
    assert admin.delete(f"/communication/announcements/{students['id']}").status == 204


# ---------------------------------------------------------------- privacy


def test_a_person_s_announcements_and_read_state_are_exported_and_erased(stack: Stack, gateway: Any) -> None:
    tenant = Tenant(stack, gateway)
    admin = tenant.admin()
    author = tenant.invited(admin, "instructor")
    course_id, _ = course_with_lessons(author, 1)
    student = tenant.invited(admin)
    enroll(tenant, course_id, student)
    made = created(author.post(board(course_id), announcement(title="Welcome")))
    assert student.request("PUT", reads(course_id)).status == 200

    author_doc = export_of(stack, tenant, admin, author.user_id)["communication"]
    student_doc = export_of(stack, tenant, admin, student.user_id)["communication"]

    assert [a["title"] for a in author_doc["announcements_written"]] == ["Welcome"]
    assert [r["course_id"] for r in student_doc["announcements_read"]] == [course_id]
    for person in (author, student):
        assert admin.delete(f"/users/{person.user_id}").status == 202
    drained(stack)
    kept = admin.get(f"{board(course_id)}/{made['id']}").json()
    assert (kept["title"], kept["author_id"]) == ("Welcome", None)
    assert [i for i in tenant.items() if i["entity"] == "announcement-read"] == []


def export_of(stack: Stack, tenant: Tenant, admin: Caller, user_id: str) -> dict[str, Any]:
    job = admin.post(f"/users/{user_id}/exports").json()
    drained(stack)
    found: dict[str, Any] = export_document(stack, tenant, user_id, job["export_id"])["contexts"]
    return found
