"""The communication context's personal data, one part per kind of conversation (see lms.privacy).

Announcements, discussions and direct messages each add a `Part` to `PARTS` (its export sections
and its erasure) and declare their item types that carry a user id in `EXPORTED` or `NOT_PERSONAL`.
Erasure runs the parts in order; each is idempotent on its own, so a retried erasure repeats
nothing that already happened.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from lms.auth import Principal
from lms.communication.announcements import personal_data as announcements
from lms.communication.announcements.repository import (
    AnnouncementItem,
    AuthoredAnnouncementItem,
    ReadMarkerItem,
)
from lms.communication.course_access import CatalogCourse
from lms.communication.discussions import personal_data as discussions
from lms.communication.discussions import repository as discussion_items
from lms.communication.messages import privacy as messages
from lms.persistence.table import Item
from lms.privacy import Contributor, ExportSections


@dataclass(frozen=True)
class Part:
    """A part's export sections (names unique within the context) and its erasure."""

    export: Callable[[str, str], ExportSections]
    erase: Callable[[str, str, Principal], None]


PARTS: tuple[Part, ...] = (
    Part(export=announcements.export, erase=announcements.erase),
    Part(export=discussions.export, erase=discussions.erase),
    Part(export=messages.export, erase=messages.erase),
)

EXPORTED: tuple[type[Item], ...] = (
    AnnouncementItem,
    AuthoredAnnouncementItem,
    ReadMarkerItem,
    discussion_items.TopicItem,
    discussion_items.PostItem,
    discussion_items.LikeItem,
    discussion_items.MemberItem,
    discussion_items.ReportItem,
    *messages.EXPORTED,
)

NOT_PERSONAL: dict[type[Item], str] = {
    CatalogCourse: "a read-only view of the courses context's course item, which that context declares",
    discussion_items.ReportedPostItem: (
        "`resolved_by` names the staff member who hid or restored a post: the course's moderation record"
    ),
}


def export(institution_id: str, user_id: str) -> ExportSections:
    sections: ExportSections = {}
    for part in PARTS:
        sections.update(part.export(institution_id, user_id))
    return sections


def erase(institution_id: str, user_id: str, actor: Principal) -> None:
    for part in PARTS:
        part.erase(institution_id, user_id, actor)


CONTRIBUTOR = Contributor(
    name="communication",
    exported=EXPORTED,
    not_personal=NOT_PERSONAL,
    export=export,
    erase=erase,
)
