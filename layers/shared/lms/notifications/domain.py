"""Notifications and inbox entries: what happened, told to one person (pure: no AWS, no HTTP)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from lms.notifications.catalog import NotificationType
from lms.notifications.mail_contract import MailNotification


@dataclass(frozen=True)
class Notification:
    """One thing that happened, as every recipient is told of it.

    `notification_id` is the event's id (or a reminder's own): with the recipient it makes an
    inbox entry's key, so delivering the same event twice finds the entry already there.
    """

    notification_id: str
    type: NotificationType
    institution_id: str
    occurred_at: datetime
    actor_id: str | None
    title: str
    body_text: str
    link: str
    data: dict[str, Any] = field(default_factory=dict)

    def for_mail(self) -> MailNotification:
        return MailNotification(
            notification_id=self.notification_id,
            type=self.type.name,
            category=self.type.category.value,
            institution_id=self.institution_id,
            occurred_at=self.occurred_at,
            actor_id=self.actor_id,
            title=self.title,
            body_text=self.body_text,
            link=self.link,
            data=self.data,
        )


@dataclass(frozen=True)
class InboxEntry:
    """A notification in one person's inbox."""

    notification_id: str
    type: str
    category: str
    title: str
    body_text: str
    link: str
    data: dict[str, Any]
    occurred_at: datetime
    read: bool
    read_at: datetime | None = None
