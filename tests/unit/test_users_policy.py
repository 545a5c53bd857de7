"""Who may call the identity operations, and platform admins without an institution."""

from __future__ import annotations

import pytest

from lms.auth import Principal, Role, principal_from_claims
from lms.authz import Operation, authorize
from lms.courses import policy as courses_policy
from lms.errors import Forbidden
from lms.users import policy


def who(*roles: Role, institution: str = "I1") -> Principal:
    return Principal(user_id="u1", institution_id=institution, roles=frozenset(roles))


PLATFORM_ADMIN = who(Role.PLATFORM_ADMIN, institution="")


def test_a_platform_admin_may_come_without_an_institution() -> None:
    principal = principal_from_claims({"sub": "p1", "cognito:groups": "platform-admins"})
    assert principal.roles == {Role.PLATFORM_ADMIN}
    assert not principal.has_institution
    assert principal.is_platform_admin


def test_nobody_else_may_come_without_an_institution() -> None:
    with pytest.raises(Forbidden, match="not attached to an institution"):
        principal_from_claims({"sub": "u1", "cognito:groups": "institution-admins"})


def test_a_malformed_institution_is_refused_even_for_a_platform_admin() -> None:
    with pytest.raises(Forbidden):
        principal_from_claims(
            {"sub": "p1", "custom:institution_id": "a#b", "cognito:groups": "platform-admins"}
        )


@pytest.mark.parametrize(
    "operation",
    [
        policy.CREATE_INSTITUTION,
        policy.LIST_INSTITUTIONS,
        policy.GET_INSTITUTION,
        policy.UPDATE_INSTITUTION,
        policy.ADD_INSTITUTION_ADMIN,
        policy.LIST_AUDIT_EVENTS,
    ],
)
def test_platform_admins_manage_institutions(operation: Operation) -> None:
    authorize(PLATFORM_ADMIN, operation)


@pytest.mark.parametrize(
    "operation",
    [policy.INVITE_USER, policy.LIST_USERS, policy.GET_MY_PROFILE, courses_policy.LIST_COURSES],
)
def test_a_platform_admin_is_refused_every_tenant_operation(operation: Operation) -> None:
    with pytest.raises(Forbidden):
        authorize(PLATFORM_ADMIN, operation)


def test_a_platform_admin_with_a_member_role_but_no_institution_is_still_refused_tenant_operations() -> None:
    odd = who(Role.PLATFORM_ADMIN, Role.STUDENT, institution="")
    with pytest.raises(Forbidden, match="must belong to an institution"):
        authorize(odd, courses_policy.LIST_COURSES)


@pytest.mark.parametrize(
    "operation",
    [
        policy.INVITE_USER,
        policy.LIST_USERS,
        policy.GET_USER,
        policy.CHANGE_USER_ROLE,
        policy.SUSPEND_USER,
        policy.REACTIVATE_USER,
    ],
)
@pytest.mark.parametrize("role", [Role.INSTRUCTOR, Role.STUDENT])
def test_only_institution_admins_manage_people(operation: Operation, role: Role) -> None:
    authorize(who(Role.INSTITUTION_ADMIN), operation)
    with pytest.raises(Forbidden):
        authorize(who(role), operation)


@pytest.mark.parametrize("role", [Role.INSTITUTION_ADMIN, Role.INSTRUCTOR, Role.STUDENT])
def test_every_member_reads_and_edits_their_own_profile(role: Role) -> None:
    authorize(who(role), policy.GET_MY_PROFILE)
    authorize(who(role), policy.UPDATE_MY_PROFILE)


@pytest.mark.parametrize("role", [Role.INSTITUTION_ADMIN, Role.INSTRUCTOR, Role.STUDENT])
def test_institution_members_never_create_institutions(role: Role) -> None:
    with pytest.raises(Forbidden):
        authorize(who(role), policy.CREATE_INSTITUTION)
