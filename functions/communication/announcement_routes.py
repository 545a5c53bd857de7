"""Routes of the communication API for announcements: request parsing and wiring only.

A course's board lives under /communication/courses/{course_id}, the institution's under
/communication; both call the same service with the board's course id (None: the institution).
"""

from __future__ import annotations

from functools import cache
from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Query
from aws_lambda_powertools.metrics import MetricUnit
from communication_api import app, metrics

from lms.communication.announcements.repository import DynamoAnnouncementRepository
from lms.communication.announcements.schemas import (
    AnnouncementDraft,
    AnnouncementPage,
    AnnouncementPatch,
    AnnouncementReadState,
    AnnouncementView,
)
from lms.communication.announcements.service import AnnouncementService
from lms.http import NO_CONTENT, created, expected_version, idempotent_request, path_id, principal, respond
from lms.pagination import DEFAULT_LIMIT, MAX_LIMIT

COURSE_BOARD = "/communication/courses/<course_id>/announcements"
COURSE_ANNOUNCEMENT = COURSE_BOARD + "/<announcement_id>"
COURSE_READS = "/communication/courses/<course_id>/announcement-reads"
INSTITUTION_BOARD = "/communication/announcements"
INSTITUTION_ANNOUNCEMENT = INSTITUTION_BOARD + "/<announcement_id>"
INSTITUTION_READS = "/communication/announcement-reads"

TAGS = ["announcements"]
Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT)]
Cursor = Annotated[str | None, Query(max_length=2048)]
Drafts = Annotated[bool, Query(description="Staff: the board's drafts instead of its announcements.")]


@cache
def announcements() -> AnnouncementService:
    return AnnouncementService(DynamoAnnouncementRepository())


def _answer(view: AnnouncementView, status: int = 200, **kw: Any) -> Response[AnnouncementView]:
    return respond(view, status=status, version=view.version, **kw)


def _created(view: AnnouncementView, board: str) -> Response[AnnouncementView]:
    metrics.add_metric(name="AnnouncementCreated", unit=MetricUnit.Count, value=1)
    return _answer(view, 201, location=f"{board}/{view.id}")


def _course(course_id: str) -> str:
    return path_id(course_id, "course")


def _announcement(announcement_id: str) -> str:
    return path_id(announcement_id, "announcement")


# ---------------------------------------------------------------- a course's announcements


@app.post(
    COURSE_BOARD,
    summary="Post, schedule or draft an announcement to a course you teach",
    tags=TAGS,
    operation_id="CreateCourseAnnouncement",
    responses=created(AnnouncementView),
)
def create_course_announcement(course_id: str, draft: AnnouncementDraft) -> Response[AnnouncementView]:
    course = _course(course_id)
    view = announcements().create(principal(app), course, draft, idempotent_request(app, draft))
    return _created(view, f"/communication/courses/{course}/announcements")


@app.get(
    COURSE_BOARD,
    summary="A course's announcements: pinned first, then newest first (staff: scheduled too)",
    tags=TAGS,
    operation_id="ListCourseAnnouncements",
)
def list_course_announcements(
    course_id: str, drafts: Drafts = False, limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None
) -> AnnouncementPage:
    return announcements().list(principal(app), _course(course_id), drafts=drafts, limit=limit, cursor=cursor)


@app.get(
    COURSE_ANNOUNCEMENT, summary="Read a course announcement", tags=TAGS, operation_id="GetCourseAnnouncement"
)
def get_course_announcement(course_id: str, announcement_id: str) -> Response[AnnouncementView]:
    return _answer(announcements().get(principal(app), _course(course_id), _announcement(announcement_id)))


@app.patch(
    COURSE_ANNOUNCEMENT,
    summary="Edit, publish, schedule or take back a course announcement (If-Match)",
    tags=TAGS,
    operation_id="UpdateCourseAnnouncement",
)
def update_course_announcement(
    course_id: str, announcement_id: str, patch: AnnouncementPatch
) -> Response[AnnouncementView]:
    view = announcements().update(
        principal(app), _course(course_id), _announcement(announcement_id), patch, expected_version(app)
    )
    return _answer(view)


@app.delete(
    COURSE_ANNOUNCEMENT,
    summary="Delete a course announcement",
    tags=TAGS,
    operation_id="DeleteCourseAnnouncement",
    responses=NO_CONTENT,
)
def delete_course_announcement(course_id: str, announcement_id: str) -> Response[None]:
    announcements().delete(principal(app), _course(course_id), _announcement(announcement_id))
    return Response(status_code=204)


@app.get(
    COURSE_READS,
    summary="How many of a course's announcements you have not read",
    tags=TAGS,
    operation_id="GetCourseAnnouncementReads",
)
def get_course_announcement_reads(course_id: str) -> AnnouncementReadState:
    return announcements().read_state(principal(app), _course(course_id))


@app.put(
    COURSE_READS,
    summary="Mark every announcement of a course read",
    tags=TAGS,
    operation_id="MarkCourseAnnouncementsRead",
)
def mark_course_announcements_read(course_id: str) -> AnnouncementReadState:
    return announcements().mark_all_read(principal(app), _course(course_id))


# ---------------------------------------------------------------- the institution's announcements


@app.post(
    INSTITUTION_BOARD,
    summary="Post, schedule or draft an announcement to the institution, or to one role",
    tags=TAGS,
    operation_id="CreateInstitutionAnnouncement",
    responses=created(AnnouncementView),
)
def create_institution_announcement(draft: AnnouncementDraft) -> Response[AnnouncementView]:
    view = announcements().create(principal(app), None, draft, idempotent_request(app, draft))
    return _created(view, INSTITUTION_BOARD)


@app.get(
    INSTITUTION_BOARD,
    summary="The institution's announcements for you: pinned first, then newest first",
    tags=TAGS,
    operation_id="ListInstitutionAnnouncements",
)
def list_institution_announcements(
    drafts: Drafts = False, limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None
) -> AnnouncementPage:
    return announcements().list(principal(app), None, drafts=drafts, limit=limit, cursor=cursor)


@app.get(
    INSTITUTION_ANNOUNCEMENT,
    summary="Read an institution-wide announcement",
    tags=TAGS,
    operation_id="GetInstitutionAnnouncement",
)
def get_institution_announcement(announcement_id: str) -> Response[AnnouncementView]:
    return _answer(announcements().get(principal(app), None, _announcement(announcement_id)))


@app.patch(
    INSTITUTION_ANNOUNCEMENT,
    summary="Edit, publish, schedule or take back an institution-wide announcement (If-Match)",
    tags=TAGS,
    operation_id="UpdateInstitutionAnnouncement",
)
def update_institution_announcement(
    announcement_id: str, patch: AnnouncementPatch
) -> Response[AnnouncementView]:
    view = announcements().update(
        principal(app), None, _announcement(announcement_id), patch, expected_version(app)
    )
    return _answer(view)


@app.delete(
    INSTITUTION_ANNOUNCEMENT,
    summary="Delete an institution-wide announcement",
    tags=TAGS,
    operation_id="DeleteInstitutionAnnouncement",
    responses=NO_CONTENT,
)
def delete_institution_announcement(announcement_id: str) -> Response[None]:
    announcements().delete(principal(app), None, _announcement(announcement_id))
    return Response(status_code=204)


@app.get(
    INSTITUTION_READS,
    summary="How many institution-wide announcements you have not read",
    tags=TAGS,
    operation_id="GetInstitutionAnnouncementReads",
)
def get_institution_announcement_reads() -> AnnouncementReadState:
    return announcements().read_state(principal(app), None)


@app.put(
    INSTITUTION_READS,
    summary="Mark every institution-wide announcement read",
    tags=TAGS,
    operation_id="MarkInstitutionAnnouncementsRead",
)
def mark_institution_announcements_read() -> AnnouncementReadState:
    return announcements().mark_all_read(principal(app), None)
