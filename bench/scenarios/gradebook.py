"""Scenarios of the gradebook API (AssessmentsFunction): settings, own grades, class reads, export.

The gradebook is a read model its consumer builds from events: set-up enrolls students through
the courses API, writes a quiz's publication and grades to the outbox as the quiz producer's
transaction would, and delivers every event.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from bench.invoke import Answer, ApiCall
from bench.scenarios.base import Scenario, if_match
from bench.scenarios.courses import INSTITUTION, INSTRUCTOR, CoursesScenario
from bench.scenarios.enrollment import ENROLLMENTS, learner
from lms import ids
from lms.auth import Principal, Role
from lms.courses.domain import CourseStatus
from lms.events import DomainEvent
from lms.events.assessments import QuizGraded, QuizPublished
from lms.persistence.outbox import outbox_item

GRADEBOOK = "/assessments/gradebook/courses/{course_id}"
SETTINGS_BODY = {
    "categories": [
        {"name": "quizzes", "weight": "40", "drop_lowest": 1},
        {"name": "assignments", "weight": "60"},
    ],
    "letters": [{"letter": "A", "min_percent": "90"}, {"letter": "F", "min_percent": "0"}],
}
GRADED_AT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
_PRODUCER = Principal(
    user_id=INSTRUCTOR.user_id, institution_id=INSTITUTION, roles=frozenset({Role.INSTRUCTOR})
)


def _emit(*events: DomainEvent) -> None:
    for event in events:
        outbox_item(event, INSTITUTION, _PRODUCER).save()


class _Gradebook(CoursesScenario):
    """A seeded published course, students enrolled through the API, a quiz published and graded."""

    needs_events = True
    students = 1

    def setup(self) -> None:
        self.course_id = self.seeder.course(status=CourseStatus.PUBLISHED).id
        self.params = {"course_id": self.course_id}
        self.learners = [learner(f"graded-{n}") for n in range(self.students)]
        quiz_id = ids.new_id()
        _emit(
            QuizPublished(
                course_id=self.course_id,
                quiz_id=quiz_id,
                title="Quiz 1",
                points=Decimal(10),
                gradebook_category="quizzes",
                required_for_completion=False,
            )
        )
        for n, student in enumerate(self.learners):
            self.send(ApiCall("POST", ENROLLMENTS, student, self.params), 201)
            _emit(
                QuizGraded(
                    course_id=self.course_id,
                    quiz_id=quiz_id,
                    student_id=student.user_id,
                    attempt_id=ids.new_id(),
                    attempt_score=Decimal(n % 11),
                    score=Decimal(n % 11),
                    points=Decimal(10),
                    passed=True,
                    required_for_completion=False,
                    revision=1,
                    graded_at=GRADED_AT,
                )
            )
        self.deliver_events()


class GetGradebookSettings(_Gradebook):
    method, path = "GET", GRADEBOOK + "/settings"

    def next_call(self, index: int) -> ApiCall:
        return ApiCall("GET", self.path, INSTRUCTOR, self.params)


class UpdateGradebookSettings(_Gradebook):
    """Each call replaces the settings at the version the previous call answered."""

    method, path = "PUT", GRADEBOOK + "/settings"
    version = 0

    def next_call(self, index: int) -> ApiCall:
        headers = if_match(self.version) if self.version else {}
        return ApiCall("PUT", self.path, INSTRUCTOR, self.params, SETTINGS_BODY, headers=headers)

    def after(self, answer: Answer) -> None:
        self.version = int(answer.json()["version"])


class GetMyGrades(_Gradebook):
    method, path = "GET", GRADEBOOK + "/me"

    def next_call(self, index: int) -> ApiCall:
        return ApiCall("GET", self.path, self.learners[0], self.params)


class ListCourseGrades(_Gradebook):
    method, path = "GET", GRADEBOOK + "/students"

    def setup(self) -> None:
        self.students = self.page_size + 1
        super().setup()

    def next_call(self, index: int) -> ApiCall:
        return ApiCall("GET", self.path, INSTRUCTOR, self.params, query=self.page_query())

    def after(self, answer: Answer) -> None:
        self.check_full_page(answer)


class GetStudentGrades(_Gradebook):
    """An instructor reads a student's grades: an audited read."""

    method, path = "GET", GRADEBOOK + "/students/{student_id}"

    def next_call(self, index: int) -> ApiCall:
        params = {**self.params, "student_id": self.learners[0].user_id}
        return ApiCall("GET", self.path, INSTRUCTOR, params)


class ExportGradebook(_Gradebook):
    """The whole class as CSV: one page of rows here (a page is up to 1 MB of rows)."""

    method, path = "GET", GRADEBOOK + "/export"
    students = 5

    def next_call(self, index: int) -> ApiCall:
        return ApiCall("GET", self.path, INSTRUCTOR, self.params)


GRADEBOOK_SCENARIOS: tuple[type[Scenario], ...] = (
    GetGradebookSettings,
    UpdateGradebookSettings,
    GetMyGrades,
    ListCourseGrades,
    GetStudentGrades,
    ExportGradebook,
)
