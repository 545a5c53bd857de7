"""A store's signed orders through the handler: paid grants access, a refund revokes it, once each."""

from __future__ import annotations

import time
from typing import Any

import pytest

from bench.expectations import expected_requests
from infra.gateway import ApiGateway
from infra.provision import Stack
from tests.support.client import Caller, InProcess, problem
from tests.support.commerce import commerce_key, orders_path, send_order
from tests.support.courses import published_course
from tests.support.tenant import Tenant

ORDERS = "/commerce/institutions/{institution_id}/orders"
EUR_49 = {"amount": "49.00", "currency": "EUR"}


@pytest.fixture
def store(gateway: ApiGateway) -> Caller:
    return Caller(InProcess(gateway), None)


def _paid(course_id: str, student: Caller, order_id: str, **extra: Any) -> dict[str, Any]:
    return {
        "order_id": order_id,
        "status": "paid",
        "course_id": course_id,
        "user_id": student.user_id,
        **extra,
    }


def _of_entity(tenant: Tenant, entity: str) -> list[dict[str, Any]]:
    return [item for item in tenant.items() if item.get("entity") == entity]


def test_a_paid_order_grants_access_once_and_the_same_order_again_gets_the_same_answer(
    stack: Stack, tenant: Tenant, store: Caller
) -> None:
    admin = tenant.admin()
    student, classmate = tenant.invited(admin), tenant.invited(admin)
    course = published_course(tenant.instructor(), price=EUR_49)["id"]
    key = commerce_key(stack, tenant.institution_id)
    problem(student.post(f"/courses/{course}/enrollments", {}), 402, "payment-required")

    paid = send_order(store, tenant.institution_id, key, _paid(course, student, "ord-1"))
    assert paid.status == 201, paid.body
    assert store.last_calls == expected_requests("POST", ORDERS)
    body = paid.json()
    assert (body["order_id"], body["course_id"], body["student_id"], body["status"]) == (
        "ord-1",
        course,
        student.user_id,
        "granted",
    )
    event = tenant.events()[-1]
    assert event["type"] == "lms.courses.EntitlementGranted.v1"
    assert event["data"] == {
        "course_id": course,
        "student_id": student.user_id,
        "granted_by": "commerce",
        "origin": "commerce",
        "order_id": "ord-1",
    }

    again = send_order(store, tenant.institution_id, key, _paid(course, student, "ord-1"))
    assert (again.status, again.json()) == (201, body)
    assert again.header("Idempotent-Replayed") == "true"
    assert store.last_calls == expected_requests("POST", ORDERS, "same message again")
    other_student = _paid(course, classmate, "ord-1")
    problem(send_order(store, tenant.institution_id, key, other_student), 409, "order-conflict")
    second = send_order(store, tenant.institution_id, key, _paid(course, student, "ord-2"))
    problem(second, 409, "entitlement-exists")
    assert tenant.event_types().count("EntitlementGranted") == 1
    assert len(_of_entity(tenant, "commerce-order")) == 1

    assert student.post(f"/courses/{course}/enrollments", {}).status == 201
    refund = {**_paid(course, student, "ord-1"), "status": "refunded"}
    problem(send_order(store, tenant.institution_id, key, refund), 409, "entitlement-consumed")
    assert [o["status"] for o in _of_entity(tenant, "commerce-order")] == ["granted"]


def test_a_refund_revokes_the_unused_entitlement_and_is_idempotent_too(
    stack: Stack, tenant: Tenant, store: Caller
) -> None:
    admin = tenant.admin()
    student = tenant.invited(admin)
    course = published_course(tenant.instructor(), price={"amount": "1500", "currency": "JPY"})["id"]
    key = commerce_key(stack, tenant.institution_id)
    email = admin.get(f"/users/{student.user_id}").json()["email"]
    by_email = {"order_id": "ord-9", "status": "paid", "course_id": course, "email": email.upper()}
    granted = send_order(store, tenant.institution_id, key, by_email)
    assert granted.status == 201, granted.body
    assert store.last_calls == expected_requests("POST", ORDERS, "by e-mail")
    assert granted.json()["student_id"] == student.user_id

    refund = {**by_email, "status": "refunded"}
    revoked = send_order(store, tenant.institution_id, key, refund)
    assert revoked.status == 200, revoked.body
    assert store.last_calls == expected_requests("POST", ORDERS, "refund")
    assert revoked.json()["status"] == "revoked"
    assert tenant.events()[-1]["type"] == "lms.courses.EntitlementRevoked.v1"
    assert tenant.events()[-1]["data"] == {
        "course_id": course,
        "student_id": student.user_id,
        "origin": "commerce",
        "order_id": "ord-9",
        "reason": "refunded",
    }
    again = send_order(store, tenant.institution_id, key, refund)
    assert (again.status, again.json(), again.header("Idempotent-Replayed")) == (200, revoked.json(), "true")
    cancelled = {**by_email, "status": "cancelled"}
    problem(send_order(store, tenant.institution_id, key, cancelled), 409, "order-conflict")
    # The paid message again is answered as it was first, and grants nothing again.
    replayed = send_order(store, tenant.institution_id, key, by_email)
    assert (replayed.status, replayed.json()) == (201, granted.json())
    assert _of_entity(tenant, "entitlement") == []
    problem(student.post(f"/courses/{course}/enrollments", {}), 402, "payment-required")

    unknown = {**refund, "order_id": "never-paid"}
    problem(send_order(store, tenant.institution_id, key, unknown), 404, "order-not-found")
    paid = send_order(store, tenant.institution_id, key, {**by_email, "order_id": "ord-10"})
    assert paid.status == 201
    elsewhere = {**by_email, "order_id": "ord-10", "status": "cancelled", "course_id": "another-course"}
    problem(send_order(store, tenant.institution_id, key, elsewhere), 409, "order-conflict")
    assert tenant.event_types().count("EntitlementRevoked") == 1


def test_unsigned_stale_or_foreign_requests_are_refused_before_the_body_is_read(
    stack: Stack, tenant: Tenant, other_tenant: Tenant, store: Caller
) -> None:
    admin = tenant.admin()
    student = tenant.invited(admin)
    course = published_course(tenant.instructor(), price=EUR_49)["id"]
    key = commerce_key(stack, tenant.institution_id)
    order = _paid(course, student, "ord-x")
    inst = tenant.institution_id
    unsigned = store.request("POST", orders_path(inst), json_body=order)
    assert problem(unsigned, 401, "commerce-signature-invalid")["detail"].startswith("The request carries no")
    problem(send_order(store, inst, key, order, signature="t=1,v1=00"), 401, "commerce-signature-invalid")
    problem(send_order(store, inst, key, order, signature="v1=abc"), 401, "commerce-signature-invalid")
    problem(send_order(store, inst, key, order, signature="t=abc,v1=00"), 401, "commerce-signature-invalid")
    foreign = commerce_key(stack, other_tenant.institution_id)
    problem(send_order(store, inst, foreign, order), 401, "commerce-signature-invalid")
    now = time.time()
    problem(send_order(store, inst, key, order, signed_at=now - 301), 401, "commerce-signature-stale")
    problem(send_order(store, inst, key, order, signed_at=now + 301), 401, "commerce-signature-stale")
    assert store.last_calls == expected_requests("POST", ORDERS, "signature refused")
    garbage = store.request(
        "POST", orders_path(inst), body="{not json", headers={"Lms-Signature": "t=1,v1=0"}
    )
    problem(garbage, 401, "commerce-signature-invalid")
    assert _of_entity(tenant, "commerce-order") == []
    assert _of_entity(tenant, "entitlement") == []


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"order_id": None}, "order_id"),
        ({"order_id": "has spaces"}, "order_id"),
        ({"status": "shipped"}, "status"),
        ({"course_id": None}, "course_id"),
        ({"email": "someone@example.org"}, "body"),  # both ways of naming the student
        ({"user_id": None}, "body"),  # neither
        ({"email": "not-an-address", "user_id": None}, "email"),
        ({"coupon": "FREE"}, "coupon"),
    ],
)
def test_signed_but_invalid_orders_are_refused(
    stack: Stack, tenant: Tenant, store: Caller, change: dict[str, Any], field: str
) -> None:
    order = {"order_id": "ord-v", "status": "paid", "course_id": "c-1", "user_id": "u-1", **change}
    order = {name: value for name, value in order.items() if value is not None}
    refused = send_order(store, tenant.institution_id, commerce_key(stack, tenant.institution_id), order)
    errors = problem(refused, 422, "validation-failed")["errors"]
    assert field in {e["field"] for e in errors}, errors


def test_orders_naming_what_the_institution_lacks_are_refused(
    stack: Stack, tenant: Tenant, other_tenant: Tenant, store: Caller
) -> None:
    admin = tenant.admin()
    student = tenant.invited(admin)
    instructor = tenant.instructor()
    paid = published_course(instructor, price=EUR_49)["id"]
    free = published_course(instructor)["id"]
    theirs = published_course(other_tenant.instructor(), price=EUR_49)["id"]
    inst, key = tenant.institution_id, commerce_key(stack, tenant.institution_id)

    def refused(message: dict[str, Any], status: int, slug: str) -> None:
        problem(send_order(store, inst, key, message), status, slug)

    refused(_paid("no-such-course", student, "o-1"), 404, "course-not-found")
    refused(_paid(theirs, student, "o-2"), 404, "course-not-found")
    refused(_paid(free, student, "o-3"), 409, "course-is-free")
    refused({**_paid(paid, student, "o-4"), "user_id": "nobody"}, 404, "order-student-not-found")
    refused({**_paid(paid, student, "o-5"), "user_id": instructor.user_id}, 404, "order-student-not-found")
    refused({**_paid(paid, tenant.student(), "o-6")}, 404, "order-student-not-found")  # no profile
    unknown_email = {"order_id": "o-7", "status": "paid", "course_id": paid, "email": "nobody@example.org"}
    refused(unknown_email, 404, "order-student-not-found")
    assert admin.post(f"/users/{student.user_id}/suspend").status == 200
    refused(_paid(paid, student, "o-8"), 404, "order-student-not-found")
    # Another institution's path with its own key reaches none of this one's courses.
    other_key = commerce_key(stack, other_tenant.institution_id)
    answer = send_order(store, other_tenant.institution_id, other_key, _paid(paid, student, "o-9"))
    problem(answer, 404, "course-not-found")
    problem(send_order(store, "bad id!", key, _paid(paid, student, "o-10")), 404, "not-found")
    assert _of_entity(tenant, "commerce-order") == []
    assert _of_entity(tenant, "entitlement") == []
    assert "EntitlementGranted" not in tenant.event_types()
