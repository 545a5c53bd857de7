"""Set-up data for the scenarios, written with plain writes through the courses repository's items.

Not through the API: set-up is not measured, and plain writes keep moto fast (its TransactWriteItems
copies the whole table, so thousands of set-up transactions would dominate the run). The items are
the repository's own mapping of the domain objects, so they are what the API would have stored.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from lms import clock, ids, keys
from lms.courses.catalog.entry import entry_of
from lms.courses.catalog.store import write_entries
from lms.courses.domain import ContentType, Course, CourseStatus, Lesson, Level, Section

# The repository's item mapping is private to it; the benchmark needs it to seed at scale.
from lms.courses.repository import CourseItem, LessonItem, _lesson_item, _to_item

SECTIONS = 3
LESSONS_PER_SECTION = 4


class Seeder:
    """Courses of one institution, taught by one instructor, each with an outline of lessons."""

    def __init__(self, institution_id: str, instructor_id: str) -> None:
        self.institution_id = institution_id
        self.instructor_id = instructor_id
        self._serial = 0

    def build(
        self,
        *,
        status: CourseStatus = CourseStatus.DRAFT,
        sections: int = SECTIONS,
        lessons_per_section: int = LESSONS_PER_SECTION,
        empty_sections: int = 0,
        category: str = "mathematics",
        level: Level = Level.BEGINNER,
        prerequisites: Iterable[str] = (),
    ) -> tuple[Course, list[Lesson]]:
        """A course and its lessons, not yet stored; ids are fresh and creation times increase."""
        self._serial += 1
        course_id = ids.new_id()
        at = clock.now() + timedelta(microseconds=self._serial)
        lessons: list[Lesson] = []
        outline: list[Section] = []
        for s in range(sections + empty_sections):
            section = Section(id=ids.new_id(), title=f"Week {s + 1}")
            for n in range(lessons_per_section if s < sections else 0):
                lesson = Lesson(
                    id=ids.new_id(),
                    course_id=course_id,
                    section_id=section.id,
                    title=f"Lesson {s + 1}.{n + 1}",
                    content_type=ContentType.TEXT,
                    content="Read the chapter, then solve the exercises at its end. " * 20,
                    duration_minutes=15,
                    created_at=at,
                    updated_at=at,
                )
                lessons.append(lesson)
                section.lessons.append(lesson.summary())
            outline.append(section)
        course = Course(
            id=course_id,
            institution_id=self.institution_id,
            title=f"Linear Algebra {self._serial}",
            description="Vectors, matrices and the linear maps between them, with worked examples.",
            category=category,
            level=level,
            language="en",
            learning_objectives=["Solve linear systems", "Diagonalise a matrix"],
            prerequisites=list(prerequisites),
            # Uncapped: a capacity needs the roster item that only the service creates with the course.
            capacity=None,
            status=status,
            instructor_ids=[self.instructor_id],
            created_at=at,
            updated_at=at,
            published_at=at if status != CourseStatus.DRAFT else None,
            archived_at=at if status == CourseStatus.ARCHIVED else None,
            sections=outline,
        )
        return course, lessons

    def course(self, **options: Any) -> Course:
        """Build and store one course with its lessons (`options` as for `build`)."""
        return self.store([self.build(**options)])[0]

    def store(self, built: Iterable[tuple[Course, list[Lesson]]]) -> list[Course]:
        courses: list[Course] = []
        with CourseItem.batch_write() as course_batch, LessonItem.batch_write() as lesson_batch:
            for course, lessons in built:
                course_batch.save(_to_item(course))
                for lesson in lessons:
                    lesson_batch.save(_lesson_item(self.institution_id, lesson))
                courses.append(course)
        write_entries(self.institution_id, [entry_of(course) for course in courses])
        return courses

    def remove(self, course: Course) -> None:
        """Delete a seeded course and the lessons it was seeded with, to keep the table small."""
        pk = keys.course_pk(self.institution_id, course.id)
        with CourseItem.batch_write() as course_batch, LessonItem.batch_write() as lesson_batch:
            course_batch.delete(CourseItem(pk, keys.COURSE_SK))
            for lesson_id in course.lesson_ids():
                lesson_batch.delete(LessonItem(pk, keys.lesson_sk(lesson_id)))
