"""The courses slice over the running local stack: HTTP, real tokens, the event pipeline in the background."""

from __future__ import annotations

import json

import boto3
import pytest

from infra.local_stack import LocalStack
from tests.support.local import demo, eventually, new_user, over_http, signed_in


def handled_by_progress(local: LocalStack, event_type: str, course_id: str) -> bool:
    """Whether the progress consumer recorded an event of this type about the course (test-side scan)."""
    table = boto3.resource("dynamodb", region_name=local.region, endpoint_url=local.aws_endpoint_url).Table(
        local.stack.table_name
    )
    items = table.scan()["Items"]
    ids = {
        str(i["PK"]).rsplit("#", 1)[1]
        for i in items
        if i.get("entity") == "outbox"
        and json.loads(str(i["detail"]))["data"].get("course_id") == course_id
        and str(i["detail_type"]) == event_type
    }
    handled = {str(i["PK"]).rsplit("#", 1)[1] for i in items if i.get("entity") == "inbox"}
    return bool(ids) and ids <= handled


def test_an_instructor_builds_and_publishes_a_course_a_student_reads_it_and_progress_hears_of_it(
    local: LocalStack,
) -> None:
    instructor = signed_in(local, demo(local, "instructors"))
    student = signed_in(local, demo(local, "students"))

    status, course = instructor.call(
        "POST",
        "/courses",
        {
            "title": "Databases",
            "category": "computing",
            "level": "beginner",
            "language": "en",
            "learning_objectives": ["Model data"],
        },
    )
    assert status == 201, course
    cid = course["id"]
    status, section = instructor.call("POST", f"/courses/{cid}/sections", {"title": "Basics"})
    assert status == 201
    status, lesson = instructor.call(
        "POST",
        f"/courses/{cid}/lessons",
        {
            "section_id": section["id"],
            "title": "Keys",
            "content_type": "text",
            "content": "PK and SK.",
            "duration_minutes": 15,
        },
    )
    assert status == 201
    assert student.call("GET", f"/courses/{cid}")[0] == 404
    status, published = instructor.call("POST", f"/courses/{cid}/publish")
    assert (status, published["status"]) == (200, "published")

    status, read = student.call("GET", f"/courses/{cid}")
    assert status == 200
    assert read["sections"][0]["lessons"][0]["id"] == lesson["id"]
    status, catalog = student.call("GET", "/courses?category=computing")
    assert status == 200
    assert cid in [c["id"] for c in catalog["items"]]

    assert eventually(lambda: handled_by_progress(local, "CoursePublished", cid))
    assert eventually(lambda: handled_by_progress(local, "LessonAdded", cid))


def test_an_edit_with_a_stale_version_is_refused_over_http(local: LocalStack) -> None:
    instructor = signed_in(local, demo(local, "instructors", 1))
    status, course = instructor.call(
        "POST",
        "/courses",
        {"title": "Stats", "category": "mathematics", "level": "beginner", "language": "en"},
    )
    assert status == 201
    path = f"/courses/{course['id']}"
    assert instructor.call("PATCH", path, {"title": "Statistics"}, {"If-Match": '"1"'})[0] == 200
    status, problem = instructor.call("PATCH", path, {"title": "Stats again"}, {"If-Match": '"1"'})
    assert status == 412
    assert problem["type"] == "urn:lms:problem:version-mismatch"


def test_another_institution_cannot_see_the_demo_courses(local: LocalStack) -> None:
    instructor = signed_in(local, demo(local, "instructors"))
    status, course = instructor.call(
        "POST",
        "/courses",
        {"title": "Private", "category": "computing", "level": "beginner", "language": "en"},
    )
    assert status == 201
    outsider = new_user(local, "institution-admins", "elsewhere-college")
    assert outsider.call("GET", f"/courses/{course['id']}")[0] == 404
    assert (
        outsider.call("PATCH", f"/courses/{course['id']}", {"title": "Mine"}, {"If-Match": '"1"'})[0] == 404
    )
    status, listing = outsider.call("GET", "/courses?status=draft")
    assert status == 200
    assert listing["items"] == []


@pytest.mark.parametrize(
    "token", [None, "not-a-jwt", "eyJhbGciOiJSUzI1NiIsImtpZCI6ImR1bW15In0.e30.c2lnbmF0dXJl"]
)
def test_calls_without_a_valid_token_are_401_over_http(local: LocalStack, token: str | None) -> None:
    status, problem = over_http(local, token).call("POST", "/courses", {"title": "x"})
    assert status == 401
    assert problem["status"] == 401
