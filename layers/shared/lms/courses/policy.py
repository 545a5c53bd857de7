"""Who may attempt each courses operation (resource checks follow in the service)."""

from __future__ import annotations

from lms.auth import MEMBERS, STAFF, Role
from lms.authz import operation

LIST_COURSES = operation("ListCourses", MEMBERS, "list courses")
CREATE_COURSE = operation("CreateCourse", STAFF, "create courses")
GET_COURSE = operation("GetCourse", MEMBERS, "read courses")
GET_COURSE_STANDARDS = operation("GetCourseStandards", MEMBERS, "read the standards a course covers")
UPDATE_COURSE = operation("UpdateCourse", STAFF, "edit courses")
PUBLISH_COURSE = operation("PublishCourse", STAFF, "publish courses")
ARCHIVE_COURSE = operation("ArchiveCourse", STAFF, "archive courses")
ADD_SECTION = operation("AddSection", STAFF, "add sections")
UPDATE_SECTION = operation("UpdateSection", STAFF, "edit sections")
REMOVE_SECTION = operation("RemoveSection", STAFF, "remove sections")
ADD_LESSON = operation("AddLesson", STAFF, "add lessons")
GET_LESSON = operation("GetLesson", MEMBERS, "read lessons")
UPDATE_LESSON = operation("UpdateLesson", STAFF, "edit lessons")
REMOVE_LESSON = operation("RemoveLesson", STAFF, "remove lessons")
ENROLL_STUDENT = operation("EnrollStudent", MEMBERS, "enroll in courses")
DROP_ENROLLMENT = operation("DropEnrollment", MEMBERS, "drop enrollments")
GET_ENROLLMENT = operation("GetEnrollment", MEMBERS, "read enrollments")
LIST_ENROLLMENTS = operation("ListEnrollments", STAFF, "read course rosters")
LIST_MY_ENROLLMENTS = operation("ListMyEnrollments", {Role.STUDENT}, "list your enrollments")
LIST_REVIEWS = operation("ListReviews", MEMBERS, "read course reviews")
GET_REVIEW = operation("GetReview", MEMBERS, "read a course review")
POST_REVIEW = operation("PostReview", {Role.STUDENT}, "review courses")
EDIT_REVIEW = operation("EditReview", {Role.STUDENT}, "edit your reviews")
DELETE_REVIEW = operation("DeleteReview", {Role.STUDENT, Role.INSTITUTION_ADMIN}, "delete reviews")
REPLY_TO_REVIEW = operation("ReplyToReview", STAFF, "reply to reviews")
REPORT_REVIEW = operation("ReportReview", MEMBERS, "report reviews")
HIDE_REVIEW = operation("HideReview", STAFF, "hide reviews")
RESTORE_REVIEW = operation("RestoreReview", STAFF, "restore hidden reviews")
GRANT_ENTITLEMENT = operation("GrantEntitlement", {Role.INSTITUTION_ADMIN}, "grant access to paid courses")
