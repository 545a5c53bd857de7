"""Use cases of the grade services: a tool's line items in a course, its scores and their results.

The caller is a tool holding an access token (lms.lti.tokens.ServiceCaller) with the scope the
route asks. A tool sees only its own line items, in courses it was launched from; another
tool's, another course's or another institution's are not found.

A resource link's line item (the `lti` lesson's own, whose id is the lesson's) is made on first
use: the first time its tool reads it, changes it or posts a score to it. A lesson whose tool
never grades (a video, a reading) adds no empty column to the gradebook, a launch writes nothing
more than the launch, and the launch's AGS claim can name the line item without reading anything.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Protocol

from lms import clock, ids
from lms.auth import Principal
from lms.events import DomainEvent
from lms.events.lti import LtiLineItemDeleted, LtiLineItemSaved, LtiScorePosted
from lms.idempotency import IdempotentRequest, StoredResponse
from lms.lti.ags.domain import (
    DEFAULT_CATEGORY,
    LineItem,
    Result,
    Score,
    resource_link_line_item,
    result_of,
)
from lms.lti.ags.repository import LineItemExists, LineItemFilter
from lms.lti.ags.schemas import LineItemBody, ScoreBody
from lms.lti.course_access import LinkedLesson
from lms.lti.errors import (
    LtiCourseNotFound,
    LtiInvalidLineItem,
    LtiLineItemChangedMeanwhile,
    LtiLineItemNotFound,
    LtiLineItemVersionMismatch,
)
from lms.lti.repository import Idempotent
from lms.lti.tokens import ServiceCaller


class GradeRepository(Protocol):
    def line_item(
        self, institution_id: str, tool_id: str, course_id: str, line_item_id: str
    ) -> LineItem | None: ...
    def line_items_page(
        self,
        institution_id: str,
        tool_id: str,
        course_id: str,
        wanted: LineItemFilter,
        limit: int,
        cursor: str | None,
    ) -> tuple[list[LineItem], str | None]: ...
    def create_line_item(
        self,
        item: LineItem,
        actor: Principal,
        events: list[DomainEvent],
        idempotent: Idempotent | None = None,
    ) -> None: ...
    def save_line_item(
        self, before: LineItem, after: LineItem, actor: Principal, events: list[DomainEvent]
    ) -> None: ...
    def delete_line_item(self, item: LineItem, actor: Principal, events: list[DomainEvent]) -> None: ...
    def post_score(self, result: Result, actor: Principal, events: list[DomainEvent]) -> bool: ...
    def results_page(
        self, line_item: LineItem, user_id: str | None, limit: int, cursor: str | None
    ) -> tuple[list[Result], str | None]: ...


class Launches(Protocol):
    def launched_from(self, institution_id: str, tool_id: str, course_id: str) -> bool: ...


Lessons = Callable[[str, str, str], LinkedLesson | None]
"""The course's `lti` lesson of an id (lms.lti.course_access.linked_lesson)."""


def _actor(caller: ServiceCaller) -> Principal:
    """Events of a tool's changes name the tool (its client id) as their actor."""
    return Principal(user_id=caller.tool.client_id, institution_id=caller.institution_id, roles=frozenset())


def _saved(item: LineItem) -> LtiLineItemSaved:
    return LtiLineItemSaved(
        line_item_id=item.id,
        tool_id=item.tool_id,
        course_id=item.course_id,
        label=item.label,
        score_maximum=item.score_maximum,
        gradebook_category=item.gradebook_category,
        resource_link_id=item.resource_link_id,
        end_date_time=item.end_date_time,
    )


class GradeService:
    def __init__(
        self,
        repository: GradeRepository,
        launches: Launches,
        lessons: Lessons,
        now: Callable[[], datetime] = clock.now,
        new_id: Callable[[], str] = ids.new_id,
    ) -> None:
        self._repo = repository
        self._launches = launches
        self._lessons = lessons
        self._now = now
        self._new_id = new_id

    # ------------------------------------------------------------ line items

    def create_line_item(
        self,
        caller: ServiceCaller,
        course_id: str,
        body: LineItemBody,
        request: IdempotentRequest | None = None,
        answer: Callable[[LineItem], str] | None = None,
    ) -> LineItem:
        """A new line item of the tool in the course; its gradebook column follows (LtiLineItemSaved).

        With an Idempotency-Key (`request`), `answer` renders the response stored with the change:
        a retry raises Replay with it, and changes nothing.
        """
        self._launched_from(caller, course_id)
        if body.resource_link_id is not None:
            self._own_lesson(caller, course_id, body.resource_link_id)
        now = self._now()
        item = LineItem(
            id=self._new_id(),
            institution_id=caller.institution_id,
            tool_id=caller.tool.id,
            course_id=course_id,
            label=body.label,
            score_maximum=body.score_maximum,
            resource_link_id=body.resource_link_id,
            resource_id=body.resource_id,
            tag=body.tag,
            start_date_time=body.start_date_time,
            end_date_time=body.end_date_time,
            gradebook_category=body.gradebook_category or DEFAULT_CATEGORY,
            version=1,
            created_at=now,
            updated_at=now,
        )
        idempotent = None
        if request is not None and answer is not None:
            stored = StoredResponse(fingerprint=request.fingerprint, status=201, body=answer(item))
            idempotent = Idempotent(request=request, response=stored)
        self._repo.create_line_item(item, _actor(caller), [_saved(item)], idempotent)
        return item

    def line_items(
        self, caller: ServiceCaller, course_id: str, wanted: LineItemFilter, limit: int, cursor: str | None
    ) -> tuple[list[LineItem], str | None]:
        self._launched_from(caller, course_id)
        return self._repo.line_items_page(
            caller.institution_id, caller.tool.id, course_id, wanted, limit, cursor
        )

    def line_item(self, caller: ServiceCaller, course_id: str, line_item_id: str) -> LineItem:
        """The line item; a resource link's own is made here on its first use."""
        found = self._repo.line_item(caller.institution_id, caller.tool.id, course_id, line_item_id)
        if found is not None:
            return found
        lesson = self._lessons(caller.institution_id, course_id, line_item_id)
        if lesson is None or lesson.tool_id != caller.tool.id:
            raise LtiLineItemNotFound(f"No line item {line_item_id!r} of this tool in course {course_id!r}.")
        item = resource_link_line_item(
            caller.institution_id,
            caller.tool.id,
            course_id,
            lesson.lesson_id,
            lesson.title,
            lesson.gradebook_category,
            self._now(),
            lesson.line_item,
        )
        try:
            self._repo.create_line_item(item, _actor(caller), [_saved(item)])
        except LineItemExists:  # another request's first use made it: that one is the line item
            made = self._repo.line_item(caller.institution_id, caller.tool.id, course_id, line_item_id)
            if made is None:
                raise LtiLineItemChangedMeanwhile("The line item changed meanwhile; try again.") from None
            return made
        return item

    def update_line_item(
        self,
        caller: ServiceCaller,
        course_id: str,
        line_item_id: str,
        body: LineItemBody,
        expected_version: int | None,
    ) -> LineItem:
        """Replace the line item's values (PUT); its resource link never changes."""
        before = self._at_version(caller, course_id, line_item_id, expected_version)
        if body.resource_link_id not in (None, before.resource_link_id):
            raise LtiInvalidLineItem(
                "A line item's resourceLinkId does not change.",
                errors=[{"field": "resourceLinkId", "in": "body", "message": "cannot change"}],
            )
        changes = {
            "label": body.label,
            "score_maximum": body.score_maximum,
            "resource_id": body.resource_id,
            "tag": body.tag,
            "start_date_time": body.start_date_time,
            "end_date_time": body.end_date_time,
            "gradebook_category": body.gradebook_category or before.gradebook_category,
        }
        if all(getattr(before, name) == value for name, value in changes.items()):
            return before
        after = before.changed(self._now(), **changes)
        self._repo.save_line_item(before, after, _actor(caller), [_saved(after)])
        return after

    def delete_line_item(
        self, caller: ServiceCaller, course_id: str, line_item_id: str, expected_version: int | None
    ) -> None:
        """Delete the line item: its column and scores leave the gradebook (LtiLineItemDeleted)."""
        item = self._at_version(caller, course_id, line_item_id, expected_version)
        event = LtiLineItemDeleted(line_item_id=item.id, tool_id=item.tool_id, course_id=item.course_id)
        self._repo.delete_line_item(item, _actor(caller), [event])

    # ------------------------------------------------------------ scores and results

    def post_score(self, caller: ServiceCaller, course_id: str, line_item_id: str, body: ScoreBody) -> bool:
        """Keep the score if it is newer than the kept one; False when it was older (ignored)."""
        line_item = self.line_item(caller, course_id, line_item_id)
        score = Score(
            user_id=body.user_id,
            score_given=body.score_given,
            score_maximum=body.score_maximum,
            activity_progress=body.activity_progress,
            grading_progress=body.grading_progress,
            timestamp=body.timestamp.astimezone(UTC),
            comment=body.comment,
        )
        result = result_of(line_item, score)
        event = LtiScorePosted(
            line_item_id=line_item.id,
            tool_id=line_item.tool_id,
            course_id=course_id,
            user_id=score.user_id,
            score_given=score.score_given,
            score_maximum=score.score_maximum,
            result_score=result.result_score,
            result_maximum=result.result_maximum,
            activity_progress=score.activity_progress.value,
            grading_progress=score.grading_progress.value,
            counts=result.counts,
            timestamp=score.timestamp,
        )
        return self._repo.post_score(result, _actor(caller), [event])

    def results(
        self,
        caller: ServiceCaller,
        course_id: str,
        line_item_id: str,
        user_id: str | None,
        limit: int,
        cursor: str | None,
    ) -> tuple[list[Result], str | None]:
        line_item = self.line_item(caller, course_id, line_item_id)
        return self._repo.results_page(line_item, user_id, limit, cursor)

    # ------------------------------------------------------------ checks

    def _launched_from(self, caller: ServiceCaller, course_id: str) -> None:
        if not self._launches.launched_from(caller.institution_id, caller.tool.id, course_id):
            raise LtiCourseNotFound(f"No course {course_id!r} launched this tool.")

    def _own_lesson(self, caller: ServiceCaller, course_id: str, lesson_id: str) -> None:
        lesson = self._lessons(caller.institution_id, course_id, lesson_id)
        if lesson is None or lesson.tool_id != caller.tool.id:
            raise LtiInvalidLineItem(
                f"{lesson_id!r} is not a resource link of this tool in the course.",
                errors=[
                    {"field": "resourceLinkId", "in": "body", "message": "not a resource link of the tool"}
                ],
            )

    def _at_version(
        self, caller: ServiceCaller, course_id: str, line_item_id: str, expected_version: int | None
    ) -> LineItem:
        item = self.line_item(caller, course_id, line_item_id)
        if expected_version is not None and item.version != expected_version:
            raise LtiLineItemVersionMismatch(
                f"The line item is at version {item.version}, not {expected_version}.",
                current_version=item.version,
            )
        return item
