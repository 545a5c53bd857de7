"""Announcement states: when one becomes visible, and which change announces its publication."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from lms.auth import Principal, Role
from lms.communication.announcements import domain
from lms.communication.announcements.domain import Announcement, AnnouncementStatus, Audience, Publication
from lms.communication.announcements.errors import AnnouncementAlreadyPublished, InvalidAudience

NOW = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)


def scheduled(at: datetime) -> Announcement:
    return Announcement(
        id="A1",
        institution_id="I1",
        course_id="C1",
        title="Exam",
        body="<p>Friday</p>",
        status=AnnouncementStatus.SCHEDULED,
        pinned=False,
        audience=Audience.EVERYONE,
        author_id="T1",
        created_at=NOW - timedelta(days=1),
        updated_at=NOW - timedelta(days=1),
        publish_at=at,
    )


def edit(current: Announcement, now: datetime, **changes: object) -> Announcement:
    fields = {"title": None, "body": None, "pinned": None, "audience": None, "publication": None, **changes}
    return domain.revise(current, now, **fields)  # type: ignore[arg-type]


def test_a_scheduled_announcement_is_visible_from_its_time_whatever_the_scheduler_did() -> None:
    at = NOW + timedelta(minutes=5)

    assert not scheduled(at).visible_at(NOW)
    assert scheduled(at).visible_at(at)
    assert scheduled(at).status_at(at) is AnnouncementStatus.PUBLISHED


def test_an_edit_after_its_time_records_the_publication_the_scheduler_had_not() -> None:
    current = scheduled(NOW - timedelta(minutes=1))

    revised = edit(current, NOW, title="Exam moved")

    assert revised.status is AnnouncementStatus.PUBLISHED
    assert revised.publish_at == current.publish_at
    assert domain.becomes_published(current, revised)
    assert not domain.becomes_published(revised, edit(revised, NOW, title="again"))


def test_a_past_time_publishes_now_and_a_future_one_schedules() -> None:
    assert domain.new_state(Publication(draft=False, publish_at=NOW - timedelta(days=1)), NOW) == (
        AnnouncementStatus.PUBLISHED,
        NOW,
    )
    later = NOW + timedelta(hours=1)
    assert domain.new_state(Publication(draft=False, publish_at=later), NOW) == (
        AnnouncementStatus.SCHEDULED,
        later,
    )
    assert domain.new_state(Publication(draft=True, publish_at=later), NOW) == (
        AnnouncementStatus.DRAFT,
        None,
    )


def test_a_published_announcement_is_not_taken_back() -> None:
    current = scheduled(NOW - timedelta(minutes=1))

    with pytest.raises(AnnouncementAlreadyPublished):
        edit(current, NOW, publication=Publication(draft=True))


def test_a_course_announcement_has_no_role_audience() -> None:
    with pytest.raises(InvalidAudience):
        edit(scheduled(NOW + timedelta(days=1)), NOW, audience=Audience.STUDENTS)


@pytest.mark.parametrize(
    ("roles", "audiences"),
    [
        ({Role.STUDENT}, {Audience.EVERYONE, Audience.STUDENTS}),
        ({Role.INSTRUCTOR}, {Audience.EVERYONE, Audience.INSTRUCTORS}),
        ({Role.INSTITUTION_ADMIN}, set(Audience)),
    ],
)
def test_each_role_reads_the_institution_s_announcements_meant_for_it(
    roles: set[Role], audiences: set[Audience]
) -> None:
    assert domain.audiences_of(Principal("U1", "I1", frozenset(roles))) == audiences
