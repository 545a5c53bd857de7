"""The notifications consumer: each event that tells someone something becomes a notification.

Every handler is a `SideEffect` (it writes inbox entries in batches and sends to queues, which no
transaction covers): the kernel records the event as handled after the fan-out, and a repeated
event is skipped by its envelope id; a fan-out a failed attempt left half done is finished by the
next attempt, which skips whoever already has the entry (lms.notifications.fanout).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from lms.consumer import EventConsumer, SideEffect
from lms.events import EventEnvelope
from lms.notifications import communication_access, course_access, users_access
from lms.notifications.compose import TOLD, compose
from lms.notifications.fanout import Fanout
from lms.notifications.inbox import DynamoInbox
from lms.notifications.queues import FanoutChunk, SqsOutbound, notification_of
from lms.notifications.repository import DynamoPreferencesRepository
from lms.settings import get_settings

CONSUMER = "notifications"


class TableDirectory:
    """The audience reads of other contexts' items, each through its named *_access module."""

    def enrolled_students(self, institution_id: str, course_id: str) -> list[str]:
        return course_access.enrolled_students(institution_id, course_id)

    def instructors(self, institution_id: str, course_id: str) -> list[str]:
        return course_access.instructors(institution_id, course_id)

    def topic_subscribers(self, institution_id: str, topic_id: str) -> list[str]:
        return communication_access.topic_subscribers(institution_id, topic_id)

    def members(self, institution_id: str, role: str | None) -> list[str]:
        return users_access.members(institution_id, role)

    def unreachable(self, institution_id: str, user_ids: Iterable[str]) -> set[str]:
        return users_access.unreachable(institution_id, user_ids)


def fanout() -> Fanout:
    chunk_size = get_settings().notification_chunk_size
    return Fanout(
        TableDirectory(), DynamoInbox(), DynamoPreferencesRepository(), SqsOutbound(), chunk_size=chunk_size
    )


def _notify(envelope: EventEnvelope, event: Any) -> None:
    notification, addressed = compose(envelope, event)
    fanout().notify(notification, addressed)


def deliver_chunk(body: str) -> list[str]:
    """One fan-out queue message: the chunk's people told (those not told before)."""
    chunk = FanoutChunk.model_validate_json(body)
    return fanout().deliver(notification_of(chunk), chunk.recipients)


consumer = EventConsumer(CONSUMER, {event_type: SideEffect(_notify) for event_type in TOLD})
