"""Notifications for tests: one delivered straight into people's inboxes, as the consumer does."""

from __future__ import annotations

from datetime import UTC, datetime

from lms import ids
from lms.notifications.catalog import GRADE_RELEASED, NotificationType
from lms.notifications.domain import Notification
from lms.notifications.inbox import DynamoInbox


def deliver(
    institution_id: str,
    user_ids: list[str],
    *,
    kind: NotificationType = GRADE_RELEASED,
    title: str = "Grade out",
) -> Notification:
    """A notification of `kind` in each person's inbox, unread."""
    notification = Notification(
        notification_id=ids.new_id(),
        type=kind,
        institution_id=institution_id,
        occurred_at=datetime(2026, 3, 2, 9, 0, tzinfo=UTC),
        actor_id="someone-else",
        title=title,
        body_text=f"{title}: see the details.",
        link="/assessments/quizzes/q-1",
        data={"score": "8"},
    )
    DynamoInbox().deliver(notification, user_ids)
    return notification
