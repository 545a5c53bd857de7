"""Notifications API: a person's inbox and preferences, their institution's defaults; the rules
live in lms.notifications."""

from __future__ import annotations

from functools import cache
from typing import Annotated, Any

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Query
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from lms.correlation import correlation_id
from lms.http import NO_CONTENT, create_resolver, path_id, principal
from lms.notifications.inbox import UNREAD_COUNT_CAP, DynamoInbox
from lms.notifications.repository import DynamoPreferencesRepository
from lms.notifications.schemas import (
    ChoicesChange,
    DefaultsView,
    NotificationPage,
    NotificationView,
    PreferencesView,
    UnreadNotificationsView,
)
from lms.notifications.service import NotificationsService
from lms.pagination import DEFAULT_LIMIT, MAX_LIMIT
from lms.settings import METRICS_NAMESPACE
from lms.users.access import gate

logger = Logger()
tracer = Tracer()
metrics = Metrics(namespace=METRICS_NAMESPACE)
app = create_resolver(admit=gate.admit, logger=logger)

NOTIFICATION = "/notifications/<notification_id>"


@cache
def notifications() -> NotificationsService:
    return NotificationsService(DynamoInbox(), DynamoPreferencesRepository())


@app.get(
    "/notifications",
    summary="Your notifications, newest first",
    tags=["notifications"],
    operation_id="ListNotifications",
)
def list_notifications(
    unread: Annotated[bool, Query(description="Only the unread ones.")] = False,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
    cursor: Annotated[str | None, Query(max_length=2048)] = None,
) -> NotificationPage:
    entries, next_cursor = notifications().notifications(
        principal(app), unread_only=unread, limit=limit, cursor=cursor
    )
    return NotificationPage(items=[NotificationView.of(e) for e in entries], next_cursor=next_cursor)


@app.get(
    "/notifications/unread-count",
    summary="How many of your notifications are unread",
    tags=["notifications"],
    operation_id="CountUnreadNotifications",
)
def unread_count() -> UnreadNotificationsView:
    count = notifications().unread_count(principal(app))
    return UnreadNotificationsView(unread=count, capped=count >= UNREAD_COUNT_CAP)


@app.post(
    "/notifications/read-all",
    summary="Mark every notification you have read",
    tags=["notifications"],
    operation_id="MarkAllNotificationsRead",
    responses=NO_CONTENT,
)
def mark_all_read() -> Response[None]:
    notifications().mark_all_read(principal(app))
    return Response(status_code=204)


@app.post(
    NOTIFICATION + "/read",
    summary="Mark one notification read (again changes nothing)",
    tags=["notifications"],
    operation_id="MarkNotificationRead",
    responses=NO_CONTENT,
)
def mark_read(notification_id: str) -> Response[None]:
    notifications().mark_read(principal(app), path_id(notification_id, "notification"))
    return Response(status_code=204)


@app.delete(
    NOTIFICATION,
    summary="Delete a notification from your inbox",
    tags=["notifications"],
    operation_id="DeleteNotification",
    responses=NO_CONTENT,
)
def delete_notification(notification_id: str) -> Response[None]:
    notifications().delete(principal(app), path_id(notification_id, "notification"))
    return Response(status_code=204)


@app.get(
    "/users/me/notification-preferences",
    summary="Your notification preferences: a frequency per category and channel",
    tags=["notifications"],
    operation_id="GetNotificationPreferences",
)
def get_preferences() -> PreferencesView:
    return PreferencesView.of(notifications().preferences(principal(app)))


@app.put(
    "/users/me/notification-preferences",
    summary="Replace your notification choices (what you leave out follows your institution's defaults)",
    tags=["notifications"],
    operation_id="UpdateNotificationPreferences",
)
def put_preferences(change: ChoicesChange) -> PreferencesView:
    return PreferencesView.of(notifications().change_preferences(principal(app), change.choices()))


@app.get(
    "/institutions/<institution_id>/notification-defaults",
    summary="The institution's default notification preferences (its admins)",
    tags=["notifications"],
    operation_id="GetNotificationDefaults",
)
def get_defaults(institution_id: str) -> DefaultsView:
    institution_id = path_id(institution_id, "institution")
    return DefaultsView.of(
        institution_id, notifications().institution_defaults(principal(app), institution_id)
    )


@app.put(
    "/institutions/<institution_id>/notification-defaults",
    summary="Replace the institution's default notification preferences (its admins)",
    tags=["notifications"],
    operation_id="UpdateNotificationDefaults",
)
def put_defaults(institution_id: str, change: ChoicesChange) -> DefaultsView:
    institution_id = path_id(institution_id, "institution")
    chosen = notifications().change_institution_defaults(principal(app), institution_id, change.choices())
    return DefaultsView.of(institution_id, chosen)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    correlation_id.set(event.get("requestContext", {}).get("requestId"))
    return app.resolve(event, context)
