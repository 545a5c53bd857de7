"""A person's announcements and read state, for the context's privacy contributor.

Export: the announcements the person wrote (their authored pointers, then each announcement) and
how far they have read each board. Erasure keeps announcements, which speak for a course or the
institution rather than for their author, and shows them as from a deleted user
(`author_erased`); it deletes the read markers. Both read per-person partitions only.
"""

from __future__ import annotations

from lms import clock, keys
from lms.auth import Principal
from lms.communication.announcements.repository import (
    AnnouncementItem,
    AuthoredAnnouncementItem,
    ReadMarkerItem,
)
from lms.privacy import ExportRecord, ExportSections


def _announcement(institution_id: str, pointer: AuthoredAnnouncementItem) -> AnnouncementItem | None:
    try:
        return AnnouncementItem.get(
            keys.announcements_pk(institution_id, pointer.course_id),
            keys.announcement_sk(pointer.announcement_id),
        )
    except AnnouncementItem.DoesNotExist:
        return None


def export(institution_id: str, user_id: str) -> ExportSections:
    written: list[ExportRecord] = []
    for pointer in AuthoredAnnouncementItem.query(keys.authored_announcements_pk(institution_id, user_id)):
        item = _announcement(institution_id, pointer)
        if item is None:
            continue
        written.append(
            {
                "announcement_id": item.announcement_id,
                "course_id": item.course_id,
                "title": item.title,
                "body": item.body,
                "status": item.status,
                "publish_at": clock.rfc3339(item.publish_at) if item.publish_at else None,
                "created_at": clock.rfc3339(item.created_at),
            }
        )
    read = [
        {"course_id": marker.course_id, "read_through": clock.rfc3339(marker.read_through)}
        for marker in ReadMarkerItem.query(keys.announcement_reads_pk(institution_id, user_id))
    ]
    return {"announcements_written": written, "announcements_read": read}


def erase(institution_id: str, user_id: str, actor: Principal) -> None:
    for pointer in AuthoredAnnouncementItem.query(keys.authored_announcements_pk(institution_id, user_id)):
        item = _announcement(institution_id, pointer)
        if item is not None and not item.author_erased:
            item.update(actions=[AnnouncementItem.author_erased.set(True)])
    for marker in ReadMarkerItem.query(keys.announcement_reads_pk(institution_id, user_id)):
        marker.delete()
