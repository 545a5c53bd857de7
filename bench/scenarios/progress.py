"""Scenarios of the progress API (ProgressFunction): completions, progress reads, class list, achievements.

Completions check the catalog's items inside their transaction, so a seeded course and an
enrollment through the API are enough. The reads answer from read models the progress consumer
builds from events: their set-up goes through the courses API and then the event pipeline.
"""

from __future__ import annotations

from bench.invoke import Answer, ApiCall
from bench.scenarios.base import Scenario
from bench.scenarios.courses import COURSE, INSTRUCTOR, CoursesScenario
from bench.scenarios.enrollment import ENROLLMENTS, learner
from lms.courses.domain import CourseStatus

COMPLETION = "/progress/courses/{course_id}/lessons/{lesson_id}"


class _Completions(CoursesScenario):
    """A student enrolled in a seeded course; each call completes or undoes one of its lessons."""

    def setup(self) -> None:
        course = self.seeder.course(status=CourseStatus.PUBLISHED)
        self.course_id = course.id
        self.lesson_ids = course.lesson_ids()
        self.student = learner("diligent")
        self.send(ApiCall("POST", ENROLLMENTS, self.student, {"course_id": self.course_id}), 201)

    def completion(self, method: str, index: int) -> ApiCall:
        params = {"course_id": self.course_id, "lesson_id": self.lesson_ids[index % len(self.lesson_ids)]}
        return ApiCall(method, COMPLETION, self.student, params)


class CompleteLesson(_Completions):
    """A first completion each call: the lesson's completion is undone (unmeasured) before."""

    method, path = "PUT", COMPLETION

    def next_call(self, index: int) -> ApiCall:
        self.send(self.completion("DELETE", index), 204)
        return self.completion("PUT", index)


class UndoLessonCompletion(_Completions):
    """Each call undoes a completion made (unmeasured) just before."""

    method, path, status = "DELETE", COMPLETION, 204

    def next_call(self, index: int) -> ApiCall:
        self.send(self.completion("PUT", index), 200)
        return self.completion("DELETE", index)


class _ReadModels(CoursesScenario):
    """A seeded draft published through the API (its event carries the outline), students enrolled
    who completed its first lesson, and every event delivered to the progress consumer."""

    needs_events = True
    students = 1

    def setup(self) -> None:
        course = self.seeder.course()
        self.course_id, self.lesson_ids = course.id, course.lesson_ids()
        params = {"course_id": self.course_id}
        self.send(ApiCall("POST", COURSE + "/publish", INSTRUCTOR, params), 200)
        self.learners = [learner(f"class-{n}") for n in range(self.students)]
        for student in self.learners:
            self.send(ApiCall("POST", ENROLLMENTS, student, params), 201)
            done = {"course_id": self.course_id, "lesson_id": self.lesson_ids[0]}
            self.send(ApiCall("PUT", COMPLETION, student, done), 200)
        self.deliver_events()


class GetMyProgress(_ReadModels):
    method, path = "GET", "/progress/courses/{course_id}"

    def next_call(self, index: int) -> ApiCall:
        return ApiCall("GET", self.path, self.learners[0], {"course_id": self.course_id})


class ListCourseProgress(_ReadModels):
    method, path = "GET", "/progress/courses/{course_id}/students"

    def setup(self) -> None:
        self.students = self.page_size + 1
        super().setup()

    def next_call(self, index: int) -> ApiCall:
        params = {"course_id": self.course_id}
        return ApiCall("GET", self.path, INSTRUCTOR, params, query=self.page_query())

    def after(self, answer: Answer) -> None:
        self.check_full_page(answer)


class GetStudentProgress(_ReadModels):
    """An instructor reads a student's progress: an audited read."""

    method, path = "GET", "/progress/courses/{course_id}/students/{student_id}"

    def next_call(self, index: int) -> ApiCall:
        params = {"course_id": self.course_id, "student_id": self.learners[0].user_id}
        return ApiCall("GET", self.path, INSTRUCTOR, params)


class ListMyAchievements(_ReadModels):
    """A student who completed a whole course (achievements are few: the page is what they hold)."""

    method, path = "GET", "/progress/achievements"

    def setup(self) -> None:
        super().setup()
        for lesson_id in self.lesson_ids[1:]:
            done = {"course_id": self.course_id, "lesson_id": lesson_id}
            self.send(ApiCall("PUT", COMPLETION, self.learners[0], done), 200)
        self.deliver_events()

    def next_call(self, index: int) -> ApiCall:
        return ApiCall("GET", self.path, self.learners[0], query=self.page_query())


PROGRESS: tuple[type[Scenario], ...] = (
    CompleteLesson,
    UndoLessonCompletion,
    GetMyProgress,
    ListCourseProgress,
    GetStudentProgress,
    ListMyAchievements,
)
