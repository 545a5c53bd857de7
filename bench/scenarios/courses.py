"""Scenarios of the courses API (CoursesFunction).

Set-up data is seeded through the repository's items (bench.seed): every course carries an outline
of 3 sections of 4 lessons. Scenarios that consume what they call on (publish, archive, removals)
get a fresh course per call and delete it afterwards, so the table stays small.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from bench.invoke import Answer, ApiCall, ApiFunction, Caller
from bench.scenarios.base import PAGE_SIZE, TRAIL, Scenario, if_match
from bench.seed import Seeder
from lms.courses.domain import Course, CourseStatus
from lms.courses.repository import COURSE_ENTITY

INSTITUTION = "bench-institution"
INSTRUCTOR = Caller("bench-instructor", INSTITUTION, ("instructors",))
STUDENT = Caller("bench-student", INSTITUTION, ("students",))

COURSE = "/courses/{course_id}"
SECTION = "/courses/{course_id}/sections/{section_id}"
LESSON = "/courses/{course_id}/lessons/{lesson_id}"


def course_body(serial: int, **extra: Any) -> dict[str, Any]:
    return {
        "title": f"Linear Algebra {serial}",
        "description": "Vectors, matrices and the linear maps between them, with worked examples.",
        "category": "mathematics",
        "level": "beginner",
        "language": "en",
        "learning_objectives": ["Solve linear systems", "Diagonalise a matrix"],
        **extra,
    }


def capped_course(api: ApiFunction, capacity: int, **extra: Any) -> str:
    """A published course with a capacity, made through the API: only the service creates its roster."""
    body = course_body(0, capacity=capacity, **extra)
    course_id = str(api.send(ApiCall("POST", "/courses", INSTRUCTOR, body=body), 201).json()["id"])
    params = {"course_id": course_id}
    section = api.send(ApiCall("POST", COURSE + "/sections", INSTRUCTOR, params, {"title": "Week 1"}), 201)
    lesson = lesson_body(section.json()["id"], 1)
    api.send(ApiCall("POST", COURSE + "/lessons", INSTRUCTOR, params, lesson), 201)
    api.send(ApiCall("POST", COURSE + "/publish", INSTRUCTOR, params), 200)
    return course_id


def lesson_body(section_id: str, serial: int) -> dict[str, Any]:
    return {
        "section_id": section_id,
        "title": f"Exercises {serial}",
        "content_type": "text",
        "content": "Solve the exercises at the end of the chapter. " * 20,
        "duration_minutes": 20,
    }


class CoursesScenario(Scenario):
    def __init__(
        self,
        api: ApiFunction,
        page_size: int = PAGE_SIZE,
        routes: Mapping[str, ApiFunction] | None = None,
    ) -> None:
        super().__init__(api, page_size, routes)
        self.seeder = Seeder(INSTITUTION, INSTRUCTOR.user_id)


class Health(CoursesScenario):
    method, path = "GET", "/health"

    def next_call(self, index: int) -> ApiCall:
        return ApiCall("GET", "/health", None)


class ListCourses(CoursesScenario):
    method, path = "GET", "/courses"

    def setup(self) -> None:
        # A list reads course items only; their lesson items would just grow moto's table.
        published = (self.seeder.build(status=CourseStatus.PUBLISHED)[0] for _ in range(self.page_size + 1))
        self.seeder.store((course, []) for course in published)

    def next_call(self, index: int) -> ApiCall:
        return ApiCall("GET", "/courses", STUDENT, query=self.page_query())

    def after(self, answer: Answer) -> None:
        self.check_full_page(answer)


class ListCoursesAfterChange(ListCourses):
    """Each call follows a new course, so the function reads the changed shard before the page."""

    variant = "after a catalog change"

    def next_call(self, index: int) -> ApiCall:
        self.seeder.store([(self.seeder.build(status=CourseStatus.PUBLISHED)[0], [])])
        return super().next_call(index)


class CreateCourse(CoursesScenario):
    method, path, status = "POST", "/courses", 201
    disposable = TRAIL | {COURSE_ENTITY}

    def next_call(self, index: int) -> ApiCall:
        return ApiCall("POST", "/courses", INSTRUCTOR, body=course_body(index))


class CreateCourseIdempotent(CreateCourse):
    variant = "Idempotency-Key"

    def next_call(self, index: int) -> ApiCall:
        key = {"Idempotency-Key": f"create-{uuid.uuid4().hex}"}
        return ApiCall("POST", "/courses", INSTRUCTOR, body=course_body(index), headers=key)


class GetCourse(CoursesScenario):
    method, path = "GET", COURSE

    def setup(self) -> None:
        self.course = self.seeder.course(status=CourseStatus.PUBLISHED)

    def next_call(self, index: int) -> ApiCall:
        return ApiCall("GET", COURSE, STUDENT, {"course_id": self.course.id})


class GetCourseFirstRequestOfUser(GetCourse):
    """A user's first request in a container (or after 30 s): the account check reads the profile."""

    variant = "first request of a user"
    warm_account_check = False

    def next_call(self, index: int) -> ApiCall:
        reader = Caller(f"bench-reader-{index}", INSTITUTION, ("students",))
        return ApiCall("GET", COURSE, reader, {"course_id": self.course.id})


class GetCourseStandards(CoursesScenario):
    """A course aligned to standards (the course, its lessons); its quizzes' alignments are one Query."""

    method, path = "GET", COURSE + "/standards"

    def setup(self) -> None:
        self.course = self.seeder.course(status=CourseStatus.PUBLISHED)

    def next_call(self, index: int) -> ApiCall:
        return ApiCall("GET", self.path, STUDENT, {"course_id": self.course.id})


class UpdateCourse(CoursesScenario):
    method, path = "PATCH", COURSE

    def setup(self) -> None:
        self.course = self.seeder.course()
        self.version = self.course.version

    def next_call(self, index: int) -> ApiCall:
        body = {"title": f"Linear Algebra, edition {index}", "description": f"Edition {index}."}
        return ApiCall(
            "PATCH", COURSE, INSTRUCTOR, {"course_id": self.course.id}, body, if_match(self.version)
        )

    def after(self, answer: Answer) -> None:
        self.version = answer.version()


class UpdateCourseCapacity(UpdateCourse):
    """Each call moves the capacity of a capped course: the roster follows in the same transaction."""

    variant = "capacity change"

    def setup(self) -> None:
        self.course_id = capped_course(self.api, 1000)
        read = self.api.send(ApiCall("GET", COURSE, INSTRUCTOR, {"course_id": self.course_id}), 200)
        self.version = read.version()

    def next_call(self, index: int) -> ApiCall:
        body = {"capacity": 1001 + index % 2}
        return ApiCall(
            "PATCH", COURSE, INSTRUCTOR, {"course_id": self.course_id}, body, if_match(self.version)
        )


class UpdateCoursePrerequisites(UpdateCourse):
    """Each call swaps the prerequisite, so each adds one: the cycle check reads the graph."""

    variant = "new prerequisite"

    def setup(self) -> None:
        super().setup()
        self.prerequisites = [self.seeder.course().id, self.seeder.course().id]

    def next_call(self, index: int) -> ApiCall:
        body = {"prerequisites": [self.prerequisites[index % 2]]}
        return ApiCall(
            "PATCH", COURSE, INSTRUCTOR, {"course_id": self.course.id}, body, if_match(self.version)
        )


class _FreshCoursePerCall(CoursesScenario):
    """A new course for every call, deleted after it."""

    def fresh_course(self) -> Course:
        self.course = self.seeder.course()
        return self.course

    def after(self, answer: Answer) -> None:
        self.seeder.remove(self.course)


class PublishCourse(_FreshCoursePerCall):
    method, path = "POST", COURSE + "/publish"

    def next_call(self, index: int) -> ApiCall:
        return ApiCall("POST", self.path, INSTRUCTOR, {"course_id": self.fresh_course().id})


class ArchiveCourse(_FreshCoursePerCall):
    method, path = "POST", COURSE + "/archive"

    def next_call(self, index: int) -> ApiCall:
        self.course = self.seeder.course(status=CourseStatus.PUBLISHED)
        return ApiCall("POST", self.path, INSTRUCTOR, {"course_id": self.course.id})


class AddSection(CoursesScenario):
    method, path, status = "POST", COURSE + "/sections", 201
    sections_per_course = 40  # a course holds at most 100

    def next_call(self, index: int) -> ApiCall:
        if index % self.sections_per_course == 0:
            self.course = self.seeder.course()
        body = {"title": f"Week {index}", "position": 2}
        return ApiCall("POST", self.path, INSTRUCTOR, {"course_id": self.course.id}, body)


class UpdateSection(CoursesScenario):
    method, path = "PATCH", SECTION

    def setup(self) -> None:
        self.course = self.seeder.course()
        self.section = self.course.sections[1]
        self.version = self.section.version

    def next_call(self, index: int) -> ApiCall:
        params = {"course_id": self.course.id, "section_id": self.section.id}
        body = {"title": f"Week two, take {index}"}
        return ApiCall("PATCH", SECTION, INSTRUCTOR, params, body, if_match(self.version))

    def after(self, answer: Answer) -> None:
        self.version = answer.version()


class RemoveSection(_FreshCoursePerCall):
    method, path, status = "DELETE", SECTION, 204

    def next_call(self, index: int) -> ApiCall:
        self.course = self.seeder.course(empty_sections=1)
        params = {"course_id": self.course.id, "section_id": self.course.sections[-1].id}
        return ApiCall("DELETE", SECTION, INSTRUCTOR, params)


class AddLesson(CoursesScenario):
    method, path, status = "POST", COURSE + "/lessons", 201
    lessons_per_course = 40  # a course holds at most 500

    def next_call(self, index: int) -> ApiCall:
        if index % self.lessons_per_course == 0:
            self.course = self.seeder.course()
        body = lesson_body(self.course.sections[index % 3].id, index)
        return ApiCall("POST", self.path, INSTRUCTOR, {"course_id": self.course.id}, body)


class GetLesson(CoursesScenario):
    method, path = "GET", LESSON

    def setup(self) -> None:
        self.course = self.seeder.course(status=CourseStatus.PUBLISHED)
        self.lesson_id = self.course.sections[1].lessons[2].id

    def next_call(self, index: int) -> ApiCall:
        return ApiCall("GET", LESSON, STUDENT, {"course_id": self.course.id, "lesson_id": self.lesson_id})


class UpdateLesson(CoursesScenario):
    method, path = "PATCH", LESSON

    def setup(self) -> None:
        self.course = self.seeder.course()
        self.lesson_id = self.course.sections[1].lessons[2].id
        self.version = 1

    def next_call(self, index: int) -> ApiCall:
        params = {"course_id": self.course.id, "lesson_id": self.lesson_id}
        body = {"title": f"Eigenvalues, take {index}", "duration_minutes": 10 + index % 20}
        return ApiCall("PATCH", LESSON, INSTRUCTOR, params, body, if_match(self.version))

    def after(self, answer: Answer) -> None:
        self.version = answer.version()


class RemoveLesson(_FreshCoursePerCall):
    method, path, status = "DELETE", LESSON, 204

    def next_call(self, index: int) -> ApiCall:
        course = self.fresh_course()
        params = {"course_id": course.id, "lesson_id": course.sections[1].lessons[2].id}
        return ApiCall("DELETE", LESSON, INSTRUCTOR, params)


COURSES: tuple[type[Scenario], ...] = (
    Health,
    ListCourses,
    ListCoursesAfterChange,
    CreateCourse,
    CreateCourseIdempotent,
    GetCourse,
    GetCourseFirstRequestOfUser,
    GetCourseStandards,
    UpdateCourse,
    UpdateCourseCapacity,
    UpdateCoursePrerequisites,
    PublishCourse,
    ArchiveCourse,
    AddSection,
    UpdateSection,
    RemoveSection,
    AddLesson,
    GetLesson,
    UpdateLesson,
    RemoveLesson,
)
