"""Refusals of the progress context, one problem type each (course and lesson 404s are the catalog's)."""

from __future__ import annotations

from lms import consumer
from lms.errors import Conflict, Forbidden, NotFound


class CourseNotFound(NotFound):
    """No such course, or it is a draft you may not see."""

    slug = "course-not-found"
    title = "Course not found"


class LessonNotFound(NotFound):
    """The course has no such lesson."""

    slug = "lesson-not-found"
    title = "Lesson not found"


class NotEnrolled(Forbidden):
    """Only students enrolled in the course (not waitlisted, not dropped) record progress in it."""

    slug = "not-enrolled"
    title = "You are not enrolled in this course"


class LearningClosed(Conflict):
    """The course is archived: its lessons can no longer be completed or undone."""

    slug = "learning-closed"
    title = "The course is closed for learning"


class CourseAlreadyCompleted(Conflict):
    """A completed course stays completed: its lessons can no longer be undone."""

    slug = "course-already-completed"
    title = "The course is already completed"


class ProgressNotFound(NotFound):
    """No progress is recorded for this student in this course (not enrolled, or not yet)."""

    slug = "progress-not-found"
    title = "No progress recorded"


class EventArrivedEarly(consumer.EventArrivedEarly):
    """An event needs state an earlier event brings (the enrollment, the published course, the
    lesson); raised so the message returns to the queue and is retried once that event is handled."""
