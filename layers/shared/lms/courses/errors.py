"""Refusals of the courses context, one problem type each."""

from __future__ import annotations

from lms.errors import Conflict, NotFound, Problem


class CourseNotFound(NotFound):
    slug = "course-not-found"
    title = "Course not found"


class SectionNotFound(NotFound):
    slug = "section-not-found"
    title = "Section not found"


class LessonNotFound(NotFound):
    slug = "lesson-not-found"
    title = "Lesson not found"


class InvalidPrerequisites(Problem):
    status = 422
    slug = "invalid-prerequisites"
    title = "The prerequisites are not valid for this course"


class InvalidPosition(Problem):
    status = 422
    slug = "invalid-position"
    title = "The position is outside the list"


class InvalidLessonContent(Problem):
    status = 422
    slug = "invalid-lesson-content"
    title = "The lesson's content does not match its content type"


class InvalidEnrollmentWindow(Problem):
    status = 422
    slug = "invalid-enrollment-window"
    title = "Enrollment must open before it closes"


class CourseNotPublishable(Conflict):
    slug = "course-not-publishable"
    title = "The course cannot be published yet"


class InvalidStatusTransition(Conflict):
    slug = "invalid-status-transition"
    title = "The course cannot move to that status"


class CourseArchived(Conflict):
    slug = "course-archived"
    title = "The course is archived"


class SectionNotEmpty(Conflict):
    slug = "section-not-empty"
    title = "The section still has lessons"


class OutlineFull(Conflict):
    slug = "outline-full"
    title = "The course has reached its maximum number of sections or lessons"


class ConcurrentModification(Conflict):
    slug = "concurrent-modification"
    title = "The course changed while this request was applied; read it again and retry"


class IdempotencyKeyReused(Problem):
    status = 422
    slug = "idempotency-key-reused"
    title = "The Idempotency-Key was already used for a different request"
