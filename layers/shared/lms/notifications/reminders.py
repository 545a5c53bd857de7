"""Due-soon reminders: a student who has not submitted is reminded of an assignment or quiz due
within a day, once per student and item.

Each run reads the assessments' due markers coming due in the next 24 hours. A marker it has not
handled yet at that due date becomes a reminder for the course's enrolled students who have not
submitted (those with an extension wait for their own marker, at their own due date), told
through the fan-out like any notification: by each person's preferences, never a suspended or
erased person. Every reminder claims its assessment per person before telling them
(lms.notifications.inbox.claim_once), so a repeated or concurrent run, or a due date moved after
the reminder went out, tells nobody twice.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from lms import clock, ids
from lms.notifications import catalog
from lms.notifications.audience import Addressed, CourseStudents, People
from lms.notifications.domain import Notification
from lms.notifications.fanout import Fanout

WINDOW = timedelta(hours=24)
"""How far ahead a run looks: an item due within it is reminded of."""
ASSIGNMENT = "assignment"


@dataclass(frozen=True)
class ComingDue:
    """An assignment or quiz coming due, for its course or for one student with an extension."""

    institution_id: str
    course_id: str
    kind: str  # "assignment" or "quiz"
    assessment_id: str
    title: str
    due_at: str  # RFC 3339
    student_id: str | None = None


class DueIndex(Protocol):
    """The assessments context's answers: what comes due, who submitted, who has an extension."""

    def coming_due(self, after: str, until: str) -> Iterable[ComingDue]: ...

    def submitted(self, due: ComingDue) -> set[str]: ...

    def with_extension(self, due: ComingDue) -> set[str]: ...

    def published(self, due: ComingDue) -> bool: ...

    def enrolled(self, due: ComingDue, student_id: str) -> bool: ...


class Passes(Protocol):
    """Which markers (at which due date) a run has handled, so the next run skips them."""

    def handled(self, found: Sequence[ComingDue]) -> set[ComingDue]: ...

    def record(self, due: ComingDue) -> None: ...


class DueReminders:
    def __init__(
        self,
        index: DueIndex,
        passes: Passes,
        fanout: Fanout,
        new_id: Callable[[], str] = ids.new_id,
    ) -> None:
        self._index = index
        self._passes = passes
        self._fanout = fanout
        self._new_id = new_id

    def send_due(self, now: datetime) -> int:
        """Remind of what is due within a day of `now` and not reminded of yet; the people addressed."""
        found = list(self._index.coming_due(clock.rfc3339(now), clock.rfc3339(now + WINDOW)))
        handled = self._passes.handled(found)
        addressed = 0
        for due in found:
            if due in handled:
                continue
            people = self._audience(due)
            if people is None:
                continue
            addressed += self._fanout.notify(self._reminder(due, now), Addressed(People(tuple(people))))
            self._passes.record(due)
        return addressed

    def _audience(self, due: ComingDue) -> list[str] | None:
        """Who is still to submit; None while an extension's assignment is a draft (a later run)."""
        if due.student_id is not None:
            if not self._index.published(due):
                return None
            if not self._index.enrolled(due, due.student_id) or due.student_id in self._index.submitted(due):
                return []
            return [due.student_id]
        students = self._fanout.resolve(due.institution_id, CourseStudents(due.course_id))
        done = self._index.submitted(due) | self._index.with_extension(due)
        return [s for s in students if s not in done]

    def _reminder(self, due: ComingDue, now: datetime) -> Notification:
        if due.kind == ASSIGNMENT:
            of_type, what, link = (
                catalog.ASSIGNMENT_DUE_SOON,
                "submitted it",
                f"/assessments/assignments/{due.assessment_id}",
            )
        else:
            of_type, what, link = (
                catalog.QUIZ_DUE_SOON,
                "submitted an attempt",
                f"/assessments/quizzes/{due.assessment_id}",
            )
        return Notification(
            notification_id=self._new_id(),
            type=of_type,
            institution_id=due.institution_id,
            occurred_at=now,
            actor_id=None,
            title=f"Due soon: {due.title}",
            body_text=f"{due.title} is due at {due.due_at} and you have not {what} yet.",
            link=link,
            data={
                "course_id": due.course_id,
                "assessment_id": due.assessment_id,
                "kind": due.kind,
                "due_at": due.due_at,
            },
        )
