"""Every API request's account check: a suspended or erased account is refused, a role change applies.

Tokens stay valid until they expire (up to an hour), even after a global sign-out, so the API
itself checks the caller's profile item: its `status` (suspended answers 403 everywhere) and its
`role` (the role an admin set wins over the token's groups, so a demotion needs no new token).

One GetItem (eventually consistent, 0.5 RCU) per user per warm container every CACHE_SECONDS;
the container that suspends, reactivates or re-roles someone sees it at once, others within
CACHE_SECONDS. An account without a profile item (created outside the API: seeded or migrated
accounts) is active with the token's role.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, replace

from lms import keys
from lms.auth import MEMBERS, Principal, Role
from lms.users.errors import AccountErased, AccountSuspended
from lms.users.items import ProfileItem

CACHE_SECONDS = 30.0
MAX_CACHED_ACCOUNTS = 10_000
SUSPENDED = "suspended"
ERASED = "erased"


@dataclass(frozen=True)
class AccountState:
    status: str
    role: Role


def read_account_state(institution_id: str, user_id: str) -> AccountState | None:
    """The account's status and role from its profile item; None when it has none."""
    try:
        item = ProfileItem.get(
            keys.user_pk(institution_id, user_id), keys.PROFILE_SK, attributes_to_get=["status", "role"]
        )
    except ProfileItem.DoesNotExist:
        return None
    return AccountState(status=item.status, role=Role(_GROUP_OF_ROLE[item.role]))


# Profile roles are the API's names (`student`); principals carry Cognito groups (`students`).
_GROUP_OF_ROLE = {
    "institution-admin": Role.INSTITUTION_ADMIN.value,
    "instructor": Role.INSTRUCTOR.value,
    "student": Role.STUDENT.value,
}


class AccountGate:
    """Admits a principal whose account is active, with its current role; caches per container."""

    def __init__(
        self,
        read: Callable[[str, str], AccountState | None] = read_account_state,
        *,
        ttl_seconds: float = CACHE_SECONDS,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._read = read
        self.ttl_seconds = ttl_seconds
        self._monotonic = monotonic
        self._cache: dict[tuple[str, str], tuple[float, AccountState | None]] = {}

    def admit(self, principal: Principal) -> Principal:
        """The principal as it may act now; AccountSuspended (403) for a suspended account."""
        if not principal.has_institution:
            return principal  # platform admins have no profile: their groups alone decide
        state = self._state(principal.institution_id, principal.user_id)
        if state is None:
            return principal
        if state.status == ERASED:
            raise AccountErased("This account was erased; it can no longer be used.")
        if state.status == SUSPENDED:
            raise AccountSuspended("Your account is suspended; ask an admin of your institution.")
        if principal.roles & MEMBERS != {state.role}:
            return replace(principal, roles=(principal.roles - MEMBERS) | {state.role})
        return principal

    def remember(self, institution_id: str, user_id: str, state: AccountState | None) -> None:
        """What this container just committed about an account applies to its next request."""
        self._store((institution_id, user_id), state)

    def _state(self, institution_id: str, user_id: str) -> AccountState | None:
        key = (institution_id, user_id)
        cached = self._cache.get(key)
        if cached is not None and cached[0] > self._monotonic():
            return cached[1]
        state = self._read(institution_id, user_id)
        self._store(key, state)
        return state

    def _store(self, key: tuple[str, str], state: AccountState | None) -> None:
        self._cache.pop(key, None)
        if len(self._cache) >= MAX_CACHED_ACCOUNTS:
            del self._cache[next(iter(self._cache))]  # the oldest entry
        self._cache[key] = (self._monotonic() + self.ttl_seconds, state)


gate = AccountGate()
"""The container's gate, used by lms.http for every request."""
