"""Line items and results in the single table (access patterns: docs/data-model.md, "LTI").

A tool's line items in a course share the partition of the course's launched mark
(keys.lti_tool_course_pk): one GetItem each, the list one Query. A line item's results have a
partition of their own (keys.lti_results_pk), one item per student, indexed under the student
(GSI1, keys.lti_scores_of_user_pk) for their privacy export and erasure. Decimals are stored as
strings: a DynamoDB number read through pynamodb would pass through float.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from pynamodb.attributes import UnicodeAttribute, UTCDateTimeAttribute

from lms import keys
from lms.auth import Principal
from lms.events import DomainEvent
from lms.lti import course_access
from lms.lti.ags.domain import ActivityProgress, GradingProgress, LineItem, Result, Score
from lms.lti.errors import LtiLineItemChangedMeanwhile, LtiScoreUserNotMember
from lms.lti.repository import Idempotent
from lms.pagination import decode_cursor, encode_cursor
from lms.persistence.idempotency import remember_answer
from lms.persistence.outbox import outbox_item
from lms.persistence.table import GSI1, Item, VersionedItem
from lms.persistence.transactions import Transaction

LINE_ITEM_ENTITY = "lti-line-item"
RESULT_ENTITY = "lti-result"


class LineItemItem(VersionedItem):
    line_item_id = UnicodeAttribute()
    tool_id = UnicodeAttribute()
    course_id = UnicodeAttribute()
    label = UnicodeAttribute()
    score_maximum = UnicodeAttribute()
    resource_link_id = UnicodeAttribute(null=True)
    resource_id = UnicodeAttribute(null=True)
    tag = UnicodeAttribute(null=True)
    start_date_time = UTCDateTimeAttribute(null=True)
    end_date_time = UTCDateTimeAttribute(null=True)
    gradebook_category = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute()


class ResultItem(Item):
    """A student's latest score for a line item (their privacy export lists it)."""

    GSI1PK = UnicodeAttribute()
    GSI1SK = UnicodeAttribute()
    by_user = GSI1()

    line_item_id = UnicodeAttribute()
    tool_id = UnicodeAttribute()
    course_id = UnicodeAttribute()
    user_id = UnicodeAttribute()
    score_given = UnicodeAttribute(null=True)
    score_maximum = UnicodeAttribute(null=True)
    result_score = UnicodeAttribute(null=True)
    result_maximum = UnicodeAttribute()
    activity_progress = UnicodeAttribute()
    grading_progress = UnicodeAttribute()
    comment = UnicodeAttribute(null=True)
    # Stored as fixed-width UTC text, so `<` in a condition compares times.
    timestamp = UTCDateTimeAttribute()


def _idempotency_caller(tool_id: str) -> str:
    """Whose Idempotency-Keys a tool's are: the tool's own (a client id's `~` is no key part)."""
    return f"lti-tool:{tool_id}"


class LineItemExists(Exception):
    """A line item of this id was made meanwhile (a resource link's, by a concurrent first use)."""


class OlderScore(Exception):
    """The result holds a score of the same or a later time: the posted one changes nothing."""


@dataclass(frozen=True)
class LineItemFilter:
    """The list's filters (AGS): each one given must match."""

    resource_link_id: str | None = None
    resource_id: str | None = None
    tag: str | None = None


def _decimal(value: str | None) -> Decimal | None:
    return Decimal(value) if value is not None else None


def _text(value: Decimal | None) -> str | None:
    return str(value) if value is not None else None


def _line_item_item(item: LineItem) -> LineItemItem:
    return LineItemItem(
        keys.lti_tool_course_pk(item.institution_id, item.tool_id, item.course_id),
        keys.lti_line_item_sk(item.id),
        entity=LINE_ITEM_ENTITY,
        version=item.version,
        line_item_id=item.id,
        tool_id=item.tool_id,
        course_id=item.course_id,
        label=item.label,
        score_maximum=str(item.score_maximum),
        resource_link_id=item.resource_link_id,
        resource_id=item.resource_id,
        tag=item.tag,
        start_date_time=item.start_date_time,
        end_date_time=item.end_date_time,
        gradebook_category=item.gradebook_category,
        created_at=item.created_at,
        updated_at=item.updated_at,
    )


def _line_item(item: LineItemItem, institution_id: str) -> LineItem:
    return LineItem(
        id=item.line_item_id,
        institution_id=institution_id,
        tool_id=item.tool_id,
        course_id=item.course_id,
        label=item.label,
        score_maximum=Decimal(item.score_maximum),
        resource_link_id=item.resource_link_id,
        resource_id=item.resource_id,
        tag=item.tag,
        start_date_time=item.start_date_time,
        end_date_time=item.end_date_time,
        gradebook_category=item.gradebook_category,
        version=int(item.version),
        created_at=item.created_at,
        updated_at=item.updated_at,
    )


def _result_item(result: Result) -> ResultItem:
    line, score = result.line_item, result.score
    inst = line.institution_id
    return ResultItem(
        keys.lti_results_pk(inst, line.tool_id, line.course_id, line.id),
        keys.lti_result_sk(score.user_id),
        entity=RESULT_ENTITY,
        GSI1PK=keys.lti_scores_of_user_pk(inst, score.user_id),
        GSI1SK=f"{line.course_id}#{line.tool_id}#{line.id}",
        line_item_id=line.id,
        tool_id=line.tool_id,
        course_id=line.course_id,
        user_id=score.user_id,
        score_given=_text(score.score_given),
        score_maximum=_text(score.score_maximum),
        result_score=_text(result.result_score),
        result_maximum=str(result.result_maximum),
        activity_progress=score.activity_progress.value,
        grading_progress=score.grading_progress.value,
        comment=score.comment,
        timestamp=score.timestamp,
    )


def _result(item: ResultItem, line_item: LineItem) -> Result:
    score = Score(
        user_id=item.user_id,
        score_given=_decimal(item.score_given),
        score_maximum=_decimal(item.score_maximum),
        activity_progress=ActivityProgress(item.activity_progress),
        grading_progress=GradingProgress(item.grading_progress),
        timestamp=item.timestamp,
        comment=item.comment,
    )
    return Result(line_item, score, _decimal(item.result_score), Decimal(item.result_maximum))


class DynamoGradeRepository:
    def line_item(
        self, institution_id: str, tool_id: str, course_id: str, line_item_id: str
    ) -> LineItem | None:
        try:
            item = LineItemItem.get(
                keys.lti_tool_course_pk(institution_id, tool_id, course_id),
                keys.lti_line_item_sk(line_item_id),
                consistent_read=True,
            )
        except LineItemItem.DoesNotExist:
            return None
        return _line_item(item, institution_id)

    def line_items_page(
        self,
        institution_id: str,
        tool_id: str,
        course_id: str,
        wanted: LineItemFilter,
        limit: int,
        cursor: str | None,
    ) -> tuple[list[LineItem], str | None]:
        """One Query page of the tool's line items in the course, filtered as asked (in id order)."""
        partition = keys.lti_tool_course_pk(institution_id, tool_id, course_id)
        conditions: list[Any] = []
        if wanted.resource_link_id is not None:
            conditions.append(LineItemItem.resource_link_id == wanted.resource_link_id)
        if wanted.resource_id is not None:
            conditions.append(LineItemItem.resource_id == wanted.resource_id)
        if wanted.tag is not None:
            conditions.append(LineItemItem.tag == wanted.tag)
        condition = None
        for each in conditions:
            condition = each if condition is None else condition & each
        results = LineItemItem.query(
            partition,
            LineItemItem.SK.startswith(keys.LTI_LINE_ITEM_PREFIX),
            filter_condition=condition,
            last_evaluated_key=decode_cursor(cursor, partition_attr="PK", partition=partition),
            limit=limit,
            page_size=limit,
            consistent_read=True,
        )
        page = next(results.page_iter)
        found = [_line_item(LineItemItem.from_raw_data(raw), institution_id) for raw in page.get("Items", [])]
        return found, encode_cursor(page.get("LastEvaluatedKey"))

    def create_line_item(
        self,
        item: LineItem,
        actor: Principal,
        events: Iterable[DomainEvent],
        idempotent: Idempotent | None = None,
    ) -> None:
        """One transaction: the line item (new), its event and (with Idempotency-Key) the answer;
        a key used before cancels it and raises its first answer (lms.persistence.idempotency)."""
        tx = Transaction()
        tx.put(_line_item_item(item), LineItemItem.PK.does_not_exist(), LineItemExists())
        for event in events:
            tx.put(outbox_item(event, item.institution_id, actor))
        if idempotent is not None:
            remember_answer(
                tx,
                item.institution_id,
                _idempotency_caller(item.tool_id),
                idempotent.request,
                idempotent.response,
            )
        tx.commit()

    def save_line_item(
        self, before: LineItem, after: LineItem, actor: Principal, events: Iterable[DomainEvent]
    ) -> None:
        """One transaction conditioned on the version read."""
        tx = Transaction()
        tx.put(
            _line_item_item(after),
            LineItemItem.version == before.version,
            LtiLineItemChangedMeanwhile("The line item changed meanwhile; read it again."),
        )
        for event in events:
            tx.put(outbox_item(event, after.institution_id, actor))
        tx.commit()

    def delete_line_item(self, item: LineItem, actor: Principal, events: Iterable[DomainEvent]) -> None:
        """One transaction: the line item at the version read goes, with its event (results stay)."""
        tx = Transaction()
        tx.delete(
            _line_item_item(item),
            LineItemItem.version == item.version,
            LtiLineItemChangedMeanwhile("The line item changed meanwhile; read it again."),
        )
        for event in events:
            tx.put(outbox_item(event, item.institution_id, actor))
        tx.commit()

    def post_score(self, result: Result, actor: Principal, events: Iterable[DomainEvent]) -> bool:
        """One transaction: the student enrolled, the result newer than the kept one, the event.

        False when the kept score is of the same or a later time (a retry, or a late delivery):
        nothing changes and no event is sent.
        """
        line = result.line_item
        tx = Transaction()
        course_access.check_enrolled(
            tx,
            line.institution_id,
            line.course_id,
            result.score.user_id,
            LtiScoreUserNotMember(f"{result.score.user_id!r} is not a student enrolled in the course."),
        )
        newer = ResultItem.PK.does_not_exist() | (ResultItem.timestamp < result.score.timestamp)
        tx.put(_result_item(result), newer, OlderScore())
        for event in events:
            tx.put(outbox_item(event, line.institution_id, actor))
        try:
            tx.commit()
        except OlderScore:
            return False
        return True

    def results_page(
        self, line_item: LineItem, user_id: str | None, limit: int, cursor: str | None
    ) -> tuple[list[Result], str | None]:
        """The line item's results: one Query page, or one GetItem for a single student."""
        partition = keys.lti_results_pk(
            line_item.institution_id, line_item.tool_id, line_item.course_id, line_item.id
        )
        if user_id is not None:
            try:
                item = ResultItem.get(partition, keys.lti_result_sk(user_id), consistent_read=True)
            except ResultItem.DoesNotExist:
                return [], None
            return [_result(item, line_item)], None
        results = ResultItem.query(
            partition,
            last_evaluated_key=decode_cursor(cursor, partition_attr="PK", partition=partition),
            limit=limit,
            page_size=limit,
            consistent_read=True,
        )
        page = next(results.page_iter)
        found = [_result(ResultItem.from_raw_data(raw), line_item) for raw in page.get("Items", [])]
        return found, encode_cursor(page.get("LastEvaluatedKey"))
