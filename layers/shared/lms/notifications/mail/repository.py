"""The e-mail channel's items: one partition per person (keys.email_deliveries_pk).

- `SENT#<notification>`: the claim that one notification's e-mail to the person went out; a
  conditional put, so a duplicate delivery of the queue's message sends nothing twice.
- `DIGEST#<frequency>#<occurred_at>#<notification>`: what waits for the person's next digest.
- `SCHEDULE#<frequency>`: the person's pending digest, in a sparse GSI1 index of every institution
  (keys.due_digests_pk, by due time) while it has entries: the digest function reads that index,
  never the table. `pending` counts its entries, so the last one sent takes it out of the index.
- `PERIOD#<frequency>#<due>`: the claim that the digest of one period was sent: exactly once.
- `SUPPRESSED#<address digest>`: an address of the person that bounced or complained.

Markers and periods expire (TTL) once no redelivery can come; digest entries and suppressions stay
until used or erased.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import cast

from pynamodb.attributes import JSONAttribute, NumberAttribute, UnicodeAttribute
from pynamodb.exceptions import DeleteError, PutError, UpdateError

from lms import keys
from lms.clock import rfc3339
from lms.persistence.table import GSI1, Item
from lms.persistence.transactions import Transaction

SENT_ENTITY = "email-sent"
DIGEST_ENTRY_ENTITY = "email-digest-entry"
DIGEST_SCHEDULE_ENTITY = "email-digest-schedule"
DIGEST_PERIOD_ENTITY = "email-digest-period"
SUPPRESSION_ENTITY = "email-suppression"

MARKER_RETENTION = timedelta(days=30)
"""How long sent and period markers are kept: longer than any queue redelivers a message."""


class SentMarkerItem(Item):
    user_id = UnicodeAttribute()
    notification_id = UnicodeAttribute()
    sent_at = UnicodeAttribute()
    expires_at = NumberAttribute()


class DigestEntryItem(Item):
    user_id = UnicodeAttribute()
    notification_id = UnicodeAttribute()
    frequency = UnicodeAttribute()
    type = UnicodeAttribute()
    category = UnicodeAttribute()
    occurred_at = UnicodeAttribute()
    title = UnicodeAttribute()
    body_text = UnicodeAttribute()
    link = UnicodeAttribute()


class DigestScheduleItem(Item):
    GSI1PK = UnicodeAttribute(null=True)
    GSI1SK = UnicodeAttribute(null=True)
    by_due_time = GSI1()

    institution_id = UnicodeAttribute(null=True)
    user_id = UnicodeAttribute(null=True)
    frequency = UnicodeAttribute(null=True)
    due_at = UnicodeAttribute(null=True)
    pending = NumberAttribute(null=True)


class DigestPeriodItem(Item):
    user_id = UnicodeAttribute()
    frequency = UnicodeAttribute()
    period = UnicodeAttribute()
    sent_at = UnicodeAttribute()
    expires_at = NumberAttribute()


class SuppressionItem(Item):
    user_id = UnicodeAttribute()
    reason = UnicodeAttribute()  # "bounce" | "complaint"
    recorded_at = UnicodeAttribute()
    feedback = JSONAttribute(null=True)  # what SES said: bounce type, diagnostic


@dataclass(frozen=True)
class DigestEntry:
    notification_id: str
    type: str
    category: str
    occurred_at: str
    title: str
    body_text: str
    link: str


@dataclass(frozen=True)
class DueDigest:
    institution_id: str
    user_id: str
    frequency: str
    due_at: str


def _expiry(at: datetime) -> int:
    return int((at + MARKER_RETENTION).timestamp())


class DynamoMailRepository:
    """The e-mail channel's reads and conditional writes."""

    def suppressed(self, institution_id: str, addresses: Iterable[tuple[str, str]]) -> set[tuple[str, str]]:
        """Which (user id, address) pairs bounced or complained: one BatchGetItem per 100."""
        wanted = list(dict.fromkeys(addresses))
        if not wanted:
            return set()
        found = SuppressionItem.batch_get(
            [
                (keys.email_deliveries_pk(institution_id, user_id), keys.email_suppression_sk(address))
                for user_id, address in wanted
            ],
            attributes_to_get=["PK", "SK"],
        )
        by_key = {
            (keys.email_deliveries_pk(institution_id, user_id), keys.email_suppression_sk(address)): (
                user_id,
                address,
            )
            for user_id, address in wanted
        }
        return {by_key[(item.PK, item.SK)] for item in found}

    def claim_sent(self, institution_id: str, user_id: str, notification_id: str, at: datetime) -> bool:
        """Claim the e-mail of a notification to a person; False when it was claimed before."""
        marker = SentMarkerItem(
            keys.email_deliveries_pk(institution_id, user_id),
            keys.email_sent_sk(notification_id),
            entity=SENT_ENTITY,
            user_id=user_id,
            notification_id=notification_id,
            sent_at=rfc3339(at),
            expires_at=_expiry(at),
        )
        try:
            marker.save(condition=SentMarkerItem.PK.does_not_exist())
        except PutError as error:
            if error.cause_response_code == "ConditionalCheckFailedException":
                return False
            raise
        return True

    def release_sent(self, institution_id: str, user_id: str, notification_id: str) -> None:
        """Give a claim back when the e-mail could not be sent, so a redelivery tries again."""
        SentMarkerItem(
            keys.email_deliveries_pk(institution_id, user_id), keys.email_sent_sk(notification_id)
        ).delete()

    def add_to_digest(
        self, institution_id: str, user_id: str, frequency: str, entry: DigestEntry, due_at: str
    ) -> bool:
        """Keep an entry for the person's next digest, scheduled at `due_at` unless it already is;
        one transaction. False when the entry was kept before (a duplicate delivery)."""
        partition = keys.email_deliveries_pk(institution_id, user_id)
        item = DigestEntryItem(
            partition,
            keys.digest_entry_sk(frequency, entry.occurred_at, entry.notification_id),
            entity=DIGEST_ENTRY_ENTITY,
            user_id=user_id,
            frequency=frequency,
            **vars(entry),
        )
        schedule = DigestScheduleItem(partition, keys.digest_schedule_sk(frequency))
        due_key = keys.due_digest_sk(due_at, institution_id, user_id, frequency)
        tx = Transaction()
        tx.put(item, condition=DigestEntryItem.PK.does_not_exist(), refusal=_AlreadyKept())
        tx.update(
            schedule,
            [
                DigestScheduleItem.entity.set(DIGEST_SCHEDULE_ENTITY),
                DigestScheduleItem.GSI1PK.set(keys.due_digests_pk(keys.due_digest_shard(user_id))),
                # A pending digest keeps its due time: later entries join it.
                DigestScheduleItem.GSI1SK.set(DigestScheduleItem.GSI1SK | due_key),
                DigestScheduleItem.due_at.set(DigestScheduleItem.due_at | due_at),
                DigestScheduleItem.institution_id.set(institution_id),
                DigestScheduleItem.user_id.set(user_id),
                DigestScheduleItem.frequency.set(frequency),
                DigestScheduleItem.pending.add(1),
            ],
        )
        try:
            tx.commit()
        except _AlreadyKept:
            return False
        return True

    def due_digests(self, shard: int, until: datetime, limit: int) -> list[DueDigest]:
        """Pending digests due at `until` or before, earliest first (one Query)."""
        results = DigestScheduleItem.by_due_time.query(
            keys.due_digests_pk(shard),
            keys.due_digests_until(rfc3339(until)) >= DigestScheduleItem.GSI1SK,
            limit=limit,
        )
        return [
            DueDigest(
                institution_id=str(item.institution_id),
                user_id=str(item.user_id),
                frequency=str(item.frequency),
                due_at=str(item.due_at),
            )
            for item in (cast(DigestScheduleItem, found) for found in results)
        ]

    def digest_entries(self, due: DueDigest) -> list[DigestEntry]:
        """Every entry waiting for the person's digest, oldest first (a Query, page by page)."""
        items = DigestEntryItem.query(
            keys.email_deliveries_pk(due.institution_id, due.user_id),
            DigestEntryItem.SK.startswith(keys.digest_entry_prefix(due.frequency)),
        )
        return [
            DigestEntry(
                notification_id=item.notification_id,
                type=item.type,
                category=item.category,
                occurred_at=item.occurred_at,
                title=item.title,
                body_text=item.body_text,
                link=item.link,
            )
            for item in items
        ]

    def claim_period(self, due: DueDigest, at: datetime) -> bool:
        """Claim the digest of the period `due` stands for; False when a run claimed it before."""
        period = DigestPeriodItem(
            keys.email_deliveries_pk(due.institution_id, due.user_id),
            keys.digest_period_sk(due.frequency, due.due_at),
            entity=DIGEST_PERIOD_ENTITY,
            user_id=due.user_id,
            frequency=due.frequency,
            period=due.due_at,
            sent_at=rfc3339(at),
            expires_at=_expiry(at),
        )
        try:
            period.save(condition=DigestPeriodItem.PK.does_not_exist())
        except PutError as error:
            if error.cause_response_code == "ConditionalCheckFailedException":
                return False
            raise
        return True

    def release_period(self, due: DueDigest) -> None:
        """Give a period's claim back when its digest could not be sent: the next run tries again."""
        DigestPeriodItem(
            keys.email_deliveries_pk(due.institution_id, due.user_id),
            keys.digest_period_sk(due.frequency, due.due_at),
        ).delete()

    def finish_digest(self, due: DueDigest, sent: list[DigestEntry], next_due_at: str) -> None:
        """Drop the entries sent; the schedule leaves the index when nothing more waits, else it
        moves to the next period (entries kept while the digest was being sent)."""
        partition = keys.email_deliveries_pk(due.institution_id, due.user_id)
        with DigestEntryItem.batch_write() as batch:
            for entry in sent:
                batch.delete(
                    DigestEntryItem(
                        partition,
                        keys.digest_entry_sk(due.frequency, entry.occurred_at, entry.notification_id),
                    )
                )
        schedule = DigestScheduleItem(partition, keys.digest_schedule_sk(due.frequency))
        schedule.update(actions=[DigestScheduleItem.pending.add(-len(sent))])
        if (schedule.pending or 0) > 0:
            self.postpone(due, next_due_at)
            return
        try:
            schedule.delete(condition=DigestScheduleItem.pending <= 0)
        except DeleteError as error:
            if error.cause_response_code != "ConditionalCheckFailedException":
                raise
            self.postpone(due, next_due_at)  # an entry arrived meanwhile: it goes in the next one

    def postpone(self, due: DueDigest, next_due_at: str) -> None:
        """Move a pending digest to its next period."""
        schedule = DigestScheduleItem(
            keys.email_deliveries_pk(due.institution_id, due.user_id), keys.digest_schedule_sk(due.frequency)
        )
        try:
            schedule.update(
                actions=[
                    DigestScheduleItem.GSI1SK.set(
                        keys.due_digest_sk(next_due_at, due.institution_id, due.user_id, due.frequency)
                    ),
                    DigestScheduleItem.due_at.set(next_due_at),
                ],
                condition=DigestScheduleItem.PK.exists(),
            )
        except UpdateError as error:
            if error.cause_response_code != "ConditionalCheckFailedException":
                raise

    def suppress(
        self,
        institution_id: str,
        user_id: str,
        address: str,
        reason: str,
        feedback: dict[str, str],
        at: datetime,
    ) -> None:
        """Stop e-mail to an address of the person (a later report of it changes nothing more)."""
        SuppressionItem(
            keys.email_deliveries_pk(institution_id, user_id),
            keys.email_suppression_sk(address),
            entity=SUPPRESSION_ENTITY,
            user_id=user_id,
            reason=reason,
            recorded_at=rfc3339(at),
            feedback=feedback,
        ).save()


class _AlreadyKept(Exception):
    """The digest entry exists: the notification was delivered to this queue before."""
