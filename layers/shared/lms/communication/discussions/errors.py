"""Refusals of discussions, one problem type each."""

from __future__ import annotations

from lms.errors import Conflict, Forbidden, NotFound, Problem


class DiscussionCourseNotFound(NotFound):
    """No such course in your institution."""

    slug = "discussion-course-not-found"
    title = "Course not found"


class TopicNotFound(NotFound):
    """No such topic in this course of your institution."""

    slug = "topic-not-found"
    title = "Topic not found"


class PostNotFound(NotFound):
    """The topic has no such post, or not one you may see (a hidden post, for a student)."""

    slug = "post-not-found"
    title = "Post not found"


class NotCourseMember(Forbidden):
    """Only the course's instructors, the institution's admins and its enrolled students take part."""

    slug = "not-course-member"
    title = "You do not take part in this course"


class NotCourseStaff(Forbidden):
    """Only the course's instructors and the institution's admins may do this."""

    slug = "discussion-staff-only"
    title = "Only the course's staff may do this"


class StudentTopicsDisabled(Forbidden):
    """The course's staff have not allowed students to start topics (discussion settings)."""

    slug = "student-topics-disabled"
    title = "Students may not start topics in this course"


class NotPostAuthor(Forbidden):
    """Only the author edits a post; the author or the course's staff delete it."""

    slug = "not-post-author"
    title = "This is not your post"


class NotTopicAuthor(Forbidden):
    """The title belongs to the topic's author (or the course's staff); pin, lock and close to staff."""

    slug = "not-topic-author"
    title = "You may not change this part of the topic"


class TopicLocked(Conflict):
    """The topic is locked: it takes no new replies."""

    slug = "topic-locked"
    title = "The topic is locked"


class TopicClosed(Conflict):
    """The topic closed at its `closes_at`: it takes no new replies."""

    slug = "topic-closed"
    title = "The topic is closed"


class ReplyTooDeep(Problem):
    """Replies nest at most `max_depth` levels; answer the parent's parent instead."""

    status = 422
    slug = "reply-too-deep"
    title = "Replies do not nest this deep"


class PostDeleted(Conflict):
    """The post was deleted: it can no longer be edited, replied to, liked or reported."""

    slug = "post-deleted"
    title = "The post was deleted"


class AlreadyReported(Conflict):
    """You already reported this post; staff see it in the course's moderation queue."""

    slug = "already-reported"
    title = "You already reported this post"
