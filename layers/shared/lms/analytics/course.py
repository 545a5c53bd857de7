"""The analytics context's copy of a course, kept from catalog and assessment events; pure.

It holds what the read models and the at-risk rules need: the lesson order (for the funnel and
progress), who teaches the course (who may read its analytics), its lifecycle and its published
assessments with their due dates. Like every state here it converges whatever the delivery
order: the lesson order by the course's version, the lifecycle by its rank, assessments by id.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import Decimal
from enum import StrEnum


class Lifecycle(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    ARCHIVED = "archived"


_RANK = {Lifecycle.DRAFT: 0, Lifecycle.PUBLISHED: 1, Lifecycle.ARCHIVED: 2}


@dataclass(frozen=True)
class Assessment:
    kind: str  # quiz | assignment
    title: str
    points: Decimal
    due_at: datetime | None = None


@dataclass(frozen=True)
class CourseCopy:
    course_id: str
    title: str = ""
    lifecycle: Lifecycle = Lifecycle.DRAFT
    published_at: datetime | None = None
    lesson_ids: tuple[str, ...] = ()
    order_version: int = -1
    instructor_ids: frozenset[str] = frozenset()
    instructors_stamp: str = ""
    assessments: dict[str, Assessment] = field(default_factory=dict)
    version: int = 0

    @property
    def known(self) -> bool:
        """Whether any event of the course reached analytics (else its reads answer 404)."""
        return self.version > 0

    @property
    def active(self) -> bool:
        return self.lifecycle is Lifecycle.PUBLISHED


def arrange(course: CourseCopy, lesson_ids: list[str] | None, course_version: int | None) -> CourseCopy:
    """The lesson order of the newest course version seen (an event without one changes nothing)."""
    if lesson_ids is None or course_version is None or course_version <= course.order_version:
        return course
    return replace(course, lesson_ids=tuple(lesson_ids), order_version=course_version)


def teach(course: CourseCopy, instructor_ids: list[str], stamp: str) -> CourseCopy:
    """Who teaches the course, as of the latest event (`stamp`: its time and id) that named them."""
    if stamp <= course.instructors_stamp:
        return course
    return replace(course, instructor_ids=frozenset(instructor_ids), instructors_stamp=stamp)


def advance(course: CourseCopy, lifecycle: Lifecycle, at: datetime, title: str | None = None) -> CourseCopy:
    """A course only moves forward (draft, published, archived); its title comes with publication."""
    if title is not None:
        course = replace(course, title=title)
    if lifecycle is Lifecycle.PUBLISHED and (course.published_at is None or at < course.published_at):
        course = replace(course, published_at=at)
    if _RANK[lifecycle] > _RANK[course.lifecycle]:
        course = replace(course, lifecycle=lifecycle)
    return course


def publish_assessment(course: CourseCopy, assessment_id: str, assessment: Assessment) -> CourseCopy:
    if course.assessments.get(assessment_id) == assessment:
        return course
    return replace(course, assessments={**course.assessments, assessment_id: assessment})


def course_contributions(course: CourseCopy) -> Counter[str]:
    """What a course adds to its institution's counters: it counts as published once it was."""
    return Counter({"courses_published": 1} if course.lifecycle is not Lifecycle.DRAFT else {})


def course_difference(before: CourseCopy, after: CourseCopy) -> dict[str, int]:
    delta = Counter(course_contributions(after))
    delta.subtract(course_contributions(before))
    return {name: n for name, n in delta.items() if n}
