"""Scenarios of reviews (CoursesFunction): post, read, list with the rating, edit, delete, moderate.

Each student is enrolled (unmeasured) before reviewing; a call that consumes a review (delete,
reply, hide) gets a review of its own, written unmeasured just before.
"""

from __future__ import annotations

import dataclasses
import uuid

from bench.invoke import Answer, ApiCall, Caller
from bench.scenarios.base import TRAIL
from bench.scenarios.courses import COURSE, INSTRUCTOR, CoursesScenario
from bench.scenarios.enrollment import ENROLLMENTS, learner
from lms.courses.domain import CourseStatus
from lms.courses.enrollment.repository import ENROLLMENT_ENTITY
from lms.courses.reviews.repository import REPORT_ENTITY, REVIEW_ENTITY

REVIEWS = COURSE + "/reviews"
REVIEW = REVIEWS + "/{student_id}"


class ReviewsScenario(CoursesScenario):
    def setup(self) -> None:
        self.course_id = self.seeder.course(status=CourseStatus.PUBLISHED).id

    def reviewer(self, serial: int | str, rating: int = 4) -> Caller:
        """A student enrolled in the course who reviewed it (unmeasured)."""
        student = learner(f"review-{serial}")
        self.api.send(ApiCall("POST", ENROLLMENTS, student, {"course_id": self.course_id}), 201)
        body = {"rating": rating, "text": "<p>Clear and useful.</p>"}
        self.api.send(ApiCall("POST", REVIEWS, student, {"course_id": self.course_id}, body=body), 201)
        return student

    def review_path(self, student: Caller) -> dict[str, str]:
        return {"course_id": self.course_id, "student_id": student.user_id}


class PostReview(ReviewsScenario):
    method, path, status = "POST", REVIEWS, 201
    disposable = TRAIL | {ENROLLMENT_ENTITY, REVIEW_ENTITY}

    def next_call(self, index: int) -> ApiCall:
        student = learner(f"post-{index}")
        self.api.send(ApiCall("POST", ENROLLMENTS, student, {"course_id": self.course_id}), 201)
        return ApiCall("POST", REVIEWS, student, {"course_id": self.course_id}, body={"rating": 5})


class PostReviewIdempotent(PostReview):
    variant = "Idempotency-Key"

    def next_call(self, index: int) -> ApiCall:
        key = {"Idempotency-Key": f"review-{uuid.uuid4().hex}"}
        return dataclasses.replace(super().next_call(index), headers=key)


class ListReviews(ReviewsScenario):
    method, path = "GET", REVIEWS

    def setup(self) -> None:
        super().setup()
        for n in range(self.page_size + 1):
            self.reviewer(n, 1 + n % 5)

    def next_call(self, index: int) -> ApiCall:
        return ApiCall(
            "GET", REVIEWS, learner("review-0"), {"course_id": self.course_id}, query=self.page_query()
        )

    def after(self, answer: Answer) -> None:
        self.check_full_page(answer)


class GetReview(ReviewsScenario):
    method, path = "GET", REVIEW

    def setup(self) -> None:
        super().setup()
        self.author = self.reviewer("read")

    def next_call(self, index: int) -> ApiCall:
        return ApiCall("GET", REVIEW, self.author, self.review_path(self.author))


class EditReview(GetReview):
    method, path = "PATCH", REVIEW
    disposable = TRAIL

    def next_call(self, index: int) -> ApiCall:
        headers = {"If-Match": f'"{index + 1}"'}
        body = {"rating": 1 + index % 5}
        return ApiCall(
            "PATCH", REVIEW, self.author, self.review_path(self.author), body=body, headers=headers
        )


class DeleteReview(ReviewsScenario):
    method, path, status = "DELETE", REVIEW, 204
    disposable = TRAIL | {ENROLLMENT_ENTITY}

    def next_call(self, index: int) -> ApiCall:
        author = self.reviewer(f"delete-{index}")
        return ApiCall("DELETE", REVIEW, author, self.review_path(author))


class ReplyToReview(ReviewsScenario):
    method, path = "POST", REVIEW + "/reply"
    disposable = TRAIL | {ENROLLMENT_ENTITY, REVIEW_ENTITY}

    def next_call(self, index: int) -> ApiCall:
        author = self.reviewer(f"reply-{index}")
        return ApiCall(
            "POST", self.path, INSTRUCTOR, self.review_path(author), body={"text": "<p>Thanks!</p>"}
        )


class ReportReview(GetReview):
    method, path = "POST", REVIEW + "/reports"
    disposable = TRAIL | {ENROLLMENT_ENTITY, REPORT_ENTITY}

    def next_call(self, index: int) -> ApiCall:
        reporter = learner(f"reporter-{index}")
        self.api.send(ApiCall("POST", ENROLLMENTS, reporter, {"course_id": self.course_id}), 201)
        return ApiCall(
            "POST", self.path, reporter, self.review_path(self.author), body={"reason": "Off topic"}
        )


class HideReview(ReviewsScenario):
    method, path = "POST", REVIEW + "/hide"
    disposable = TRAIL | {ENROLLMENT_ENTITY, REVIEW_ENTITY}

    def next_call(self, index: int) -> ApiCall:
        author = self.reviewer(f"hide-{index}")
        return ApiCall("POST", self.path, INSTRUCTOR, self.review_path(author), body={"reason": "Insults"})


class RestoreReview(ReviewsScenario):
    method, path = "POST", REVIEW + "/restore"
    disposable = TRAIL | {ENROLLMENT_ENTITY, REVIEW_ENTITY}

    def next_call(self, index: int) -> ApiCall:
        author = self.reviewer(f"restore-{index}")
        hide = ApiCall(
            "POST", REVIEW + "/hide", INSTRUCTOR, self.review_path(author), body={"reason": "Insults"}
        )
        self.api.send(hide, 200)
        return ApiCall("POST", self.path, INSTRUCTOR, self.review_path(author))


REVIEW_SCENARIOS = (
    PostReview,
    PostReviewIdempotent,
    ListReviews,
    GetReview,
    EditReview,
    DeleteReview,
    ReplyToReview,
    ReportReview,
    HideReview,
    RestoreReview,
)
