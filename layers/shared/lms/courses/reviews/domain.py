"""Review rules and the rating arithmetic; pure (no AWS, no HTTP).

The counters of a course (count, total of stars, one count per star) are spread over
`RATING_SHARDS` items chosen by the author, each changed with `ADD` in the review's own
transaction: a popular course's reviews do not queue on one item, and no review is recounted.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from pydantic import ConfigDict

from lms.auth import Principal
from lms.courses.reviews.errors import ReplyExists, ReviewNotYours
from lms.errors import Forbidden
from lms.lazy_model import LazyModel

RATING_SHARDS = 4
STARS = (1, 2, 3, 4, 5)
PRIOR_WEIGHT = 10
"""Reviews of the institution's average that every course's weighted rating starts from."""
NEUTRAL_RATING = 3.0  # the prior while the institution has no review at all


class ReviewStatus(StrEnum):
    VISIBLE = "visible"
    HIDDEN = "hidden"


class Reply(LazyModel):
    model_config = ConfigDict(extra="forbid")

    text: str
    author_id: str
    replied_at: datetime


class Review(LazyModel):
    """A student's review of a course; its id is the author's."""

    model_config = ConfigDict(extra="forbid")

    course_id: str
    author_id: str
    rating: int
    text: str
    status: ReviewStatus = ReviewStatus.VISIBLE
    hidden_reason: str | None = None
    hidden_by: str | None = None
    reports: int = 0
    reply: Reply | None = None
    version: int = 1
    created_at: datetime
    updated_at: datetime

    @property
    def counted(self) -> bool:
        """Hidden reviews leave the course's rating."""
        return self.status == ReviewStatus.VISIBLE


@dataclass(frozen=True)
class RatingDelta:
    """What a change adds to the course's counters (negative to remove)."""

    count: int
    total: int
    stars: dict[int, int]

    @classmethod
    def of(cls, before: Review | None, after: Review | None) -> RatingDelta:
        stars: dict[int, int] = {}
        count = total = 0
        if before is not None and before.counted:
            count, total = count - 1, total - before.rating
            stars[before.rating] = stars.get(before.rating, 0) - 1
        if after is not None and after.counted:
            count, total = count + 1, total + after.rating
            stars[after.rating] = stars.get(after.rating, 0) + 1
        return cls(count, total, {star: n for star, n in stars.items() if n})

    @property
    def empty(self) -> bool:
        return not (self.count or self.total or self.stars)


@dataclass(frozen=True)
class RatingSummary:
    count: int
    total: int
    histogram: dict[int, int]

    def average(self, minimum: int) -> float | None:
        """The mean of the stars, shown only from `minimum` reviews (one review says little)."""
        if self.count < max(minimum, 1):
            return None
        return round(self.total / self.count, 2)


def weighted_rating(count: int, total: int, prior_mean: float, prior_weight: int = PRIOR_WEIGHT) -> float:
    """The Bayesian average: the course's reviews plus `prior_weight` reviews of the prior mean.

    WR = (total + m * C) / (count + m), with C the institution's mean and m = PRIOR_WEIGHT. One
    5-star review moves a course only a little above C; a hundred reviews of 4.8 give about 4.7.
    """
    return (total + prior_weight * prior_mean) / (count + prior_weight)


def rating_shard(author_id: str) -> int:
    """The counter shard of an author's review: the same one for every change of that review."""
    return sum(author_id.encode()) % RATING_SHARDS


def ensure_author(principal: Principal, review: Review) -> None:
    if principal.user_id != review.author_id:
        raise ReviewNotYours("Only the review's author may change it.")


def ensure_can_moderate(principal: Principal, staff: bool) -> None:
    if not staff:
        raise Forbidden("Only the course's instructors and institution admins may do this.")


def add_reply(review: Review, reply: Reply) -> Review:
    if review.reply is not None:
        raise ReplyExists("The review already has a reply.")
    return review.model_copy(update={"reply": reply})
