"""The preferences store the mailer uses: effective preferences, and unsubscribing one category."""

from __future__ import annotations

import uuid

import pytest

from infra.provision import Stack
from lms.auth import Principal, Role
from lms.notifications.catalog import Category
from lms.notifications.errors import CategoryLocked
from lms.notifications.inbox import DynamoInbox
from lms.notifications.preferences import Channel, Frequency
from lms.notifications.privacy import CONTRIBUTOR
from lms.notifications.repository import DynamoPreferencesRepository
from tests.support.notifications import deliver


@pytest.fixture
def store(stack: Stack) -> DynamoPreferencesRepository:
    return DynamoPreferencesRepository()


def test_unsubscribing_one_category_keeps_the_other_choices(store: DynamoPreferencesRepository) -> None:
    institution = f"inst-{uuid.uuid4().hex[:8]}"
    store.save_institution_defaults(institution, {Category.MESSAGES: {Channel.EMAIL: Frequency.WEEKLY}})
    store.save_choices(institution, "u-1", {Category.GRADES: {Channel.IN_APP: Frequency.OFF}})
    store.set_email_frequency(institution, "u-1", "grades", "off")
    store.set_email_frequency(institution, "u-2", "announcements", "off")

    first = store.get_preferences(institution, "u-1")
    assert first.frequency(Category.GRADES, Channel.EMAIL) is Frequency.OFF
    assert first.frequency(Category.GRADES, Channel.IN_APP) is Frequency.OFF
    assert first.frequency(Category.MESSAGES, Channel.EMAIL) is Frequency.WEEKLY
    second = store.get_preferences(institution, "u-2")
    assert second.frequency(Category.ANNOUNCEMENTS, Channel.EMAIL) is Frequency.OFF
    assert store.get_preferences(institution, "u-3").choices == {}


def test_account_notices_cannot_be_unsubscribed(store: DynamoPreferencesRepository) -> None:
    with pytest.raises(CategoryLocked):
        store.set_email_frequency("inst-x", "u-1", "account", "off")


def test_a_person_s_notifications_and_preferences_are_exported_and_erased(
    store: DynamoPreferencesRepository,
) -> None:
    institution = f"inst-{uuid.uuid4().hex[:8]}"
    delivered = deliver(institution, ["u-1", "u-2"])
    store.save_choices(institution, "u-1", {Category.GRADES: {Channel.EMAIL: Frequency.OFF}})
    DynamoInbox().mark_all_read(institution, "u-1")
    store.save_institution_defaults(institution, {Category.GRADES: {Channel.EMAIL: Frequency.DAILY}})

    exported = CONTRIBUTOR.export(institution, "u-1")
    assert [n["notification_id"] for n in exported["notifications"]] == [delivered.notification_id]
    assert exported["notifications"][0]["notification_type"] == "GradeReleased"
    assert exported["preferences"] == [{"grades": {"email": "off"}}]

    CONTRIBUTOR.erase(
        institution, "u-1", Principal("admin", institution, frozenset({Role.INSTITUTION_ADMIN}))
    )
    CONTRIBUTOR.erase(
        institution, "u-1", Principal("admin", institution, frozenset({Role.INSTITUTION_ADMIN}))
    )
    assert CONTRIBUTOR.export(institution, "u-1") == {
        "notifications": [],
        "preferences": [],
        "reminded_of": [],
    }
    assert len(CONTRIBUTOR.export(institution, "u-2")["notifications"]) == 1
    assert store.institution_defaults(institution) == {Category.GRADES: {Channel.EMAIL: Frequency.DAILY}}
