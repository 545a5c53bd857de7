"""Scenarios of enrollment (CoursesFunction): enroll, drop, rosters, a student's own enrollments.

Students enroll themselves, a new student per call where a call consumes its enrollment. Uncapped
courses are seeded; a course with a capacity is made through the API, which creates its roster.
"""

from __future__ import annotations

import dataclasses
import uuid

from bench.invoke import Answer, ApiCall, BenchError, Caller
from bench.scenarios.base import TRAIL, Scenario
from bench.scenarios.courses import (
    COURSE,
    INSTITUTION,
    INSTRUCTOR,
    CoursesScenario,
    capped_course,
    course_body,
)
from lms.courses.domain import CourseStatus
from lms.courses.enrollment.repository import ENROLLMENT_ENTITY, WAITLIST_ENTITY
from lms.courses.entitlements.repository import ENTITLEMENT_ENTITY

ENROLLMENTS = COURSE + "/enrollments"
ENROLLMENT = COURSE + "/enrollments/{student_id}"


ADMIN = Caller("bench-enrollment-admin", INSTITUTION, ("institution-admins",))


def learner(serial: int | str) -> Caller:
    return Caller(f"bench-learner-{serial}", INSTITUTION, ("students",))


class EnrollStudent(CoursesScenario):
    """A course without a capacity: no seat counter to read or update."""

    method, path, status = "POST", ENROLLMENTS, 201
    disposable = TRAIL | {ENROLLMENT_ENTITY}

    def setup(self) -> None:
        self.course_id = self.seeder.course(status=CourseStatus.PUBLISHED).id

    def next_call(self, index: int) -> ApiCall:
        return ApiCall("POST", self.path, learner(index), {"course_id": self.course_id})


class EnrollStudentCapped(EnrollStudent):
    variant = "course with a capacity"

    def setup(self) -> None:
        self.course_id = capped_course(self.api, 100_000)


class EnrollStudentWaitlisted(EnrollStudent):
    """The one seat is taken: every call joins the waitlist and learns its place."""

    variant = "waitlisted"
    disposable = TRAIL  # the waitlist's entries are its order

    def setup(self) -> None:
        self.course_id = capped_course(self.api, 1, waitlist_enabled=True)
        self.api.send(ApiCall("POST", self.path, learner("seated"), {"course_id": self.course_id}), 201)

    def after(self, answer: Answer) -> None:
        if answer.json()["status"] != "waitlisted":
            raise BenchError(f"{self.key()}: the student was not waitlisted: {answer.body[:300]}")


class DropEnrollment(CoursesScenario):
    """Each call drops a student enrolled (unmeasured) just before."""

    method, path, status = "DELETE", ENROLLMENT, 204
    disposable = TRAIL | {ENROLLMENT_ENTITY, WAITLIST_ENTITY}

    def setup(self) -> None:
        self.course_id = self.seeder.course(status=CourseStatus.PUBLISHED).id

    def next_call(self, index: int) -> ApiCall:
        student = learner(index)
        self.api.send(ApiCall("POST", ENROLLMENTS, student, {"course_id": self.course_id}), 201)
        params = {"course_id": self.course_id, "student_id": student.user_id}
        return ApiCall("DELETE", self.path, student, params)


class DropEnrollmentCapped(DropEnrollment):
    variant = "course with a capacity"

    def setup(self) -> None:
        self.course_id = capped_course(self.api, 100_000)


class ListEnrollments(CoursesScenario):
    method, path = "GET", ENROLLMENTS

    def setup(self) -> None:
        self.course_id = self.seeder.course(status=CourseStatus.PUBLISHED).id
        for serial in range(self.page_size + 1):
            self.api.send(ApiCall("POST", ENROLLMENTS, learner(serial), {"course_id": self.course_id}), 201)

    def next_call(self, index: int) -> ApiCall:
        params = {"course_id": self.course_id}
        return ApiCall("GET", self.path, INSTRUCTOR, params, query=self.page_query())

    def after(self, answer: Answer) -> None:
        self.check_full_page(answer)


class GetEnrollment(CoursesScenario):
    """A student reads their own enrollment."""

    method, path = "GET", ENROLLMENT

    def setup(self) -> None:
        self.course_id = self.seeder.course(status=CourseStatus.PUBLISHED).id
        self.student = learner("reader")
        self.api.send(ApiCall("POST", ENROLLMENTS, self.student, {"course_id": self.course_id}), 201)

    def next_call(self, index: int) -> ApiCall:
        params = {"course_id": self.course_id, "student_id": self.student.user_id}
        return ApiCall("GET", self.path, self.student, params)


class ListMyEnrollments(CoursesScenario):
    """Courses published through the API and events delivered: the progress context knows them all."""

    method, path = "GET", "/enrollments"
    needs_events = True

    def setup(self) -> None:
        self.student = learner("busy")
        for _ in range(self.page_size + 1):
            params = {"course_id": self.seeder.course().id}
            self.send(ApiCall("POST", COURSE + "/publish", INSTRUCTOR, params), 200)
            self.send(ApiCall("POST", ENROLLMENTS, self.student, params), 201)
        self.deliver_events()

    def next_call(self, index: int) -> ApiCall:
        return ApiCall("GET", self.path, self.student, query=self.page_query())

    def after(self, answer: Answer) -> None:
        self.check_full_page(answer)


class GrantEntitlement(CoursesScenario):
    """An admin gives a new student access to a paid course, each call."""

    method, path, status = "POST", COURSE + "/entitlements", 201
    disposable = TRAIL | {ENTITLEMENT_ENTITY}

    def setup(self) -> None:
        body = course_body(0, price={"amount": "49.00", "currency": "EUR"})
        self.course_id = str(
            self.api.send(ApiCall("POST", "/courses", INSTRUCTOR, body=body), 201).json()["id"]
        )

    def next_call(self, index: int) -> ApiCall:
        body = {"student_id": learner(f"paid-{index}").user_id}
        return ApiCall("POST", self.path, ADMIN, {"course_id": self.course_id}, body=body)


class GrantEntitlementIdempotent(GrantEntitlement):
    variant = "Idempotency-Key"

    def next_call(self, index: int) -> ApiCall:
        key = {"Idempotency-Key": f"grant-{uuid.uuid4().hex}"}
        return dataclasses.replace(super().next_call(index), headers=key)


ENROLLMENT_SCENARIOS: tuple[type[Scenario], ...] = (
    EnrollStudent,
    EnrollStudentCapped,
    EnrollStudentWaitlisted,
    DropEnrollment,
    DropEnrollmentCapped,
    ListEnrollments,
    GetEnrollment,
    ListMyEnrollments,
    GrantEntitlement,
    GrantEntitlementIdempotent,
)
