"""Notification preferences: a person's choice over the institution's default over the platform's."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from lms.notifications.catalog import CATALOG, Category
from lms.notifications.errors import CategoryLocked, FrequencyNotOffered
from lms.notifications.mail_contract import MAX_RECIPIENTS, MailMessage
from lms.notifications.preferences import (
    PLATFORM_DEFAULTS,
    Channel,
    Frequency,
    Preferences,
    check_choices,
    merged,
)


def test_every_type_names_its_template_in_snake_case_and_only_account_types_are_locked() -> None:
    assert CATALOG["PromotedFromWaitlist"].template == "promoted_from_waitlist"
    assert CATALOG["GradeReleased"].template == "grade_released"
    locked = {name for name, t in CATALOG.items() if not t.switchable}
    assert locked == {"RosterImportFinished", "PrivacyExportReady"}


def test_a_person_s_choice_wins_over_the_institution_s_default_which_wins_over_the_platform_s() -> None:
    preferences = Preferences(
        user_id="u-1",
        choices={Category.GRADES: {Channel.EMAIL: Frequency.WEEKLY}},
        institution_defaults={
            Category.GRADES: {Channel.EMAIL: Frequency.OFF},
            Category.MESSAGES: {Channel.EMAIL: Frequency.DAILY},
        },
    )
    assert preferences.frequency(Category.GRADES, Channel.EMAIL) is Frequency.WEEKLY
    assert preferences.frequency(Category.MESSAGES, Channel.EMAIL) is Frequency.DAILY
    platform = PLATFORM_DEFAULTS[Category.PROGRESS][Channel.EMAIL]
    assert preferences.frequency(Category.PROGRESS, Channel.EMAIL) is platform
    assert preferences.frequency(Category.GRADES, Channel.IN_APP) is Frequency.IMMEDIATELY


def test_a_locked_category_is_immediate_whatever_was_stored() -> None:
    preferences = Preferences(user_id="u-1", choices={Category.ACCOUNT: {Channel.EMAIL: Frequency.OFF}})
    assert preferences.frequency(Category.ACCOUNT, Channel.EMAIL) is Frequency.IMMEDIATELY


def test_a_locked_category_cannot_be_switched_off_or_delayed() -> None:
    with pytest.raises(CategoryLocked):
        check_choices({Category.ACCOUNT: {Channel.EMAIL: Frequency.OFF}})
    with pytest.raises(CategoryLocked):
        check_choices({Category.ACCOUNT: {Channel.EMAIL: Frequency.DAILY}})
    check_choices({Category.ACCOUNT: {Channel.EMAIL: Frequency.IMMEDIATELY}})


def test_the_inbox_offers_no_digest() -> None:
    with pytest.raises(FrequencyNotOffered):
        check_choices({Category.GRADES: {Channel.IN_APP: Frequency.DAILY}})
    check_choices({Category.GRADES: {Channel.IN_APP: Frequency.OFF, Channel.EMAIL: Frequency.WEEKLY}})


def test_merging_a_change_keeps_the_other_channels_and_categories() -> None:
    choices = {
        Category.GRADES: {Channel.IN_APP: Frequency.OFF},
        Category.MESSAGES: {Channel.EMAIL: Frequency.DAILY},
    }
    result = merged(choices, {Category.GRADES: {Channel.EMAIL: Frequency.OFF}})
    assert result == {
        Category.GRADES: {Channel.IN_APP: Frequency.OFF, Channel.EMAIL: Frequency.OFF},
        Category.MESSAGES: {Channel.EMAIL: Frequency.DAILY},
    }


def test_a_mail_message_carries_between_one_and_fifty_recipients() -> None:
    notification = {
        "notification_id": "01J",
        "type": "GradeReleased",
        "category": "grades",
        "institution_id": "inst-1",
        "occurred_at": "2026-03-02T09:00:00Z",
        "actor_id": "teacher",
        "title": "Grade released",
        "body_text": "Your grade is out.",
        "link": "/assessments/quizzes/q-1",
    }
    recipients = [{"user_id": f"u-{n}", "frequency": "immediately"} for n in range(MAX_RECIPIENTS + 1)]
    with pytest.raises(ValidationError):
        MailMessage.model_validate({"notification": notification, "recipients": recipients})
    with pytest.raises(ValidationError):
        MailMessage.model_validate({"notification": notification, "recipients": []})
    message = MailMessage.model_validate({"notification": notification, "recipients": recipients[:50]})
    assert MailMessage.model_validate_json(message.model_dump_json()) == message
