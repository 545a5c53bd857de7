"""The notifications context's personal data: a person's inbox entries, preferences, read mark and
the assessments they were reminded of.

Everything of a person lives in one partition (keys.notifications_pk), so the export is one Query
(page by page) and erasure deletes every item of it: a notification names what happened to the
person, and nothing is aggregated from it. An institution's defaults name nobody.
"""

from __future__ import annotations

from typing import Any

from lms import keys
from lms.auth import Principal
from lms.notifications.assessments_access import AssessmentPartItem, DueMarker
from lms.notifications.communication_access import TopicMembership
from lms.notifications.course_access import CourseStaff
from lms.notifications.inbox import REMINDER_CLAIM_ENTITY, NotificationItem, ReadMarkItem, ReminderClaimItem
from lms.notifications.repository import PREFERENCES_ENTITY, ChoicesItem, decode
from lms.notifications.users_access import PersonStatus
from lms.persistence.table import Item
from lms.privacy import Contributor, ExportRecord, ExportSections

NOTIFICATION_FIELDS = (
    "notification_id",
    "notification_type",
    "category",
    "title",
    "body_text",
    "link",
    "occurred_at",
    "read_at",
)


def _raw_items(institution_id: str, user_id: str) -> list[dict[str, Any]]:
    partition = keys.notifications_pk(institution_id, user_id)
    return [raw for page in ChoicesItem.query(partition).page_iter for raw in page.get("Items", [])]


def _value(raw: dict[str, Any], name: str) -> Any:
    attribute = raw.get(name) or {}
    return attribute.get("S", attribute.get("N"))


def export(institution_id: str, user_id: str) -> ExportSections:
    notifications: list[ExportRecord] = []
    preferences: list[ExportRecord] = []
    reminded: list[ExportRecord] = []
    for raw in _raw_items(institution_id, user_id):
        if str(raw["SK"]["S"]).startswith(keys.NOTIFICATION_PREFIX):
            notifications.append({name: _value(raw, name) for name in NOTIFICATION_FIELDS})
        elif _value(raw, "entity") == REMINDER_CLAIM_ENTITY:
            reminded.append({"assessment_id": _value(raw, "assessment_id")})
        elif _value(raw, "entity") == PREFERENCES_ENTITY:
            choices = decode(str(_value(raw, "choices")))
            preferences.append(
                {
                    category.value: {channel.value: f.value for channel, f in channels.items()}
                    for category, channels in choices.items()
                }
            )
    return {"notifications": notifications, "preferences": preferences, "reminded_of": reminded}


def erase(institution_id: str, user_id: str, actor: Principal) -> None:
    """Delete the person's whole notifications partition; deleting what is gone changes nothing."""
    for raw in _raw_items(institution_id, user_id):
        Item(raw["PK"]["S"], raw["SK"]["S"]).delete()


CONTRIBUTOR = Contributor(
    name="notifications",
    exported=(ChoicesItem, NotificationItem, ReadMarkItem, ReminderClaimItem),
    not_personal={
        DueMarker: "a read-only view of the assessments context's due markers, which it declares",
        AssessmentPartItem: "a read-only view of the assessments context's items, which it exports",
        TopicMembership: "a read-only view of the communication context's items, which it exports",
        CourseStaff: "a read-only view of the courses context's course items, which it exports",
        PersonStatus: "a read-only view of the users context's profiles, which it exports",
    },
    export=export,
    erase=erase,
)
