"""Privacy export and erasure through the gateway emulation and the event pipeline (bus, queue, worker)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.exceptions import ClientError

from bench.expectations import expected_requests
from infra.provision import Stack
from infra.pump import EventPump
from lms.privacy.registry import contributors
from tests.support.client import Caller, InProcess, problem
from tests.support.commerce import commerce_key, send_order
from tests.support.courses import enroll, published_course
from tests.support.events import drained, put_on_bus
from tests.support.faults import Faults
from tests.support.people import cognito, export_document, request_export
from tests.support.reviews import review
from tests.support.tenant import Tenant

ALL_STEPS = ["account", *(c.name for c in contributors())]
"""The steps of an erasure, in order: the account, then each context's contributor."""


def items_of(tenant: Tenant, entity: str) -> list[dict[str, Any]]:
    return [i for i in tenant.items() if i["entity"] == entity]


@pytest.fixture
def learner(stack: Stack, tenant: Tenant) -> tuple[Caller, Caller, dict[str, Any]]:
    """An admin and an invited student: a seat, a completed lesson, an achievement, a waitlist place."""
    admin = tenant.admin()
    student = tenant.invited(admin)
    instructor = tenant.instructor()
    course = published_course(instructor)
    enroll(tenant, course["id"], student)
    lesson = next(i for i in tenant.items() if i["entity"] == "lesson")
    assert student.request(
        "PUT", f"/progress/courses/{course['id']}/lessons/{lesson['lesson_id']}"
    ).status in (
        200,
        201,
    )
    review(student, course["id"], 5)
    classmate = tenant.student()
    enroll(tenant, course["id"], classmate)
    review(classmate, course["id"], 2)
    reported = student.post(
        f"/courses/{course['id']}/reviews/{classmate.user_id}/reports", {"reason": "Spam"}
    )
    assert reported.status == 200, reported.body
    full = published_course(instructor, capacity=1, waitlist_enabled=True)
    enroll(tenant, full["id"], student, status="waitlisted")
    paid = published_course(instructor, price={"amount": "9.00", "currency": "EUR"})
    order = {"order_id": "privacy-1", "status": "paid", "course_id": paid["id"], "user_id": student.user_id}
    store = Caller(InProcess(tenant.gateway), None)
    assert (
        send_order(store, tenant.institution_id, commerce_key(stack, tenant.institution_id), order).status
        == 201
    )
    drained(stack)
    return admin, student, {"course": course["id"], "full": full["id"], "classmate": classmate.user_id}


# ---------------------------------------------------------------- export


def test_a_person_exports_everything_the_platform_holds_about_them(
    stack: Stack, tenant: Tenant, learner: tuple[Caller, Caller, dict[str, Any]]
) -> None:
    _, student, courses = learner

    job = request_export(student, student.user_id)

    assert student.last_calls == expected_requests("POST", "/users/{user_id}/exports")
    assert job["status"] == "pending"
    assert job["download_url"] is None
    requested = [e for e in tenant.events() if e["type"].endswith("UserExportRequested.v1")]
    assert [e["data"] for e in requested] == [{"user_id": student.user_id, "export_id": job["export_id"]}]
    drained(stack)
    ready = student.get(f"/users/{student.user_id}/exports/{job['export_id']}")
    assert ready.status == 200, ready.body
    assert student.last_calls == expected_requests(
        "GET", "/users/{user_id}/exports/{export_id}"
    )  # a read of one's own export is not audited
    view = ready.json()
    assert view["status"] == "ready"
    assert view["download_url"].startswith("https://")
    assert view["expires_at"] is not None
    doc = export_document(stack, tenant, student.user_id, job["export_id"])
    assert doc["format"] == "lms.user-export.v1"
    contexts = doc["contexts"]
    assert contexts["users"]["profile"][0]["family_name"] == "Invited"
    assert contexts["users"]["email_claims"][0]["email"] == contexts["users"]["profile"][0]["email"]
    assert {e["action"] for e in contexts["users"]["audit_trail"]} >= {"InviteUser", "RequestUserExport"}
    assert [e["export_id"] for e in contexts["users"]["exports"]] == [job["export_id"]]
    enrollments = {e["course_id"]: e for e in contexts["courses"]["enrollments"]}
    assert enrollments[courses["course"]]["status"] == "enrolled"
    assert enrollments[courses["full"]]["status"] == "waitlisted"
    assert enrollments[courses["full"]]["waitlist_ticket"]
    assert [(r["course_id"], r["rating"]) for r in contexts["courses"]["reviews"]] == [(courses["course"], 5)]
    assert [r["review_of"] for r in contexts["courses"]["review_reports"]] == [courses["classmate"]]
    assert [(e["status"], e["order_id"]) for e in contexts["courses"]["entitlements"]] == [
        ("granted", "privacy-1")
    ]
    assert [(o["order_id"], o["status"]) for o in contexts["courses"]["commerce_orders"]] == [
        ("privacy-1", "granted")
    ]
    progress = contexts["progress"]
    assert [c["course_id"] for c in progress["lesson_completions"]] == [courses["course"]]
    assert {s["course_id"] for s in progress["course_progress"]} >= {courses["course"]}
    assert progress["learning_activity"][0]["student_id"] == student.user_id
    assert progress["achievements"]


def test_an_admin_exports_a_person_and_reading_it_is_audited(stack: Stack, tenant: Tenant) -> None:
    admin = tenant.admin()
    student = tenant.invited(admin)

    job = request_export(admin, student.user_id)
    assert admin.last_calls == expected_requests("POST", "/users/{user_id}/exports", "someone else's")
    drained(stack)
    assert admin.get(f"/users/{student.user_id}/exports/{job['export_id']}").json()["status"] == "ready"

    assert admin.last_calls == expected_requests(
        "GET", "/users/{user_id}/exports/{export_id}", "someone else's"
    )
    reads = [a for a in items_of(tenant, "audit") if a["action"] == "GetUserExport"]
    assert [(a["actor_id"], a["subject_user_id"]) for a in reads] == [(admin.user_id, student.user_id)]
    # The person reads their own export too.
    assert student.get(f"/users/{student.user_id}/exports/{job['export_id']}").status == 200


def test_a_retried_export_request_with_the_same_key_makes_one_job(tenant: Tenant) -> None:
    student = tenant.student()
    headers = {"Idempotency-Key": "export-1"}
    first = request_export(student, student.user_id, headers=headers)
    again = request_export(student, student.user_id, headers=headers)
    assert again["export_id"] == first["export_id"]
    assert len(items_of(tenant, "user-export")) == 1
    assert tenant.event_types().count("UserExportRequested") == 1


def test_people_export_only_their_own_data(tenant: Tenant) -> None:
    admin = tenant.admin()
    student, other = tenant.invited(admin), tenant.invited(admin)
    before = tenant.items()
    problem(student.post(f"/users/{other.user_id}/exports"), 403, "forbidden")
    problem(tenant.instructor().post(f"/users/{other.user_id}/exports"), 403, "forbidden")
    job = request_export(admin, other.user_id)
    problem(student.get(f"/users/{other.user_id}/exports/{job['export_id']}"), 403, "forbidden")
    assert len(items_of(tenant, "user-export")) == 1
    assert len(tenant.items()) == len(before) + 3  # job, event and audit entry of the admin's request


def test_another_institutions_person_and_unknown_ids_are_not_found(
    tenant: Tenant, other_tenant: Tenant
) -> None:
    admin = tenant.admin()
    stranger = other_tenant.invited(other_tenant.admin())
    problem(admin.post(f"/users/{stranger.user_id}/exports"), 404, "user-not-found")
    problem(admin.post("/users/no-such-person/exports"), 404, "user-not-found")
    problem(admin.get(f"/users/{admin.user_id}/exports/no-such-export"), 404, "export-not-found")
    job = request_export(stranger, stranger.user_id)
    problem(admin.get(f"/users/{stranger.user_id}/exports/{job['export_id']}"), 404, "export-not-found")
    assert items_of(tenant, "user-export") == []


def test_an_export_that_keeps_failing_is_marked_failed_and_goes_to_the_dlq(
    stack: Stack, tenant: Tenant
) -> None:
    drained(stack)  # what earlier tests left in the queue
    student = tenant.student()
    job = request_export(student, student.user_id)
    pump = EventPump(stack)
    denied = ClientError({"Error": {"Code": "AccessDenied", "Message": "no"}}, "PutObject")
    with Faults().active() as faults:
        faults.fail("PutObject", lambda n, p: True, denied)
        report = pump.drain(max_rounds=50)
    assert report.failures == stack.queues["PrivacyQueue"].max_receive_count
    dead = [json.loads(m["body"])["detail"] for m in pump.dead_letters("PrivacyQueue")]
    assert job["export_id"] in [d["data"].get("export_id") for d in dead]
    failed = student.get(f"/users/{student.user_id}/exports/{job['export_id']}").json()
    assert failed["status"] == "failed"
    assert failed["download_url"] is None


# ---------------------------------------------------------------- erasure


def test_an_admin_erases_a_person_in_every_context(
    stack: Stack, tenant: Tenant, learner: tuple[Caller, Caller, dict[str, Any]]
) -> None:
    admin, student, courses = learner
    waiting = tenant.student()
    # Behind the student on the full course's waitlist.
    assert waiting.post(f"/courses/{courses['full']}/enrollments", {}).json()["status"] == "waitlisted"
    profile = admin.get(f"/users/{student.user_id}").json()

    response = admin.delete(f"/users/{student.user_id}")

    assert response.status == 202, response.body
    assert admin.last_calls == expected_requests("DELETE", "/users/{user_id}")
    erasure = response.json()
    assert erasure["status"] == "pending"
    stored = next(i for i in items_of(tenant, "user") if i["user_id"] == student.user_id)
    assert stored["status"] == "erased"
    assert stored["email"] == stored["given_name"] == stored["family_name"] == ""
    assert str(stored["display_name"]).startswith("Erased user ")
    assert profile["email"] not in json.dumps(tenant.items(), default=str)
    erased = [e for e in tenant.events() if e["type"].endswith("UserErased.v1")]
    assert [e["data"] for e in erased] == [{"user_id": student.user_id, "erasure_id": erasure["erasure_id"]}]
    problem(student.get("/users/me"), 403, "account-erased")
    problem(student.get(f"/progress/courses/{courses['course']}"), 403, "account-erased")

    drained(stack)

    with pytest.raises(ClientError):
        cognito(stack).admin_get_user(UserPoolId=stack.user_pool_id, Username=student.user_id)
    record = next(i for i in items_of(tenant, "user-erasure"))
    assert record["status"] == "complete"
    assert record["done"] == ALL_STEPS
    enrollments = {
        i["course_id"]: i for i in items_of(tenant, "enrollment") if i["student_id"] == student.user_id
    }
    assert {e["status"] for e in enrollments.values()} == {"dropped"}
    promoted = next(i for i in items_of(tenant, "enrollment") if i["student_id"] == waiting.user_id)
    assert promoted["status"] == "waitlisted"  # the seat stays taken: the student only held a waitlist place
    roster = next(i for i in items_of(tenant, "roster") if i["course_id"] == courses["full"])
    assert (roster["enrolled"], roster["waitlisted"]) == (1, 1)
    achievement_pk = f"INST#{tenant.institution_id}#ACHIEVEMENTS#{student.user_id}"
    assert [i for i in tenant.items() if i["PK"] == achievement_pk] == []
    assert [i for i in tenant.items() if i["entity"] == "lesson-completion"]  # kept, pseudonymous
    assert [i["author_id"] for i in items_of(tenant, "review")] == [courses["classmate"]]
    assert items_of(tenant, "review-report") == []
    assert items_of(tenant, "entitlement") == []  # unused access is of no use to an erased person
    assert [o["student_id"] for o in items_of(tenant, "commerce-order")] == [student.user_id]  # pseudonymous
    assert sum(int(i.get("rated", 0)) for i in items_of(tenant, "rating-counter")) == 1
    assert "ReviewDeleted" in tenant.event_types()

    again = admin.delete(f"/users/{student.user_id}")
    assert again.status == 202
    assert again.json()["erasure_id"] == erasure["erasure_id"]
    assert again.json()["status"] == "complete"
    assert tenant.event_types().count("UserErased") == 1


def test_erasing_frees_a_seat_for_the_head_of_the_waitlist(stack: Stack, tenant: Tenant) -> None:
    admin = tenant.admin()
    student = tenant.invited(admin)
    course = published_course(tenant.instructor(), capacity=1, waitlist_enabled=True)
    enroll(tenant, course["id"], student)
    waiting = tenant.student()
    assert waiting.post(f"/courses/{course['id']}/enrollments", {}).json()["status"] == "waitlisted"
    assert admin.delete(f"/users/{student.user_id}").status == 202
    drained(stack)
    seated = next(i for i in items_of(tenant, "enrollment") if i["student_id"] == waiting.user_id)
    assert seated["status"] == "enrolled"
    roster = next(i for i in items_of(tenant, "roster"))
    assert (roster["enrolled"], roster["waitlisted"]) == (1, 0)
    assert tenant.event_types().count("StudentEnrolled") == 2  # the promotion


def test_a_duplicate_erasure_event_changes_nothing(stack: Stack, tenant: Tenant) -> None:
    admin = tenant.admin()
    student = tenant.invited(admin)
    assert admin.delete(f"/users/{student.user_id}").status == 202
    drained(stack)
    before = tenant.items()
    erased = next(e for e in tenant.events() if e["type"].endswith("UserErased.v1"))
    put_on_bus(stack, erased, {**erased, "id": erased["id"][:-4] + "ZZZZ"})
    drained(stack)
    after = tenant.items()
    assert [i for i in after if i["entity"] != "inbox"] == [i for i in before if i["entity"] != "inbox"]


def test_an_erasure_that_fails_is_retried_then_dead_lettered_and_resumes_where_it_stopped(
    stack: Stack, tenant: Tenant
) -> None:
    admin = tenant.admin()
    student = tenant.invited(admin)
    drained(stack)  # what earlier tests left in the queue
    assert admin.delete(f"/users/{student.user_id}").status == 202
    pump = EventPump(stack)
    throttled = ClientError({"Error": {"Code": "ThrottlingException", "Message": "slow"}}, "Query")
    with Faults().active() as faults:
        # The progress step reads the person's achievements with a Query: it keeps failing.
        faults.fail("Query", lambda n, p: "ACHIEVEMENTS" in json.dumps(p), throttled)
        report = pump.drain(max_rounds=50)
    assert report.failures == stack.queues["PrivacyQueue"].max_receive_count
    erased = next(e for e in tenant.events() if e["type"].endswith("UserErased.v1"))
    assert erased in [json.loads(m["body"])["detail"] for m in pump.dead_letters("PrivacyQueue")]
    record = next(i for i in items_of(tenant, "user-erasure"))
    assert (record["status"], record["done"]) == ("pending", ["account"])

    # An operator redrives the message: the erasure resumes after the account step.
    put_on_bus(stack, erased)
    with Faults().active() as faults:
        pump.drain(max_rounds=50)
        assert faults.calls["AdminDeleteUser"] == 0
    record = next(i for i in items_of(tenant, "user-erasure"))
    assert (record["status"], record["done"]) == ("complete", ALL_STEPS)


def test_an_erased_person_cannot_be_enrolled_again(tenant: Tenant) -> None:
    admin = tenant.admin()
    student = tenant.invited(admin)
    course = published_course(tenant.instructor())
    assert admin.delete(f"/users/{student.user_id}").status == 202
    before = tenant.items()

    response = admin.post(f"/courses/{course['id']}/enrollments", {"student_id": student.user_id})

    refused = problem(response, 422, "not-a-student")
    assert refused["field"] == "student_id"
    assert tenant.items() == before


def test_only_admins_erase_and_never_themselves(tenant: Tenant) -> None:
    admin = tenant.admin()
    student = tenant.invited(admin)
    before = tenant.items()
    problem(student.delete(f"/users/{admin.user_id}"), 403, "forbidden")
    problem(tenant.instructor().delete(f"/users/{student.user_id}"), 403, "forbidden")
    problem(admin.delete(f"/users/{admin.user_id}"), 409, "self-administration")
    assert tenant.items() == before


def test_another_institutions_person_and_unknown_people_are_not_erased(
    tenant: Tenant, other_tenant: Tenant
) -> None:
    admin = tenant.admin()
    stranger = other_tenant.invited(other_tenant.admin())
    problem(admin.delete(f"/users/{stranger.user_id}"), 404, "user-not-found")
    path = f"/users/{stranger.user_id}?institution_id={other_tenant.institution_id}"
    problem(admin.delete(path), 404, "user-not-found")
    problem(admin.delete("/users/no-such-person"), 404, "user-not-found")
    assert other_tenant.event_types().count("UserErased") == 0


def test_a_platform_admin_erases_a_person_of_a_named_institution(tenant: Tenant) -> None:
    student = tenant.invited(tenant.admin())
    platform = tenant.platform_admin()
    problem(platform.delete(f"/users/{student.user_id}"), 404, "user-not-found")
    response = platform.delete(f"/users/{student.user_id}?institution_id={tenant.institution_id}")
    assert response.status == 202, response.body
    assert tenant.event_types().count("UserErased") == 1


# ---------------------------------------------------------------- following exports and erasures


def test_a_person_lists_their_exports_newest_first_a_page_at_a_time(tenant: Tenant) -> None:
    student = tenant.student()
    jobs = [request_export(student, student.user_id)["export_id"] for _ in range(3)]

    first = student.get(f"/users/{student.user_id}/exports", query={"limit": "2"})

    assert first.status == 200, first.body
    assert student.last_calls == expected_requests("GET", "/users/{user_id}/exports")
    page = first.json()
    assert [j["export_id"] for j in page["items"]] == jobs[::-1][:2]
    assert {j["status"] for j in page["items"]} == {"pending"}
    assert all(j["download_url"] is None for j in page["items"])
    rest = student.get(
        f"/users/{student.user_id}/exports", query={"limit": "2", "cursor": page["next_cursor"]}
    )
    assert [j["export_id"] for j in rest.json()["items"]] == jobs[:1]
    assert rest.json()["next_cursor"] is None


def test_an_admin_lists_a_person_s_exports_and_others_may_not(tenant: Tenant, other_tenant: Tenant) -> None:
    admin = tenant.admin()
    student, other = tenant.invited(admin), tenant.invited(admin)
    job = request_export(admin, student.user_id)

    listed = admin.get(f"/users/{student.user_id}/exports")

    assert [j["export_id"] for j in listed.json()["items"]] == [job["export_id"]]
    assert admin.last_calls == expected_requests("GET", "/users/{user_id}/exports", "someone else's")
    problem(other.get(f"/users/{student.user_id}/exports"), 403, "forbidden")
    stranger = other_tenant.invited(other_tenant.admin())
    problem(admin.get(f"/users/{stranger.user_id}/exports"), 404, "user-not-found")
    problem(admin.get("/users/no-such-person/exports"), 404, "user-not-found")
    cursor = student.get(f"/users/{student.user_id}/exports", query={"limit": "1"}).json()["next_cursor"]
    assert cursor is None
    problem(
        student.get(f"/users/{student.user_id}/exports", query={"cursor": "forged"}), 400, "invalid-cursor"
    )


def test_an_admin_follows_an_erasure_until_it_is_complete(stack: Stack, tenant: Tenant) -> None:
    admin = tenant.admin()
    student = tenant.invited(admin)
    problem(admin.get(f"/users/{student.user_id}/erasure"), 404, "erasure-not-found")
    erasure = admin.delete(f"/users/{student.user_id}").json()

    pending = admin.get(f"/users/{student.user_id}/erasure")

    assert pending.status == 200, pending.body
    assert admin.last_calls == expected_requests("GET", "/users/{user_id}/erasure")
    same = ("erasure_id", "user_id", "status", "requested_by", "completed_at")
    assert {k: pending.json()[k] for k in same} == {k: erasure[k] for k in same}
    drained(stack)
    complete = admin.get(f"/users/{student.user_id}/erasure").json()
    assert (complete["erasure_id"], complete["status"]) == (erasure["erasure_id"], "complete")
    assert complete["completed_at"] is not None


def test_only_admins_follow_erasures_and_only_of_their_institution(
    tenant: Tenant, other_tenant: Tenant
) -> None:
    admin = tenant.admin()
    student = tenant.invited(admin)
    assert admin.delete(f"/users/{student.user_id}").status == 202
    path = f"/users/{student.user_id}/erasure"
    problem(tenant.instructor().get(path), 403, "forbidden")
    problem(other_tenant.admin().get(path), 404, "erasure-not-found")
    problem(admin.get(path, query={"institution_id": other_tenant.institution_id}), 404, "user-not-found")
    platform = tenant.platform_admin()
    problem(platform.get(path), 404, "user-not-found")
    named = platform.get(path, query={"institution_id": tenant.institution_id})
    assert named.json()["status"] == "pending"
