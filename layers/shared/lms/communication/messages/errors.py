"""Refusals of direct messages, one problem type each (an unknown course is the catalog's 404)."""

from __future__ import annotations

from lms.errors import Conflict, Forbidden, NotFound, TooManyRequests, ValidationFailed


class MessagingCourseNotFound(NotFound):
    """No course with this id in the caller's institution (as the catalog holds it)."""

    slug = "messaging-course-not-found"
    title = "No such course in your institution"


class ConversationNotFound(NotFound):
    """No conversation with this id in the caller's mailbox (never theirs, or their copy deleted)."""

    slug = "conversation-not-found"
    title = "No such conversation in your mailbox"


class RecipientsUnreachable(Forbidden):
    """Someone named is outside who the caller may write to (`recipients` lists them)."""

    slug = "recipients-unreachable"
    title = "You may not write to some of these people"


class NotInCourse(Forbidden):
    """Students and instructors write to people of a course they study in or teach."""

    slug = "not-in-course"
    title = "You do not study in or teach this course"


class CourseNeeded(ValidationFailed):
    """Students and instructors name the course they share with the people they write to."""

    slug = "course-needed"
    title = "Name the course you share with these people"


class NotAParticipant(Forbidden):
    """The caller has left the conversation (or was removed by an erasure): they cannot write in it."""

    slug = "not-a-participant"
    title = "You are no longer in this conversation"


class OnlyGroupsCanBeLeft(Conflict):
    """A one-to-one conversation cannot be left; delete your copy instead."""

    slug = "only-groups-can-be-left"
    title = "Only a group conversation can be left"


class NobodyToWrite(Conflict):
    """Everyone else has left the conversation."""

    slug = "conversation-has-no-recipients"
    title = "Nobody else is left in this conversation"


class ConversationBusy(Conflict):
    """The conversation kept changing while the message was being sent; send it again."""

    slug = "conversation-busy"
    title = "The conversation changed meanwhile; try again"


class MessageRateLimited(TooManyRequests):
    """The caller has started or sent as many conversations and messages as an hour allows."""

    slug = "message-rate-limited"
    title = "Too many messages this hour"
