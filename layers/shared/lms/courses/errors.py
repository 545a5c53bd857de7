"""Refusals of the courses context, one problem type each."""

from __future__ import annotations

from lms.errors import ChangedMeanwhile, Conflict, NotFound, Problem


class CourseNotFound(NotFound):
    """No such course, or it is a draft you may not see."""

    slug = "course-not-found"
    title = "Course not found"


class SectionNotFound(NotFound):
    """The course has no such section."""

    slug = "section-not-found"
    title = "Section not found"


class LessonNotFound(NotFound):
    """The course has no such lesson."""

    slug = "lesson-not-found"
    title = "Lesson not found"


class InvalidPrerequisites(Problem):
    """Prerequisites are other active courses of your institution, without cycles; advanced needs one."""

    status = 422
    slug = "invalid-prerequisites"
    title = "The prerequisites are not valid for this course"


class InvalidPosition(Problem):
    """A 1-based position beyond the end of the list."""

    status = 422
    slug = "invalid-position"
    title = "The position is outside the list"


class InvalidLessonContent(Problem):
    """Text lessons carry `content`; video, file and external lessons a `content_url`."""

    status = 422
    slug = "invalid-lesson-content"
    title = "The lesson's content does not match its content type"


class InvalidEnrollmentWindow(Problem):
    """`enrollment_opens_at` must come before `enrollment_closes_at`."""

    status = 422
    slug = "invalid-enrollment-window"
    title = "Enrollment must open before it closes"


class CourseNotPublishable(Conflict):
    """Publishing needs a learning objective and a lesson; `missing` lists what is absent."""

    slug = "course-not-publishable"
    title = "The course cannot be published yet"


class InvalidStatusTransition(Conflict):
    """Drafts publish, drafts and published courses archive; nothing goes back."""

    slug = "invalid-status-transition"
    title = "The course cannot move to that status"


class CourseArchived(Conflict):
    """An archived course takes no new sections or lessons."""

    slug = "course-archived"
    title = "The course is archived"


class SectionNotEmpty(Conflict):
    """Move or remove the section's lessons before removing it."""

    slug = "section-not-empty"
    title = "The section still has lessons"


class OutlineFull(Conflict):
    """A course holds at most 100 sections and 500 lessons."""

    slug = "outline-full"
    title = "The course has reached its maximum number of sections or lessons"


class ConcurrentModification(ChangedMeanwhile):
    """Someone changed the course between your read and your write; retry."""

    slug = "concurrent-modification"
    title = "The course changed while this request was applied; read it again and retry"


class InvalidPriceRange(Problem):
    """A price range names its ISO 4217 `currency`, in that currency's decimal places."""

    status = 422
    slug = "invalid-price-range"
    title = "The price range needs a currency and amounts in its minor units"
