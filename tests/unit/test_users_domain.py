"""Rules of the identity context: roles, suspension, time zones, email addresses."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from lms.auth import Principal, Role
from lms.users import domain
from lms.users.domain import UserProfile, UserRole, UserStatus
from lms.users.errors import (
    InvalidTimezone,
    InvalidUserStatusTransition,
    RoleUnchanged,
    SelfAdministration,
)

AT = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
ADMIN = Principal(user_id="admin-1", institution_id="I1", roles=frozenset({Role.INSTITUTION_ADMIN}))


def person(**overrides: object) -> UserProfile:
    data: dict[str, object] = {
        "id": "u1",
        "institution_id": "I1",
        "email": "grace@example.org",
        "given_name": "Grace",
        "family_name": "Hopper",
        "role": UserRole.STUDENT,
        "display_name": "Grace Hopper",
        "created_at": AT,
        "updated_at": AT,
    }
    data.update(overrides)
    return UserProfile.model_validate(data)


def test_each_role_is_granted_by_its_cognito_group() -> None:
    assert {role: role.group for role in UserRole} == {
        UserRole.INSTITUTION_ADMIN: Role.INSTITUTION_ADMIN,
        UserRole.INSTRUCTOR: Role.INSTRUCTOR,
        UserRole.STUDENT: Role.STUDENT,
    }
    assert UserRole.of_group(Role.PLATFORM_ADMIN) is None


def test_a_role_change_bumps_the_version() -> None:
    changed = domain.change_role(person(), UserRole.INSTRUCTOR, ADMIN, AT)
    assert (changed.role, changed.version) == (UserRole.INSTRUCTOR, 2)


def test_the_same_role_again_is_refused() -> None:
    with pytest.raises(RoleUnchanged):
        domain.change_role(person(), UserRole.STUDENT, ADMIN, AT)


def test_admins_do_not_change_their_own_role_or_suspend_themselves() -> None:
    me = person(id=ADMIN.user_id, role=UserRole.INSTITUTION_ADMIN)
    with pytest.raises(SelfAdministration):
        domain.change_role(me, UserRole.STUDENT, ADMIN, AT)
    with pytest.raises(SelfAdministration):
        domain.suspend(me, ADMIN, AT)


def test_suspension_and_reactivation_alternate() -> None:
    suspended = domain.suspend(person(), ADMIN, AT)
    assert (suspended.status, suspended.version) == (UserStatus.SUSPENDED, 2)
    with pytest.raises(InvalidUserStatusTransition):
        domain.suspend(suspended, ADMIN, AT)
    active = domain.reactivate(suspended, AT)
    assert (active.status, active.version) == (UserStatus.ACTIVE, 3)
    with pytest.raises(InvalidUserStatusTransition):
        domain.reactivate(active, AT)


@pytest.mark.parametrize("zone", ["Europe/Paris", "America/Argentina/Buenos_Aires", "UTC"])
def test_iana_time_zones_are_accepted(zone: str) -> None:
    assert domain.check_timezone(zone) == zone


@pytest.mark.parametrize("zone", ["Mars/Olympus", "Europe/", "../../etc/passwd", ""])
def test_unknown_time_zones_are_refused(zone: str) -> None:
    with pytest.raises(InvalidTimezone):
        domain.check_timezone(zone)


def test_emails_compare_without_case_and_stay_out_of_keys() -> None:
    assert domain.normalize_email("  Grace@Example.ORG ") == "grace@example.org"
    digest = domain.email_digest("Grace@Example.org")
    assert digest == domain.email_digest("grace@example.org")
    assert "@" not in digest
    assert len(digest) == 64


def test_people_sort_by_family_name_and_are_found_by_name_or_email() -> None:
    grace = person()
    assert grace.sort_name == "hopper grace"
    assert "grace@example.org" in grace.search_text
    assert "hopper" in grace.search_text
