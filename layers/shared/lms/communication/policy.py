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

# ---------------------------------------------------------------- discussions

GET_DISCUSSION_SETTINGS = operation("GetDiscussionSettings", MEMBERS, "read a course's discussion settings")
UPDATE_DISCUSSION_SETTINGS = operation(
    "UpdateDiscussionSettings", STAFF, "change a course's discussion settings"
)
CREATE_TOPIC = operation("CreateTopic", MEMBERS, "start discussion topics")
LIST_TOPICS = operation("ListTopics", MEMBERS, "list a course's discussion topics")
GET_TOPIC = operation("GetTopic", MEMBERS, "read discussion topics")
UPDATE_TOPIC = operation("UpdateTopic", MEMBERS, "change discussion topics")
MARK_TOPIC_READ = operation("MarkTopicRead", MEMBERS, "mark discussion topics read")
SET_TOPIC_SUBSCRIPTION = operation("SetTopicSubscription", MEMBERS, "subscribe to discussion topics")
LIST_POSTS = operation("ListPosts", MEMBERS, "read discussion posts")
CREATE_POST = operation("CreatePost", MEMBERS, "reply in discussions")
UPDATE_POST = operation("UpdatePost", MEMBERS, "edit discussion posts")
DELETE_POST = operation("DeletePost", MEMBERS, "delete discussion posts")
REACT_TO_POST = operation("ReactToPost", MEMBERS, "like discussion posts")
REPORT_POST = operation("ReportPost", MEMBERS, "report discussion posts")
SET_POST_VISIBILITY = operation("SetPostVisibility", STAFF, "hide or restore discussion posts")
LIST_REPORTED_POSTS = operation("ListReportedPosts", STAFF, "read the moderation queue")

# ---------------------------------------------------------------- direct messages

START_CONVERSATION = operation("StartConversation", MEMBERS, "start conversations")
LIST_CONVERSATIONS = operation("ListConversations", MEMBERS, "read your mailbox")
COUNT_UNREAD_CONVERSATIONS = operation("CountUnreadConversations", MEMBERS, "count your unread conversations")
GET_CONVERSATION = operation("GetConversation", MEMBERS, "read conversations")
UPDATE_CONVERSATION = operation("UpdateConversation", MEMBERS, "mark conversations")
DELETE_CONVERSATION = operation("DeleteConversation", MEMBERS, "delete your copy of conversations")
LEAVE_CONVERSATION = operation("LeaveConversation", MEMBERS, "leave conversations")
LIST_MESSAGES = operation("ListMessages", MEMBERS, "read messages")
SEND_MESSAGE = operation("SendMessage", MEMBERS, "send messages")
LIST_COURSE_PEOPLE = operation("ListCoursePeople", MEMBERS, "list the people of courses")
