"""Request and response bodies of the courses API (the OpenAPI document is generated from them)."""

from __future__ import annotations

from typing import Annotated

from pydantic import (
    AwareDatetime,
    Field,
    HttpUrl,
    StringConstraints,
)

from lms.courses.catalog.index import Facets
from lms.courses.domain import ContentType, Course, CourseStatus, Lesson, Level, LtiLink
from lms.courses.price import Price
from lms.lazy_model import LazyModel
from lms.schemas import HTML_FORMAT, SANITIZED_HTML, Body, Patch
from lms.standards import Alignment, AlignmentRef, Alignments, AlignmentType, Standard

Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Description = Annotated[str, StringConstraints(max_length=10_000), SANITIZED_HTML, HTML_FORMAT]
Category = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", max_length=64)]
Language = Annotated[str, StringConstraints(pattern=r"^[a-z]{2,3}(-[A-Za-z]{2,4})?$")]
Objective = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
Id = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_.:-]{1,64}$")]
Position = Annotated[int, Field(ge=1, le=1000)]
Capacity = Annotated[int, Field(ge=1, le=100_000)]
Minutes = Annotated[int, Field(ge=0, le=1440)]
Content = Annotated[str, StringConstraints(max_length=100_000), SANITIZED_HTML, HTML_FORMAT]


class CourseDraft(Body):
    title: Title
    description: Description = ""
    category: Category
    level: Level
    language: Language
    learning_objectives: list[Objective] = Field(default_factory=list, max_length=50)
    prerequisites: list[Id] = Field(default_factory=list, max_length=20)
    capacity: Capacity | None = None
    waitlist_enabled: bool = Field(
        default=False, description="When the course is full, new students wait for a seat (first come)."
    )
    reviews_require_completion: bool = Field(
        default=False, description="Only students who completed the course may review it (else: enrolled)."
    )
    price: Price | None = Field(
        default=None,
        description="Absent: free. A paid course needs an entitlement before a student enrolls themself.",
    )
    enrollment_opens_at: AwareDatetime | None = None
    enrollment_closes_at: AwareDatetime | None = None
    instructor_ids: list[Id] = Field(
        default_factory=list,
        max_length=20,
        description="Co-instructors; an instructor who creates a course always teaches it.",
    )
    standards: Alignments = Field(default_factory=list)


class CoursePatch(Patch):
    nullable = frozenset({"capacity", "enrollment_opens_at", "enrollment_closes_at", "price"})

    title: Title | None = None
    description: Description | None = None
    category: Category | None = None
    level: Level | None = None
    language: Language | None = None
    learning_objectives: list[Objective] | None = Field(default=None, max_length=50)
    prerequisites: list[Id] | None = Field(default=None, max_length=20)
    capacity: Capacity | None = None
    waitlist_enabled: bool | None = None
    reviews_require_completion: bool | None = None
    price: Price | None = None
    enrollment_opens_at: AwareDatetime | None = None
    enrollment_closes_at: AwareDatetime | None = None
    instructor_ids: list[Id] | None = Field(default=None, min_length=1, max_length=20)
    standards: Alignments | None = None


class SectionDraft(Body):
    title: Title
    position: Position | None = Field(default=None, description="1-based; the end when omitted.")


class SectionPatch(Patch):
    title: Title | None = None
    position: Position | None = None


class LessonDraft(Body):
    section_id: Id | None = Field(
        default=None,
        description="The section; when omitted, the course's last section, or a section titled "
        "`Lessons` made for it when the course has none yet.",
    )
    title: Title
    content_type: ContentType
    content: Content | None = Field(default=None, description="The text of a `text` lesson.")
    content_url: HttpUrl | None = Field(
        default=None, description="Where a video, file or external lesson lives."
    )
    lti: LtiLink | None = Field(default=None, description="The registered LTI tool an `lti` lesson opens.")
    duration_minutes: Minutes
    position: Position | None = Field(
        default=None, description="1-based within the section; the end when omitted."
    )
    standards: Alignments = Field(default_factory=list)


class LessonPatch(Patch):
    nullable = frozenset({"content", "content_url", "lti"})

    section_id: Id | None = None
    title: Title | None = None
    content_type: ContentType | None = None
    content: Content | None = None
    content_url: HttpUrl | None = None
    lti: LtiLink | None = None
    duration_minutes: Minutes | None = None
    position: Position | None = None
    standards: Alignments | None = None


# ---------------------------------------------------------------- responses


class LessonSummaryView(LazyModel):
    id: str
    section_id: str
    position: int
    title: str
    content_type: ContentType
    duration_minutes: int
    standards: list[AlignmentRef] = Field(description="The lesson's alignments (details: the lesson).")


class SectionView(LazyModel):
    id: str
    title: str
    position: int
    version: int
    lessons: list[LessonSummaryView]


class PriceView(LazyModel):
    amount: str = Field(description="Exact decimal, with the currency's minor units (JPY 0, EUR 2, KWD 3).")
    currency: str = Field(description="ISO 4217 code.")

    @classmethod
    def of(cls, price: Price | None) -> PriceView | None:
        return None if price is None else cls(amount=price.text(), currency=price.currency)


class CourseSummaryView(LazyModel):
    id: str
    title: str
    description: str
    category: str
    level: Level
    language: str
    learning_objectives: list[str]
    prerequisites: list[str]
    capacity: int | None
    waitlist_enabled: bool
    reviews_require_completion: bool
    price: PriceView | None = Field(description="Null: the course is free.")
    enrollment_opens_at: AwareDatetime | None
    enrollment_closes_at: AwareDatetime | None
    status: CourseStatus
    instructor_ids: list[str]
    lesson_count: int
    version: int
    created_at: AwareDatetime
    updated_at: AwareDatetime
    published_at: AwareDatetime | None
    archived_at: AwareDatetime | None
    standards: list[Alignment] = Field(description="The learning standards the course itself is aligned to.")

    @classmethod
    def of(cls, course: Course) -> CourseSummaryView:
        data = course.model_dump(exclude={"institution_id", "sections", "price", "lesson_standards"})
        return cls(**data, price=PriceView.of(course.price), lesson_count=len(course.lesson_ids()))


class CourseView(CourseSummaryView):
    sections: list[SectionView]

    @classmethod
    def of(cls, course: Course) -> CourseView:
        summary = CourseSummaryView.of(course)
        return cls(**summary.model_dump(), sections=[section_view(course, s.id) for s in course.sections])


def section_view(course: Course, section_id: str) -> SectionView:
    section = course.section(section_id)
    return SectionView(
        id=section.id,
        title=section.title,
        position=course.sections.index(section) + 1,
        version=section.version,
        lessons=[
            LessonSummaryView(section_id=section.id, position=i + 1, **lesson.model_dump())
            for i, lesson in enumerate(section.lessons)
        ],
    )


class CatalogFacetsView(LazyModel):
    """How many courses of the whole filtered set (not only this page) fall under each value."""

    categories: dict[str, int]
    levels: dict[str, int]
    languages: dict[str, int]
    prices: dict[str, int] = Field(description="`free` and `paid` courses.")

    @classmethod
    def of(cls, facets: Facets) -> CatalogFacetsView:
        return cls(
            categories=facets.categories,
            levels=facets.levels,
            languages=facets.languages,
            prices=facets.prices,
        )


class CoursePage(LazyModel):
    items: list[CourseSummaryView]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last page.")
    total: int = Field(description="Courses matching the filters, on every page.")
    facets: CatalogFacetsView


class LessonView(LazyModel):
    id: str
    course_id: str
    section_id: str
    position: int
    title: str
    content_type: ContentType
    content: str | None
    content_url: str | None
    lti: LtiLink | None = Field(
        description="An `lti` lesson's tool; the lesson's id is its resource link id."
    )
    duration_minutes: int
    standards: list[Alignment]
    version: int
    created_at: AwareDatetime
    updated_at: AwareDatetime

    @classmethod
    def of(cls, lesson: Lesson, position: int) -> LessonView:
        return cls(**lesson.model_dump(), position=position)


class LessonAlignmentView(LazyModel):
    lesson_id: str
    title: str
    section_id: str
    position: int = Field(description="1-based within its section.")
    alignment_type: AlignmentType


class QuestionAlignmentView(LazyModel):
    quiz_id: str
    quiz_title: str
    question_id: str
    position: int = Field(description="1-based within the quiz.")
    alignment_type: AlignmentType


class CoveredStandardView(Standard):
    course_alignments: list[AlignmentType] = Field(description="How the course itself is aligned to it.")
    lessons: list[LessonAlignmentView] = Field(description="The lessons aligned to it, in outline order.")
    questions: list[QuestionAlignmentView] = Field(
        description="The quiz questions aligned to it (students: of published quizzes)."
    )


class CourseStandardsView(LazyModel):
    course_id: str
    standards: list[CoveredStandardView] = Field(description="By human coding scheme.")


class Health(LazyModel):
    status: str
