"""The analytics context's personal data: a student's state in each course and their activity.

A student's states are indexed under them (GSI1, keys.analytics_student_courses_pk), so the export
is one Query per page of that index and one GetItem of their institution activity. Erasure turns
each state (and the activity) into a tombstone and takes the student off the class lists; the
counters move as for a drop (the courses context drops the person's enrollments too), then keep
what is left, naming nobody. The tombstone, rather than a deleted item, keeps a late event from building the
state again and counting the student twice.
"""

from __future__ import annotations

from datetime import datetime

from lms import clock
from lms.analytics.repository import DocumentItem, DynamoAnalyticsRepository, RowItem
from lms.auth import Principal
from lms.privacy import Contributor, ExportRecord, ExportSections


def _time(value: datetime | None) -> str | None:
    return clock.rfc3339(value) if value is not None else None


def export(institution_id: str, user_id: str) -> ExportSections:
    store = DynamoAnalyticsRepository()
    courses: list[ExportRecord] = []
    for course_id, state in store.learner_states(institution_id, user_id):
        if state.erased:
            continue
        courses.append(
            {
                "course_id": course_id,
                "enrollment": state.enrollment.value,
                "enrolled_at": _time(state.enrolled_at),
                "completed_at": _time(state.completed_at),
                "last_activity_at": _time(state.last_activity_at),
                "active_days": sorted(state.active_days),
                "lessons_done": sorted(state.done_lessons()),
                "at_risk_reasons": [{"rule": r.rule, "detail": r.detail} for r in state.reasons],
                "judged_at": _time(state.as_of),
            }
        )
    activity = store.activity(institution_id, user_id)
    days: list[ExportRecord] = []
    if not activity.erased and activity.last_activity_at is not None:
        days.append(
            {
                "last_activity_at": _time(activity.last_activity_at),
                "active_days": sorted(activity.active_days),
            }
        )
    return {"course_analytics": courses, "activity": days}


def erase(institution_id: str, user_id: str, actor: Principal) -> None:
    """Tombstones instead of states; erasing what is already a tombstone changes nothing."""
    store = DynamoAnalyticsRepository()
    for course_id, state in store.learner_states(institution_id, user_id):
        if not state.erased:
            store.erase(institution_id, course_id, state, clock.now())
    activity = store.activity(institution_id, user_id)
    if not activity.erased and activity.version:
        store.erase_activity(institution_id, activity)


CONTRIBUTOR = Contributor(
    name="analytics",
    exported=(DocumentItem,),
    not_personal={
        RowItem: "a copy of the student's state in one sorted class list (exported with the state), deleted"
        " by erasure",
    },
    export=export,
    erase=erase,
)
