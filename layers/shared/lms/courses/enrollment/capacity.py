"""A course edit's share of the roster: the counter follows the capacity, new seats go to the waitlist."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from lms.courses.domain import Course
from lms.courses.enrollment import domain
from lms.courses.enrollment.domain import Roster, RosterPlan, WaitlistEntry
from lms.events import DomainEvent
from lms.events.courses import StudentEnrolled


class RosterReader(Protocol):
    def get_roster(self, institution_id: str, course_id: str) -> Roster | None: ...
    def waitlist_head(self, institution_id: str, course_id: str, count: int) -> list[WaitlistEntry]: ...


def plan_capacity_change(reader: RosterReader, before: Course, after: Course) -> RosterPlan | None:
    """Read the counter (and the waitlist's head when seats open) and plan the course edit's share."""
    if before.capacity == after.capacity:
        return None
    roster = reader.get_roster(before.institution_id, before.id)
    head: list[WaitlistEntry] = []
    if roster is not None and after.capacity is not None and roster.waitlisted:
        wanted = domain.promotions_for_capacity(roster, after.capacity)
        if wanted:
            head = reader.waitlist_head(before.institution_id, before.id, wanted)
    return domain.plan_capacity_change(before, after, roster, head)


def promotion_events(entries: Sequence[WaitlistEntry], course_id: str) -> list[DomainEvent]:
    """`StudentEnrolled` for each student promoted from the waitlist, first come first."""
    return [
        StudentEnrolled(
            course_id=course_id, student_id=e.student_id, enrolled_by=e.enrolled_by, via_waitlist=True
        )
        for e in entries
    ]
