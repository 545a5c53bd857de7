"""Scenarios of the analytics API (AnalyticsFunction): course and institution views, learners, rules.

The views answer from read models the analytics consumer builds from events: the set-up publishes
a seeded course through the courses API, enrolls students who complete its first lesson, and runs
the event pipeline. Class sizes are measured in bench/students.py.
"""

from __future__ import annotations

from bench.invoke import Answer, ApiCall
from bench.scenarios.base import Scenario, if_match
from bench.scenarios.courses import COURSE, INSTRUCTOR, CoursesScenario
from bench.scenarios.enrollment import ENROLLMENTS, learner
from bench.scenarios.users import ADMIN

ANALYTICS = "/analytics/courses/{course_id}"
RULES = "/analytics/at-risk-rules"
RULES_BODY = {
    "inactive_days": 7,
    "missed_deadlines": 2,
    "passing_grade_percent": "60",
    "behind_schedule_points": 30,
}


class _Analytics(CoursesScenario):
    """A published course, students enrolled who completed its first lesson, events delivered."""

    needs_events = True
    students = 2

    def setup(self) -> None:
        course = self.seeder.course()
        self.course_id, self.lesson_ids = course.id, course.lesson_ids()
        self.params = {"course_id": self.course_id}
        self.send(ApiCall("POST", COURSE + "/publish", INSTRUCTOR, self.params), 200)
        self.learners = [learner(f"analytics-{n}") for n in range(self.students)]
        for student in self.learners:
            self.send(ApiCall("POST", ENROLLMENTS, student, self.params), 201)
            done = {"course_id": self.course_id, "lesson_id": self.lesson_ids[0]}
            self.send(ApiCall("PUT", "/progress/courses/{course_id}/lessons/{lesson_id}", student, done), 200)
        self.deliver_events()

    def next_call(self, index: int) -> ApiCall:
        return ApiCall(self.method, self.path, INSTRUCTOR, self.params)


class GetCourseOverview(_Analytics):
    method, path = "GET", ANALYTICS


class GetLessonFunnel(_Analytics):
    method, path = "GET", ANALYTICS + "/funnel"


class GetAssessmentStatistics(_Analytics):
    method, path = "GET", ANALYTICS + "/assessments"


class ListCourseLearners(_Analytics):
    method, path = "GET", ANALYTICS + "/students"

    def setup(self) -> None:
        self.students = self.page_size + 1
        super().setup()

    def next_call(self, index: int) -> ApiCall:
        return ApiCall(
            self.method, self.path, INSTRUCTOR, self.params, query={**self.page_query(), "sort": "progress"}
        )

    def after(self, answer: Answer) -> None:
        self.check_full_page(answer)


class GetLearnerAnalytics(_Analytics):
    method, path = "GET", ANALYTICS + "/students/{student_id}"

    def next_call(self, index: int) -> ApiCall:
        params = {**self.params, "student_id": self.learners[0].user_id}
        return ApiCall(self.method, self.path, INSTRUCTOR, params)


class GetMyCourseAnalytics(_Analytics):
    method, path = "GET", ANALYTICS + "/me"

    def next_call(self, index: int) -> ApiCall:
        return ApiCall(self.method, self.path, self.learners[0], self.params)


class RecordLessonOpened(_Analytics):
    method, path, status = "POST", ANALYTICS + "/lessons/{lesson_id}/opened", 204

    def next_call(self, index: int) -> ApiCall:
        params = {**self.params, "lesson_id": self.lesson_ids[index % len(self.lesson_ids)]}
        return ApiCall(self.method, self.path, self.learners[0], params)


class GetInstitutionOverview(_Analytics):
    method, path = "GET", "/analytics/institution"

    def next_call(self, index: int) -> ApiCall:
        return ApiCall(self.method, self.path, ADMIN)


class GetAtRiskRules(Scenario):
    method, path = "GET", RULES

    def next_call(self, index: int) -> ApiCall:
        return ApiCall(self.method, self.path, ADMIN)


class UpdateAtRiskRules(Scenario):
    """Each call replaces the rules at the version the previous call answered."""

    method, path = "PUT", RULES
    version = 0

    def next_call(self, index: int) -> ApiCall:
        headers = if_match(self.version) if self.version else {}
        return ApiCall(self.method, self.path, ADMIN, body=RULES_BODY, headers=headers)

    def after(self, answer: Answer) -> None:
        self.version = int(answer.json()["version"])


ANALYTICS_SCENARIOS = (
    GetCourseOverview,
    GetLessonFunnel,
    GetAssessmentStatistics,
    ListCourseLearners,
    GetLearnerAnalytics,
    GetMyCourseAnalytics,
    RecordLessonOpened,
    GetInstitutionOverview,
    GetAtRiskRules,
    UpdateAtRiskRules,
)
