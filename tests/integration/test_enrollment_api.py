"""Enrollment through the gateway emulation: rosters, capacity, the waitlist, drops, prerequisites."""

from __future__ import annotations

from typing import Any

import boto3
import pytest

from bench.expectations import expected_requests
from lms import keys
from tests.support.client import Caller, problem
from tests.support.courses import create_course, published_course
from tests.support.tenant import Tenant


def enroll(caller: Caller, course_id: str, body: Any = None, **kw: Any) -> Any:
    return caller.post(f"/courses/{course_id}/enrollments", body, **kw)


def enrolled(caller: Caller, course_id: str, body: Any = None) -> dict[str, Any]:
    response = enroll(caller, course_id, body)
    assert response.status == 201, response.body
    view: dict[str, Any] = response.json()
    return view


def of(tenant: Tenant, entity: str) -> list[dict[str, Any]]:
    return [i for i in tenant.items() if i["entity"] == entity]


def roster_counter(tenant: Tenant, course_id: str) -> dict[str, int]:
    [item] = [i for i in of(tenant, "roster") if i["course_id"] == course_id]
    return {name: int(item[name]) for name in ("capacity", "enrolled", "waitlisted")}


def test_a_student_enrolls_themself_in_one_transaction(tenant: Tenant) -> None:
    instructor, student = tenant.instructor(), tenant.student()
    course = published_course(instructor)
    response = enroll(student, course["id"])
    assert response.status == 201, response.body
    view = response.json()
    assert view["status"] == "enrolled"
    assert view["student_id"] == student.user_id
    assert view["course_title"] == course["title"]
    assert view["enrolled_by"] == student.user_id
    assert view["position"] is None
    assert response.header("Location") == f"/courses/{course['id']}/enrollments/{student.user_id}"
    assert student.last_calls == expected_requests("POST", "/courses/{course_id}/enrollments")
    assert tenant.event_types()[-1] == "StudentEnrolled"
    assert of(tenant, "roster") == []


@pytest.mark.parametrize("raw", ["", "{}"])
def test_an_empty_body_or_an_empty_object_enrolls_the_caller(tenant: Tenant, raw: str) -> None:
    course = published_course(tenant.instructor())
    student = tenant.student()
    response = student.request(
        "POST", f"/courses/{course['id']}/enrollments", body=raw, headers={"Content-Type": "application/json"}
    )
    assert response.status == 201, response.body
    assert response.json()["student_id"] == student.user_id


def test_instructors_of_the_course_and_admins_enroll_a_student(tenant: Tenant) -> None:
    instructor, admin = tenant.instructor(), tenant.admin()
    first, second = tenant.student(), tenant.student()
    course = published_course(instructor)
    assert (
        enrolled(instructor, course["id"], {"student_id": first.user_id})["enrolled_by"] == instructor.user_id
    )
    assert enrolled(admin, course["id"], {"student_id": second.user_id})["enrolled_by"] == admin.user_id
    events = [e for e in tenant.events() if e["type"] == "lms.courses.StudentEnrolled.v1"]
    assert [e["data"]["student_id"] for e in events] == [first.user_id, second.user_id]
    assert events[0]["data"]["enrolled_by"] == instructor.user_id


def test_who_may_enroll_whom(tenant: Tenant) -> None:
    course = published_course(tenant.instructor())
    other_instructor, student, classmate = tenant.instructor(), tenant.student(), tenant.student()
    before = tenant.items()
    problem(enroll(other_instructor, course["id"], {"student_id": student.user_id}), 403, "forbidden")
    problem(enroll(student, course["id"], {"student_id": classmate.user_id}), 403, "forbidden")
    problem(enroll(other_instructor, course["id"]), 403, "forbidden")
    assert tenant.items() == before


@pytest.mark.parametrize(
    ("body", "field"),
    [({"student_id": "not a valid id"}, "student_id"), ({"student_id": 7}, "student_id"), ({"x": 1}, "x")],
)
def test_an_invalid_enrollment_request_names_the_field(tenant: Tenant, body: Any, field: str) -> None:
    instructor = tenant.instructor()
    course = published_course(instructor)
    before = tenant.items()
    refused = problem(enroll(instructor, course["id"], body), 422, "validation-failed")
    assert field in [e["field"] for e in refused["errors"]]
    assert tenant.items() == before


def test_unknown_courses_and_other_institutions_courses_are_not_found(
    tenant: Tenant, other_tenant: Tenant
) -> None:
    theirs = published_course(other_tenant.instructor())
    student = tenant.student()
    problem(enroll(student, theirs["id"]), 404, "course-not-found")
    problem(enroll(student, "01UNKNOWN"), 404, "course-not-found")
    problem(enroll(student, "bad%20id"), 404, "not-found")
    assert tenant.items() == []


def test_only_published_courses_take_enrollments(tenant: Tenant) -> None:
    instructor, student = tenant.instructor(), tenant.student()
    draft = create_course(instructor)
    problem(enroll(student, draft["id"]), 404, "course-not-found")  # a student cannot see a draft
    problem(enroll(instructor, draft["id"], {"student_id": student.user_id}), 409, "course-not-open")
    archived = published_course(instructor)
    assert instructor.post(f"/courses/{archived['id']}/archive").status == 200
    before = tenant.items()
    problem(enroll(student, archived["id"]), 409, "course-not-open")
    assert tenant.items() == before


def test_enrollment_happens_inside_the_window(tenant: Tenant) -> None:
    instructor, student = tenant.instructor(), tenant.student()
    later = published_course(instructor, enrollment_opens_at="2999-01-01T00:00:00Z")
    over = published_course(
        instructor, enrollment_opens_at="2000-01-01T00:00:00Z", enrollment_closes_at="2001-01-01T00:00:00Z"
    )
    before = tenant.items()
    assert "opens_at" in problem(enroll(student, later["id"]), 409, "enrollment-not-yet-open")
    assert "closed_at" in problem(enroll(student, over["id"]), 409, "enrollment-closed")
    assert tenant.items() == before
    current = published_course(instructor, enrollment_closes_at="2999-01-01T00:00:00Z")
    assert enrolled(student, current["id"])["status"] == "enrolled"


def complete(tenant: Tenant, student: Caller, course_id: str) -> None:
    """What the progress context records when a student completes a course (its summary item)."""
    table = boto3.resource("dynamodb", region_name=tenant.stack.region).Table(tenant.stack.table_name)
    table.put_item(
        Item={
            "PK": keys.course_progress_pk(tenant.institution_id, student.user_id, course_id),
            "SK": keys.PROGRESS_SUMMARY_SK,
            "entity": "progress-summary",
            "completed_at": "2026-01-01T00:00:00.000Z",
        }
    )


def test_every_prerequisite_must_be_completed_and_the_refusal_lists_the_missing(tenant: Tenant) -> None:
    instructor, student = tenant.instructor(), tenant.student()
    basics, algebra = published_course(instructor), published_course(instructor)
    advanced = published_course(instructor, level="advanced", prerequisites=[basics["id"], algebra["id"]])
    before = tenant.items()
    refused = problem(enroll(student, advanced["id"]), 409, "prerequisites-not-met")
    assert refused["unmet"] == [basics["id"], algebra["id"]]
    assert tenant.items() == before
    complete(tenant, student, basics["id"])
    refused = problem(enroll(student, advanced["id"]), 409, "prerequisites-not-met")
    assert refused["unmet"] == [algebra["id"]]
    complete(tenant, student, algebra["id"])
    assert enrolled(student, advanced["id"])["status"] == "enrolled"
    assert student.last_calls == expected_requests("POST", "/courses/{course_id}/enrollments")


def test_a_student_cannot_enroll_twice(tenant: Tenant) -> None:
    course = published_course(tenant.instructor(), capacity=1, waitlist_enabled=True)
    student, waiting = tenant.student(), tenant.student()
    enrolled(student, course["id"])
    enrolled(waiting, course["id"])
    before = tenant.items()
    problem(enroll(student, course["id"]), 409, "already-enrolled")
    problem(enroll(waiting, course["id"]), 409, "already-enrolled")
    assert tenant.items() == before
    assert roster_counter(tenant, course["id"]) == {"capacity": 1, "enrolled": 1, "waitlisted": 1}


def test_a_retried_enrollment_with_the_same_idempotency_key_enrolls_once(tenant: Tenant) -> None:
    course = published_course(tenant.instructor())
    student = tenant.student()
    key = {"Idempotency-Key": "enroll-1"}
    first = enroll(student, course["id"], headers=key)
    again = enroll(student, course["id"], headers=key)
    assert first.status == again.status == 201
    assert again.json() == first.json()
    assert again.header("Idempotent-Replayed") == "true"
    assert student.last_calls == expected_requests(
        "POST", "/courses/{course_id}/enrollments", "Idempotency-Key replay"
    )
    assert tenant.event_types().count("StudentEnrolled") == 1
    problem(
        enroll(student, course["id"], {"student_id": "someone"}, headers=key), 422, "idempotency-key-reused"
    )


# ---------------------------------------------------------------- capacity and the waitlist


def test_a_full_course_without_a_waitlist_refuses(tenant: Tenant) -> None:
    course = published_course(tenant.instructor(), capacity=1)
    first, late = tenant.student(), tenant.student()
    enrolled(first, course["id"])
    assert first.last_calls == expected_requests(
        "POST", "/courses/{course_id}/enrollments", "course with a capacity"
    )
    before = tenant.items()
    assert problem(enroll(late, course["id"]), 409, "course-full")["capacity"] == 1
    assert late.last_calls == expected_requests("POST", "/courses/{course_id}/enrollments", "course full")
    problem(enroll(first, course["id"]), 409, "already-enrolled")
    assert tenant.items() == before


def test_a_full_course_with_a_waitlist_queues_students_in_order(tenant: Tenant) -> None:
    course = published_course(tenant.instructor(), capacity=1, waitlist_enabled=True)
    first, second, third = tenant.student(), tenant.student(), tenant.student()
    enrolled(first, course["id"])
    waiting = enrolled(second, course["id"])
    assert waiting["status"] == "waitlisted"
    assert waiting["position"] == 1
    assert waiting["enrolled_at"] is None
    assert second.last_calls == expected_requests("POST", "/courses/{course_id}/enrollments", "waitlisted")
    assert enrolled(third, course["id"])["position"] == 2
    waitlisted = [e for e in tenant.events() if e["type"] == "lms.courses.StudentWaitlisted.v1"]
    assert [(e["data"]["student_id"], e["data"]["position"]) for e in waitlisted] == [
        (second.user_id, 1),
        (third.user_id, 2),
    ]
    assert roster_counter(tenant, course["id"]) == {"capacity": 1, "enrolled": 1, "waitlisted": 2}


def test_a_drop_gives_the_seat_to_the_first_waitlisted_student(tenant: Tenant) -> None:
    course = published_course(tenant.instructor(), capacity=1, waitlist_enabled=True)
    cid = course["id"]
    first, second, third = tenant.student(), tenant.student(), tenant.student()
    for student in (first, second, third):
        enrolled(student, cid)
    response = first.delete(f"/courses/{cid}/enrollments/{first.user_id}")
    assert response.status == 204, response.body
    assert first.last_calls == expected_requests(
        "DELETE", "/courses/{course_id}/enrollments/{student_id}", "with a promotion"
    )
    promoted = second.get(f"/courses/{cid}/enrollments/{second.user_id}").json()
    assert promoted["status"] == "enrolled"
    assert promoted["via_waitlist"] is True
    assert promoted["enrolled_by"] == second.user_id
    assert third.get(f"/courses/{cid}/enrollments/{third.user_id}").json()["position"] == 1
    # One transaction: its two events carry ids of the same millisecond, in no particular order.
    assert sorted(tenant.event_types()[-2:]) == ["StudentDropped", "StudentEnrolled"]
    [promotion] = [e["data"] for e in tenant.events()[-2:] if e["type"] == "lms.courses.StudentEnrolled.v1"]
    assert promotion == {
        "course_id": cid,
        "student_id": second.user_id,
        "enrolled_by": second.user_id,
        "via_waitlist": True,
    }
    assert roster_counter(tenant, cid) == {"capacity": 1, "enrolled": 1, "waitlisted": 1}


def test_leaving_the_waitlist_moves_the_students_behind_forward(tenant: Tenant) -> None:
    course = published_course(tenant.instructor(), capacity=1, waitlist_enabled=True)
    cid = course["id"]
    students = [tenant.student() for _ in range(3)]
    for student in students:
        enrolled(student, cid)
    second, third = students[1], students[2]
    assert second.delete(f"/courses/{cid}/enrollments/{second.user_id}").status == 204
    assert third.get(f"/courses/{cid}/enrollments/{third.user_id}").json()["position"] == 1
    dropped = tenant.events()[-1]
    assert dropped["type"] == "lms.courses.StudentDropped.v1"
    assert dropped["data"]["was_waitlisted"] is True
    assert roster_counter(tenant, cid) == {"capacity": 1, "enrolled": 1, "waitlisted": 1}
    assert not [i for i in of(tenant, "waitlist-entry") if i["student_id"] == second.user_id]


def test_raising_the_capacity_seats_waitlisted_students_first_come_first(tenant: Tenant) -> None:
    instructor = tenant.instructor()
    course = published_course(instructor, capacity=1, waitlist_enabled=True)
    cid = course["id"]
    students = [tenant.student() for _ in range(4)]
    for student in students:
        enrolled(student, cid)
    response = instructor.patch(f"/courses/{cid}", {"capacity": 3}, version=course["version"])
    assert response.status == 200, response.body
    assert instructor.last_calls == expected_requests(
        "PATCH", "/courses/{course_id}", "capacity change seating waitlisted students"
    )
    statuses = [s.get(f"/courses/{cid}/enrollments/{s.user_id}").json() for s in students]
    assert [(v["status"], v["position"]) for v in statuses] == [
        ("enrolled", None),
        ("enrolled", None),
        ("enrolled", None),
        ("waitlisted", 1),
    ]
    promoted = {e["data"]["student_id"] for e in tenant.events() if e["data"].get("via_waitlist")}
    assert promoted == {students[1].user_id, students[2].user_id}  # one transaction: no order among them
    assert roster_counter(tenant, cid) == {"capacity": 3, "enrolled": 3, "waitlisted": 1}


def test_capacity_edits_that_would_break_the_roster_are_refused(tenant: Tenant) -> None:
    instructor = tenant.instructor()
    capped = published_course(instructor, capacity=2, waitlist_enabled=True)
    uncapped = published_course(instructor)
    students = [tenant.student() for _ in range(3)]
    for student in students:
        enrolled(student, capped["id"])
    before = tenant.items()
    path = f"/courses/{capped['id']}"
    assert (
        problem(
            instructor.patch(path, {"capacity": 1}, version=capped["version"]),
            409,
            "capacity-below-enrollment",
        )["enrolled"]
        == 2
    )
    problem(instructor.patch(path, {"capacity": None}, version=capped["version"]), 409, "waitlist-not-empty")
    problem(
        instructor.patch(f"/courses/{uncapped['id']}", {"capacity": 5}, version=uncapped["version"]),
        409,
        "capacity-locked",
    )
    assert tenant.items() == before


def test_removing_the_capacity_when_no_one_waits_removes_the_counter(tenant: Tenant) -> None:
    instructor = tenant.instructor()
    course = published_course(instructor, capacity=2)
    enrolled(tenant.student(), course["id"])
    response = instructor.patch(f"/courses/{course['id']}", {"capacity": None}, version=course["version"])
    assert response.status == 200, response.body
    assert of(tenant, "roster") == []
    enrolled(tenant.student(), course["id"])
    enrolled(tenant.student(), course["id"])


def test_a_draft_s_counter_follows_its_capacity(tenant: Tenant) -> None:
    instructor = tenant.instructor()
    draft = create_course(instructor)
    assert of(tenant, "roster") == []
    changed = instructor.patch(
        f"/courses/{draft['id']}", {"capacity": 10, "waitlist_enabled": True}, version=1
    )
    assert changed.status == 200, changed.body
    assert changed.json()["waitlist_enabled"] is True
    assert roster_counter(tenant, draft["id"]) == {"capacity": 10, "enrolled": 0, "waitlisted": 0}
    assert instructor.patch(f"/courses/{draft['id']}", {"capacity": 4}, version=2).status == 200
    assert roster_counter(tenant, draft["id"])["capacity"] == 4


# ---------------------------------------------------------------- drop


def test_a_student_drops_and_may_enroll_again(tenant: Tenant) -> None:
    course = published_course(tenant.instructor(), capacity=5)
    cid = course["id"]
    student = tenant.student()
    enrolled(student, cid)
    response = student.delete(f"/courses/{cid}/enrollments/{student.user_id}")
    assert response.status == 204, response.body
    assert student.last_calls == expected_requests(
        "DELETE", "/courses/{course_id}/enrollments/{student_id}", "course with a capacity"
    )
    view = student.get(f"/courses/{cid}/enrollments/{student.user_id}").json()
    assert view["status"] == "dropped"
    assert view["dropped_by"] == student.user_id
    assert roster_counter(tenant, cid)["enrolled"] == 0
    dropped = tenant.events()[-1]
    assert dropped["type"] == "lms.courses.StudentDropped.v1"
    assert dropped["data"] == {
        "course_id": cid,
        "student_id": student.user_id,
        "dropped_by": student.user_id,
        "was_waitlisted": False,
    }
    again = enrolled(student, cid)
    assert again["status"] == "enrolled"
    assert again["dropped_at"] is None
    assert roster_counter(tenant, cid)["enrolled"] == 1


def test_who_may_drop_whom(tenant: Tenant, other_tenant: Tenant) -> None:
    instructor = tenant.instructor()
    course = published_course(instructor)
    cid = course["id"]
    student, classmate = tenant.student(), tenant.student()
    enrolled(student, cid)
    enrolled(classmate, cid)
    before = tenant.items()
    path = f"/courses/{cid}/enrollments/{student.user_id}"
    problem(classmate.delete(path), 403, "forbidden")
    problem(tenant.instructor().delete(path), 403, "forbidden")
    problem(other_tenant.admin().delete(path), 404, "course-not-found")
    assert tenant.items() == before
    assert instructor.delete(path).status == 204
    assert tenant.admin().delete(f"/courses/{cid}/enrollments/{classmate.user_id}").status == 204
    assert tenant.events()[-1]["data"]["dropped_by"] != classmate.user_id


def test_dropping_someone_not_on_the_roster_is_not_found(tenant: Tenant) -> None:
    instructor, student = tenant.instructor(), tenant.student()
    course = published_course(instructor)
    cid = course["id"]
    problem(instructor.delete(f"/courses/{cid}/enrollments/01NOBODY"), 404, "enrollment-not-found")
    problem(instructor.delete(f"/courses/{cid}/enrollments/bad%20id"), 404, "not-found")
    enrolled(student, cid)
    assert student.delete(f"/courses/{cid}/enrollments/{student.user_id}").status == 204
    before = tenant.items()
    problem(student.delete(f"/courses/{cid}/enrollments/{student.user_id}"), 404, "enrollment-not-found")
    assert tenant.items() == before


# ---------------------------------------------------------------- reads


def test_instructors_page_through_the_roster_with_one_query_per_page(tenant: Tenant) -> None:
    instructor = tenant.instructor()
    course = published_course(instructor)
    cid = course["id"]
    students = [tenant.student() for _ in range(3)]
    for student in students:
        enrolled(student, cid)
    assert students[1].patch("/users/me", {"display_name": "Grace H."}, version=0).status == 200
    students[0].delete(f"/courses/{cid}/enrollments/{students[0].user_id}")
    seen: list[dict[str, Any]] = []
    cursor = None
    while True:
        response = instructor.get(
            f"/courses/{cid}/enrollments", query={"limit": "1", **({"cursor": cursor} if cursor else {})}
        )
        assert response.status == 200, response.body
        page = response.json()
        # The page's display names (lms.users.queries) are read when it has students.
        variant = None if page["items"] else "empty page"
        assert instructor.last_calls == expected_requests("GET", "/courses/{course_id}/enrollments", variant)
        seen += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert sorted(v["student_id"] for v in seen) == sorted(s.user_id for s in students[1:])
    # A student who saved a profile is shown by name; an account without one has none.
    names = {v["student_id"]: v["display_name"] for v in seen}
    assert names == {students[1].user_id: "Grace H.", students[2].user_id: None}
    dropped = instructor.get(f"/courses/{cid}/enrollments", query={"status": "dropped"}).json()["items"]
    assert [v["student_id"] for v in dropped] == [students[0].user_id]


def test_the_waitlist_lists_first_come_first_with_positions_across_pages(tenant: Tenant) -> None:
    admin = tenant.admin()
    course = published_course(tenant.instructor(), capacity=1, waitlist_enabled=True)
    cid = course["id"]
    students = [tenant.student() for _ in range(4)]
    for student in students:
        enrolled(student, cid)
    first = admin.get(f"/courses/{cid}/enrollments", query={"status": "waitlisted", "limit": "2"}).json()
    second = admin.get(
        f"/courses/{cid}/enrollments",
        query={"status": "waitlisted", "limit": "2", "cursor": first["next_cursor"]},
    ).json()
    listed = [(v["student_id"], v["position"]) for v in first["items"] + second["items"]]
    assert listed == [(s.user_id, i + 1) for i, s in enumerate(students[1:])]


def test_the_roster_is_for_the_course_s_staff(tenant: Tenant, other_tenant: Tenant) -> None:
    course = published_course(tenant.instructor())
    path = f"/courses/{course['id']}/enrollments"
    problem(tenant.student().get(path), 403, "forbidden")
    problem(tenant.instructor().get(path), 403, "forbidden")
    problem(other_tenant.admin().get(path), 404, "course-not-found")
    problem(tenant.admin().get(path, query={"cursor": "forged"}), 400, "invalid-cursor")
    problem(tenant.admin().get(path, query={"status": "maybe"}), 422, "validation-failed")


def test_a_student_lists_their_enrollments_newest_first_with_titles(tenant: Tenant) -> None:
    instructor, student = tenant.instructor(), tenant.student()
    older = published_course(instructor, title="Older")
    newer = published_course(instructor, title="Newer")
    enrolled(student, older["id"])
    enrolled(student, newer["id"])
    enrolled(tenant.student(), newer["id"])
    response = student.get("/enrollments")
    assert response.status == 200, response.body
    # The page's Query, then the progress context's summaries and outlines in one batch read.
    assert student.last_calls == expected_requests("GET", "/enrollments")
    items = response.json()["items"]
    assert [(v["course_title"], v["status"], v["progress_percent"]) for v in items] == [
        ("Newer", "enrolled", None),
        ("Older", "enrolled", None),
    ]
    page = student.get("/enrollments", query={"limit": "1"}).json()
    rest = student.get("/enrollments", query={"limit": "1", "cursor": page["next_cursor"]}).json()
    assert [v["course_id"] for v in page["items"] + rest["items"]] == [newer["id"], older["id"]]
    problem(instructor.get("/enrollments"), 403, "forbidden")
    problem(student.get("/enrollments", query={"cursor": page["next_cursor"][:-4]}), 400, "invalid-cursor")


def test_reading_one_enrollment(tenant: Tenant) -> None:
    instructor, student, classmate = tenant.instructor(), tenant.student(), tenant.student()
    course = published_course(instructor)
    cid = course["id"]
    enrolled(student, cid)
    mine = student.get(f"/courses/{cid}/enrollments/{student.user_id}")
    assert mine.status == 200, mine.body
    assert student.last_calls == expected_requests("GET", "/courses/{course_id}/enrollments/{student_id}")
    assert instructor.get(f"/courses/{cid}/enrollments/{student.user_id}").json() == mine.json()
    problem(classmate.get(f"/courses/{cid}/enrollments/{student.user_id}"), 403, "forbidden")
    problem(classmate.get(f"/courses/{cid}/enrollments/{classmate.user_id}"), 404, "enrollment-not-found")


def test_staff_enroll_only_accounts_that_are_students(tenant: Tenant) -> None:
    admin = tenant.admin()
    course = published_course(tenant.instructor())
    colleague = tenant.invited(admin, role="instructor")
    invited_student = tenant.invited(admin, role="student")
    before = tenant.items()
    refused = problem(enroll(admin, course["id"], {"student_id": colleague.user_id}), 422, "not-a-student")
    assert refused["field"] == "student_id"
    assert tenant.items() == before
    assert enrolled(admin, course["id"], {"student_id": invited_student.user_id})["status"] == "enrolled"
    assert admin.last_calls == expected_requests("POST", "/courses/{course_id}/enrollments")
