"""Refusals of the announcements part of the communication context, one problem type each."""

from __future__ import annotations

from lms.errors import Conflict, Forbidden, NotFound, Problem


class AnnouncementCourseNotFound(NotFound):
    """The course does not exist in your institution."""

    slug = "announcement-course-not-found"
    title = "The course of the announcements was not found"


class AnnouncementNotFound(NotFound):
    """No such announcement on this board, or one you may not read (a draft, or not yet published)."""

    slug = "announcement-not-found"
    title = "Announcement not found"


class NotAnnouncementReader(Forbidden):
    """A course's announcements are read by its staff and enrolled students (a dropped one no longer)."""

    slug = "not-announcement-reader"
    title = "Only the course's instructors and enrolled students read its announcements"


class NotAnnouncementAuthor(Forbidden):
    """A course's instructors and the institution's admins post, edit and delete its announcements."""

    slug = "not-announcement-author"
    title = "Only the course's instructors and the institution's admins post its announcements"


class AnnouncementAlreadyPublished(Conflict):
    """A published announcement cannot become a draft or be scheduled again; edit its text or delete it."""

    slug = "announcement-already-published"
    title = "The announcement is already published"


class InvalidAudience(Problem):
    """`audience` chooses a role for institution-wide announcements only."""

    status = 422
    slug = "invalid-announcement-audience"
    title = "The audience does not apply to this announcement"


class AnnouncementChangedMeanwhile(Conflict):
    """The announcement changed between this request's read and its write: read it again."""

    slug = "announcement-changed"
    title = "The announcement changed meanwhile"
