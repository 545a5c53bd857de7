"""The announcement port's contract on an institution's board, held by the table's repository and by
the in-memory fake: a change commits only against the version read, a scheduled publication once."""

from __future__ import annotations

import dataclasses
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from lms.auth import Principal, Role
from lms.communication.announcements.domain import Announcement, AnnouncementStatus, Audience
from lms.communication.announcements.errors import AnnouncementChangedMeanwhile
from lms.communication.announcements.repository import DynamoAnnouncementRepository
from lms.communication.announcements.service import AnnouncementRepository
from tests.support.fakes import InMemoryAnnouncements

AT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture(params=["table", "in-memory"])
def port(request: pytest.FixtureRequest) -> AnnouncementRepository:
    if request.param == "table":
        request.getfixturevalue("stack")
        return DynamoAnnouncementRepository()
    return InMemoryAnnouncements()


@pytest.fixture
def admin() -> Principal:
    return Principal("u-admin", f"inst-{uuid.uuid4().hex[:8]}", frozenset({Role.INSTITUTION_ADMIN}))


def _draft(admin: Principal, **changes: object) -> Announcement:
    draft = Announcement(
        id=uuid.uuid4().hex,
        institution_id=admin.institution_id,
        course_id=None,
        title="Library hours",
        body="<p>Open late in exam week.</p>",
        status=AnnouncementStatus.DRAFT,
        pinned=False,
        audience=Audience.EVERYONE,
        author_id=admin.user_id,
        created_at=AT,
        updated_at=AT,
    )
    return dataclasses.replace(draft, **changes)  # type: ignore[arg-type]


def test_a_created_announcement_is_read_back_and_an_unknown_one_is_none(
    port: AnnouncementRepository, admin: Principal
) -> None:
    draft = _draft(admin)
    port.create(draft, admin, [], None)
    assert port.get(admin.institution_id, None, draft.id) == draft
    assert port.get(admin.institution_id, None, "no-such-id") is None
    assert port.get("inst-other", None, draft.id) is None


def test_a_change_commits_only_against_the_version_read(
    port: AnnouncementRepository, admin: Principal
) -> None:
    draft = _draft(admin)
    port.create(draft, admin, [], None)
    edited = dataclasses.replace(draft, title="Library hours (updated)", version=2)
    port.save(draft, edited, admin, [])
    with pytest.raises(AnnouncementChangedMeanwhile):
        port.save(draft, dataclasses.replace(draft, title="Lost update", version=2), admin, [])
    with pytest.raises(AnnouncementChangedMeanwhile):
        port.delete(draft, admin, [])
    assert port.get(admin.institution_id, None, draft.id) == edited
    port.delete(edited, admin, [])
    assert port.get(admin.institution_id, None, draft.id) is None


def test_a_scheduled_publication_is_recorded_once(port: AnnouncementRepository, admin: Principal) -> None:
    scheduled = _draft(admin, status=AnnouncementStatus.SCHEDULED, publish_at=AT + timedelta(hours=1))
    port.create(scheduled, admin, [], None)
    published = dataclasses.replace(scheduled, status=AnnouncementStatus.PUBLISHED, version=2)
    port.record_publication(scheduled, published, admin, [])
    with pytest.raises(AnnouncementChangedMeanwhile):
        port.record_publication(published, dataclasses.replace(published, version=3), admin, [])
    assert port.get(admin.institution_id, None, scheduled.id) == published


def test_a_read_marker_never_moves_back(port: AnnouncementRepository, admin: Principal) -> None:
    port.mark_read(admin.institution_id, admin.user_id, None, AT)
    port.mark_read(admin.institution_id, admin.user_id, None, AT - timedelta(days=1))
    assert port.reading(admin, None).read_through == AT
    port.mark_read(admin.institution_id, admin.user_id, None, AT + timedelta(days=1))
    assert port.reading(admin, None).read_through == AT + timedelta(days=1)
