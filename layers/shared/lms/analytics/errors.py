"""Refusals of the analytics context, one problem type each."""

from __future__ import annotations

from lms.errors import Forbidden, NotFound


class CourseNotFound(NotFound):
    """Analytics knows no such course of your institution (or no event of it has arrived yet)."""

    slug = "course-not-found"
    title = "Course not found"


class LessonNotFound(NotFound):
    """The course has no such lesson."""

    slug = "lesson-not-found"
    title = "Lesson not found"


class LearnerNotFound(NotFound):
    """The course has no such student (never enrolled, or erased)."""

    slug = "learner-not-found"
    title = "Learner not found"


class NotCourseStaff(Forbidden):
    """Only the course's instructors and the institution's admins read its analytics."""

    slug = "not-course-staff"
    title = "You do not teach this course"


class NotEnrolled(Forbidden):
    """Only a student enrolled in the course records opening its lessons."""

    slug = "not-enrolled"
    title = "You are not enrolled in this course"
