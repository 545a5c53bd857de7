"""Scenarios of the assignments API (AssessmentsFunction): authoring, extensions, uploads,
submissions, grading and release.

A seeded published course with one student enrolled through the API; assignments are made and
published through the API (unmeasured). Submitting and grading make the same requests whatever
the number of earlier versions or grades: the calls run against a growing history.
"""

from __future__ import annotations

from typing import Any

from bench.invoke import Answer, ApiCall, Caller
from bench.scenarios.base import TRAIL, Scenario, if_match
from bench.scenarios.courses import INSTRUCTOR, CoursesScenario
from bench.scenarios.enrollment import ENROLLMENTS, learner
from lms.assessments.assignments.repository import ASSIGNMENT_ENTITY, UPLOAD_ENTITY
from lms.courses.domain import CourseStatus

ASSIGNMENTS = "/assessments/assignments"
ASSIGNMENT = ASSIGNMENTS + "/{assignment_id}"
EXTENSION = ASSIGNMENT + "/extensions/{student_id}"
SUBMISSIONS = ASSIGNMENT + "/submissions"
SUBMISSION = SUBMISSIONS + "/{submission_id}"
VERSIONS_PER_STUDENT = 50  # a student keeps at most 100 versions of one assignment


def assignment_body(course_id: str) -> dict[str, Any]:
    return {
        "course_id": course_id,
        "title": "Essay on eigenvalues",
        "instructions": "Explain diagonalisation with an example of your own. " * 10,
        "due_at": "2099-06-01T12:00:00Z",
        "points": "20",
        "late_policy": {"percent_per_day": "10", "floor_percent": "50", "cutoff_days": 3},
        "submission_types": ["text", "file"],
        "file_content_types": ["application/pdf"],
    }


class _Assignments(CoursesScenario):
    """A published course, its student enrolled, and a published assignment of it."""

    def setup(self) -> None:
        self.course_id = self.seeder.course(status=CourseStatus.PUBLISHED).id
        self.student = self.enrolled("essayist")
        self.assignment_id = self.new_assignment()

    def enrolled(self, serial: str) -> Caller:
        student = learner(serial)
        self.send(ApiCall("POST", ENROLLMENTS, student, {"course_id": self.course_id}), 201)
        return student

    def new_assignment(self, publish: bool = True) -> str:
        made = self.send(ApiCall("POST", ASSIGNMENTS, INSTRUCTOR, body=assignment_body(self.course_id)), 201)
        assignment_id = str(made.json()["id"])
        if publish:
            self.send(
                ApiCall("POST", ASSIGNMENT + "/publish", INSTRUCTOR, {"assignment_id": assignment_id}), 200
            )
        return assignment_id

    def params(self, **extra: str) -> dict[str, str]:
        return {"assignment_id": self.assignment_id, **extra}

    def submission(self, student: Caller) -> dict[str, Any]:
        made = self.send(ApiCall("POST", SUBMISSIONS, student, self.params(), {"text": "My essay."}), 201)
        body: dict[str, Any] = made.json()
        return body

    def graded(self, submission: dict[str, Any], score: str) -> dict[str, Any]:
        params = self.params(submission_id=submission["id"])
        headers = if_match(submission["revision"])
        answer = self.send(
            ApiCall("PUT", SUBMISSION + "/grade", INSTRUCTOR, params, {"score": score}, headers), 200
        )
        body: dict[str, Any] = answer.json()
        return body


class CreateAssignment(_Assignments):
    method, path, status = "POST", ASSIGNMENTS, 201
    disposable = TRAIL | {ASSIGNMENT_ENTITY}

    def setup(self) -> None:
        self.course_id = self.seeder.course(status=CourseStatus.PUBLISHED).id

    def next_call(self, index: int) -> ApiCall:
        return ApiCall("POST", ASSIGNMENTS, INSTRUCTOR, body=assignment_body(self.course_id))


class ListAssignments(_Assignments):
    """An enrolled student's page of a course's published assignments."""

    method, path = "GET", ASSIGNMENTS

    def setup(self) -> None:
        super().setup()
        for _ in range(self.page_size):
            self.new_assignment()

    def next_call(self, index: int) -> ApiCall:
        return ApiCall(
            "GET", ASSIGNMENTS, self.student, query={"course_id": self.course_id, **self.page_query()}
        )

    def after(self, answer: Answer) -> None:
        self.check_full_page(answer)


class GetAssignment(_Assignments):
    """An enrolled student reads a published assignment."""

    method, path = "GET", ASSIGNMENT

    def next_call(self, index: int) -> ApiCall:
        return ApiCall("GET", ASSIGNMENT, self.student, self.params())


class UpdateAssignment(_Assignments):
    method, path = "PATCH", ASSIGNMENT

    def setup(self) -> None:
        super().setup()
        self.version = 2

    def next_call(self, index: int) -> ApiCall:
        body = {"instructions": f"Revision {index}: explain diagonalisation."}
        return ApiCall("PATCH", ASSIGNMENT, INSTRUCTOR, self.params(), body, if_match(self.version))

    def after(self, answer: Answer) -> None:
        self.version = int(answer.json()["version"])


class PublishAssignment(_Assignments):
    """A draft made (unmeasured) before each call."""

    method, path = "POST", ASSIGNMENT + "/publish"
    disposable = TRAIL | {ASSIGNMENT_ENTITY}

    def next_call(self, index: int) -> ApiCall:
        return ApiCall("POST", self.path, INSTRUCTOR, {"assignment_id": self.new_assignment(publish=False)})


class GrantExtension(_Assignments):
    method, path = "PUT", EXTENSION

    def next_call(self, index: int) -> ApiCall:
        params = self.params(student_id=self.student.user_id)
        return ApiCall(
            "PUT", EXTENSION, INSTRUCTOR, params, {"due_at": f"2099-06-{index % 20 + 2:02d}T12:00:00Z"}
        )


class RevokeExtension(_Assignments):
    """An extension granted (unmeasured) before each call."""

    method, path, status = "DELETE", EXTENSION, 204

    def next_call(self, index: int) -> ApiCall:
        params = self.params(student_id=self.student.user_id)
        self.send(ApiCall("PUT", EXTENSION, INSTRUCTOR, params, {"due_at": "2099-06-08T12:00:00Z"}), 200)
        return ApiCall("DELETE", EXTENSION, INSTRUCTOR, params)


class CreateSubmissionUpload(_Assignments):
    """The upload is recorded and presigned (computed locally: no storage request)."""

    method, path, status = "POST", ASSIGNMENT + "/uploads", 201
    disposable = TRAIL | {UPLOAD_ENTITY}

    def next_call(self, index: int) -> ApiCall:
        body = {"file_name": f"essay-{index}.pdf", "content_type": "application/pdf", "size": 250_000}
        return ApiCall("POST", self.path, self.student, self.params(), body)


class SubmitAssignment(_Assignments):
    """A text resubmission each call: the requests do not grow with the versions before it."""

    method, path, status = "POST", SUBMISSIONS, 201

    def next_call(self, index: int) -> ApiCall:
        if index % VERSIONS_PER_STUDENT == 0:
            self.student = self.enrolled(f"resubmitter-{index}")
        return ApiCall("POST", SUBMISSIONS, self.student, self.params(), {"text": f"Version {index}."})


class ListSubmissions(_Assignments):
    """The course's instructor reads a page of students' latest versions."""

    method, path = "GET", SUBMISSIONS

    def setup(self) -> None:
        super().setup()
        for n in range(self.page_size + 1):
            self.submission(self.enrolled(f"class-{n}"))

    def next_call(self, index: int) -> ApiCall:
        return ApiCall("GET", SUBMISSIONS, INSTRUCTOR, self.params(), query=self.page_query())

    def after(self, answer: Answer) -> None:
        self.check_full_page(answer)


class GetSubmission(_Assignments):
    """A student reads their own submission (staff reads add the course read and an audit entry)."""

    method, path = "GET", SUBMISSION

    def setup(self) -> None:
        super().setup()
        self.submission_id = self.submission(self.student)["id"]

    def next_call(self, index: int) -> ApiCall:
        return ApiCall("GET", SUBMISSION, self.student, self.params(submission_id=self.submission_id))


class GradeSubmission(_Assignments):
    """A regrade each call (If-Match: the revision the last call answered)."""

    method, path = "PUT", SUBMISSION + "/grade"

    def setup(self) -> None:
        super().setup()
        self.current = self.submission(self.student)

    def next_call(self, index: int) -> ApiCall:
        params = self.params(submission_id=self.current["id"])
        body = {"score": str(index % 21), "feedback": "Clear and correct."}
        return ApiCall("PUT", self.path, INSTRUCTOR, params, body, if_match(self.current["revision"]))

    def after(self, answer: Answer) -> None:
        self.current = answer.json()


class ReleaseGrade(_Assignments):
    """A new grade (unmeasured) before each call, then its release."""

    method, path = "POST", SUBMISSION + "/release"

    def setup(self) -> None:
        super().setup()
        self.current = self.submission(self.student)

    def next_call(self, index: int) -> ApiCall:
        self.current = self.graded(self.current, str(index % 21))
        return ApiCall("POST", self.path, INSTRUCTOR, self.params(submission_id=self.current["id"]))

    def after(self, answer: Answer) -> None:
        self.current = answer.json()


class ReleaseAssignmentGrades(_Assignments):
    """One student's new grade (unmeasured) before each call, then every pending grade's release."""

    method, path = "POST", ASSIGNMENT + "/release"

    def setup(self) -> None:
        super().setup()
        self.current = self.submission(self.student)

    def next_call(self, index: int) -> ApiCall:
        self.current = self.graded(self.current, str(index % 21))
        return ApiCall("POST", self.path, INSTRUCTOR, self.params())

    def after(self, answer: Answer) -> None:
        self.current = {**self.current, "revision": self.current["revision"] + 1}


ASSIGNMENT_SCENARIOS: tuple[type[Scenario], ...] = (
    CreateAssignment,
    ListAssignments,
    GetAssignment,
    UpdateAssignment,
    PublishAssignment,
    GrantExtension,
    RevokeExtension,
    CreateSubmissionUpload,
    SubmitAssignment,
    ListSubmissions,
    GetSubmission,
    GradeSubmission,
    ReleaseGrade,
    ReleaseAssignmentGrades,
)
