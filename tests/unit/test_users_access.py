"""The account check of every request: suspension refuses, an admin-set role wins, a short cache."""

from __future__ import annotations

import pytest

from lms.auth import Principal, Role
from lms.users.access import CACHE_SECONDS, AccountGate, AccountState
from lms.users.errors import AccountSuspended


class FakeAccounts:
    """The profile items, as the gate reads them; counts its reads."""

    def __init__(self) -> None:
        self.states: dict[tuple[str, str], AccountState] = {}
        self.reads = 0

    def read(self, institution_id: str, user_id: str) -> AccountState | None:
        self.reads += 1
        return self.states.get((institution_id, user_id))


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


STUDENT = Principal(user_id="u1", institution_id="I1", roles=frozenset({Role.STUDENT}))


@pytest.fixture
def accounts() -> FakeAccounts:
    return FakeAccounts()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def gate(accounts: FakeAccounts, clock: Clock) -> AccountGate:
    return AccountGate(accounts.read, monotonic=clock)


def test_an_account_without_a_profile_acts_with_its_token_s_role(gate: AccountGate) -> None:
    assert gate.admit(STUDENT) == STUDENT


def test_a_suspended_account_is_refused(gate: AccountGate, accounts: FakeAccounts) -> None:
    accounts.states["I1", "u1"] = AccountState("suspended", Role.STUDENT)
    with pytest.raises(AccountSuspended):
        gate.admit(STUDENT)


def test_the_role_an_admin_set_wins_over_the_token_s(gate: AccountGate, accounts: FakeAccounts) -> None:
    accounts.states["I1", "u1"] = AccountState("active", Role.INSTRUCTOR)
    assert gate.admit(STUDENT).roles == {Role.INSTRUCTOR}


def test_the_state_is_read_once_per_cache_period(
    gate: AccountGate, accounts: FakeAccounts, clock: Clock
) -> None:
    gate.admit(STUDENT)
    gate.admit(STUDENT)
    assert accounts.reads == 1
    accounts.states["I1", "u1"] = AccountState("suspended", Role.STUDENT)
    clock.now += CACHE_SECONDS - 1
    gate.admit(STUDENT)  # another container's suspension is not seen yet
    clock.now += 2
    with pytest.raises(AccountSuspended):
        gate.admit(STUDENT)
    assert accounts.reads == 2


def test_what_this_container_committed_applies_at_once(gate: AccountGate, accounts: FakeAccounts) -> None:
    gate.admit(STUDENT)
    gate.remember("I1", "u1", AccountState("suspended", Role.STUDENT))
    with pytest.raises(AccountSuspended):
        gate.admit(STUDENT)
    assert accounts.reads == 1


def test_platform_admins_have_no_profile_to_read(gate: AccountGate, accounts: FakeAccounts) -> None:
    platform = Principal(user_id="p1", institution_id="", roles=frozenset({Role.PLATFORM_ADMIN}))
    assert gate.admit(platform) == platform
    assert accounts.reads == 0
