"""Notification preferences over the API: a person's choices over their institution's defaults."""

from __future__ import annotations

import pytest

from bench.expectations import expected_requests
from tests.support.client import Caller, problem
from tests.support.tenant import Tenant

PREFERENCES = "/users/me/notification-preferences"


@pytest.fixture
def student(tenant: Tenant) -> Caller:
    return tenant.student()


def _defaults(tenant: Tenant) -> str:
    return f"/institutions/{tenant.institution_id}/notification-defaults"


def test_a_new_person_has_the_platform_defaults_and_account_notices_are_locked(student: Caller) -> None:
    response = student.get(PREFERENCES)
    assert response.status == 200, response.body
    body = response.json()
    assert body["chosen"] == {}
    assert body["categories"]["grades"] == {
        "in_app": "immediately",
        "email": "immediately",
        "switchable": True,
    }
    assert body["categories"]["discussions"]["email"] == "daily"
    assert body["categories"]["account"]["switchable"] is False
    assert student.last_calls == expected_requests("GET", "/users/me/notification-preferences")


def test_a_person_s_choices_replace_their_earlier_ones_over_the_institution_s_defaults(
    tenant: Tenant, student: Caller
) -> None:
    admin = tenant.admin()
    defaults = admin.put(
        _defaults(tenant), {"categories": {"grades": {"email": "weekly"}, "progress": {"email": "off"}}}
    )
    assert defaults.status == 200, defaults.body
    assert defaults.json()["categories"]["grades"] == {"in_app": None, "email": "weekly"}
    assert admin.get(_defaults(tenant)).json() == defaults.json()

    assert student.get(PREFERENCES).json()["categories"]["grades"]["email"] == "weekly"
    changed = student.put(PREFERENCES, {"categories": {"grades": {"email": "off", "in_app": "off"}}})
    assert changed.status == 200, changed.body
    assert changed.json()["categories"]["grades"] == {"in_app": "off", "email": "off", "switchable": True}
    assert changed.json()["categories"]["progress"]["email"] == "off"
    assert student.last_calls == expected_requests("PUT", "/users/me/notification-preferences")

    replaced = student.put(PREFERENCES, {"categories": {"messages": {"email": "daily"}}}).json()
    assert replaced["categories"]["grades"]["email"] == "weekly"  # no longer chosen: the default again
    assert replaced["chosen"] == {"messages": {"in_app": None, "email": "daily"}}
    assert student.get(PREFERENCES).json() == replaced
    assert student.put(PREFERENCES, {"categories": {"messages": {"email": "daily"}}}).json() == replaced


def test_account_notices_cannot_be_switched_off_or_delayed(tenant: Tenant, student: Caller) -> None:
    for frequency in ("off", "daily"):
        change = {"categories": {"account": {"email": frequency}}}
        problem(student.put(PREFERENCES, change), 422, "notification-category-locked")
        problem(tenant.admin().put(_defaults(tenant), change), 422, "notification-category-locked")
    assert student.put(PREFERENCES, {"categories": {"account": {"email": "immediately"}}}).status == 200


@pytest.mark.parametrize(
    ("body", "slug"),
    [
        ({}, "validation-failed"),
        ({"categories": {"grades": {"in_app": "daily"}}}, "notification-frequency-not-offered"),
        ({"categories": {"grades": {"email": "hourly"}}}, "validation-failed"),
        ({"categories": {"gossip": {"email": "off"}}}, "validation-failed"),
        ({"categories": {"grades": {"sms": "off"}}}, "validation-failed"),
        ({"categories": {"grades": "off"}}, "validation-failed"),
        ({"categories": {}, "extra": 1}, "validation-failed"),
    ],
)
def test_invalid_choices_are_refused(student: Caller, body: dict[str, object], slug: str) -> None:
    problem(student.put(PREFERENCES, body), 422, slug)
    assert student.get(PREFERENCES).json()["chosen"] == {}


def test_only_the_institution_s_own_admins_read_and_change_its_defaults(
    tenant: Tenant, other_tenant: Tenant, student: Caller
) -> None:
    change = {"categories": {"grades": {"email": "off"}}}
    problem(student.get(_defaults(tenant)), 403, "forbidden")
    problem(tenant.instructor().put(_defaults(tenant), change), 403, "forbidden")
    stranger = other_tenant.admin()
    problem(stranger.get(_defaults(tenant)), 404, "notification-institution-not-found")
    problem(stranger.put(_defaults(tenant), change), 404, "notification-institution-not-found")
    problem(tenant.admin().get("/institutions/%20x/notification-defaults"), 404, "not-found")
    assert tenant.admin().get(_defaults(tenant)).json() == {
        "institution_id": tenant.institution_id,
        "categories": {},
    }
