"""Scenarios of the quiz API (AssessmentsFunction): authoring, attempts, grading, statistics, regrade.

Quizzes are authored through the API in a seeded published course; students enroll through the
courses API. Submit-and-grade is measured twice: a student's second attempt, and their 21st
(20 submitted before): the requests are the same (docs/data-model.md, Quizzes).
"""

from __future__ import annotations

from typing import Any

from bench.invoke import Answer, ApiCall, Caller
from bench.scenarios.base import TRAIL, Scenario, if_match
from bench.scenarios.courses import INSTRUCTOR, CoursesScenario
from bench.scenarios.enrollment import ENROLLMENTS, learner
from lms.assessments.quizzes.repository import QUIZ_ENTITY, QUIZ_KEY_ENTITY
from lms.courses.domain import CourseStatus

QUIZZES = "/assessments/quizzes"
QUIZ = QUIZZES + "/{quiz_id}"
ATTEMPTS = QUIZ + "/attempts"
ATTEMPT = ATTEMPTS + "/{attempt_id}"
ATTEMPTS_PER_LEARNER = 50  # well under max_attempts: a scenario moves to a new learner after these

ANSWERS = {"single": "b", "multi": ["a", "c"], "num": 42, "text": "Paris", "order": ["y", "z", "x"]}


def quiz_body(course_id: str, **extra: Any) -> dict[str, Any]:
    options = [{"id": i, "text": f"Option {i}"} for i in "abcd"]
    return {
        "course_id": course_id,
        "title": "Weekly check",
        "max_attempts": 100,
        "questions": [
            {
                "id": "single",
                "type": "single_choice",
                "prompt": "Pick one",
                "points": "2",
                "options": options,
                "key": {"correct_option_id": "b"},
            },
            {
                "id": "multi",
                "type": "multiple_choice",
                "prompt": "Pick all that apply",
                "points": "2",
                "options": options,
                "key": {"correct_option_ids": ["a", "c"]},
            },
            {"id": "num", "type": "numeric", "prompt": "How many?", "points": "1", "key": {"value": "42"}},
            {
                "id": "text",
                "type": "short_text",
                "prompt": "Capital of France?",
                "points": "1",
                "key": {"accepted_answers": ["Paris"]},
            },
            {
                "id": "order",
                "type": "ordering",
                "prompt": "Order them",
                "points": "2",
                "items": [{"id": i, "text": i} for i in "xyz"],
                "key": {"order": ["y", "z", "x"]},
            },
        ],
        **extra,
    }


class _Quizzes(CoursesScenario):
    """A seeded published course the bench instructor teaches, with one published quiz."""

    def setup(self) -> None:
        self.course_id = self.seeder.course(status=CourseStatus.PUBLISHED).id
        self.quiz_id = self.new_quiz(published=True)
        self.enrolled: set[str] = set()

    def new_quiz(self, *, published: bool) -> str:
        created = self.send(ApiCall("POST", QUIZZES, INSTRUCTOR, body=quiz_body(self.course_id)), 201)
        quiz_id = str(created.json()["id"])
        if published:
            self.send(ApiCall("POST", QUIZ + "/publish", INSTRUCTOR, {"quiz_id": quiz_id}), 200)
        return quiz_id

    def student(self, serial: int | str) -> Caller:
        """A learner of the course (enrolled through the courses API on first use)."""
        student = learner(f"quiz-{serial}")
        if student.user_id not in self.enrolled:
            self.send(ApiCall("POST", ENROLLMENTS, student, {"course_id": self.course_id}), 201)
            self.enrolled.add(student.user_id)
        return student

    def start(self, student: Caller) -> str:
        started = self.send(ApiCall("POST", ATTEMPTS, student, {"quiz_id": self.quiz_id}), 201)
        return str(started.json()["id"])

    def attempt(self, student: Caller, attempt_id: str, suffix: str = "") -> ApiCall:
        params = {"quiz_id": self.quiz_id, "attempt_id": attempt_id}
        method = {"": "GET", "/answers": "PUT", "/submit": "POST"}[suffix]
        body = {"answers": ANSWERS} if suffix == "/answers" else None
        return ApiCall(method, ATTEMPT + suffix, student, params, body)

    def take(self, student: Caller) -> str:
        attempt_id = self.start(student)
        self.send(self.attempt(student, attempt_id, "/answers"), 200)
        self.send(self.attempt(student, attempt_id, "/submit"), 200)
        return attempt_id


class CreateQuiz(_Quizzes):
    method, path, status = "POST", QUIZZES, 201
    disposable = TRAIL | {QUIZ_ENTITY, QUIZ_KEY_ENTITY}

    def next_call(self, index: int) -> ApiCall:
        return ApiCall("POST", QUIZZES, INSTRUCTOR, body=quiz_body(self.course_id))


class ListQuizzes(_Quizzes):
    method, path = "GET", QUIZZES

    def setup(self) -> None:
        super().setup()
        for _ in range(self.page_size):
            self.new_quiz(published=False)

    def next_call(self, index: int) -> ApiCall:
        query = {**self.page_query(), "course_id": self.course_id}
        return ApiCall("GET", QUIZZES, INSTRUCTOR, query=query)

    def after(self, answer: Answer) -> None:
        self.check_full_page(answer)


class GetQuiz(_Quizzes):
    """Staff read the quiz with its keys (a student's read makes the same number of requests)."""

    method, path = "GET", QUIZ

    def next_call(self, index: int) -> ApiCall:
        return ApiCall("GET", QUIZ, INSTRUCTOR, {"quiz_id": self.quiz_id})


class UpdateQuiz(_Quizzes):
    """Each call renames a draft at the version the previous call answered."""

    method, path = "PATCH", QUIZ

    def setup(self) -> None:
        super().setup()
        self.draft_id, self.version = self.new_quiz(published=False), 1

    def next_call(self, index: int) -> ApiCall:
        body = {"title": f"Weekly check {index}"}
        return ApiCall("PATCH", QUIZ, INSTRUCTOR, {"quiz_id": self.draft_id}, body, if_match(self.version))

    def after(self, answer: Answer) -> None:
        self.version = int(answer.json()["version"])


class PublishQuiz(_Quizzes):
    """A new draft each call (authored unmeasured), then published."""

    method, path = "POST", QUIZ + "/publish"

    def next_call(self, index: int) -> ApiCall:
        return ApiCall("POST", self.path, INSTRUCTOR, {"quiz_id": self.new_quiz(published=False)})


class StartQuizAttempt(_Quizzes):
    method, path, status = "POST", ATTEMPTS, 201

    def next_call(self, index: int) -> ApiCall:
        return ApiCall(
            "POST", ATTEMPTS, self.student(index // ATTEMPTS_PER_LEARNER), {"quiz_id": self.quiz_id}
        )


class SaveQuizAnswers(_Quizzes):
    method, path = "PUT", ATTEMPT + "/answers"

    def setup(self) -> None:
        super().setup()
        self.learner = self.student("answering")
        self.attempt_id = self.start(self.learner)

    def next_call(self, index: int) -> ApiCall:
        return self.attempt(self.learner, self.attempt_id, "/answers")


class SubmitQuizAttempt(_Quizzes):
    """A student's next attempt (started and answered unmeasured) submitted and graded."""

    method, path = "POST", ATTEMPT + "/submit"
    past_attempts = 1

    def setup(self) -> None:
        super().setup()
        for _ in range(self.past_attempts):
            self.take(self.student(0))

    def next_call(self, index: int) -> ApiCall:
        student = self.student(index // ATTEMPTS_PER_LEARNER)
        attempt_id = self.start(student)
        self.send(self.attempt(student, attempt_id, "/answers"), 200)
        return self.attempt(student, attempt_id, "/submit")


class SubmitQuizAttemptAfterMany(SubmitQuizAttempt):
    variant = "20 past attempts"
    past_attempts = 20


class GetQuizAttempt(_Quizzes):
    """A student reads their submitted attempt."""

    method, path = "GET", ATTEMPT

    def setup(self) -> None:
        super().setup()
        self.learner = self.student("reading")
        self.attempt_id = self.take(self.learner)

    def next_call(self, index: int) -> ApiCall:
        return self.attempt(self.learner, self.attempt_id)


class _Submitted(_Quizzes):
    """One more submitted attempt than a page, each by another student."""

    def setup(self) -> None:
        super().setup()
        for n in range(self.page_size + 1):
            self.take(self.student(f"class-{n}"))


class ListQuizAttempts(_Submitted):
    method, path = "GET", ATTEMPTS

    def next_call(self, index: int) -> ApiCall:
        return ApiCall("GET", ATTEMPTS, INSTRUCTOR, {"quiz_id": self.quiz_id}, query=self.page_query())

    def after(self, answer: Answer) -> None:
        self.check_full_page(answer)


class GetQuizStatistics(_Submitted):
    method, path = "GET", QUIZ + "/statistics"

    def next_call(self, index: int) -> ApiCall:
        return ApiCall("GET", self.path, INSTRUCTOR, {"quiz_id": self.quiz_id})


class RegradeQuiz(_Submitted):
    """Every submitted attempt graded again with unchanged keys: read, compare, nothing to write."""

    method, path = "POST", QUIZ + "/regrade"

    def next_call(self, index: int) -> ApiCall:
        return ApiCall("POST", self.path, INSTRUCTOR, {"quiz_id": self.quiz_id})


QUIZ_SCENARIOS: tuple[type[Scenario], ...] = (
    CreateQuiz,
    ListQuizzes,
    GetQuiz,
    UpdateQuiz,
    PublishQuiz,
    StartQuizAttempt,
    SaveQuizAnswers,
    SubmitQuizAttempt,
    SubmitQuizAttemptAfterMany,
    GetQuizAttempt,
    ListQuizAttempts,
    GetQuizStatistics,
    RegradeQuiz,
)
