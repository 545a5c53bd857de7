"""Events of the courses context (source `lms.courses`)."""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import Field

from lms.events.envelope import DomainEvent
from lms.standards import Alignment


class CoursesEvent(DomainEvent):
    source: ClassVar[str] = "lms.courses"

    course_id: str


class CourseCreated(CoursesEvent):
    """An instructor or admin created a draft course."""

    name: ClassVar[str] = "CourseCreated"

    title: str
    category: str
    level: str
    language: str
    instructor_ids: list[str]
    prerequisites: list[str] = Field(default_factory=list)
    capacity: int | None = None


class CourseUpdated(CoursesEvent):
    """The course's details changed; `changed_fields` names which."""

    name: ClassVar[str] = "CourseUpdated"

    version: int
    changed_fields: list[str]
    instructor_ids: list[str] | None = Field(
        default=None, description="The course's instructors now, when `changed_fields` names them."
    )
    lesson_ids: list[str] | None = Field(
        default=None,
        description="The course's lesson order after the change (every section, in order), when"
        " `changed_fields` names `sections`.",
    )


class CoursePublished(CoursesEvent):
    """The course is open to students; `lesson_ids` is the lesson order at publication."""

    name: ClassVar[str] = "CoursePublished"

    title: str
    lesson_ids: list[str]
    instructor_ids: list[str] = Field(default_factory=list, description="Who teaches the course.")
    course_version: int | None = Field(
        default=None, description="The course's version after the change: orders the catalog's changes."
    )


class CourseArchived(CoursesEvent):
    """The course is closed: it stays readable but takes no new lessons."""

    name: ClassVar[str] = "CourseArchived"


class LessonAdded(CoursesEvent):
    """A lesson joined the course's outline at `position` (1-based) in its section."""

    name: ClassVar[str] = "LessonAdded"

    lesson_id: str
    section_id: str
    title: str
    content_type: str
    position: int
    duration_minutes: int
    course_version: int | None = Field(
        default=None, description="The course's version after the change: orders the catalog's changes."
    )
    lesson_ids: list[str] | None = Field(
        default=None, description="The course's lesson order after the change (every section, in order)."
    )


class LessonUpdated(CoursesEvent):
    """A lesson changed or moved; `section_id` and `position` are where it is now."""

    name: ClassVar[str] = "LessonUpdated"

    lesson_id: str
    section_id: str
    position: int
    changed_fields: list[str]
    course_version: int | None = Field(
        default=None, description="The course's version after the change: orders the catalog's changes."
    )
    lesson_ids: list[str] | None = Field(
        default=None, description="The course's lesson order after the change (every section, in order)."
    )


class LessonRemoved(CoursesEvent):
    """The lesson left the course; progress on it stops counting."""

    name: ClassVar[str] = "LessonRemoved"

    lesson_id: str
    course_version: int | None = Field(
        default=None, description="The course's version after the change: orders the catalog's changes."
    )
    lesson_ids: list[str] | None = Field(
        default=None, description="The course's lesson order after the change (every section, in order)."
    )


class StandardsAligned(CoursesEvent):
    """The learning standards the course, or one of its lessons, is aligned to changed."""

    name: ClassVar[str] = "StandardsAligned"

    lesson_id: str | None = Field(
        default=None, description="The lesson's alignments; null: the course's own."
    )
    standards: list[Alignment] = Field(description="Every alignment after the change (empty: none left).")
    course_version: int = Field(description="The course's version after the change.")


class StudentEnrolled(CoursesEvent):
    """The student holds a seat in the course (directly, or promoted from the waitlist)."""

    name: ClassVar[str] = "StudentEnrolled"

    student_id: str
    enrolled_by: str = Field(description="Who enrolled the student: themself, an instructor or an admin.")
    via_waitlist: bool = False


class StudentWaitlisted(CoursesEvent):
    """The course was full; the student waits at `position` (1-based, first in first out)."""

    name: ClassVar[str] = "StudentWaitlisted"

    student_id: str
    position: int


class StudentDropped(CoursesEvent):
    """The student left the course's roster or waitlist (by themself or removed by staff)."""

    name: ClassVar[str] = "StudentDropped"

    student_id: str
    dropped_by: str
    was_waitlisted: bool = False


class ReviewPosted(CoursesEvent):
    """A student reviewed the course (one review per student and course)."""

    name: ClassVar[str] = "ReviewPosted"

    author_id: str
    rating: int


class ReviewEdited(CoursesEvent):
    """The author changed their review's stars or text."""

    name: ClassVar[str] = "ReviewEdited"

    author_id: str
    rating: int
    previous_rating: int


class ReviewDeleted(CoursesEvent):
    """The review is gone (by its author, an admin, or the author's erasure)."""

    name: ClassVar[str] = "ReviewDeleted"

    author_id: str
    deleted_by: str


class ReviewReplied(CoursesEvent):
    """The course's staff answered the review (once)."""

    name: ClassVar[str] = "ReviewReplied"

    author_id: str
    replied_by: str


class ReviewReported(CoursesEvent):
    """Someone asked the course's staff to look at a review."""

    name: ClassVar[str] = "ReviewReported"

    author_id: str
    reporter_id: str
    reason: str


class ReviewHidden(CoursesEvent):
    """The course's staff hid the review; it no longer counts in the course's rating."""

    name: ClassVar[str] = "ReviewHidden"

    author_id: str
    hidden_by: str
    reason: str


class ReviewRestored(CoursesEvent):
    """The course's staff made a hidden review visible again; it counts in the rating once more."""

    name: ClassVar[str] = "ReviewRestored"

    author_id: str
    restored_by: str


class EntitlementGranted(CoursesEvent):
    """The student may enroll themself in the paid course once (granted by an admin or a purchase)."""

    name: ClassVar[str] = "EntitlementGranted"

    student_id: str
    granted_by: str
    # Not `source`: every event's source is its context (lms.courses).
    origin: Literal["admin", "commerce"] = Field(
        default="admin", description="`admin`: an institution admin; `commerce`: the store's paid order."
    )
    order_id: str | None = Field(default=None, description="The store's order (source `commerce`).")


class EntitlementRevoked(CoursesEvent):
    """The store refunded or cancelled the order: its unused entitlement is gone."""

    name: ClassVar[str] = "EntitlementRevoked"

    student_id: str
    origin: Literal["commerce"] = "commerce"
    order_id: str
    reason: Literal["refunded", "cancelled"]
