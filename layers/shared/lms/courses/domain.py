"""The course aggregate and its rules; pure: no AWS, no persistence, no HTTP."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from enum import StrEnum

from pydantic import ConfigDict, Field, field_validator

from lms.auth import Principal, Role
from lms.courses.errors import (
    CourseArchived,
    CourseNotFound,
    CourseNotPublishable,
    InvalidEnrollmentWindow,
    InvalidLessonContent,
    InvalidPosition,
    InvalidPrerequisites,
    InvalidStatusTransition,
    LessonNotFound,
    OutlineFull,
    SectionNotEmpty,
    SectionNotFound,
)
from lms.courses.price import Price
from lms.errors import Forbidden
from lms.lazy_model import LazyModel
from lms.standards import Alignment, AlignmentRef, Standard
from lms.urls import is_tool_url

MAX_SECTIONS = 100
MAX_LESSONS = 500
MAX_PREREQUISITE_DEPTH = 10


class CourseStatus(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    ARCHIVED = "archived"


class Level(StrEnum):
    BEGINNER = "beginner"
    INTERMEDIATE = "intermediate"
    ADVANCED = "advanced"


class ContentType(StrEnum):
    VIDEO = "video"
    TEXT = "text"
    FILE = "file"
    EXTERNAL = "external"
    LTI = "lti"


class LineItemHint(LazyModel):
    """The gradebook column a tool asked for when it linked the lesson (LTI Deep Linking `lineItem`)."""

    model_config = ConfigDict(extra="forbid")

    score_maximum: float = Field(gt=0, le=1_000_000)
    label: str | None = Field(default=None, min_length=1, max_length=200)
    resource_id: str | None = Field(default=None, min_length=1, max_length=255)
    tag: str | None = Field(default=None, min_length=1, max_length=255)


class LtiLink(LazyModel):
    """An `lti` lesson's link to a tool its institution registered (the lti context launches it).

    The lesson's id is the link's LTI resource link id: stable for the lesson's life.
    """

    model_config = ConfigDict(extra="forbid")

    tool_id: str = Field(pattern=r"^[A-Za-z0-9_.:-]{1,64}$")
    custom: dict[str, str] = Field(
        default_factory=dict,
        max_length=20,
        description="Custom parameters the tool receives with every launch (names: letters, digits, _).",
    )
    gradebook_category: str | None = Field(
        default=None,
        min_length=1,
        max_length=64,
        description="The gradebook category the lesson's own line item counts in once its tool grades it "
        "(default `assignments`); read when the tool first uses the line item.",
    )
    url: str | None = Field(
        default=None,
        max_length=2048,
        description="The tool's URL of this resource (a launch's target link URI); else the tool's own.",
    )
    line_item: LineItemHint | None = Field(
        default=None, description="The gradebook column the tool asked for when it linked the lesson."
    )

    @field_validator("url")
    @classmethod
    def _tool_url(cls, url: str | None) -> str | None:
        if url is not None and not is_tool_url(url):
            raise ValueError("must be an https URL (http only on localhost)")
        return url

    @field_validator("custom")
    @classmethod
    def _custom_parameters(cls, custom: dict[str, str]) -> dict[str, str]:
        for name, value in custom.items():
            if not re.fullmatch(r"[A-Za-z0-9_]{1,64}", name) or len(value) > 256:
                raise ValueError("names are 1-64 letters, digits or _; values at most 256 characters")
        return custom


class LessonSummary(LazyModel):
    """What the course outline knows of a lesson; the content lives on the lesson."""

    model_config = ConfigDict(extra="forbid")

    id: str
    title: str
    content_type: ContentType
    duration_minutes: int
    standards: list[AlignmentRef] = Field(default_factory=list)


class Section(LazyModel):
    model_config = ConfigDict(extra="forbid")

    id: str
    title: str
    version: int = 1
    lessons: list[LessonSummary] = Field(default_factory=list)


class Course(LazyModel):
    """The aggregate: details, lifecycle and the ordered outline (positions are list order)."""

    model_config = ConfigDict(extra="forbid")

    id: str
    institution_id: str
    title: str
    description: str
    category: str
    level: Level
    language: str
    learning_objectives: list[str]
    prerequisites: list[str]
    capacity: int | None = None
    waitlist_enabled: bool = False
    reviews_require_completion: bool = False
    price: Price | None = None  # None: free
    enrollment_opens_at: datetime | None = None
    enrollment_closes_at: datetime | None = None
    status: CourseStatus = CourseStatus.DRAFT
    instructor_ids: list[str]
    version: int = 1
    created_at: datetime
    updated_at: datetime
    published_at: datetime | None = None
    archived_at: datetime | None = None
    sections: list[Section] = Field(default_factory=list)
    standards: list[Alignment] = Field(default_factory=list)
    lesson_standards: dict[str, Standard] = Field(
        default_factory=dict, description="The standards the outline's lessons name, by identifier, once."
    )

    def lesson_ids(self) -> list[str]:
        return [lesson.id for section in self.sections for lesson in section.lessons]

    def section(self, section_id: str) -> Section:
        for section in self.sections:
            if section.id == section_id:
                return section
        raise SectionNotFound(f"The course has no section {section_id!r}.", field="section_id")

    def locate_lesson(self, lesson_id: str) -> tuple[Section, int]:
        for section in self.sections:
            for index, lesson in enumerate(section.lessons):
                if lesson.id == lesson_id:
                    return section, index
        raise LessonNotFound(f"The course has no lesson {lesson_id!r}.")


class Lesson(LazyModel):
    model_config = ConfigDict(extra="forbid")

    id: str
    course_id: str
    section_id: str
    title: str
    content_type: ContentType
    content: str | None = None
    content_url: str | None = None
    lti: LtiLink | None = None
    duration_minutes: int
    standards: list[Alignment] = Field(default_factory=list)
    version: int = 1
    created_at: datetime
    updated_at: datetime

    def summary(self) -> LessonSummary:
        return LessonSummary(
            id=self.id,
            title=self.title,
            content_type=self.content_type,
            duration_minutes=self.duration_minutes,
            standards=[alignment.ref() for alignment in self.standards],
        )


# ---------------------------------------------------------------- learning standards


def keep_lesson_standards(course: Course, lesson: Lesson | None) -> Course:
    """The course whose `lesson_standards` hold the details of exactly the standards its lessons name
    (the changed `lesson`'s own, as stored, win)."""
    known = dict(course.lesson_standards)
    if lesson is not None:
        known.update((a.case_item_id, a.standard()) for a in lesson.standards)
    named = {ref.case_item_id for s in course.sections for x in s.lessons for ref in x.standards}
    kept = {item_id: known[item_id] for item_id in sorted(named) if item_id in known}
    return course if kept == course.lesson_standards else course.model_copy(update={"lesson_standards": kept})


def covered_standards(course: Course) -> list[Standard]:
    """Every standard the course or one of its lessons is aligned to, the course's own first."""
    found = {a.case_item_id: a.standard() for a in course.standards}
    for item_id, standard in course.lesson_standards.items():
        found.setdefault(item_id, standard)
    return list(found.values())


# ---------------------------------------------------------------- who may see and change


def teaches(principal: Principal, course: Course) -> bool:
    return Role.INSTRUCTOR in principal.roles and principal.user_id in course.instructor_ids


def ensure_visible(principal: Principal, course: Course) -> None:
    """Drafts exist only for their instructors and the institution's admins."""
    if course.status == CourseStatus.DRAFT and not (
        principal.is_institution_admin or teaches(principal, course)
    ):
        raise CourseNotFound(f"No course {course.id!r}.")


def ensure_can_edit(principal: Principal, course: Course) -> None:
    """Admins edit any course of their institution; instructors only those they teach."""
    ensure_visible(principal, course)
    if not (principal.is_institution_admin or teaches(principal, course)):
        raise Forbidden("Only the course's instructors and institution admins may change it.")


# ---------------------------------------------------------------- details


def check_prerequisites(course_id: str, level: Level, prerequisites: list[str]) -> None:
    """Rules that need no other course: advanced needs one, no self, no repeats."""
    if course_id in prerequisites:
        raise InvalidPrerequisites("A course cannot require itself.", field="prerequisites")
    if len(set(prerequisites)) != len(prerequisites):
        raise InvalidPrerequisites("A prerequisite is listed twice.", field="prerequisites")
    if level == Level.ADVANCED and not prerequisites:
        raise InvalidPrerequisites(
            "An advanced course needs at least one prerequisite.", field="prerequisites"
        )


def find_cycle(course_id: str, prerequisites_of: dict[str, list[str]], start: list[str]) -> list[str] | None:
    """The path back to `course_id` through the prerequisite graph, if one exists."""
    stack: list[tuple[str, list[str]]] = [(p, [p]) for p in start]
    seen: set[str] = set()
    while stack:
        current, path = stack.pop()
        if current == course_id:
            return path
        if current in seen:
            continue
        seen.add(current)
        stack.extend((nxt, [*path, nxt]) for nxt in prerequisites_of.get(current, []))
    return None


def check_enrollment_window(opens_at: datetime | None, closes_at: datetime | None) -> None:
    if opens_at and closes_at and opens_at >= closes_at:
        raise InvalidEnrollmentWindow(
            "enrollment_opens_at must be before enrollment_closes_at.", field="enrollment_closes_at"
        )


# ---------------------------------------------------------------- lifecycle


def publish(course: Course, at: datetime) -> Course:
    if course.status != CourseStatus.DRAFT:
        raise InvalidStatusTransition(
            f"A {course.status} course cannot be published.", status_now=course.status
        )
    missing = []
    if not course.learning_objectives:
        missing.append("learning_objectives")
    if not course.lesson_ids():
        missing.append("lessons")
    if missing:
        raise CourseNotPublishable(
            "Publishing needs at least one learning objective and at least one lesson.", missing=missing
        )
    return course.model_copy(update={"status": CourseStatus.PUBLISHED, "published_at": at})


def archive(course: Course, at: datetime) -> Course:
    if course.status == CourseStatus.ARCHIVED:
        raise InvalidStatusTransition("The course is already archived.", status_now=course.status)
    return course.model_copy(update={"status": CourseStatus.ARCHIVED, "archived_at": at})


def ensure_takes_changes(course: Course) -> None:
    if course.status == CourseStatus.ARCHIVED:
        raise CourseArchived("An archived course takes no new sections or lessons.")


# ---------------------------------------------------------------- outline (positions are 1-based)


def _slot(position: int | None, length: int, *, inserting: bool) -> int:
    """The 0-based index for a 1-based position; None means the end."""
    last = length + 1 if inserting else length
    if position is None:
        return last - 1
    if not 1 <= position <= last:
        raise InvalidPosition(f"position must be between 1 and {last}.", field="position")
    return position - 1


def insert_section(course: Course, section: Section, position: int | None) -> Course:
    ensure_takes_changes(course)
    if len(course.sections) >= MAX_SECTIONS:
        raise OutlineFull(f"A course has at most {MAX_SECTIONS} sections.")
    sections = list(course.sections)
    sections.insert(_slot(position, len(sections), inserting=True), section)
    return course.model_copy(update={"sections": sections})


def change_section(course: Course, section_id: str, title: str | None, position: int | None) -> Course:
    current = course.section(section_id)
    sections = [s for s in course.sections if s.id != section_id]
    updated = current.model_copy(
        update={"title": title if title is not None else current.title, "version": current.version + 1}
    )
    index = _slot(position, len(sections), inserting=True) if position else course.sections.index(current)
    sections.insert(index, updated)
    return course.model_copy(update={"sections": sections})


def remove_section(course: Course, section_id: str) -> Course:
    section = course.section(section_id)
    if section.lessons:
        raise SectionNotEmpty(
            "Move or remove the section's lessons first.", lesson_count=len(section.lessons)
        )
    return course.model_copy(update={"sections": [s for s in course.sections if s.id != section_id]})


def _replace_section(course: Course, section: Section) -> Course:
    return course.model_copy(
        update={"sections": [section if s.id == section.id else s for s in course.sections]}
    )


DEFAULT_SECTION_TITLE = "Lessons"
"""The title of the section a course gets when a lesson is added to it before any section."""


def section_for_lesson(
    course: Course, section_id: str | None, new_id: Callable[[], str]
) -> tuple[Course, str, bool]:
    """Where a new lesson goes: the section named, else the course's last section (the lesson then
    ends the course), else a section made for it; returns the course, the section and whether it
    was made."""
    if section_id is not None:
        return course, section_id, False
    if course.sections:
        return course, course.sections[-1].id, False
    section = Section(id=new_id(), title=DEFAULT_SECTION_TITLE)
    return insert_section(course, section, None), section.id, True


def insert_lesson(
    course: Course, lesson: LessonSummary, section_id: str, position: int | None
) -> tuple[Course, int]:
    """The course with the lesson placed; returns its 1-based position in the section."""
    ensure_takes_changes(course)
    if len(course.lesson_ids()) >= MAX_LESSONS:
        raise OutlineFull(f"A course has at most {MAX_LESSONS} lessons.")
    section = course.section(section_id)
    lessons = list(section.lessons)
    index = _slot(position, len(lessons), inserting=True)
    lessons.insert(index, lesson)
    return _replace_section(course, section.model_copy(update={"lessons": lessons})), index + 1


def move_lesson(
    course: Course, lesson: LessonSummary, section_id: str | None, position: int | None
) -> tuple[Course, int]:
    """Update the lesson's summary and place it (same section when section_id is None)."""
    ensure_takes_changes(course)
    origin, index = course.locate_lesson(lesson.id)
    target_id = section_id or origin.id
    without = _replace_section(
        course, origin.model_copy(update={"lessons": [x for x in origin.lessons if x.id != lesson.id]})
    )
    target = without.section(target_id)
    if position is None and target_id == origin.id:
        slot = index
    else:
        slot = _slot(position, len(target.lessons), inserting=True)
    lessons = list(target.lessons)
    lessons.insert(slot, lesson)
    return _replace_section(without, target.model_copy(update={"lessons": lessons})), slot + 1


def remove_lesson(course: Course, lesson_id: str) -> Course:
    section, _ = course.locate_lesson(lesson_id)
    kept = [x for x in section.lessons if x.id != lesson_id]
    return _replace_section(course, section.model_copy(update={"lessons": kept}))


def lesson_position(course: Course, lesson_id: str) -> int:
    _, index = course.locate_lesson(lesson_id)
    return index + 1


def check_lesson_content(
    content_type: ContentType, content: str | None, content_url: str | None, lti: LtiLink | None = None
) -> None:
    """A text lesson carries its text, an `lti` lesson its link to a tool; the others point at where
    the material lives."""
    if (content_type == ContentType.LTI) != (lti is not None):
        raise InvalidLessonContent("An lti lesson, and only an lti lesson, has an lti link.", field="lti")
    if content_type == ContentType.LTI:
        if content or content_url:
            field = "content" if content else "content_url"
            raise InvalidLessonContent("An lti lesson has no content or content_url.", field=field)
    elif content_type == ContentType.TEXT:
        if not content:
            raise InvalidLessonContent("A text lesson needs content.", field="content")
        if content_url:
            raise InvalidLessonContent("A text lesson has no content_url.", field="content_url")
    else:
        if not content_url:
            raise InvalidLessonContent(f"A {content_type} lesson needs a content_url.", field="content_url")
        if content:
            raise InvalidLessonContent(f"A {content_type} lesson has no inline content.", field="content")
