"""Who may attempt each communication operation (resource checks follow in the services).

One module for the context: announcements, discussions and direct messages each declare their
operations in their own section below.
"""

from __future__ import annotations

from lms.auth import MEMBERS, STAFF, Role
from lms.authz import operation

# ---------------------------------------------------------------- announcements

ANNOUNCERS = STAFF
INSTITUTION_ANNOUNCERS = frozenset({Role.INSTITUTION_ADMIN})

CREATE_COURSE_ANNOUNCEMENT = operation("CreateCourseAnnouncement", ANNOUNCERS, "post course announcements")
LIST_COURSE_ANNOUNCEMENTS = operation("ListCourseAnnouncements", MEMBERS, "read course announcements")
GET_COURSE_ANNOUNCEMENT = operation("GetCourseAnnouncement", MEMBERS, "read course announcements")
UPDATE_COURSE_ANNOUNCEMENT = operation("UpdateCourseAnnouncement", ANNOUNCERS, "edit course announcements")
DELETE_COURSE_ANNOUNCEMENT = operation("DeleteCourseAnnouncement", ANNOUNCERS, "delete course announcements")
GET_COURSE_ANNOUNCEMENT_READS = operation(
    "GetCourseAnnouncementReads", MEMBERS, "count unread course announcements"
)
MARK_COURSE_ANNOUNCEMENTS_READ = operation(
    "MarkCourseAnnouncementsRead", MEMBERS, "mark course announcements read"
)
CREATE_INSTITUTION_ANNOUNCEMENT = operation(
    "CreateInstitutionAnnouncement", INSTITUTION_ANNOUNCERS, "post institution-wide announcements"
)
LIST_INSTITUTION_ANNOUNCEMENTS = operation(
    "ListInstitutionAnnouncements", MEMBERS, "read institution-wide announcements"
)
GET_INSTITUTION_ANNOUNCEMENT = operation(
    "GetInstitutionAnnouncement", MEMBERS, "read institution-wide announcements"
)
UPDATE_INSTITUTION_ANNOUNCEMENT = operation(
    "UpdateInstitutionAnnouncement", INSTITUTION_ANNOUNCERS, "edit institution-wide announcements"
)
DELETE_INSTITUTION_ANNOUNCEMENT = operation(
    "DeleteInstitutionAnnouncement", INSTITUTION_ANNOUNCERS, "delete institution-wide announcements"
)
GET_INSTITUTION_ANNOUNCEMENT_READS = operation(
    "GetInstitutionAnnouncementReads", MEMBERS, "count unread institution-wide announcements"
)
MARK_INSTITUTION_ANNOUNCEMENTS_READ = operation(
    "MarkInstitutionAnnouncementsRead", MEMBERS, "mark institution-wide announcements read"
)
