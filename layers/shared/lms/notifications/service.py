"""The inbox and preferences use cases: a person's own notifications, their choices, their
institution's defaults."""

from __future__ import annotations

from typing import Protocol

from lms.auth import Principal
from lms.authz import authorize
from lms.notifications import policy
from lms.notifications.domain import InboxEntry
from lms.notifications.errors import InstitutionNotFound
from lms.notifications.preferences import Choices, Preferences, check_choices


class Inbox(Protocol):
    def page(
        self, institution_id: str, user_id: str, *, unread_only: bool, limit: int, cursor: str | None
    ) -> tuple[list[InboxEntry], str | None]: ...

    def unread_count(self, institution_id: str, user_id: str) -> int: ...

    def mark_read(self, institution_id: str, user_id: str, notification_id: str) -> None: ...

    def mark_all_read(self, institution_id: str, user_id: str) -> None: ...

    def delete(self, institution_id: str, user_id: str, notification_id: str) -> None: ...


class PreferencesStore(Protocol):
    def get_preferences(self, institution_id: str, user_id: str) -> Preferences: ...

    def save_choices(self, institution_id: str, user_id: str, choices: Choices) -> None: ...

    def institution_defaults(self, institution_id: str) -> Choices: ...

    def save_institution_defaults(self, institution_id: str, choices: Choices) -> None: ...


class NotificationsService:
    def __init__(self, inbox: Inbox, preferences: PreferencesStore) -> None:
        self._inbox = inbox
        self._preferences = preferences

    def notifications(
        self, principal: Principal, *, unread_only: bool, limit: int, cursor: str | None
    ) -> tuple[list[InboxEntry], str | None]:
        """The caller's inbox, newest first."""
        authorize(principal, policy.LIST_NOTIFICATIONS)
        return self._inbox.page(
            principal.institution_id, principal.user_id, unread_only=unread_only, limit=limit, cursor=cursor
        )

    def unread_count(self, principal: Principal) -> int:
        authorize(principal, policy.COUNT_UNREAD_NOTIFICATIONS)
        return self._inbox.unread_count(principal.institution_id, principal.user_id)

    def mark_read(self, principal: Principal, notification_id: str) -> None:
        authorize(principal, policy.MARK_NOTIFICATION_READ)
        self._inbox.mark_read(principal.institution_id, principal.user_id, notification_id)

    def mark_all_read(self, principal: Principal) -> None:
        authorize(principal, policy.MARK_ALL_NOTIFICATIONS_READ)
        self._inbox.mark_all_read(principal.institution_id, principal.user_id)

    def delete(self, principal: Principal, notification_id: str) -> None:
        authorize(principal, policy.DELETE_NOTIFICATION)
        self._inbox.delete(principal.institution_id, principal.user_id, notification_id)

    def preferences(self, principal: Principal) -> Preferences:
        authorize(principal, policy.GET_NOTIFICATION_PREFERENCES)
        return self._preferences.get_preferences(principal.institution_id, principal.user_id)

    def change_preferences(self, principal: Principal, choices: Choices) -> Preferences:
        """Replace the caller's choices; what they leave out follows the institution's defaults."""
        authorize(principal, policy.UPDATE_NOTIFICATION_PREFERENCES)
        check_choices(choices)
        self._preferences.save_choices(principal.institution_id, principal.user_id, choices)
        return Preferences(
            user_id=principal.user_id,
            choices=choices,
            institution_defaults=self._preferences.institution_defaults(principal.institution_id),
        )

    def institution_defaults(self, principal: Principal, institution_id: str) -> Choices:
        authorize(principal, policy.GET_NOTIFICATION_DEFAULTS)
        _own_institution(principal, institution_id)
        return self._preferences.institution_defaults(institution_id)

    def change_institution_defaults(
        self, principal: Principal, institution_id: str, choices: Choices
    ) -> Choices:
        """Replace the institution's defaults: everyone who has not chosen follows them."""
        authorize(principal, policy.UPDATE_NOTIFICATION_DEFAULTS)
        _own_institution(principal, institution_id)
        check_choices(choices)
        self._preferences.save_institution_defaults(institution_id, choices)
        return choices


def _own_institution(principal: Principal, institution_id: str) -> None:
    if institution_id != principal.institution_id:
        raise InstitutionNotFound(f"No institution {institution_id} is yours.")
