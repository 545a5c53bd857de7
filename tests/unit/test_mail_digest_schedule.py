"""Digest times: 08:00 in the person's own time zone, every day or on Mondays, DST included."""

from __future__ import annotations

from datetime import UTC, datetime

from lms.notifications.mail.schedule import next_due


def test_a_daily_digest_is_due_at_the_next_8_in_the_persons_zone() -> None:
    evening = datetime(2026, 12, 7, 22, 0, tzinfo=UTC)  # 23:00 in Paris
    assert next_due("daily", evening, "Europe/Paris") == datetime(2026, 12, 8, 7, 0, tzinfo=UTC)
    morning = datetime(2026, 12, 7, 6, 59, tzinfo=UTC)  # 07:59 in Paris
    assert next_due("daily", morning, "Europe/Paris") == datetime(2026, 12, 7, 7, 0, tzinfo=UTC)
    at_eight = datetime(2026, 12, 7, 7, 0, tzinfo=UTC)
    assert next_due("daily", at_eight, "Europe/Paris") == datetime(2026, 12, 8, 7, 0, tzinfo=UTC)


def test_a_weekly_digest_is_due_on_the_next_monday_at_8() -> None:
    monday_noon = datetime(2026, 12, 7, 17, 0, tzinfo=UTC)  # Monday 12:00 in New York
    assert next_due("weekly", monday_noon, "America/New_York") == datetime(2026, 12, 14, 13, 0, tzinfo=UTC)
    sunday = datetime(2026, 12, 6, 10, 0, tzinfo=UTC)
    assert next_due("weekly", sunday, "America/New_York") == datetime(2026, 12, 7, 13, 0, tzinfo=UTC)


def test_8_stays_8_across_a_daylight_saving_change() -> None:
    before_change = datetime(2026, 3, 28, 12, 0, tzinfo=UTC)  # Paris changes on 29 March
    assert next_due("daily", before_change, "Europe/Paris") == datetime(2026, 3, 29, 6, 0, tzinfo=UTC)


def test_an_unknown_or_missing_zone_is_utc() -> None:
    moment = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
    assert next_due("daily", moment, "Mars/Olympus") == datetime(2026, 12, 8, 8, 0, tzinfo=UTC)
    assert next_due("daily", moment, None) == datetime(2026, 12, 8, 8, 0, tzinfo=UTC)
