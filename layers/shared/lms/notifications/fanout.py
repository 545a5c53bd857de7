"""Fan-out: a notification reaches each person of its audience, in chunks that scale.

The audience is resolved into people (never those `Addressed` excludes, never a suspended or
erased person). Up to a chunk of people (`CHUNK_SIZE`) are told at once; a larger audience is
split into chunks put on the fan-out queue, each delivered by its own invocation, so a course of
10,000 students is 102 small invocations rather than one near its timeout.

Delivering a chunk is idempotent by notification and recipient: whoever already has the entry is
skipped, so a repeated chunk writes nothing and mails nobody twice (the mailer is idempotent by
notification and recipient too, for people whose inbox is off). A type told once per person and
subject (a due-soon reminder, made afresh by each run of its schedule) is claimed per person first:
whoever another notification of that subject claimed is skipped.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Protocol, cast

from lms.notifications.audience import (
    Addressed,
    Audience,
    CourseInstructors,
    CourseStudents,
    InstitutionMembers,
    People,
    TopicSubscribers,
)
from lms.notifications.domain import Notification
from lms.notifications.mail_contract import MAX_RECIPIENTS, EmailFrequency, MailMessage, MailRecipient
from lms.notifications.preferences import Channel, Frequency, Preferences

CHUNK_SIZE = 99
"""People per chunk at most: each of a chunk's reads is one BatchGetItem (100 keys at most): their
profiles, their entries, and their preferences with the institution's defaults (the 100th key)."""


class Directory(Protocol):
    """The other contexts' answers to "who": rosters, staff, followers, members, who is unreachable."""

    def enrolled_students(self, institution_id: str, course_id: str) -> list[str]: ...

    def instructors(self, institution_id: str, course_id: str) -> list[str]: ...

    def topic_subscribers(self, institution_id: str, topic_id: str) -> list[str]: ...

    def members(self, institution_id: str, role: str | None) -> list[str]: ...

    def unreachable(self, institution_id: str, user_ids: Iterable[str]) -> set[str]: ...


class Entries(Protocol):
    def already_delivered(
        self, institution_id: str, notification_id: str, user_ids: Iterable[str]
    ) -> set[str]: ...

    def deliver(self, notification: Notification, user_ids: Iterable[str]) -> None: ...

    def claim_once(self, notification: Notification, user_ids: Sequence[str]) -> list[str]: ...


class PreferencesReader(Protocol):
    def preferences_of(self, institution_id: str, user_ids: Iterable[str]) -> dict[str, Preferences]: ...


class Outbound(Protocol):
    """The queues: chunks for later invocations, and messages for the mailer."""

    def enqueue_chunks(self, notification: Notification, chunks: Sequence[Sequence[str]]) -> None: ...

    def send_mail(self, messages: Sequence[MailMessage]) -> None: ...


class Fanout:
    def __init__(
        self,
        directory: Directory,
        entries: Entries,
        preferences: PreferencesReader,
        outbound: Outbound,
        *,
        chunk_size: int = CHUNK_SIZE,
    ) -> None:
        self._chunk_size = min(chunk_size, CHUNK_SIZE)
        self._directory = directory
        self._entries = entries
        self._preferences = preferences
        self._outbound = outbound

    def notify(self, notification: Notification, addressed: Addressed) -> int:
        """Tell the audience now, or in chunks through the queue; the number of people addressed."""
        people = [
            p
            for p in self.resolve(notification.institution_id, addressed.audience)
            if p not in addressed.excluded
        ]
        size = self._chunk_size
        if len(people) <= size:
            self.deliver(notification, people)
        else:
            chunks = [people[i : i + size] for i in range(0, len(people), size)]
            self._outbound.enqueue_chunks(notification, chunks)
        return len(people)

    def resolve(self, institution_id: str, audience: Audience) -> list[str]:
        """The people an audience names, each once, in a stable order."""
        match audience:
            case People(user_ids=user_ids):
                found = list(user_ids)
            case CourseStudents(course_id=course_id, with_staff=with_staff):
                found = self._directory.enrolled_students(institution_id, course_id)
                if with_staff:
                    found += self._directory.instructors(institution_id, course_id)
            case CourseInstructors(course_id=course_id):
                found = self._directory.instructors(institution_id, course_id)
            case TopicSubscribers(topic_id=topic_id):
                found = self._directory.topic_subscribers(institution_id, topic_id)
            case InstitutionMembers(role=role):
                found = self._directory.members(institution_id, role)
        return list(dict.fromkeys(found))

    def deliver(self, notification: Notification, user_ids: Sequence[str]) -> list[str]:
        """One chunk: an inbox entry and a mail message for each reachable person not yet told, by
        their preferences; the people newly told."""
        institution_id = notification.institution_id
        if not user_ids:
            return []
        skipped = self._directory.unreachable(institution_id, user_ids)
        skipped |= self._entries.already_delivered(institution_id, notification.notification_id, user_ids)
        fresh = [u for u in user_ids if u not in skipped]
        if fresh and notification.type.once_per_person:
            fresh = self._entries.claim_once(notification, fresh)
        if not fresh:
            return []
        preferences = self._preferences.preferences_of(institution_id, fresh)
        category = notification.type.category
        in_app = [u for u in fresh if preferences[u].frequency(category, Channel.IN_APP) is not Frequency.OFF]
        self._entries.deliver(notification, in_app)
        recipients = [
            MailRecipient(user_id=u, frequency=cast(EmailFrequency, f.value))
            for u in fresh
            if (f := preferences[u].frequency(category, Channel.EMAIL)) is not Frequency.OFF
        ]
        mail = notification.for_mail()
        self._outbound.send_mail(
            [
                MailMessage(notification=mail, recipients=recipients[i : i + MAX_RECIPIENTS])
                for i in range(0, len(recipients), MAX_RECIPIENTS)
            ]
        )
        return fresh
