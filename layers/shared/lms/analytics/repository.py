"""The analytics items in the single table (access patterns: docs/data-model.md, Analytics).

A course's partition (keys.analytics_course_pk) holds the context's copy of the course, one
state per student and each enrolled student's rows in the sorted class lists (by progress, by
last activity, and the same two for those at risk); its counters, spread over shards, have a
partition of their own (keys.analytics_counters_pk). An institution's partition holds its at-risk
rules and one activity state per learner; its counters too have their own.

A change is one transaction: the inbox record of the event, the states conditional on the
versions read, the rows that moved, the counter differences (ADD) and the events it causes; so a
counter moves exactly when a state does, and a duplicate delivery moves nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, cast

from pynamodb.attributes import JSONAttribute, NumberAttribute, UnicodeAttribute
from pynamodb.exceptions import PutError
from pynamodb.expressions.update import Action

from lms import audit, clock, keys
from lms.analytics import documents
from lms.analytics.course import CourseCopy, course_difference
from lms.analytics.domain import (
    LearnerActivity,
    LearnerState,
    Stamp,
    activity_difference,
    difference,
    drop,
    erase,
    institution_share,
)
from lms.analytics.risk import DEFAULT_RULES, INACTIVE, AtRiskRules
from lms.auth import Principal
from lms.errors import InvalidCursor
from lms.events import DomainEvent, EventEnvelope
from lms.pagination import decode_cursor, encode_cursor
from lms.persistence.inbox import record_in
from lms.persistence.outbox import outbox_item
from lms.persistence.table import GSI1, Item, VersionedItem
from lms.persistence.transactions import Transaction

CONSUMER = "analytics"
"""The analytics consumer's name in its inbox records."""

COURSE_ENTITY = "analytics-course"
LEARNER_ENTITY = "analytics-learner"
ACTIVITY_ENTITY = "analytics-activity"
RULES_ENTITY = "analytics-rules"
ROW_ENTITY = "analytics-row"
COUNTER_ENTITY = "analytics-counter"


class DocumentItem(VersionedItem):
    """Every state of the context: one class, so one BatchGetItem reads a change's states together."""

    GSI1PK = UnicodeAttribute(null=True)
    GSI1SK = UnicodeAttribute(null=True)
    by_student = GSI1()

    course_id = UnicodeAttribute(null=True)
    student_id = UnicodeAttribute(null=True)
    document = JSONAttribute()
    updated_at = UnicodeAttribute(null=True)


class RowItem(Item):
    """A student's row in one sorted class list: what the list shows, without reading the state.

    The `ACTIVITY` row of an enrolled learner not judged inactive also sits in the sweep's index
    (GSI1, keys.analytics_idle_pk, by the day of their last activity).
    """

    GSI1PK = UnicodeAttribute(null=True)
    GSI1SK = UnicodeAttribute(null=True)
    idle = GSI1()

    institution_id = UnicodeAttribute()
    course_id = UnicodeAttribute()
    student_id = UnicodeAttribute()
    lessons_done = NumberAttribute()
    last_seen = UnicodeAttribute(null=True)
    reasons = JSONAttribute()  # the at-risk rules that hold, by name
    grade = UnicodeAttribute(null=True)
    updated_at = UnicodeAttribute(null=True)


class CounterItem(Item):
    n = NumberAttribute()
    updated_at = UnicodeAttribute(null=True)  # when a change last moved it: the answers' `as_of`


class StateChanged(Exception):
    """Another change wrote one of the states between read and write; handling again re-reads them."""


@dataclass
class Freshness:
    """The latest moment a change moved any item read: the answer's `as_of`."""

    updated_at: str | None = None

    def saw(self, moment: str | None) -> None:
        if moment is not None and (self.updated_at is None or moment > self.updated_at):
            self.updated_at = moment


@dataclass
class Counted(Freshness):
    totals: dict[str, int] = field(default_factory=dict)


@dataclass
class Daily(Freshness):
    days: dict[str, dict[str, int]] = field(default_factory=dict)


@dataclass(frozen=True)
class States:
    course: CourseCopy
    learner: LearnerState
    activity: LearnerActivity
    rules: AtRiskRules


@dataclass
class Change:
    """What one event (or one sweep judgement) changes; `envelope` None for the sweep."""

    institution_id: str
    course_id: str
    actor: Principal
    envelope: EventEnvelope | None
    course: tuple[CourseCopy, CourseCopy] | None = None
    learner: tuple[LearnerState, LearnerState] | None = None
    activity: tuple[LearnerActivity, LearnerActivity] | None = None
    counted: dict[str, int] = field(default_factory=dict)  # event counts no state holds (quiz attempts)
    events: list[DomainEvent] = field(default_factory=list)

    @property
    def changes_anything(self) -> bool:
        moved = [pair for pair in (self.course, self.learner, self.activity) if pair is not None]
        return any(before != after for before, after in moved) or bool(self.counted) or bool(self.events)


# ---------------------------------------------------------------- rows


def _row_position(order: str, state: LearnerState) -> str:
    if order.endswith("PROGRESS"):
        return f"{state.lessons_done:04d}"
    return clock.rfc3339(state.last_seen) if state.last_seen is not None else "0000"


def _orders(state: LearnerState) -> tuple[str, ...]:
    if not state.enrolled:
        return ()
    if state.at_risk:
        return keys.ANALYTICS_ROW_ORDERS
    return ("PROGRESS", "ACTIVITY")


def _row_keys(state: LearnerState) -> dict[str, str]:
    return {
        order: keys.analytics_row_sk(order, _row_position(order, state), state.student_id)
        for order in _orders(state)
    }


def _row_view(state: LearnerState) -> tuple[object, ...]:
    """What a row shows: a change of nothing else leaves the rows as they are."""
    return (
        state.lessons_done,
        state.last_seen,
        state.reasons,
        documents.current_grade_text(state),
        _in_idle_index(state),
    )


def _in_idle_index(state: LearnerState) -> bool:
    return (
        state.enrolled
        and state.completed_at is None
        and state.last_seen is not None
        and INACTIVE not in {r.rule for r in state.reasons}
    )


def _row(institution_id: str, course_id: str, order: str, sk: str, state: LearnerState) -> RowItem:
    grade = documents.current_grade_text(state)
    row = RowItem(
        keys.analytics_course_pk(institution_id, course_id),
        sk,
        entity=ROW_ENTITY,
        institution_id=institution_id,
        course_id=course_id,
        student_id=state.student_id,
        lessons_done=state.lessons_done,
        last_seen=clock.rfc3339(state.last_seen) if state.last_seen is not None else None,
        reasons=[r.rule for r in state.reasons],
        grade=grade,
        updated_at=clock.rfc3339(clock.now()),
    )
    if order == "ACTIVITY" and _in_idle_index(state) and state.last_seen is not None:
        row.GSI1PK = keys.analytics_idle_pk(
            state.last_seen.date().isoformat(), keys.analytics_idle_shard(state.student_id)
        )
        row.GSI1SK = keys.analytics_idle_sk(institution_id, course_id, state.student_id)
    return row


# ---------------------------------------------------------------- writes


def _versioned(version: int) -> Any:
    return DocumentItem.PK.does_not_exist() if version == 0 else DocumentItem.version == version


def _add_counters(tx: Transaction, pk: str, delta: dict[str, int], shard: int) -> None:
    """ADD each change to its counter (`pk`: keys.analytics_counters_pk) on the learner's shard."""
    for name, n in sorted(delta.items()):
        if name.startswith("day:"):
            _, day, metric = name.split(":", 2)
            sk = keys.analytics_day_counter_sk(day, metric, shard)
        else:
            sk = keys.analytics_counter_sk(name, shard)
        item = CounterItem(pk, sk)
        actions: list[Action] = [
            CounterItem.n.add(n),
            CounterItem.entity.set(COUNTER_ENTITY),
            CounterItem.updated_at.set(clock.rfc3339(clock.now())),
        ]
        tx.update(item, actions)


def _merge(*deltas: dict[str, int]) -> dict[str, int]:
    merged: dict[str, int] = {}
    for delta in deltas:
        for name, n in delta.items():
            merged[name] = merged.get(name, 0) + n
    return {name: n for name, n in merged.items() if n}


class DynamoAnalyticsRepository:
    """The consumer's and the sweep's reads and writes, and the API's reads."""

    # ------------------------------------------------------------ states

    def states(self, institution_id: str, course_id: str, student_id: str) -> States:
        """The course, the student's state in it, their activity and the rules: one BatchGetItem."""
        course_pk = keys.analytics_course_pk(institution_id, course_id)
        inst_pk = keys.analytics_institution_pk(institution_id)
        wanted = [
            (course_pk, keys.ANALYTICS_COURSE_SK),
            (course_pk, keys.analytics_student_sk(student_id)),
            (inst_pk, keys.analytics_learner_sk(student_id)),
            (inst_pk, keys.ANALYTICS_RULES_SK),
        ]
        found = {(i.PK, i.SK): i for i in DocumentItem.batch_get(wanted, consistent_read=True)}
        course = found.get(wanted[0])
        learner = found.get(wanted[1])
        activity = found.get(wanted[2])
        rules = found.get(wanted[3])
        return States(
            course=self._course(course_id, course),
            learner=documents.parse_learner(student_id, learner.document, int(learner.version))
            if learner is not None
            else LearnerState(student_id),
            activity=documents.parse_activity(student_id, activity.document, int(activity.version))
            if activity is not None
            else LearnerActivity(student_id),
            rules=documents.parse_rules(rules.document, int(rules.version))
            if rules is not None
            else DEFAULT_RULES,
        )

    def course(self, institution_id: str, course_id: str) -> CourseCopy:
        try:
            item = DocumentItem.get(
                keys.analytics_course_pk(institution_id, course_id),
                keys.ANALYTICS_COURSE_SK,
                consistent_read=True,
            )
        except DocumentItem.DoesNotExist:
            return CourseCopy(course_id)
        return self._course(course_id, item)

    @staticmethod
    def _course(course_id: str, item: DocumentItem | None) -> CourseCopy:
        if item is None:
            return CourseCopy(course_id)
        return documents.parse_course(course_id, item.document, int(item.version))

    def course_and_learner(
        self, institution_id: str, course_id: str, student_id: str
    ) -> tuple[CourseCopy, LearnerState | None]:
        """The course and one student's state in it: one BatchGetItem."""
        pk = keys.analytics_course_pk(institution_id, course_id)
        wanted = [(pk, keys.ANALYTICS_COURSE_SK), (pk, keys.analytics_student_sk(student_id))]
        found = {i.SK: i for i in DocumentItem.batch_get(wanted, consistent_read=True)}
        learner = found.get(keys.analytics_student_sk(student_id))
        state = (
            documents.parse_learner(student_id, learner.document, int(learner.version)) if learner else None
        )
        return self._course(course_id, found.get(keys.ANALYTICS_COURSE_SK)), state

    def rules(self, institution_id: str) -> AtRiskRules:
        try:
            item = DocumentItem.get(
                keys.analytics_institution_pk(institution_id), keys.ANALYTICS_RULES_SK, consistent_read=True
            )
        except DocumentItem.DoesNotExist:
            return DEFAULT_RULES
        return documents.parse_rules(item.document, int(item.version))

    def save_rules(self, institution_id: str, rules: AtRiskRules, read_version: int) -> AtRiskRules:
        """Store the rules if the stored ones are at `read_version` (0: none stored yet)."""
        item = DocumentItem(
            keys.analytics_institution_pk(institution_id),
            keys.ANALYTICS_RULES_SK,
            entity=RULES_ENTITY,
            updated_at=clock.rfc3339(clock.now()),
            document=documents.rules_document(rules),
            version=read_version + 1,
        )
        try:
            item.save(condition=_versioned(read_version))
        except PutError as error:
            if error.cause_response_code == "ConditionalCheckFailedException":
                raise StateChanged from error
            raise
        return AtRiskRules(
            rules.inactive_days,
            rules.missed_deadlines,
            rules.passing_grade_percent,
            rules.behind_schedule_points,
            read_version + 1,
        )

    def record_read(self, actor: Principal, course_id: str, student_id: str) -> None:
        """Staff reading a learner's analytics (grades, reasons) leave an entry in the audit trail."""
        audit.record_read(
            actor,
            "GetLearnerAnalytics",
            f"analytics/courses/{course_id}/students/{student_id}",
            subject_user_id=student_id,
        )

    def record_class_read(self, actor: Principal, course_id: str, students: int) -> None:
        """Staff reading a page of the class list (grades, reasons) leave one entry in the audit trail."""
        audit.record_class_read(
            actor, "ListCourseLearners", f"analytics/courses/{course_id}/students", students=students
        )

    def record_lesson_opened(self, principal: Principal, event: DomainEvent) -> None:
        """The event alone (one PutItem): the consumer applies it to the learner's state."""
        outbox_item(event, principal.institution_id, principal).save()

    # ------------------------------------------------------------ the one write

    def commit(self, change: Change) -> None:
        inst, course_id = change.institution_id, change.course_id
        tx = Transaction()
        if change.envelope is not None:
            record_in(tx, CONSUMER, change.envelope)
        course_delta: dict[str, int] = {}
        institution_delta: dict[str, int] = {}
        student_shard = 0
        if change.course is not None:
            before, after = change.course
            if before != after:
                tx.put(self._course_item(inst, after), _versioned(before.version), StateChanged())
                institution_delta = _merge(institution_delta, course_difference(before, after))
        if change.learner is not None:
            before_l, after_l = change.learner
            student_shard = keys.analytics_counter_shard(after_l.student_id)
            if before_l != after_l:
                tx.put(
                    self._learner_item(inst, course_id, after_l), _versioned(before_l.version), StateChanged()
                )
                self._move_rows(tx, inst, course_id, before_l, after_l)
                course_delta = difference(before_l, after_l)
                institution_delta = _merge(institution_delta, institution_share(course_delta))
        if change.activity is not None:
            before_a, after_a = change.activity
            if before_a != after_a:
                item = DocumentItem(
                    keys.analytics_institution_pk(inst),
                    keys.analytics_learner_sk(after_a.student_id),
                    entity=ACTIVITY_ENTITY,
                    updated_at=clock.rfc3339(clock.now()),
                    student_id=after_a.student_id,
                    document=documents.activity_document(after_a),
                    version=before_a.version + 1,
                )
                tx.put(item, _versioned(before_a.version), StateChanged())
                institution_delta = _merge(institution_delta, activity_difference(before_a, after_a))
        counted = _merge(course_delta, change.counted)
        _add_counters(tx, keys.analytics_counters_pk(inst, course_id), counted, student_shard)
        _add_counters(tx, keys.analytics_counters_pk(inst, None), institution_delta, student_shard)
        for event in change.events:
            tx.put(outbox_item(event, inst, change.actor))
        tx.commit()

    @staticmethod
    def _course_item(institution_id: str, course: CourseCopy) -> DocumentItem:
        return DocumentItem(
            keys.analytics_course_pk(institution_id, course.course_id),
            keys.ANALYTICS_COURSE_SK,
            entity=COURSE_ENTITY,
            updated_at=clock.rfc3339(clock.now()),
            course_id=course.course_id,
            document=documents.course_document(course),
            version=course.version + 1,
        )

    @staticmethod
    def _learner_item(institution_id: str, course_id: str, state: LearnerState) -> DocumentItem:
        return DocumentItem(
            keys.analytics_course_pk(institution_id, course_id),
            keys.analytics_student_sk(state.student_id),
            entity=LEARNER_ENTITY,
            updated_at=clock.rfc3339(clock.now()),
            GSI1PK=keys.analytics_student_courses_pk(institution_id, state.student_id),
            GSI1SK=course_id,
            course_id=course_id,
            student_id=state.student_id,
            document=documents.learner_document(state),
            version=state.version + 1,
        )

    @staticmethod
    def _move_rows(
        tx: Transaction, inst: str, course_id: str, before: LearnerState, after: LearnerState
    ) -> None:
        old, new = _row_keys(before), _row_keys(after)
        if old == new and _row_view(before) == _row_view(after):
            return
        pk = keys.analytics_course_pk(inst, course_id)
        for sk in set(old.values()) - set(new.values()):
            tx.delete(RowItem(pk, sk))
        for order, sk in new.items():
            tx.put(_row(inst, course_id, order, sk, after))

    # ------------------------------------------------------------ the API's reads

    def counters(self, institution_id: str, course_id: str | None) -> Counted:
        """Every total counter of a course (or the institution), summed over shards: one Query page."""
        pk = self._partition(institution_id, course_id)
        counted = Counted()
        for item in self._query(pk, keys.ANALYTICS_COUNT_PREFIX, keys.ANALYTICS_COUNT_PREFIX + "~"):
            name = item.SK.removeprefix(keys.ANALYTICS_COUNT_PREFIX).rsplit("#", 1)[0]
            counted.totals[name] = counted.totals.get(name, 0) + int(item.n)
            counted.saw(item.updated_at)
        return counted

    def daily(self, institution_id: str, course_id: str | None, first_day: str, last_day: str) -> Daily:
        """Daily counters from `first_day` to `last_day` by day, then metric: one Query page."""
        pk = self._partition(institution_id, course_id)
        daily = Daily()
        low = keys.ANALYTICS_DAY_PREFIX + first_day
        high = keys.ANALYTICS_DAY_PREFIX + last_day + "#~"
        for item in self._query(pk, low, high):
            day, metric, _ = item.SK.removeprefix(keys.ANALYTICS_DAY_PREFIX).split("#")
            metrics = daily.days.setdefault(day, {})
            metrics[metric] = metrics.get(metric, 0) + int(item.n)
            daily.saw(item.updated_at)
        return daily

    @staticmethod
    def _partition(institution_id: str, course_id: str | None) -> str:
        return keys.analytics_counters_pk(institution_id, course_id)

    @staticmethod
    def _query(pk: str, low: str, high: str) -> Iterator[CounterItem]:
        # Counters of a course are bounded by its outline, not its class: they fit one 1 MB page.
        results = CounterItem.query(pk, CounterItem.SK.between(low, high), consistent_read=True)
        page = next(results.page_iter)
        for raw in page.get("Items", []):
            yield CounterItem.from_raw_data(raw)

    def rows(
        self,
        institution_id: str,
        course_id: str,
        order: str,
        descending: bool,
        limit: int,
        cursor: str | None,
    ) -> tuple[list[RowItem], str | None]:
        """One page of a sorted class list: one Query."""
        pk = keys.analytics_course_pk(institution_id, course_id)
        prefix = keys.analytics_row_prefix(order)
        start = decode_cursor(cursor, partition_attr="PK", partition=pk)
        if start is not None and not str(start["SK"]["S"]).startswith(prefix):
            raise InvalidCursor("The cursor does not belong to this list.", field="cursor")
        results = RowItem.query(
            pk,
            RowItem.SK.startswith(prefix),
            scan_index_forward=not descending,
            last_evaluated_key=start,
            page_size=limit,
            consistent_read=True,
        )
        page = next(results.page_iter)
        rows = [RowItem.from_raw_data(raw) for raw in page.get("Items", [])]
        return rows, encode_cursor(page.get("LastEvaluatedKey"))

    # ------------------------------------------------------------ the sweep's index

    def idle_rows(self, day: str, shard: int) -> list[RowItem]:
        """The learners of every institution last active on `day` and not judged inactive yet
        (read whole before any is judged: judging one takes it out of the index)."""
        return [cast(RowItem, found) for found in RowItem.idle.query(keys.analytics_idle_pk(day, shard))]

    # ------------------------------------------------------------ privacy

    def learner_states(self, institution_id: str, student_id: str) -> list[tuple[str, LearnerState]]:
        """(course id, state) of every course the student has a state in: one Query per page of GSI1."""
        partition = keys.analytics_student_courses_pk(institution_id, student_id)
        items = [cast(DocumentItem, i) for i in DocumentItem.by_student.query(partition)]
        return [
            (str(i.course_id), documents.parse_learner(student_id, i.document, int(i.version))) for i in items
        ]

    def activity(self, institution_id: str, student_id: str) -> LearnerActivity:
        try:
            item = DocumentItem.get(
                keys.analytics_institution_pk(institution_id),
                keys.analytics_learner_sk(student_id),
                consistent_read=True,
            )
        except DocumentItem.DoesNotExist:
            return LearnerActivity(student_id)
        return documents.parse_activity(student_id, item.document, int(item.version))

    def erase(self, institution_id: str, course_id: str, state: LearnerState, at: datetime) -> None:
        """Replace the state with its tombstone and take the student off the class lists.

        The erasure drops the person's enrollment (the courses context does too): the counters
        move as for a drop, so they agree with the roster, and then keep what is left, naming nobody.
        """
        tx = Transaction()
        tombstone = erase(state)
        tx.put(
            self._learner_item(institution_id, course_id, tombstone),
            _versioned(state.version),
            StateChanged(),
        )
        pk = keys.analytics_course_pk(institution_id, course_id)
        for sk in _row_keys(state).values():
            tx.delete(RowItem(pk, sk))
        delta = difference(state, drop(state, Stamp(at, "erasure")) if state.enrolled else state)
        shard = keys.analytics_counter_shard(state.student_id)
        _add_counters(tx, keys.analytics_counters_pk(institution_id, course_id), delta, shard)
        _add_counters(tx, keys.analytics_counters_pk(institution_id, None), institution_share(delta), shard)
        tx.commit()

    def erase_activity(self, institution_id: str, activity: LearnerActivity) -> None:
        tombstone = LearnerActivity(activity.student_id, erased=True, version=activity.version)
        DocumentItem(
            keys.analytics_institution_pk(institution_id),
            keys.analytics_learner_sk(activity.student_id),
            entity=ACTIVITY_ENTITY,
            updated_at=clock.rfc3339(clock.now()),
            student_id=activity.student_id,
            document=documents.activity_document(tombstone),
            version=activity.version + 1,
        ).save(condition=_versioned(activity.version))
