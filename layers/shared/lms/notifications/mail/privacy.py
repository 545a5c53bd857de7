"""The e-mail channel's personal data: what was sent to a person, what waits for their digest, and
their addresses that bounced or complained.

All of it is in one partition per person (keys.email_deliveries_pk): the export is one Query, page
by page, and erasure deletes every item of it (a pending digest leaves the digest index with its
schedule item), so nothing more is sent to the person and no address digest of theirs is kept.
Registered apart from the notifications context's own contributor (lms.notifications.privacy),
which covers the inbox and the preferences.
"""

from __future__ import annotations

from typing import Any

from lms import keys
from lms.auth import Principal
from lms.notifications.mail.repository import (
    DIGEST_ENTRY_ENTITY,
    DIGEST_PERIOD_ENTITY,
    DIGEST_SCHEDULE_ENTITY,
    SENT_ENTITY,
    SUPPRESSION_ENTITY,
    DigestEntryItem,
    DigestPeriodItem,
    DigestScheduleItem,
    SentMarkerItem,
    SuppressionItem,
)
from lms.persistence.table import Item
from lms.privacy import Contributor, ExportRecord, ExportSections


def _raw_items(institution_id: str, user_id: str) -> list[dict[str, Any]]:
    pages = Item.query(keys.email_deliveries_pk(institution_id, user_id)).page_iter
    return [raw for page in pages for raw in page.get("Items", [])]


def export(institution_id: str, user_id: str) -> ExportSections:
    sections: dict[str, list[ExportRecord]] = {
        "emails_sent": [],
        "digest_entries": [],
        "pending_digests": [],
        "digests_sent": [],
        "suppressed_addresses": [],
    }
    for raw in _raw_items(institution_id, user_id):
        entity = str(raw.get("entity", {}).get("S", ""))
        if entity == SENT_ENTITY:
            sent = SentMarkerItem.from_raw_data(raw)
            sections["emails_sent"].append({"notification_id": sent.notification_id, "sent_at": sent.sent_at})
        elif entity == DIGEST_ENTRY_ENTITY:
            entry = DigestEntryItem.from_raw_data(raw)
            sections["digest_entries"].append(
                {
                    "frequency": entry.frequency,
                    "notification_id": entry.notification_id,
                    "type": entry.type,
                    "occurred_at": entry.occurred_at,
                    "title": entry.title,
                    "body_text": entry.body_text,
                    "link": entry.link,
                }
            )
        elif entity == DIGEST_SCHEDULE_ENTITY:
            schedule = DigestScheduleItem.from_raw_data(raw)
            sections["pending_digests"].append({"frequency": schedule.frequency, "due_at": schedule.due_at})
        elif entity == DIGEST_PERIOD_ENTITY:
            period = DigestPeriodItem.from_raw_data(raw)
            sections["digests_sent"].append(
                {"frequency": period.frequency, "period": period.period, "sent_at": period.sent_at}
            )
        elif entity == SUPPRESSION_ENTITY:
            suppression = SuppressionItem.from_raw_data(raw)
            sections["suppressed_addresses"].append(
                {"reason": suppression.reason, "recorded_at": suppression.recorded_at}
            )
    return sections


def erase(institution_id: str, user_id: str, actor: Principal) -> None:
    """Delete every item of the person's e-mail partition; deleting what is gone changes nothing."""
    with Item.batch_write() as batch:
        for raw in _raw_items(institution_id, user_id):
            batch.delete(Item(raw["PK"]["S"], raw["SK"]["S"]))


CONTRIBUTOR = Contributor(
    name="email",
    exported=(SentMarkerItem, DigestEntryItem, DigestScheduleItem, DigestPeriodItem, SuppressionItem),
    export=export,
    erase=erase,
)
