"""Scenarios of the announcements API (CommunicationFunction): a course's board and the institution's.

Course scenarios use a seeded published course its instructor teaches and a student enrolled
through the courses API. Writes on a course read the course first and check it again at commit;
reads by a student read the course with their enrollment in one BatchGetItem.
"""

from __future__ import annotations

from typing import Any, ClassVar

from bench.invoke import Answer, ApiCall, Caller
from bench.scenarios.base import TRAIL, if_match
from bench.scenarios.courses import INSTITUTION, INSTRUCTOR, CoursesScenario
from bench.scenarios.enrollment import ENROLLMENTS, learner
from lms.communication.announcements.repository import ANNOUNCEMENT_ENTITY, AUTHORED_ENTITY
from lms.courses.domain import CourseStatus

COURSE_BOARD = "/communication/courses/{course_id}/announcements"
COURSE_ANNOUNCEMENT = COURSE_BOARD + "/{announcement_id}"
COURSE_READS = "/communication/courses/{course_id}/announcement-reads"
INSTITUTION_BOARD = "/communication/announcements"
INSTITUTION_ANNOUNCEMENT = INSTITUTION_BOARD + "/{announcement_id}"
INSTITUTION_READS = "/communication/announcement-reads"

ANNOUNCER = Caller("bench-announcer", INSTITUTION, ("institution-admins",))
READER = learner("announcements")


def announcement_body(serial: int | str, **extra: Any) -> dict[str, Any]:
    return {"title": f"Notice {serial}", "body": "<p>The lab is <b>closed</b> on Friday.</p>" * 5, **extra}


class _Board(CoursesScenario):
    """A course's board (`institution` False) or the institution's: its author, reader and paths."""

    institution: ClassVar[bool] = False

    def setup(self) -> None:
        self.params: dict[str, str] = {}
        if not self.institution:
            course_id = self.seeder.course(status=CourseStatus.PUBLISHED).id
            self.params = {"course_id": course_id}
            self.send(ApiCall("POST", ENROLLMENTS, READER, {"course_id": course_id}), 201)

    @property
    def author(self) -> Caller:
        return ANNOUNCER if self.institution else INSTRUCTOR

    @property
    def board(self) -> str:
        return INSTITUTION_BOARD if self.institution else COURSE_BOARD

    @property
    def one(self) -> str:
        return INSTITUTION_ANNOUNCEMENT if self.institution else COURSE_ANNOUNCEMENT

    @property
    def reads(self) -> str:
        return INSTITUTION_READS if self.institution else COURSE_READS

    def post(self, serial: int | str, **extra: Any) -> dict[str, str]:
        """An announcement posted (unmeasured); the path parameters that name it."""
        made = self.send(
            ApiCall("POST", self.board, self.author, self.params, announcement_body(serial, **extra)), 201
        )
        return {**self.params, "announcement_id": made.json()["id"]}


class CreateCourseAnnouncement(_Board):
    method, path, status = "POST", COURSE_BOARD, 201
    disposable = TRAIL | {ANNOUNCEMENT_ENTITY, AUTHORED_ENTITY}

    def next_call(self, index: int) -> ApiCall:
        return ApiCall("POST", self.board, self.author, self.params, announcement_body(index))


class ListCourseAnnouncements(_Board):
    """A student's first page: pinned ones first, then the newest (one more than a page exists)."""

    method, path = "GET", COURSE_BOARD

    def setup(self) -> None:
        super().setup()
        for serial in range(self.page_size + 1):
            self.post(serial, pinned=serial == 0)

    def next_call(self, index: int) -> ApiCall:
        return ApiCall("GET", self.board, READER, self.params, query=self.page_query())

    def after(self, answer: Answer) -> None:
        self.check_full_page(answer)


class GetCourseAnnouncement(_Board):
    method, path = "GET", COURSE_ANNOUNCEMENT

    def setup(self) -> None:
        super().setup()
        self.named = self.post("read")

    def next_call(self, index: int) -> ApiCall:
        return ApiCall("GET", self.one, READER, self.named)


class UpdateCourseAnnouncement(GetCourseAnnouncement):
    method, path = "PATCH", COURSE_ANNOUNCEMENT
    version = 1

    def next_call(self, index: int) -> ApiCall:
        body = {"title": f"Notice, corrected {index}"}
        return ApiCall("PATCH", self.one, self.author, self.named, body, headers=if_match(self.version))

    def after(self, answer: Answer) -> None:
        self.version = answer.json()["version"]


class DeleteCourseAnnouncement(_Board):
    """Each call deletes an announcement posted (unmeasured) just before."""

    method, path, status = "DELETE", COURSE_ANNOUNCEMENT, 204

    def next_call(self, index: int) -> ApiCall:
        return ApiCall("DELETE", self.one, self.author, self.post(index))


class GetCourseAnnouncementReads(ListCourseAnnouncements):
    """The unread count of a board with a page and one more of unread announcements."""

    method, path = "GET", COURSE_READS

    def next_call(self, index: int) -> ApiCall:
        return ApiCall("GET", self.reads, READER, self.params)

    def after(self, answer: Answer) -> None:
        """Nothing to check against a page: the count is the answer."""


class MarkCourseAnnouncementsRead(_Board):
    method, path = "PUT", COURSE_READS

    def next_call(self, index: int) -> ApiCall:
        return ApiCall("PUT", self.reads, READER, self.params)


class CreateInstitutionAnnouncement(CreateCourseAnnouncement):
    institution = True
    method, path = "POST", INSTITUTION_BOARD


class ListInstitutionAnnouncements(ListCourseAnnouncements):
    institution = True
    method, path = "GET", INSTITUTION_BOARD


class GetInstitutionAnnouncement(GetCourseAnnouncement):
    institution = True
    method, path = "GET", INSTITUTION_ANNOUNCEMENT


class UpdateInstitutionAnnouncement(UpdateCourseAnnouncement):
    institution = True
    method, path = "PATCH", INSTITUTION_ANNOUNCEMENT


class DeleteInstitutionAnnouncement(DeleteCourseAnnouncement):
    institution = True
    method, path = "DELETE", INSTITUTION_ANNOUNCEMENT


class GetInstitutionAnnouncementReads(GetCourseAnnouncementReads):
    institution = True
    method, path = "GET", INSTITUTION_READS


class MarkInstitutionAnnouncementsRead(MarkCourseAnnouncementsRead):
    institution = True
    method, path = "PUT", INSTITUTION_READS


ANNOUNCEMENT_SCENARIOS = (
    CreateCourseAnnouncement,
    ListCourseAnnouncements,
    GetCourseAnnouncement,
    UpdateCourseAnnouncement,
    DeleteCourseAnnouncement,
    GetCourseAnnouncementReads,
    MarkCourseAnnouncementsRead,
    CreateInstitutionAnnouncement,
    ListInstitutionAnnouncements,
    GetInstitutionAnnouncement,
    UpdateInstitutionAnnouncement,
    DeleteInstitutionAnnouncement,
    GetInstitutionAnnouncementReads,
    MarkInstitutionAnnouncementsRead,
)
