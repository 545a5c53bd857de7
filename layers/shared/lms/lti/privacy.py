"""The LTI context's personal data: a person's launches of tools and the scores tools posted for them.

Export: one Query per page of the person's launches partition (keys.lti_launches_pk), and one per
page of their scores (GSI1, keys.lti_scores_of_user_pk). Erasure deletes both: a launch says only
who opened which tool when, which is nobody's business once the person is gone, and a score's
grade leaves the gradebook with the person's row (the assessments context erases it). Used
nonces and hints carry no person's id and expire within the hour.
"""

from __future__ import annotations

from lms import clock, keys
from lms.auth import Principal
from lms.lti.ags.repository import LineItemItem, ResultItem
from lms.lti.course_access import CatalogRecord
from lms.lti.repository import LaunchItem
from lms.privacy import Contributor, ExportRecord, ExportSections


def _launches(institution_id: str, user_id: str) -> list[LaunchItem]:
    pages = LaunchItem.query(keys.lti_launches_pk(institution_id, user_id)).page_iter
    return [LaunchItem.from_raw_data(raw) for page in pages for raw in page.get("Items", [])]


def _record(item: LaunchItem) -> ExportRecord:
    return {
        "launch_id": item.launch_id,
        "tool_id": item.tool_id,
        "course_id": item.course_id,
        "lesson_id": item.lesson_id,
        "message_type": item.message_type,
        "roles": [str(role) for role in item.roles],
        "launched_at": clock.rfc3339(item.launched_at),
    }


def _scores(institution_id: str, user_id: str) -> list[ResultItem]:
    pages = ResultItem.by_user.query(keys.lti_scores_of_user_pk(institution_id, user_id)).page_iter
    return [ResultItem.from_raw_data(raw) for page in pages for raw in page.get("Items", [])]


def _score_record(item: ResultItem) -> ExportRecord:
    return {
        "course_id": item.course_id,
        "tool_id": item.tool_id,
        "line_item_id": item.line_item_id,
        "score_given": item.score_given,
        "score_maximum": item.score_maximum,
        "activity_progress": item.activity_progress,
        "grading_progress": item.grading_progress,
        "comment": item.comment,
        "timestamp": clock.rfc3339(item.timestamp),
    }


def export(institution_id: str, user_id: str) -> ExportSections:
    """Every launch of a tool by the person, oldest first, and the latest score of each line item."""
    return {
        "launches": [_record(item) for item in _launches(institution_id, user_id)],
        "scores": [_score_record(item) for item in _scores(institution_id, user_id)],
    }


def erase(institution_id: str, user_id: str, actor: Principal) -> None:
    """Delete the person's launches and scores (deleting what is already gone changes nothing)."""
    for item in _launches(institution_id, user_id):
        item.delete()
    for score in _scores(institution_id, user_id):
        score.delete()


CONTRIBUTOR = Contributor(
    name="lti",
    exported=(LaunchItem, ResultItem),
    not_personal={
        CatalogRecord: "a read-only view of the courses context's items, which that context declares",
        LineItemItem: "a tool's column of grades in a course: its label and maximum, no person's data",
    },
    export=export,
    erase=erase,
)
