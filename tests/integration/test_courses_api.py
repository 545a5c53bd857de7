"""The courses API through the gateway emulation: real tokens, real proxy events, moto DynamoDB."""

from __future__ import annotations

from typing import Any

import pytest

from bench.expectations import expected_requests
from tests.support.client import Caller, InProcess, problem
from tests.support.courses import add_lesson, add_section, course_body, create_course, published_course
from tests.support.tenant import Tenant

# ---------------------------------------------------------------- create


def test_an_instructor_creates_a_draft_course_in_one_request(tenant: Tenant) -> None:
    instructor = tenant.instructor()
    response = instructor.post("/courses", course_body(capacity=30))
    assert response.status == 201
    course = response.json()
    assert course["status"] == "draft"
    assert course["version"] == 1
    assert course["instructor_ids"] == [instructor.user_id]
    assert course["capacity"] == 30
    assert course["created_at"].endswith("Z")
    assert response.header("ETag") == '"1"'
    assert response.header("Location") == f"/courses/{course['id']}"
    assert instructor.last_calls == expected_requests("POST", "/courses")
    assert tenant.event_types() == ["CourseCreated"]
    event = tenant.events()[0]
    assert event["type"] == "lms.courses.CourseCreated.v1"
    assert event["institution_id"] == tenant.institution_id
    assert event["actor"]["user_id"] == instructor.user_id
    assert event["data"]["course_id"] == course["id"]


def test_an_admin_creates_a_course_for_an_instructor(tenant: Tenant) -> None:
    admin, instructor = tenant.admin(), tenant.instructor()
    course = create_course(admin, instructor_ids=[instructor.user_id])
    assert course["instructor_ids"] == [instructor.user_id]
    assert instructor.patch(f"/courses/{course['id']}", {"title": "Mine now"}, version=1).status == 200


def test_a_student_cannot_create_a_course(tenant: Tenant) -> None:
    student = tenant.student()
    problem(student.post("/courses", course_body()), 403, "forbidden")
    assert tenant.items() == []


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"title": None}, "title"),
        ({"title": ""}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"level": "expert"}, "level"),
        ({"category": "Has Spaces"}, "category"),
        ({"capacity": 0}, "capacity"),
        ({"capacity": "many"}, "capacity"),
        ({"learning_objectives": "not a list"}, "learning_objectives"),
        ({"enrollment_opens_at": "tomorrow"}, "enrollment_opens_at"),
        ({"enrollment_opens_at": "2026-01-01T00:00:00"}, "enrollment_opens_at"),
        ({"surprise": True}, "surprise"),
        ({"description": "x" * 10_001}, "description"),
    ],
)
def test_an_invalid_course_is_refused_naming_the_field(
    tenant: Tenant, change: dict[str, Any], field: str
) -> None:
    instructor = tenant.instructor()
    body = course_body(**change)
    if change.get("title", "") is None:
        body.pop("title")
    body_problem = problem(instructor.post("/courses", body), 422, "validation-failed")
    assert field in [e["field"] for e in body_problem["errors"]]
    assert tenant.items() == []


@pytest.mark.parametrize("raw", ["{not json", "[]", "null", ""])
def test_a_body_that_is_not_a_json_object_is_refused(tenant: Tenant, raw: str) -> None:
    instructor = tenant.instructor()
    response = instructor.request("POST", "/courses", body=raw, headers={"Content-Type": "application/json"})
    assert response.status == 422, response.body
    assert tenant.items() == []


def test_an_advanced_course_without_prerequisites_is_refused(tenant: Tenant) -> None:
    instructor = tenant.instructor()
    body = problem(instructor.post("/courses", course_body(level="advanced")), 422, "invalid-prerequisites")
    assert body["field"] == "prerequisites"
    assert tenant.items() == []


def test_prerequisites_must_be_courses_of_the_same_institution(tenant: Tenant, other_tenant: Tenant) -> None:
    theirs = create_course(other_tenant.instructor())
    instructor = tenant.instructor()
    response = instructor.post("/courses", course_body(level="advanced", prerequisites=[theirs["id"]]))
    problem(response, 422, "invalid-prerequisites")
    problem(
        instructor.post("/courses", course_body(prerequisites=["01UNKNOWN"])), 422, "invalid-prerequisites"
    )
    assert tenant.items() == []


def test_an_advanced_course_with_a_real_prerequisite_is_created(tenant: Tenant) -> None:
    instructor = tenant.instructor()
    basics = create_course(instructor)
    advanced = create_course(instructor, level="advanced", prerequisites=[basics["id"]])
    assert advanced["prerequisites"] == [basics["id"]]
    assert instructor.last_calls == expected_requests("POST", "/courses")


def test_enrollment_must_open_before_it_closes(tenant: Tenant) -> None:
    instructor = tenant.instructor()
    body = course_body(
        enrollment_opens_at="2027-02-01T00:00:00Z", enrollment_closes_at="2027-01-01T00:00:00Z"
    )
    problem(instructor.post("/courses", body), 422, "invalid-enrollment-window")
    assert tenant.items() == []


def test_a_retried_create_with_the_same_idempotency_key_creates_one_course(tenant: Tenant) -> None:
    instructor = tenant.instructor()
    key = {"Idempotency-Key": "create-la-1"}
    first = instructor.post("/courses", course_body(), headers=key)
    again = instructor.post("/courses", course_body(), headers=key)
    assert first.status == again.status == 201
    assert again.json() == first.json()
    assert again.header("Idempotent-Replayed") == "true"
    assert tenant.event_types() == ["CourseCreated"]
    different = instructor.post("/courses", course_body(title="Another"), headers=key)
    problem(different, 422, "idempotency-key-reused")
    assert len([i for i in tenant.items() if i["entity"] == "course"]) == 1


def test_retried_section_and_lesson_creates_with_a_key_add_one_each(tenant: Tenant) -> None:
    instructor = tenant.instructor()
    cid = create_course(instructor)["id"]
    key = {"Idempotency-Key": "section-1"}
    first = instructor.post(f"/courses/{cid}/sections", {"title": "Week 1"}, headers=key)
    again = instructor.post(f"/courses/{cid}/sections", {"title": "Week 1"}, headers=key)
    assert (first.status, again.status) == (201, 201)
    assert again.json() == first.json()
    lesson = {
        "section_id": first.json()["id"],
        "title": "L",
        "content_type": "text",
        "content": "x",
        "duration_minutes": 1,
    }
    key = {"Idempotency-Key": "lesson-1"}
    made = instructor.post(f"/courses/{cid}/lessons", lesson, headers=key)
    retried = instructor.post(f"/courses/{cid}/lessons", lesson, headers=key)
    assert retried.json() == made.json()
    assert instructor.last_calls == expected_requests(
        "POST", "/courses/{course_id}/lessons", "Idempotency-Key replay"
    )
    outline = instructor.get(f"/courses/{cid}").json()
    assert (len(outline["sections"]), outline["lesson_count"]) == (1, 1)
    assert tenant.event_types() == ["CourseCreated", "CourseUpdated", "LessonAdded"]


def test_a_key_sent_again_to_another_course_is_refused_not_replayed(tenant: Tenant) -> None:
    instructor = tenant.instructor()
    first, other = create_course(instructor)["id"], create_course(instructor)["id"]
    key = {"Idempotency-Key": "section-week-1"}
    assert instructor.post(f"/courses/{first}/sections", {"title": "Week 1"}, headers=key).status == 201
    before = tenant.items()

    response = instructor.post(f"/courses/{other}/sections", {"title": "Week 1"}, headers=key)

    assert response.status == 422, response.body
    assert response.json()["type"].endswith("idempotency-key-reused")
    assert tenant.items() == before
    assert instructor.get(f"/courses/{other}").json()["sections"] == []


def test_an_unusable_idempotency_key_is_refused(tenant: Tenant) -> None:
    instructor = tenant.instructor()
    problem(
        instructor.post("/courses", course_body(), headers={"Idempotency-Key": "a#b"}), 400, "bad-request"
    )
    assert tenant.items() == []


# ---------------------------------------------------------------- read


def test_students_read_a_published_course_with_its_ordered_outline(tenant: Tenant) -> None:
    instructor, student = tenant.instructor(), tenant.student()
    course = create_course(instructor)
    week1 = add_section(instructor, course["id"], "Week 1")
    week0 = add_section(instructor, course["id"], "Week 0", position=1)
    second = add_lesson(instructor, course["id"], week1["id"], "Second")
    first = add_lesson(instructor, course["id"], week1["id"], "First", position=1)
    intro = add_lesson(instructor, course["id"], week0["id"], "Intro")
    assert instructor.post(f"/courses/{course['id']}/publish").status == 200

    response = student.get(f"/courses/{course['id']}")
    assert response.status == 200
    assert student.last_calls == expected_requests("GET", "/courses/{course_id}")
    outline = response.json()["sections"]
    assert [(s["title"], s["position"]) for s in outline] == [("Week 0", 1), ("Week 1", 2)]
    assert [(x["id"], x["position"]) for x in outline[1]["lessons"]] == [(first["id"], 1), (second["id"], 2)]
    assert outline[0]["lessons"][0]["id"] == intro["id"]
    lesson = student.get(f"/courses/{course['id']}/lessons/{first['id']}")
    assert lesson.status == 200
    assert lesson.json()["content"] == "Read me."
    assert lesson.json()["position"] == 1


def test_students_never_see_drafts(tenant: Tenant) -> None:
    instructor, student = tenant.instructor(), tenant.student()
    course = create_course(instructor)
    section = add_section(instructor, course["id"])
    lesson = add_lesson(instructor, course["id"], section["id"])
    problem(student.get(f"/courses/{course['id']}"), 404, "course-not-found")
    problem(student.get(f"/courses/{course['id']}/lessons/{lesson['id']}"), 404, "course-not-found")
    problem(tenant.instructor().get(f"/courses/{course['id']}"), 404, "course-not-found")
    assert tenant.admin().get(f"/courses/{course['id']}").status == 200


def test_another_institutions_course_does_not_exist_for_you(tenant: Tenant, other_tenant: Tenant) -> None:
    theirs = published_course(other_tenant.instructor())
    lesson_id = theirs["sections"][0]["lessons"][0]["id"]
    for caller in (tenant.student(), tenant.instructor(), tenant.admin()):
        problem(caller.get(f"/courses/{theirs['id']}"), 404, "course-not-found")
        problem(caller.get(f"/courses/{theirs['id']}/lessons/{lesson_id}"), 404, "course-not-found")
    admin = tenant.admin()
    problem(
        admin.patch(f"/courses/{theirs['id']}", {"title": "Mine"}, version=theirs["version"]),
        404,
        "course-not-found",
    )
    problem(admin.post(f"/courses/{theirs['id']}/archive"), 404, "course-not-found")
    problem(admin.delete(f"/courses/{theirs['id']}/lessons/{lesson_id}"), 404, "course-not-found")
    unchanged = other_tenant.student().get(f"/courses/{theirs['id']}").json()
    assert (unchanged["title"], unchanged["status"], unchanged["lesson_count"]) == (
        theirs["title"],
        "published",
        1,
    )
    assert tenant.items() == []


def test_a_tenant_header_or_body_field_cannot_redirect_a_request(
    tenant: Tenant, other_tenant: Tenant
) -> None:
    theirs = published_course(other_tenant.instructor())
    student = tenant.student()
    spoofed = {"X-Institution-Id": other_tenant.institution_id}
    problem(student.get(f"/courses/{theirs['id']}", headers=spoofed), 404, "course-not-found")
    instructor = tenant.instructor()
    response = instructor.post(
        "/courses", course_body(institution_id=other_tenant.institution_id), headers=spoofed
    )
    problem(response, 422, "validation-failed")
    assert tenant.items() == []


# An id that cannot be a course id is refused before the course is looked for.
UNKNOWN_IDS = [("01DOESNOTEXIST", "course-not-found"), ("has%23hash", "not-found"), ("x" * 80, "not-found")]


@pytest.mark.parametrize(("course_id", "slug"), UNKNOWN_IDS, ids=[i for i, _ in UNKNOWN_IDS])
def test_unknown_course_ids_are_not_found(tenant: Tenant, course_id: str, slug: str) -> None:
    problem(tenant.student().get(f"/courses/{course_id}"), 404, slug)


def test_unknown_lesson_ids_are_not_found(tenant: Tenant) -> None:
    instructor = tenant.instructor()
    course = published_course(instructor)
    problem(instructor.get(f"/courses/{course['id']}/lessons/01NOPE"), 404, "lesson-not-found")
    problem(instructor.delete(f"/courses/{course['id']}/lessons/01NOPE"), 404, "lesson-not-found")


def test_calls_without_a_valid_token_are_unauthorized(tenant: Tenant) -> None:
    anonymous = Caller(InProcess(tenant.gateway), None, "", "", tenant.institution_id)
    assert anonymous.get("/courses").status == 401
    assert anonymous.post("/courses", course_body()).status == 401
    forged = Caller(InProcess(tenant.gateway), "eyJhbGciOiJSUzI1NiJ9.e30.c2ln", "", "", tenant.institution_id)
    assert forged.get("/courses").status == 401
    assert tenant.items() == []
    assert anonymous.get("/health").status == 200


# ---------------------------------------------------------------- edit


def test_editing_needs_the_current_version(tenant: Tenant) -> None:
    instructor = tenant.instructor()
    course = create_course(instructor)
    path = f"/courses/{course['id']}"
    problem(instructor.patch(path, {"title": "New"}), 428, "if-match-required")
    problem(instructor.patch(path, {"title": "New"}, version="abc"), 400, "bad-request")
    updated = instructor.patch(path, {"title": "New", "capacity": 12}, version=1)
    assert updated.status == 200
    assert updated.json()["title"] == "New"
    assert updated.json()["version"] == 2
    assert updated.header("ETag") == '"2"'
    stale = problem(instructor.patch(path, {"title": "Newer"}, version=1), 412, "version-mismatch")
    assert stale["current_version"] == 2
    assert instructor.get(path).json()["title"] == "New"
    assert tenant.event_types() == ["CourseCreated", "CourseUpdated"]
    assert tenant.events()[1]["data"]["changed_fields"] == ["capacity", "title"]


@pytest.mark.parametrize(
    ("patch", "field"),
    [
        ({"title": None}, "title"),
        ({}, "body"),
        ({"status": "published"}, "status"),
        ({"level": "guru"}, "level"),
    ],
)
def test_an_invalid_edit_changes_nothing(tenant: Tenant, patch: dict[str, Any], field: str) -> None:
    instructor = tenant.instructor()
    course = create_course(instructor)
    body = problem(instructor.patch(f"/courses/{course['id']}", patch, version=1), 422, "validation-failed")
    assert field in [e["field"] for e in body["errors"]] or field == "body"
    assert instructor.get(f"/courses/{course['id']}").json()["version"] == 1
    assert tenant.event_types() == ["CourseCreated"]


def test_capacity_can_be_removed_with_null(tenant: Tenant) -> None:
    instructor = tenant.instructor()
    course = create_course(instructor, capacity=10)
    response = instructor.patch(f"/courses/{course['id']}", {"capacity": None}, version=1)
    assert response.status == 200
    assert response.json()["capacity"] is None


def test_only_the_courses_instructors_and_admins_edit_it(tenant: Tenant) -> None:
    owner, colleague, student, admin = (
        tenant.instructor(),
        tenant.instructor(),
        tenant.student(),
        tenant.admin(),
    )
    course = published_course(owner)
    path = f"/courses/{course['id']}"
    problem(colleague.patch(path, {"title": "Hijack"}, version=course["version"]), 403, "forbidden")
    problem(student.patch(path, {"title": "Hijack"}, version=course["version"]), 403, "forbidden")
    problem(colleague.post(f"{path}/archive"), 403, "forbidden")
    assert admin.patch(path, {"title": "Renamed by admin"}, version=course["version"]).status == 200


def test_an_instructor_cannot_drop_themself_from_a_course(tenant: Tenant) -> None:
    owner, colleague = tenant.instructor(), tenant.instructor()
    course = create_course(owner)
    response = owner.patch(f"/courses/{course['id']}", {"instructor_ids": [colleague.user_id]}, version=1)
    problem(response, 403, "forbidden")
    both = owner.patch(
        f"/courses/{course['id']}", {"instructor_ids": [owner.user_id, colleague.user_id]}, version=1
    )
    assert both.status == 200
    assert colleague.patch(f"/courses/{course['id']}", {"title": "Shared"}, version=2).status == 200


def test_a_prerequisite_cycle_is_refused(tenant: Tenant) -> None:
    instructor = tenant.instructor()
    a = create_course(instructor)
    b = create_course(instructor, prerequisites=[a["id"]])
    c = create_course(instructor, prerequisites=[b["id"]])
    body = problem(
        instructor.patch(f"/courses/{a['id']}", {"prerequisites": [c["id"]]}, version=1),
        422,
        "invalid-prerequisites",
    )
    assert "cycle" in body["detail"]
    problem(
        instructor.patch(f"/courses/{a['id']}", {"prerequisites": [a["id"]]}, version=1),
        422,
        "invalid-prerequisites",
    )
    assert instructor.get(f"/courses/{a['id']}").json()["prerequisites"] == []


def test_making_a_course_advanced_needs_a_prerequisite(tenant: Tenant) -> None:
    instructor = tenant.instructor()
    course = create_course(instructor)
    problem(
        instructor.patch(f"/courses/{course['id']}", {"level": "advanced"}, version=1),
        422,
        "invalid-prerequisites",
    )


# ---------------------------------------------------------------- lifecycle


def test_publishing_needs_an_objective_and_a_lesson(tenant: Tenant) -> None:
    instructor = tenant.instructor()
    course = create_course(instructor, learning_objectives=[])
    body = problem(instructor.post(f"/courses/{course['id']}/publish"), 409, "course-not-publishable")
    assert body["missing"] == ["learning_objectives", "lessons"]
    assert tenant.event_types() == ["CourseCreated"]


def test_a_published_course_is_listed_and_cannot_return_to_draft(tenant: Tenant) -> None:
    instructor = tenant.instructor()
    course = published_course(instructor)
    assert course["status"] == "published"
    assert course["published_at"] is not None
    problem(instructor.post(f"/courses/{course['id']}/publish"), 409, "invalid-status-transition")
    published_event = tenant.events()[-1]
    assert published_event["type"] == "lms.courses.CoursePublished.v1"
    assert published_event["data"]["lesson_ids"] == [course["sections"][0]["lessons"][0]["id"]]


def test_an_archived_course_takes_no_new_lessons(tenant: Tenant) -> None:
    instructor = tenant.instructor()
    course = published_course(instructor)
    archived = instructor.post(f"/courses/{course['id']}/archive")
    assert archived.status == 200
    assert archived.json()["status"] == "archived"
    section_id = course["sections"][0]["id"]
    body = {
        "section_id": section_id,
        "title": "Late",
        "content_type": "text",
        "content": "x",
        "duration_minutes": 1,
    }
    problem(instructor.post(f"/courses/{course['id']}/lessons", body), 409, "course-archived")
    problem(instructor.post(f"/courses/{course['id']}/sections", {"title": "Late"}), 409, "course-archived")
    problem(instructor.post(f"/courses/{course['id']}/archive"), 409, "invalid-status-transition")
    assert tenant.event_types()[-1] == "CourseArchived"


# ---------------------------------------------------------------- sections and lessons


def test_sections_reorder_and_only_empty_ones_are_removed(tenant: Tenant) -> None:
    instructor = tenant.instructor()
    course = create_course(instructor)
    cid = course["id"]
    s1, s2, s3 = (add_section(instructor, cid, t) for t in ("One", "Two", "Three"))
    moved = instructor.patch(f"/courses/{cid}/sections/{s3['id']}", {"position": 1}, version=1)
    assert moved.status == 200
    assert moved.json()["position"] == 1
    problem(
        instructor.patch(f"/courses/{cid}/sections/{s3['id']}", {"title": "x"}, version=1),
        412,
        "version-mismatch",
    )
    add_lesson(instructor, cid, s2["id"])
    problem(instructor.delete(f"/courses/{cid}/sections/{s2['id']}"), 409, "section-not-empty")
    assert instructor.delete(f"/courses/{cid}/sections/{s1['id']}").status == 204
    outline = instructor.get(f"/courses/{cid}").json()["sections"]
    assert [(s["title"], s["position"]) for s in outline] == [("Three", 1), ("Two", 2)]
    problem(instructor.delete(f"/courses/{cid}/sections/{s1['id']}"), 404, "section-not-found")
    problem(
        instructor.post(f"/courses/{cid}/sections", {"title": "Far", "position": 9}), 422, "invalid-position"
    )


def test_lessons_move_between_sections_and_positions_stay_dense(tenant: Tenant) -> None:
    instructor = tenant.instructor()
    cid = create_course(instructor)["id"]
    s1, s2 = add_section(instructor, cid, "One"), add_section(instructor, cid, "Two")
    a, b, c = (add_lesson(instructor, cid, s1["id"], t) for t in "ABC")
    moved = instructor.patch(
        f"/courses/{cid}/lessons/{b['id']}", {"section_id": s2["id"], "title": "B2"}, version=1
    )
    assert moved.status == 200, moved.body
    assert (moved.json()["section_id"], moved.json()["position"], moved.json()["version"]) == (s2["id"], 1, 2)
    up = instructor.patch(f"/courses/{cid}/lessons/{c['id']}", {"position": 1}, version=1)
    assert up.json()["position"] == 1
    assert instructor.delete(f"/courses/{cid}/lessons/{a['id']}").status == 204
    outline = instructor.get(f"/courses/{cid}").json()["sections"]
    assert [[(x["title"], x["position"]) for x in s["lessons"]] for s in outline] == [[("C", 1)], [("B2", 1)]]
    assert tenant.event_types()[-3:] == ["LessonUpdated", "LessonUpdated", "LessonRemoved"]
    problem(instructor.get(f"/courses/{cid}/lessons/{a['id']}"), 404, "lesson-not-found")


def test_a_lesson_without_a_section_goes_into_a_section_made_for_it_then_the_last_one(
    tenant: Tenant,
) -> None:
    instructor = tenant.instructor()
    cid = create_course(instructor)["id"]
    lesson = {"title": "First", "content_type": "text", "content": "Read me.", "duration_minutes": 5}

    first = instructor.post(f"/courses/{cid}/lessons", lesson)

    assert first.status == 201, first.body
    assert instructor.last_calls == expected_requests("POST", "/courses/{course_id}/lessons")
    outline = instructor.get(f"/courses/{cid}").json()["sections"]
    assert [(s["id"], s["title"]) for s in outline] == [(first.json()["section_id"], "Lessons")]
    assert tenant.event_types()[-2:] == ["CourseUpdated", "LessonAdded"]
    week = add_section(instructor, cid, "Week 2")
    second = instructor.post(f"/courses/{cid}/lessons", {**lesson, "title": "Second"})
    assert (second.json()["section_id"], second.json()["position"]) == (week["id"], 1)
    assert tenant.event_types()[-1] == "LessonAdded"
    outline = instructor.get(f"/courses/{cid}").json()["sections"]
    assert [[x["title"] for x in s["lessons"]] for s in outline] == [["First"], ["Second"]]


def test_lesson_edits_need_the_lessons_version(tenant: Tenant) -> None:
    instructor = tenant.instructor()
    cid = create_course(instructor)["id"]
    section = add_section(instructor, cid)
    lesson = add_lesson(instructor, cid, section["id"])
    path = f"/courses/{cid}/lessons/{lesson['id']}"
    problem(instructor.patch(path, {"title": "x"}), 428, "if-match-required")
    assert instructor.patch(path, {"duration_minutes": 30}, version=1).status == 200
    problem(instructor.patch(path, {"duration_minutes": 40}, version=1), 412, "version-mismatch")
    assert instructor.get(path).json()["duration_minutes"] == 30


@pytest.mark.parametrize(
    ("change", "status", "slug"),
    [
        ({"content": None}, 422, "invalid-lesson-content"),
        ({"content_type": "video"}, 422, "invalid-lesson-content"),
        ({"content_type": "video", "content": None, "content_url": "not a url"}, 422, "validation-failed"),
        ({"content_type": "podcast"}, 422, "validation-failed"),
        ({"duration_minutes": -1}, 422, "validation-failed"),
        ({"section_id": "01NOSECTION"}, 404, "section-not-found"),
        ({"position": 5}, 422, "invalid-position"),
        ({"title": "t" * 201}, 422, "validation-failed"),
        ({"content": "x" * 100_001}, 422, "validation-failed"),
    ],
)
def test_an_invalid_lesson_is_refused_and_nothing_changes(
    tenant: Tenant, change: dict[str, Any], status: int, slug: str
) -> None:
    instructor = tenant.instructor()
    cid = create_course(instructor)["id"]
    section = add_section(instructor, cid)
    before = len(tenant.items())
    body = {
        "section_id": section["id"],
        "title": "L",
        "content_type": "text",
        "content": "x",
        "duration_minutes": 5,
    }
    body.update(change)
    problem(instructor.post(f"/courses/{cid}/lessons", body), status, slug)
    assert len(tenant.items()) == before


def test_a_video_lesson_points_at_its_url(tenant: Tenant) -> None:
    instructor = tenant.instructor()
    cid = create_course(instructor)["id"]
    section = add_section(instructor, cid)
    lesson = add_lesson(
        instructor,
        cid,
        section["id"],
        content_type="video",
        content=None,
        content_url="https://videos.example/intro.mp4",
    )
    assert lesson["content_url"] == "https://videos.example/intro.mp4"
    assert tenant.events()[-1]["data"]["content_type"] == "video"


def test_students_cannot_change_lessons(tenant: Tenant) -> None:
    instructor, student = tenant.instructor(), tenant.student()
    course = published_course(instructor)
    lesson = course["sections"][0]["lessons"][0]
    problem(student.delete(f"/courses/{course['id']}/lessons/{lesson['id']}"), 403, "forbidden")
    problem(
        student.patch(f"/courses/{course['id']}/lessons/{lesson['id']}", {"title": "x"}, version=1),
        403,
        "forbidden",
    )
    assert instructor.get(f"/courses/{course['id']}").json()["lesson_count"] == 1


# ---------------------------------------------------------------- catalog


def test_the_catalog_lists_published_courses_with_filters(tenant: Tenant) -> None:
    instructor, student = tenant.instructor(), tenant.student()
    algebra = published_course(instructor, title="Algebra", category="mathematics")
    published_course(instructor, title="Poetry", category="literature", level="intermediate")
    create_course(instructor, title="Draft Algebra II", category="mathematics")

    everything = student.get("/courses")
    assert everything.status == 200
    assert student.last_calls == expected_requests("GET", "/courses", "after a catalog change")
    assert student.get("/courses").status == 200
    assert student.last_calls == expected_requests("GET", "/courses")
    assert sorted(c["title"] for c in everything.json()["items"]) == ["Algebra", "Poetry"]
    maths = student.get("/courses", query={"category": "mathematics"}).json()["items"]
    assert [c["id"] for c in maths] == [algebra["id"]]
    intermediate = student.get("/courses", query={"level": "intermediate"}).json()["items"]
    assert [c["title"] for c in intermediate] == ["Poetry"]
    found = student.get("/courses", query={"search": "ALGEB"}).json()["items"]
    assert [c["title"] for c in found] == ["Algebra"]
    assert (
        student.get("/courses", query={"category": "mathematics", "level": "advanced"}).json()["items"] == []
    )


def test_the_catalog_pages_with_a_cursor_one_query_per_page(tenant: Tenant) -> None:
    instructor, student = tenant.instructor(), tenant.student()
    for n in range(5):
        published_course(instructor, title=f"Course {n}")
    seen: list[str] = []
    cursor = None
    pages = 0
    while True:
        query = {"limit": "2", **({"cursor": cursor} if cursor else {})}
        page = student.get("/courses", query=query)
        assert page.status == 200, page.body
        assert student.last_calls == expected_requests(
            "GET", "/courses", "after a catalog change" if not pages else None
        )
        seen += [c["title"] for c in page.json()["items"]]
        cursor = page.json()["next_cursor"]
        pages += 1
        if not cursor:
            break
    assert sorted(seen) == [f"Course {n}" for n in range(5)]
    assert pages == 3


def test_bad_cursors_and_limits_are_refused(tenant: Tenant, other_tenant: Tenant) -> None:
    for n in range(2):
        published_course(other_tenant.instructor(), title=f"Theirs {n}")
    their_cursor = other_tenant.student().get("/courses", query={"limit": "1"}).json()["next_cursor"]
    assert their_cursor
    student = tenant.student()
    problem(student.get("/courses", query={"cursor": their_cursor}), 400, "invalid-cursor")
    problem(student.get("/courses", query={"cursor": "garbage"}), 400, "invalid-cursor")
    for limit in ("0", "101", "ten"):
        body = problem(student.get("/courses", query={"limit": limit}), 422, "validation-failed")
        assert body["errors"][0]["field"] == "limit"


def test_students_list_published_courses_only(tenant: Tenant) -> None:
    instructor, other, student, admin = (
        tenant.instructor(),
        tenant.instructor(),
        tenant.student(),
        tenant.admin(),
    )
    mine = create_course(instructor, title="Mine")
    create_course(other, title="Theirs")
    problem(student.get("/courses", query={"status": "draft"}), 403, "forbidden")
    drafts = instructor.get("/courses", query={"status": "draft"}).json()["items"]
    assert [c["id"] for c in drafts] == [mine["id"]]
    assert sorted(c["title"] for c in admin.get("/courses", query={"status": "draft"}).json()["items"]) == [
        "Mine",
        "Theirs",
    ]
