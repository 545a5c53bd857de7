"""Refusals of assignments and submissions, one problem type each."""

from __future__ import annotations

from lms.errors import Conflict, Forbidden, NotFound, Problem


class AssignmentNotFound(NotFound):
    """No such assignment in your institution, or a draft you may not see."""

    slug = "assignment-not-found"
    title = "Assignment not found"


class SubmissionNotFound(NotFound):
    """The assignment has no such submission, or it is another student's."""

    slug = "submission-not-found"
    title = "Submission not found"


class UploadNotFound(NotFound):
    """No upload with this id was handed out to you for this assignment."""

    slug = "upload-not-found"
    title = "Upload not found"


class ExtensionNotFound(NotFound):
    """The student has no due-date extension on this assignment."""

    slug = "extension-not-found"
    title = "Extension not found"


class AssignmentCourseNotFound(NotFound):
    """The course named by `course_id` is not a course of your institution."""

    slug = "assignment-course-not-found"
    title = "Course not found"


class NotCourseStaff(Forbidden):
    """Only the course's instructors and the institution's admins manage its assignments."""

    slug = "not-course-staff"
    title = "You do not teach this course"


class NotEnrolledInCourse(Forbidden):
    """Only students enrolled in the assignment's course (not waitlisted, not dropped) may do this."""

    slug = "not-enrolled-in-course"
    title = "You are not enrolled in this course"


class InvalidRubric(Problem):
    """Criterion and level ids are unique, and the rubric's best levels add up to the assignment's points."""

    status = 422
    slug = "invalid-rubric"
    title = "The rubric does not fit the assignment"


class InvalidLatePolicy(Problem):
    """A late policy has at most one hard cut-off (`cutoff_at` or `cutoff_days`), not before the due date."""

    status = 422
    slug = "invalid-late-policy"
    title = "The late policy is not valid"


class InvalidFileRules(Problem):
    """File content types and sizes must be within the platform's limits (`allowed` lists the types)."""

    status = 422
    slug = "invalid-file-rules"
    title = "The file rules are outside the platform's limits"


class SubmissionTypeNotAllowed(Problem):
    """The assignment takes only the submission types it lists (`allowed`)."""

    status = 422
    slug = "submission-type-not-allowed"
    title = "The assignment does not take this kind of submission"


class FileNotAllowed(Problem):
    """The file's content type or size is not what the assignment accepts (`allowed`, `max_bytes`)."""

    status = 422
    slug = "file-not-allowed"
    title = "The assignment does not accept this file"


class UploadIncomplete(Conflict):
    """The file was not uploaded (or not as announced: size and content type must match the upload)."""

    slug = "upload-incomplete"
    title = "The uploaded file is missing or differs from what was announced"


class InvalidGrade(Problem):
    """With a rubric: one level per criterion. Without: a score between 0 and the points."""

    status = 422
    slug = "invalid-grade"
    title = "The grade does not fit the assignment"


class AssignmentNotPublished(Conflict):
    """Students submit only to published assignments."""

    slug = "assignment-not-published"
    title = "The assignment is not published"


class AssignmentAlreadyPublished(Conflict):
    """The assignment is published already; `points` and `rubric` are fixed once it is."""

    slug = "assignment-already-published"
    title = "The assignment is already published"


class SubmissionClosed(Conflict):
    """The hard cut-off (`closed_at`, with the student's extension) has passed."""

    slug = "submission-closed"
    title = "The assignment no longer takes submissions"


class TooManySubmissions(Conflict):
    """A student keeps at most `limit` versions of one assignment."""

    slug = "too-many-submissions"
    title = "You have submitted the most versions allowed"


class NotGraded(Conflict):
    """Only a graded submission can be released."""

    slug = "submission-not-graded"
    title = "The submission has no grade to release"


class ConcurrentSubmission(Conflict):
    """Another submission or release for the same student committed first; retry."""

    slug = "concurrent-submission"
    title = "Another change for this student was made at the same time; retry"
