"""The at-risk rules: when a learner needs their instructors' attention, and why; pure.

Each institution's admins set the thresholds (defaults below; docs/analytics.md). A learner is
judged only while enrolled in a published course they have not completed, at a moment `as_of`
(the time of the event being applied, or of the daily sweep), never earlier than a judgement
already made, so the reasons a state holds do not depend on the order events arrived in.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from decimal import Decimal

from lms.analytics.course import CourseCopy
from lms.analytics.domain import LearnerState, Reason, current_grade

INACTIVE = "inactive"
MISSED_DEADLINES = "missed_deadlines"
FAILING_GRADE = "failing_grade"
BEHIND_SCHEDULE = "behind_schedule"
RULES = (INACTIVE, MISSED_DEADLINES, FAILING_GRADE, BEHIND_SCHEDULE)


@dataclass(frozen=True)
class AtRiskRules:
    """An institution's thresholds; a threshold of 0 switches its rule off."""

    inactive_days: int = 7
    missed_deadlines: int = 2
    passing_grade_percent: Decimal = Decimal(60)
    behind_schedule_points: int = 30
    version: int = 0


DEFAULT_RULES = AtRiskRules()


def missed_deadlines(state: LearnerState, course: CourseCopy, as_of: datetime) -> list[str]:
    """Assessments due after the learner enrolled and before `as_of` that they did late or not at all."""
    missed = []
    for assessment_id, assessment in sorted(course.assessments.items()):
        due = assessment.due_at
        if due is None or due > as_of or (state.enrolled_at is not None and due < state.enrolled_at):
            continue
        if assessment.kind == "quiz":
            if assessment_id not in state.quizzes:
                missed.append(assessment_id)
            continue
        submission = state.submissions.get(assessment_id)
        if submission is None or submission.late:
            missed.append(assessment_id)
    return missed


def progress_percent(state: LearnerState, course: CourseCopy) -> int:
    """Whole percent of the course's current lessons done (0 for a course without lessons)."""
    if not course.lesson_ids:
        return 0
    done = len(state.done_lessons() & set(course.lesson_ids))
    return done * 100 // len(course.lesson_ids)


def expected_percent(state: LearnerState, course: CourseCopy, as_of: datetime) -> int | None:
    """How far the schedule has gone: from the later of publication and enrollment to the last due
    date of the course's assessments. None when the course has no schedule (no due dates)."""
    due_dates = [a.due_at for a in course.assessments.values() if a.due_at is not None]
    starts = [t for t in (course.published_at, state.enrolled_at) if t is not None]
    if not due_dates or not starts:
        return None
    start, end = max(starts), max(due_dates)
    if end <= start:
        return None
    elapsed = min(max(as_of - start, timedelta(0)), end - start)
    return int(elapsed / (end - start) * 100)


def judge(state: LearnerState, course: CourseCopy, rules: AtRiskRules, as_of: datetime) -> LearnerState:
    """The state judged at `as_of` (or at its last judgement, if later): its at-risk reasons."""
    moment = as_of if state.as_of is None else max(state.as_of, as_of)
    return replace(state, as_of=moment, reasons=reasons(state, course, rules, moment))


def reasons(
    state: LearnerState, course: CourseCopy, rules: AtRiskRules, as_of: datetime
) -> tuple[Reason, ...]:
    if not state.enrolled or state.completed_at is not None or not course.active:
        return ()
    found: list[Reason] = []
    last_seen = state.last_seen
    if (
        rules.inactive_days
        and last_seen is not None
        and as_of - last_seen >= timedelta(days=rules.inactive_days)
    ):
        days = (as_of - last_seen).days
        found.append(Reason(INACTIVE, f"No activity for {days} days (since {last_seen.date().isoformat()})."))
    missed = missed_deadlines(state, course, as_of)
    if rules.missed_deadlines and len(missed) >= rules.missed_deadlines:
        titles = ", ".join(course.assessments[a].title for a in missed)
        found.append(Reason(MISSED_DEADLINES, f"{len(missed)} deadlines missed: {titles}.", tuple(missed)))
    grade = current_grade(state)
    if rules.passing_grade_percent and grade is not None and grade < rules.passing_grade_percent:
        found.append(
            Reason(
                FAILING_GRADE, f"Current grade {grade}% is under the passing {rules.passing_grade_percent}%."
            )
        )
    expected = expected_percent(state, course, as_of)
    done = progress_percent(state, course)
    if (
        rules.behind_schedule_points
        and expected is not None
        and expected - done >= rules.behind_schedule_points
    ):
        found.append(Reason(BEHIND_SCHEDULE, f"{done}% done where the schedule is at {expected}%."))
    return tuple(found)


def rules_of(reasons_found: tuple[Reason, ...]) -> list[str]:
    return [r.rule for r in reasons_found]
