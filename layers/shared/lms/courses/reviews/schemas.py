"""Request and response bodies of the reviews API."""

from __future__ import annotations

from typing import Annotated

from pydantic import AwareDatetime, Field, StringConstraints

from lms.courses.reviews.domain import STARS, RatingSummary, Review, ReviewStatus
from lms.lazy_model import LazyModel
from lms.schemas import HTML_FORMAT, SANITIZED_HTML, Body, Patch

Stars = Annotated[int, Field(ge=1, le=5, description="1 to 5 stars.")]
ReviewText = Annotated[str, StringConstraints(max_length=5_000), SANITIZED_HTML, HTML_FORMAT]
Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]


class ReviewDraft(Body):
    rating: Stars
    text: ReviewText = ""


class ReviewPatch(Patch):
    rating: Stars | None = None
    text: ReviewText | None = None


class ReviewReplyDraft(Body):
    text: Annotated[str, StringConstraints(min_length=1, max_length=5_000), SANITIZED_HTML, HTML_FORMAT]


class ReviewReason(Body):
    reason: Reason


class ReviewReplyView(LazyModel):
    text: str
    author_id: str
    replied_at: AwareDatetime


class ReviewView(LazyModel):
    id: str = Field(description="The author's id: a student reviews a course once.")
    course_id: str
    author_id: str
    rating: int
    text: str
    status: ReviewStatus
    hidden_reason: str | None
    reports: int = Field(description="How many people reported the review (its author and staff see it).")
    reply: ReviewReplyView | None
    version: int
    created_at: AwareDatetime
    updated_at: AwareDatetime

    @classmethod
    def of(cls, review: Review) -> ReviewView:
        data = review.model_dump(exclude={"hidden_by"})
        return cls(id=review.author_id, **data)


class RatingSummaryView(LazyModel):
    count: int
    average: float | None = Field(
        description="The mean of the stars; null below the minimum number of reviews."
    )
    minimum_for_average: int
    histogram: dict[str, int] = Field(description="Reviews by stars, `1` to `5`.")

    @classmethod
    def of(cls, summary: RatingSummary, minimum: int) -> RatingSummaryView:
        return cls(
            count=summary.count,
            average=summary.average(minimum),
            minimum_for_average=minimum,
            histogram={str(star): summary.histogram.get(star, 0) for star in STARS},
        )


class ReviewPage(LazyModel):
    rating: RatingSummaryView
    items: list[ReviewView]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last page.")
