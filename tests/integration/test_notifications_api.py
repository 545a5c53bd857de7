"""The inbox API: a person's own notifications, listed, counted, marked read and deleted."""

from __future__ import annotations

import pytest

from bench.expectations import expected_requests
from tests.support.client import Caller, problem
from tests.support.notifications import deliver
from tests.support.tenant import Tenant


@pytest.fixture
def student(tenant: Tenant) -> Caller:
    return tenant.student()


def _ids(response_body: dict[str, object]) -> list[str]:
    return [str(item["id"]) for item in response_body["items"]]  # type: ignore[attr-defined]


def test_a_person_sees_only_their_own_notifications_newest_first(tenant: Tenant, student: Caller) -> None:
    other = tenant.student()
    first = deliver(tenant.institution_id, [student.user_id], title="First")
    second = deliver(tenant.institution_id, [student.user_id, other.user_id], title="Second")

    response = student.get("/notifications")
    assert response.status == 200, response.body
    body = response.json()
    assert _ids(body) == [second.notification_id, first.notification_id]
    item = body["items"][0]
    assert item["type"] == "GradeReleased"
    assert item["category"] == "grades"
    assert item["title"] == "Second"
    assert item["data"] == {"score": "8"}
    assert item["read"] is False
    assert student.last_calls == expected_requests("GET", "/notifications")
    assert _ids(other.get("/notifications").json()) == [second.notification_id]


def test_pages_follow_the_cursor_and_a_foreign_cursor_is_refused(tenant: Tenant, student: Caller) -> None:
    delivered = [deliver(tenant.institution_id, [student.user_id]).notification_id for _ in range(3)]
    first = student.get("/notifications", query={"limit": "2"}).json()
    assert _ids(first) == delivered[::-1][:2]
    rest = student.get("/notifications", query={"limit": "2", "cursor": first["next_cursor"]}).json()
    assert _ids(rest) == delivered[:1]
    other = tenant.student()
    problem(other.get("/notifications", query={"cursor": first["next_cursor"]}), 400, "invalid-cursor")
    problem(student.get("/notifications", query={"limit": "0"}), 422, "validation-failed")
    problem(student.get("/notifications", query={"unread": "maybe"}), 422, "validation-failed")


def test_reading_one_and_reading_all_change_the_unread_list_and_count(
    tenant: Tenant, student: Caller
) -> None:
    one, two, three = (deliver(tenant.institution_id, [student.user_id]) for _ in range(3))
    count = student.get("/notifications/unread-count")
    assert count.json() == {"unread": 3, "capped": False}
    assert student.last_calls == expected_requests("GET", "/notifications/unread-count")

    assert student.post(f"/notifications/{two.notification_id}/read").status == 204
    assert student.last_calls == expected_requests("POST", "/notifications/{notification_id}/read")
    assert student.post(f"/notifications/{two.notification_id}/read").status == 204  # again: no change
    unread = student.get("/notifications", query={"unread": "true"}).json()
    assert _ids(unread) == [three.notification_id, one.notification_id]
    assert student.get("/notifications/unread-count").json()["unread"] == 2
    listed = {i["id"]: i for i in student.get("/notifications").json()["items"]}
    assert listed[two.notification_id]["read"] is True
    assert listed[two.notification_id]["read_at"] is not None

    assert student.post("/notifications/read-all").status == 204
    assert student.last_calls == expected_requests("POST", "/notifications/read-all")
    assert student.get("/notifications/unread-count").json()["unread"] == 0
    assert student.get("/notifications", query={"unread": "true"}).json()["items"] == []
    assert all(i["read"] for i in student.get("/notifications").json()["items"])

    later = deliver(tenant.institution_id, [student.user_id])
    assert _ids(student.get("/notifications", query={"unread": "true"}).json()) == [later.notification_id]


def test_a_deleted_notification_is_gone_and_deleting_it_again_is_not_found(
    tenant: Tenant, student: Caller
) -> None:
    kept, deleted = (deliver(tenant.institution_id, [student.user_id]) for _ in range(2))
    assert student.delete(f"/notifications/{deleted.notification_id}").status == 204
    assert student.last_calls == expected_requests("DELETE", "/notifications/{notification_id}")
    assert _ids(student.get("/notifications").json()) == [kept.notification_id]
    assert student.get("/notifications/unread-count").json()["unread"] == 1
    problem(student.delete(f"/notifications/{deleted.notification_id}"), 404, "notification-not-found")


def test_unknown_and_other_people_s_notifications_are_not_found(
    tenant: Tenant, other_tenant: Tenant, student: Caller
) -> None:
    mine = deliver(tenant.institution_id, [student.user_id])
    classmate = tenant.student()
    stranger = other_tenant.student()
    for caller in (classmate, stranger):
        problem(caller.post(f"/notifications/{mine.notification_id}/read"), 404, "notification-not-found")
        problem(caller.delete(f"/notifications/{mine.notification_id}"), 404, "notification-not-found")
    problem(student.post("/notifications/nope/read"), 404, "notification-not-found")
    problem(student.post("/notifications/%20bad%20/read"), 404, "not-found")
    assert student.get("/notifications/unread-count").json()["unread"] == 1


def test_the_unread_count_stops_at_its_cap(tenant: Tenant, student: Caller) -> None:
    from lms.notifications.inbox import UNREAD_COUNT_CAP

    for _ in range(UNREAD_COUNT_CAP + 2):
        deliver(tenant.institution_id, [student.user_id])
    assert student.get("/notifications/unread-count").json() == {"unread": UNREAD_COUNT_CAP, "capped": True}
    assert student.last_calls == expected_requests("GET", "/notifications/unread-count")


@pytest.mark.parametrize("role", ["instructors", "institution-admins"])
def test_staff_have_an_inbox_too(tenant: Tenant, role: str) -> None:
    person = tenant.user(role)
    delivered = deliver(tenant.institution_id, [person.user_id])
    assert _ids(person.get("/notifications").json()) == [delivered.notification_id]


def test_a_platform_admin_has_no_inbox(tenant: Tenant) -> None:
    problem(tenant.platform_admin().get("/notifications"), 403, "forbidden")


def test_without_a_token_the_gateway_refuses(tenant: Tenant, student: Caller) -> None:
    anonymous = Caller(student.transport, None)
    assert anonymous.get("/notifications").status == 401
