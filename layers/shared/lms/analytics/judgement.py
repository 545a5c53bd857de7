"""A learner's change judged against the at-risk rules, with the events a changed status causes.

Shared by the consumer (judged at the event's time) and the daily sweep (at its scheduled time).
"""

from __future__ import annotations

from datetime import datetime

from lms.analytics.domain import LearnerState
from lms.analytics.repository import Change, States
from lms.analytics.risk import judge, rules_of
from lms.auth import Principal
from lms.events import DomainEvent, EventEnvelope
from lms.events.analytics import AtRiskReason, LearnerAtRisk, LearnerBackOnTrack


def status_events(
    course_id: str, instructor_ids: list[str], before: LearnerState, after: LearnerState
) -> list[DomainEvent]:
    """`LearnerAtRisk` when a learner becomes at risk or the rules they meet change; `LearnerBackOnTrack`
    when they meet none any more."""
    was, now = rules_of(before.reasons), rules_of(after.reasons)
    if now and now != was:
        reasons = [
            AtRiskReason(rule=r.rule, detail=r.detail, assessment_ids=list(r.assessment_ids))
            for r in after.reasons
        ]
        return [
            LearnerAtRisk(
                course_id=course_id,
                student_id=after.student_id,
                reasons=reasons,
                instructor_ids=instructor_ids,
            )
        ]
    if was and not now:
        return [
            LearnerBackOnTrack(
                course_id=course_id, student_id=after.student_id, resolved=was, instructor_ids=instructor_ids
            )
        ]
    return []


def judged_change(
    states: States, after: LearnerState, at: datetime, actor: Principal, envelope: EventEnvelope | None
) -> Change:
    """The learner's change (before and after, judged at `at`) with the events it causes."""
    before = states.learner
    judged = judge(after, states.course, states.rules, at)
    course = states.course
    events = status_events(course.course_id, sorted(course.instructor_ids), before, judged)
    return Change(
        actor.institution_id,
        course.course_id,
        actor,
        envelope,
        learner=(before, judged),
        events=events,
    )
