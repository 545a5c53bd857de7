"""Scenarios of the notifications API (NotificationsFunction): the inbox, preferences, defaults.

Set-up puts notifications in the reader's inbox as the notifications consumer does
(lms.notifications.inbox), since no API writes them.
"""

from __future__ import annotations

from bench.invoke import ApiCall, Caller
from bench.scenarios.base import Scenario
from bench.scenarios.courses import INSTITUTION
from bench.scenarios.enrollment import learner
from lms import ids
from lms.clock import now
from lms.notifications.catalog import GRADE_RELEASED
from lms.notifications.domain import Notification
from lms.notifications.inbox import DynamoInbox

READER = learner("inbox")
ADMIN = Caller("bench-notifications-admin", INSTITUTION, ("institution-admins",))
NOTIFICATION = "/notifications/{notification_id}"
PREFERENCES = "/users/me/notification-preferences"
DEFAULTS = "/institutions/{institution_id}/notification-defaults"


def notify(reader: Caller) -> str:
    notification = Notification(
        notification_id=ids.new_id(),
        type=GRADE_RELEASED,
        institution_id=reader.institution_id,
        occurred_at=now(),
        actor_id="bench-instructor",
        title="Grade released",
        body_text="Your quiz grade is out.",
        link="/assessments/quizzes/q-1",
    )
    DynamoInbox().deliver(notification, [reader.user_id])
    return notification.notification_id


class _Inbox(Scenario):
    """A page and one notifications in the reader's inbox."""

    def setup(self) -> None:
        self.delivered = [notify(READER) for _ in range(self.page_size + 1)]


class ListNotifications(_Inbox):
    method, path = "GET", "/notifications"

    def next_call(self, index: int) -> ApiCall:
        return ApiCall("GET", self.path, READER, query=self.page_query())


class CountUnreadNotifications(_Inbox):
    method, path = "GET", "/notifications/unread-count"

    def next_call(self, index: int) -> ApiCall:
        return ApiCall("GET", self.path, READER)


class MarkNotificationRead(_Inbox):
    method, path, status = "POST", NOTIFICATION + "/read", 204

    def next_call(self, index: int) -> ApiCall:
        notification_id = self.delivered[index % len(self.delivered)]
        return ApiCall("POST", self.path, READER, {"notification_id": notification_id})


class MarkAllNotificationsRead(_Inbox):
    method, path, status = "POST", "/notifications/read-all", 204

    def next_call(self, index: int) -> ApiCall:
        return ApiCall("POST", self.path, READER)


class DeleteNotification(Scenario):
    """Each call deletes a notification delivered for it."""

    method, path, status = "DELETE", NOTIFICATION, 204

    def next_call(self, index: int) -> ApiCall:
        return ApiCall("DELETE", self.path, READER, {"notification_id": notify(READER)})


class GetNotificationPreferences(Scenario):
    method, path = "GET", PREFERENCES

    def next_call(self, index: int) -> ApiCall:
        return ApiCall("GET", self.path, READER)


class UpdateNotificationPreferences(Scenario):
    method, path = "PUT", PREFERENCES

    def next_call(self, index: int) -> ApiCall:
        frequency = ("daily", "weekly")[index % 2]
        return ApiCall("PUT", self.path, READER, body={"categories": {"grades": {"email": frequency}}})


class GetNotificationDefaults(Scenario):
    method, path = "GET", DEFAULTS

    def next_call(self, index: int) -> ApiCall:
        return ApiCall("GET", self.path, ADMIN, {"institution_id": INSTITUTION})


class UpdateNotificationDefaults(Scenario):
    method, path = "PUT", DEFAULTS

    def next_call(self, index: int) -> ApiCall:
        frequency = ("daily", "off")[index % 2]
        body = {"categories": {"progress": {"email": frequency}}}
        return ApiCall("PUT", self.path, ADMIN, {"institution_id": INSTITUTION}, body)


NOTIFICATION_SCENARIOS: tuple[type[Scenario], ...] = (
    ListNotifications,
    CountUnreadNotifications,
    MarkNotificationRead,
    MarkAllNotificationsRead,
    DeleteNotification,
    GetNotificationPreferences,
    UpdateNotificationPreferences,
    GetNotificationDefaults,
    UpdateNotificationDefaults,
)
