"""The LTI context's personal data: a person's launches of tools.

Export: one Query per page of the person's launches partition (keys.lti_launches_pk). Erasure
deletes them: a launch says only who opened which tool when, which is nobody's business once the
person is gone. Used nonces and hints carry no person's id and expire within the hour.
"""

from __future__ import annotations

from lms import clock, keys
from lms.auth import Principal
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


def export(institution_id: str, user_id: str) -> ExportSections:
    """Every launch of a tool by the person, oldest first."""
    return {"launches": [_record(item) for item in _launches(institution_id, user_id)]}


def erase(institution_id: str, user_id: str, actor: Principal) -> None:
    """Delete the person's launches (deleting what is already gone changes nothing)."""
    for item in _launches(institution_id, user_id):
        item.delete()


CONTRIBUTOR = Contributor(
    name="lti",
    exported=(LaunchItem,),
    not_personal={
        CatalogRecord: "a read-only view of the courses context's items, which that context declares",
    },
    export=export,
    erase=erase,
)
