"""Review use cases: who may review, edit, reply, report and hide; one transaction per change."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Protocol

from lms import authz, clock, idempotency
from lms.auth import Principal
from lms.courses import domain as courses
from lms.courses import policy
from lms.courses.domain import Course, CourseStatus
from lms.courses.errors import CourseNotFound
from lms.courses.reviews.domain import (
    RatingSummary,
    Reply,
    Review,
    ReviewStatus,
    add_reply,
    ensure_author,
    ensure_can_moderate,
)
from lms.courses.reviews.errors import (
    ReviewAlreadyHidden,
    ReviewNeedsEnrollment,
    ReviewNotFound,
    ReviewNotHidden,
)
from lms.courses.reviews.repository import ReviewChange
from lms.courses.reviews.schemas import ReviewDraft, ReviewPatch, ReviewView
from lms.errors import check_version
from lms.events.courses import (
    ReviewDeleted,
    ReviewEdited,
    ReviewHidden,
    ReviewPosted,
    ReviewReplied,
    ReviewReported,
    ReviewRestored,
)
from lms.idempotency import IdempotentRequest, StoredResponse


class ReviewRepository(Protocol):
    def load(
        self, institution_id: str, course_id: str, author_id: str | None
    ) -> tuple[Course | None, Review | None]: ...
    def load_with_summary(
        self, institution_id: str, course_id: str
    ) -> tuple[Course | None, RatingSummary]: ...
    def list_reviews(
        self, institution_id: str, course_id: str, status: str, limit: int, cursor: str | None
    ) -> tuple[list[Review], str | None]: ...
    def commit(self, change: ReviewChange) -> None: ...
    def stored_response(self, institution_id: str, user_id: str, key: str) -> StoredResponse | None: ...


def _staff(principal: Principal, course: Course) -> bool:
    return principal.is_institution_admin or courses.teaches(principal, course)


class ReviewService:
    def __init__(self, repository: ReviewRepository, now: Callable[[], datetime] = clock.now) -> None:
        self._repo = repository
        self._now = now

    def _course(self, principal: Principal, course: Course | None, course_id: str) -> Course:
        if course is None:
            raise CourseNotFound(f"No course {course_id!r}.")
        courses.ensure_visible(principal, course)
        return course

    def _load(self, principal: Principal, course_id: str, author_id: str) -> tuple[Course, Review]:
        found, review = self._repo.load(principal.institution_id, course_id, author_id)
        course = self._course(principal, found, course_id)
        if review is None or (
            review.status == ReviewStatus.HIDDEN and not self._sees_hidden(principal, course, review)
        ):
            raise ReviewNotFound(f"The course has no review by {author_id!r}.")
        return course, review

    @staticmethod
    def _sees_hidden(principal: Principal, course: Course, review: Review) -> bool:
        return _staff(principal, course) or principal.user_id == review.author_id

    # ------------------------------------------------------------ reads

    def list_reviews(
        self, principal: Principal, course_id: str, status: ReviewStatus, limit: int, cursor: str | None
    ) -> tuple[RatingSummary, list[Review], str | None]:
        """The course's rating summary and a page of its reviews, newest first (hidden: staff only)."""
        authz.authorize(principal, policy.LIST_REVIEWS)
        found, summary = self._repo.load_with_summary(principal.institution_id, course_id)
        course = self._course(principal, found, course_id)
        if status == ReviewStatus.HIDDEN:
            ensure_can_moderate(principal, _staff(principal, course))
        reviews, next_cursor = self._repo.list_reviews(
            principal.institution_id, course_id, status, limit, cursor
        )
        return summary, reviews, next_cursor

    def get_review(self, principal: Principal, course_id: str, author_id: str) -> Review:
        authz.authorize(principal, policy.GET_REVIEW)
        return self._load(principal, course_id, author_id)[1]

    # ------------------------------------------------------------ the author's

    def post_review(
        self,
        principal: Principal,
        course_id: str,
        draft: ReviewDraft,
        request: IdempotentRequest | None = None,
    ) -> Review:
        """A student's one review of a course they are enrolled in (or completed, when the course asks).

        With an Idempotency-Key, the 201 answer is stored in the review's transaction and a retry gets it.
        """
        authz.authorize(principal, policy.POST_REVIEW)
        self._replay_if_seen(principal, request)
        found, _ = self._repo.load(principal.institution_id, course_id, None)
        course = self._course(principal, found, course_id)
        if course.status == CourseStatus.DRAFT:
            raise ReviewNeedsEnrollment("A draft course takes no reviews.")
        at = self._now()
        review = Review(
            course_id=course_id,
            author_id=principal.user_id,
            rating=draft.rating,
            text=draft.text,
            created_at=at,
            updated_at=at,
        )
        event = ReviewPosted(course_id=course_id, author_id=review.author_id, rating=review.rating)
        change = ReviewChange(
            principal.institution_id,
            principal,
            course_id,
            principal.user_id,
            None,
            review,
            [event],
            requires_completion=course.reviews_require_completion,
        )
        if request is not None:
            change.idempotent = request
            change.response = StoredResponse(
                request.fingerprint, 201, ReviewView.of(review).model_dump_json()
            )
        self._repo.commit(change)
        return review

    def _replay_if_seen(self, principal: Principal, request: IdempotentRequest | None) -> None:
        if request is not None:
            stored = self._repo.stored_response(principal.institution_id, principal.user_id, request.key)
            idempotency.replay(stored, request)

    def edit_review(
        self, principal: Principal, course_id: str, author_id: str, patch: ReviewPatch, expected_version: int
    ) -> Review:
        authz.authorize(principal, policy.EDIT_REVIEW)
        _, review = self._load(principal, course_id, author_id)
        ensure_author(principal, review)
        check_version("review", review.version, expected_version)
        changes = patch.changes()
        edited = review.model_copy(
            update={**changes, "version": review.version + 1, "updated_at": self._now()}
        )
        event = ReviewEdited(
            course_id=course_id, author_id=author_id, rating=edited.rating, previous_rating=review.rating
        )
        self._repo.commit(
            ReviewChange(principal.institution_id, principal, course_id, author_id, review, edited, [event])
        )
        return edited

    def delete_review(self, principal: Principal, course_id: str, author_id: str) -> None:
        """The author removes their review; an institution admin may remove any."""
        authz.authorize(principal, policy.DELETE_REVIEW)
        _, review = self._load(principal, course_id, author_id)
        if not principal.is_institution_admin:
            ensure_author(principal, review)
        event = ReviewDeleted(course_id=course_id, author_id=author_id, deleted_by=principal.user_id)
        self._repo.commit(
            ReviewChange(principal.institution_id, principal, course_id, author_id, review, None, [event])
        )

    # ------------------------------------------------------------ the course's staff and readers

    def reply(self, principal: Principal, course_id: str, author_id: str, text: str) -> Review:
        """The course's instructors (or an admin) answer a review, once."""
        authz.authorize(principal, policy.REPLY_TO_REVIEW)
        course, review = self._load(principal, course_id, author_id)
        ensure_can_moderate(principal, _staff(principal, course))
        at = self._now()
        answered = add_reply(review, Reply(text=text, author_id=principal.user_id, replied_at=at))
        answered = answered.model_copy(update={"version": review.version + 1, "updated_at": at})
        event = ReviewReplied(course_id=course_id, author_id=author_id, replied_by=principal.user_id)
        self._repo.commit(
            ReviewChange(principal.institution_id, principal, course_id, author_id, review, answered, [event])
        )
        return answered

    def report(self, principal: Principal, course_id: str, author_id: str, reason: str) -> Review:
        """Someone enrolled (or the course's staff) flags a review for moderation, once each."""
        authz.authorize(principal, policy.REPORT_REVIEW)
        course, review = self._load(principal, course_id, author_id)
        if principal.user_id == author_id:
            raise ReviewNeedsEnrollment("You cannot report your own review.")
        reported_at = self._now().isoformat()
        event = ReviewReported(
            course_id=course_id, author_id=author_id, reporter_id=principal.user_id, reason=reason
        )
        change = ReviewChange(
            principal.institution_id, principal, course_id, author_id, review, review, [event]
        )
        change.report = (principal.user_id, reason, reported_at)
        change.reporter_must_be_enrolled = not _staff(principal, course)
        self._repo.commit(change)
        return review.model_copy(update={"reports": review.reports + 1})

    def hide(self, principal: Principal, course_id: str, author_id: str, reason: str) -> Review:
        """The course's staff hide a review (it leaves the rating), saying why."""
        authz.authorize(principal, policy.HIDE_REVIEW)
        course, review = self._load(principal, course_id, author_id)
        ensure_can_moderate(principal, _staff(principal, course))
        if review.status == ReviewStatus.HIDDEN:
            raise ReviewAlreadyHidden("The review is already hidden.")
        hidden = review.model_copy(
            update={
                "status": ReviewStatus.HIDDEN,
                "hidden_reason": reason,
                "hidden_by": principal.user_id,
                "version": review.version + 1,
                "updated_at": self._now(),
            }
        )
        event = ReviewHidden(
            course_id=course_id, author_id=author_id, hidden_by=principal.user_id, reason=reason
        )
        self._repo.commit(
            ReviewChange(principal.institution_id, principal, course_id, author_id, review, hidden, [event])
        )
        return hidden

    def restore(self, principal: Principal, course_id: str, author_id: str) -> Review:
        """The course's staff make a hidden review visible again (it counts in the rating again)."""
        authz.authorize(principal, policy.RESTORE_REVIEW)
        course, review = self._load(principal, course_id, author_id)
        ensure_can_moderate(principal, _staff(principal, course))
        if review.status != ReviewStatus.HIDDEN:
            raise ReviewNotHidden("The review is visible: only a hidden review can be restored.")
        restored = review.model_copy(
            update={
                "status": ReviewStatus.VISIBLE,
                "hidden_reason": None,
                "hidden_by": None,
                "version": review.version + 1,
                "updated_at": self._now(),
            }
        )
        event = ReviewRestored(course_id=course_id, author_id=author_id, restored_by=principal.user_id)
        self._repo.commit(
            ReviewChange(principal.institution_id, principal, course_id, author_id, review, restored, [event])
        )
        return restored
