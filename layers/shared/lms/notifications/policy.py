"""Who may attempt each notifications operation (resource checks follow in the service)."""

from __future__ import annotations

from lms.auth import MEMBERS, Role
from lms.authz import operation

ADMINS = frozenset({Role.INSTITUTION_ADMIN})

LIST_NOTIFICATIONS = operation("ListNotifications", MEMBERS, "read their own notifications")
COUNT_UNREAD_NOTIFICATIONS = operation(
    "CountUnreadNotifications", MEMBERS, "count their unread notifications"
)
MARK_NOTIFICATION_READ = operation("MarkNotificationRead", MEMBERS, "mark their notifications read")
MARK_ALL_NOTIFICATIONS_READ = operation("MarkAllNotificationsRead", MEMBERS, "mark their notifications read")
DELETE_NOTIFICATION = operation("DeleteNotification", MEMBERS, "delete their notifications")
GET_NOTIFICATION_PREFERENCES = operation(
    "GetNotificationPreferences", MEMBERS, "read their notification preferences"
)
UPDATE_NOTIFICATION_PREFERENCES = operation(
    "UpdateNotificationPreferences", MEMBERS, "change their notification preferences"
)
GET_NOTIFICATION_DEFAULTS = operation(
    "GetNotificationDefaults", ADMINS, "read the institution's notification defaults"
)
UPDATE_NOTIFICATION_DEFAULTS = operation(
    "UpdateNotificationDefaults", ADMINS, "change the institution's notification defaults"
)
