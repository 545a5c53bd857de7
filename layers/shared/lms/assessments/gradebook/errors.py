"""Refusals of the gradebook, one problem type each (an unknown course is the catalog's 404)."""

from __future__ import annotations

from lms.errors import Forbidden, NotFound


class CourseNotFound(NotFound):
    """No such course, or it is a draft you may not see."""

    slug = "course-not-found"
    title = "Course not found"


class GradebookStaffOnly(Forbidden):
    """Only the course's instructors and the institution's admins manage or read its gradebook."""

    slug = "gradebook-staff-only"
    title = "Only the course's staff may do this"


class GradesNeedEnrollment(Forbidden):
    """Students read their grades in the courses they are enrolled in (not waitlisted, not dropped)."""

    slug = "grades-need-enrollment"
    title = "You are not enrolled in this course"


class StudentGradesNotFound(NotFound):
    """The course's gradebook has no row for this student (never enrolled, or not yet)."""

    slug = "student-grades-not-found"
    title = "No grades recorded for this student"
