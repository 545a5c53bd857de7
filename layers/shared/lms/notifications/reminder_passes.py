"""The due-soon reminders' record of the due markers they handled, one item per marker and due date.

Only an optimisation: a run skips what an earlier run handled, rather than reading its roster and
claiming each person again (the claims are what makes a reminder once per person). A marker whose
due date moves is handled again at its new date. Each record expires a day after its due date.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from pynamodb.attributes import NumberAttribute, UnicodeAttribute

from lms import clock, keys
from lms.notifications.reminders import ComingDue
from lms.persistence.table import Item

HANDLED_MARKER_ENTITY = "due-reminder-handled"


class ReminderPassItem(Item):
    assessment_id = UnicodeAttribute()
    due_at = UnicodeAttribute()
    handled_at = UnicodeAttribute()
    expires_at = NumberAttribute()


def _key(due: ComingDue) -> tuple[str, str]:
    return (
        keys.due_reminder_passes_pk(due.institution_id),
        keys.due_reminder_pass_sk(due.assessment_id, due.due_at, due.student_id),
    )


class DynamoReminderPasses:
    def handled(self, found: Sequence[ComingDue]) -> set[ComingDue]:
        """Those of `found` handled already: BatchGetItem, 100 keys a request."""
        by_key = {_key(due): due for due in found}
        if not by_key:
            return set()
        items = ReminderPassItem.batch_get(list(by_key), attributes_to_get=["PK", "SK"])
        return {by_key[(item.PK, item.SK)] for item in items}

    def record(self, due: ComingDue) -> None:
        """One PutItem."""
        expires = datetime.fromisoformat(due.due_at) + timedelta(days=1)
        ReminderPassItem(
            *_key(due),
            entity=HANDLED_MARKER_ENTITY,
            assessment_id=due.assessment_id,
            due_at=due.due_at,
            handled_at=clock.rfc3339(clock.now()),
            expires_at=int(expires.timestamp()),
        ).save()
