"""Refusals of reviews, one problem type each."""

from __future__ import annotations

from lms.errors import Conflict, Forbidden, NotFound


class ReviewNotFound(NotFound):
    """The course has no review by that student (or it is hidden from you)."""

    slug = "review-not-found"
    title = "Review not found"


class ReviewExists(Conflict):
    """A student reviews a course once; edit the review instead."""

    slug = "review-exists"
    title = "You have already reviewed this course"


class ReviewNeedsEnrollment(Forbidden):
    """Only students enrolled in the course (or who completed it, when the course asks) may review it."""

    slug = "review-needs-enrollment"
    title = "Enroll in the course (or complete it) to review it"


class ReviewNotYours(Forbidden):
    """Only its author edits or deletes a review."""

    slug = "review-not-yours"
    title = "The review is someone else's"


class ReplyExists(Conflict):
    """A review takes one reply from the course's staff."""

    slug = "reply-exists"
    title = "The review already has a reply"


class ReviewAlreadyReported(Conflict):
    """Each person reports a review once."""

    slug = "review-already-reported"
    title = "You have already reported this review"


class ReviewAlreadyHidden(Conflict):
    """The review is hidden already."""

    slug = "review-already-hidden"
    title = "The review is already hidden"


class ReviewNotHidden(Conflict):
    """Only a hidden review can be restored."""

    slug = "review-not-hidden"
    title = "The review is not hidden"
