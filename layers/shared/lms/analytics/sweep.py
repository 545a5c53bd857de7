"""The daily inactivity sweep: inactivity is announced by no event, so the learners are judged again.

It reads the sparse index of enrolled learners not yet judged inactive, by the day of their last
activity (keys.analytics_idle_pk): one Query per day and shard for the `SWEPT_DAYS` days before its
scheduled time, never a Scan. A learner whose reasons change is committed like an event (one
transaction: state, rows, counters, `LearnerAtRisk`); one whose reasons do not is not written, and
one judged inactive leaves the index. So a second run at the same time finds nothing to change,
and a run that overlaps a change of the learner is refused by the state's version (the change
judged them meanwhile).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Protocol

from lms import keys
from lms.analytics.judgement import judged_change
from lms.analytics.repository import Change, RowItem, StateChanged, States
from lms.analytics.risk import rules_of
from lms.auth import Principal

SWEPT_DAYS = 31
"""Days of last activity the sweep reads: one more than the largest inactivity threshold allowed."""
SWEEPER = "analytics-sweep"
"""The actor of the events the sweep emits: no person caused them."""


class SweptStore(Protocol):
    def idle_rows(self, day: str, shard: int) -> list[RowItem]: ...

    def states(self, institution_id: str, course_id: str, student_id: str) -> States: ...

    def commit(self, change: Change) -> None: ...


class InactivitySweep:
    def __init__(self, store: SweptStore) -> None:
        self._store = store

    def run(self, at: datetime) -> int:
        """Judge every learner of the index at `at`; how many changed."""
        changed = 0
        for back in range(1, SWEPT_DAYS + 1):
            day = (at - timedelta(days=back)).date().isoformat()
            for shard in range(keys.ANALYTICS_IDLE_SHARDS):
                for row in self._store.idle_rows(day, shard):
                    changed += self._judge(row, at)
        return changed

    def _judge(self, row: RowItem, at: datetime) -> int:
        states = self._store.states(row.institution_id, row.course_id, row.student_id)
        if states.learner.erased:
            return 0
        sweeper = Principal(user_id=SWEEPER, institution_id=row.institution_id, roles=frozenset())
        change = judged_change(states, states.learner, at, sweeper, None)
        _, judged = change.learner or (states.learner, states.learner)
        if rules_of(judged.reasons) == rules_of(states.learner.reasons):
            return 0
        try:
            self._store.commit(change)
        except StateChanged:  # an event changed the learner meanwhile, and judged them
            return 0
        return 1
