"""Prices in exact decimals of their currency's minor units, the catalog's price filters, paid enrollment."""

from __future__ import annotations

from typing import Any

import pytest

from bench.expectations import expected_requests
from tests.support.client import problem
from tests.support.courses import course_body, published_course
from tests.support.tenant import Tenant


@pytest.mark.parametrize(
    ("price", "shown"),
    [
        ({"amount": "49.9", "currency": "EUR"}, {"amount": "49.90", "currency": "EUR"}),
        ({"amount": "1500", "currency": "JPY"}, {"amount": "1500", "currency": "JPY"}),
        ({"amount": "12.345", "currency": "KWD"}, {"amount": "12.345", "currency": "KWD"}),
        ({"amount": 20, "currency": "USD"}, {"amount": "20.00", "currency": "USD"}),
    ],
)
def test_a_price_is_exact_in_its_currency_s_minor_units(
    tenant: Tenant, price: dict[str, Any], shown: dict[str, str]
) -> None:
    created = tenant.instructor().post("/courses", course_body(price=price))
    assert created.status == 201, created.body
    assert created.json()["price"] == shown


@pytest.mark.parametrize(
    "price",
    [
        {"amount": "1500.5", "currency": "JPY"},
        {"amount": "1.2345", "currency": "KWD"},
        {"amount": 49.9, "currency": "EUR"},
        {"amount": "0", "currency": "EUR"},
        {"amount": "-5", "currency": "EUR"},
        {"amount": "5", "currency": "ABC"},
        {"amount": "5", "currency": "XXX"},
        {"amount": "NaN", "currency": "EUR"},
        {"amount": "5"},
        {"amount": "5", "currency": "EUR", "extra": 1},
    ],
)
def test_invalid_prices_are_refused(tenant: Tenant, price: dict[str, Any]) -> None:
    body = problem(tenant.instructor().post("/courses", course_body(price=price)), 422, "validation-failed")
    assert body["errors"][0]["field"].startswith("price")


def test_a_course_becomes_free_again(tenant: Tenant) -> None:
    instructor = tenant.instructor()
    course = instructor.post("/courses", course_body(price={"amount": "10", "currency": "EUR"})).json()
    free = instructor.patch(f"/courses/{course['id']}", {"price": None}, version=1)
    assert free.status == 200, free.body
    assert free.json()["price"] is None


def test_the_catalog_filters_counts_and_sorts_by_price(tenant: Tenant) -> None:
    instructor, student = tenant.instructor(), tenant.student()
    published_course(instructor, title="Free one")
    published_course(instructor, title="Cheap", price={"amount": "9.99", "currency": "EUR"})
    published_course(instructor, title="Dear", price={"amount": "120", "currency": "EUR"})
    published_course(instructor, title="Yen", price={"amount": "1500", "currency": "JPY"})

    everything = student.get("/courses", query={"sort": "price"}).json()
    assert [c["title"] for c in everything["items"]] == ["Free one", "Cheap", "Dear", "Yen"]
    assert everything["facets"]["prices"] == {"free": 1, "paid": 3}
    free = student.get("/courses", query={"free": "true"}).json()["items"]
    assert [c["title"] for c in free] == ["Free one"]
    euros = student.get("/courses", query={"currency": "EUR", "min_price": "10", "max_price": "200"}).json()
    assert [c["title"] for c in euros["items"]] == ["Dear"]
    assert euros["facets"]["prices"] == {"free": 0, "paid": 1}
    problem(student.get("/courses", query={"min_price": "10"}), 422, "invalid-price-range")
    problem(
        student.get("/courses", query={"currency": "JPY", "max_price": "10.5"}), 422, "invalid-price-range"
    )
    problem(student.get("/courses", query={"currency": "euro"}), 422, "validation-failed")


def test_a_paid_course_answers_402_until_an_admin_grants_access(tenant: Tenant, other_tenant: Tenant) -> None:
    instructor, student, admin = tenant.instructor(), tenant.student(), tenant.admin()
    course = published_course(instructor, price={"amount": "49.00", "currency": "EUR"})
    enrollments = f"/courses/{course['id']}/enrollments"
    refused = problem(student.post(enrollments, {}), 402, "payment-required")
    assert refused["how_to_get_access"] == ["purchase", "institution-admin-grant"]
    assert f"/courses/{course['id']}/entitlements" in refused["detail"]

    grants = f"/courses/{course['id']}/entitlements"
    problem(instructor.post(grants, {"student_id": student.user_id}), 403, "forbidden")
    problem(student.post(grants, {"student_id": student.user_id}), 403, "forbidden")
    problem(other_tenant.admin().post(grants, {"student_id": student.user_id}), 404, "course-not-found")
    problem(
        admin.post("/courses/no-such-course/entitlements", {"student_id": student.user_id}),
        404,
        "course-not-found",
    )
    problem(admin.post(grants, {}), 422, "validation-failed")
    granted = admin.post(grants, {"student_id": student.user_id})
    assert granted.status == 201, granted.body
    assert admin.last_calls == expected_requests("POST", "/courses/{course_id}/entitlements")
    assert granted.json()["status"] == "granted"
    assert tenant.events()[-1]["type"] == "lms.courses.EntitlementGranted.v1"
    problem(admin.post(grants, {"student_id": student.user_id}), 409, "entitlement-exists")

    enrolled = student.post(enrollments, {})
    assert enrolled.status == 201, enrolled.body
    assert student.delete(f"{enrollments}/{student.user_id}").status == 204
    problem(student.post(enrollments, {}), 402, "payment-required")  # the entitlement was used
    assert admin.post(grants, {"student_id": student.user_id}).status == 201  # a new one after use


def test_staff_enroll_students_in_paid_courses_and_free_courses_need_no_grant(tenant: Tenant) -> None:
    instructor, student, admin = tenant.instructor(), tenant.student(), tenant.admin()
    paid = published_course(instructor, price={"amount": "5", "currency": "USD"})
    placed = instructor.post(f"/courses/{paid['id']}/enrollments", {"student_id": student.user_id})
    assert placed.status == 201, placed.body
    free = published_course(instructor)
    problem(
        admin.post(f"/courses/{free['id']}/entitlements", {"student_id": student.user_id}),
        409,
        "course-is-free",
    )


def test_a_retried_grant_with_its_idempotency_key_answers_the_first_response(tenant: Tenant) -> None:
    admin, student = tenant.admin(), tenant.student()
    course = published_course(tenant.instructor(), price={"amount": "1500", "currency": "JPY"})
    grants = f"/courses/{course['id']}/entitlements"
    headers = {"Idempotency-Key": "grant-once-1"}
    first = admin.post(grants, {"student_id": student.user_id}, headers=headers)
    assert first.status == 201, first.body
    assert admin.last_calls == expected_requests(
        "POST", "/courses/{course_id}/entitlements", "Idempotency-Key"
    )
    again = admin.post(grants, {"student_id": student.user_id}, headers=headers)
    assert (again.status, again.json()) == (201, first.json())
    assert again.header("Idempotent-Replayed") == "true"
    assert admin.last_calls == expected_requests(
        "POST", "/courses/{course_id}/entitlements", "Idempotency-Key replay"
    )
    other = tenant.student()
    problem(admin.post(grants, {"student_id": other.user_id}, headers=headers), 422, "idempotency-key-reused")
    problem(
        admin.post(grants, {"student_id": student.user_id}, headers={"Idempotency-Key": "b"}),
        409,
        "entitlement-exists",
    )
    assert tenant.event_types().count("EntitlementGranted") == 1
