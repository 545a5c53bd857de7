"""Reviews, their rating counters and reports in the single table (docs/data-model.md: Reviews)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pynamodb.attributes import JSONAttribute, NumberAttribute, UnicodeAttribute
from pynamodb.expressions.update import Action

from lms import keys
from lms.auth import Principal
from lms.courses.catalog.store import add_rating
from lms.courses.domain import Course
from lms.courses.enrollment.domain import EnrollmentStatus
from lms.courses.enrollment.repository import EnrollmentItem
from lms.courses.errors import ConcurrentModification
from lms.courses.progress_access import check_completed
from lms.courses.repository import COURSE_ENTITY, CourseItem, course_of_item
from lms.courses.reviews.domain import RATING_SHARDS, STARS, RatingDelta, RatingSummary, Review, rating_shard
from lms.courses.reviews.errors import ReviewAlreadyReported, ReviewExists, ReviewNeedsEnrollment
from lms.events import DomainEvent
from lms.idempotency import IdempotentRequest, StoredResponse
from lms.pagination import decode_cursor, encode_cursor
from lms.persistence.idempotency import find_response, remember_answer
from lms.persistence.outbox import outbox_item
from lms.persistence.table import GSI1, Item, VersionedItem, connection
from lms.persistence.transactions import Transaction
from lms.settings import get_settings

REVIEW_ENTITY = "review"
RATING_ENTITY = "rating-counter"
REPORT_ENTITY = "review-report"


class ReviewItem(VersionedItem):
    GSI1PK = UnicodeAttribute()
    GSI1SK = UnicodeAttribute()
    by_course = GSI1()

    course_id = UnicodeAttribute()
    author_id = UnicodeAttribute()
    document = JSONAttribute()  # the review as the domain holds it
    reports = NumberAttribute(default=0)


class RatingCounterItem(Item):
    """One of a course's counter shards; `s1`..`s5` count the stars."""

    rated = NumberAttribute(default=0)  # reviews counted
    total = NumberAttribute(default=0)  # their stars


class ReviewReportItem(Item):
    GSI1PK = UnicodeAttribute()
    GSI1SK = UnicodeAttribute()
    by_reporter = GSI1()

    course_id = UnicodeAttribute()
    author_id = UnicodeAttribute()
    reporter_id = UnicodeAttribute()
    reason = UnicodeAttribute()
    reported_at = UnicodeAttribute()


def _star(star: int) -> NumberAttribute:
    return NumberAttribute(attr_name=f"s{star}")


@dataclass
class ReviewChange:
    """One review change, committed in one transaction with its counters and events."""

    institution_id: str
    actor: Principal
    course_id: str
    author_id: str
    before: Review | None  # None: a new review
    after: Review | None  # None: the review is deleted
    events: list[DomainEvent] = field(default_factory=list)
    requires_completion: bool = False  # a new review: the author completed the course (else enrolled)
    report: tuple[str, str, str] | None = None  # (reporter, reason, reported_at): adds a report
    reporter_must_be_enrolled: bool = True
    idempotent: IdempotentRequest | None = None  # with `response`: stored with the change (Idempotency-Key)
    response: StoredResponse | None = None


def _review_item(institution_id: str, review: Review) -> ReviewItem:
    data = review.model_dump(mode="json")
    return ReviewItem(
        keys.course_pk(institution_id, review.course_id),
        keys.review_sk(review.author_id),
        entity=REVIEW_ENTITY,
        GSI1PK=keys.course_reviews_pk(institution_id, review.course_id, review.status),
        GSI1SK=keys.course_reviews_sk(data["created_at"], review.author_id),
        course_id=review.course_id,
        author_id=review.author_id,
        document={k: v for k, v in data.items() if k not in ("version", "reports")},
        version=review.version,
        reports=review.reports,
    )


def _review(item: ReviewItem) -> Review:
    return Review.model_validate(
        {**item.document, "version": int(item.version), "reports": int(item.reports)}
    )


class DynamoReviewRepository:
    def load(
        self, institution_id: str, course_id: str, author_id: str | None
    ) -> tuple[Course | None, Review | None]:
        """The course and, when asked, one review of it: one BatchGetItem."""
        pk = keys.course_pk(institution_id, course_id)
        wanted = [keys.COURSE_SK] + ([keys.review_sk(author_id)] if author_id else [])
        course: Course | None = None
        review: Review | None = None
        for raw in self._get(pk, wanted):
            if raw["entity"]["S"] == COURSE_ENTITY:
                course = course_of_item(institution_id, CourseItem.from_raw_data(raw))
            elif raw["entity"]["S"] == REVIEW_ENTITY:
                review = _review(ReviewItem.from_raw_data(raw))
        return course, review

    def load_with_summary(self, institution_id: str, course_id: str) -> tuple[Course | None, RatingSummary]:
        """The course and its rating counters, summed: one BatchGetItem."""
        pk = keys.course_pk(institution_id, course_id)
        shards = [keys.rating_sk(n) for n in range(RATING_SHARDS)]
        course: Course | None = None
        count = total = 0
        histogram = dict.fromkeys(STARS, 0)
        for raw in self._get(pk, [keys.COURSE_SK, *shards]):
            if raw["entity"]["S"] == COURSE_ENTITY:
                course = course_of_item(institution_id, CourseItem.from_raw_data(raw))
                continue
            count += int(raw.get("rated", {}).get("N", "0"))
            total += int(raw.get("total", {}).get("N", "0"))
            for star in STARS:
                histogram[star] += int(raw.get(f"s{star}", {}).get("N", "0"))
        return course, RatingSummary(count, total, histogram)

    def stored_response(self, institution_id: str, user_id: str, key: str) -> StoredResponse | None:
        item = find_response(institution_id, user_id, key)
        if item is None:
            return None
        return StoredResponse(fingerprint=item.fingerprint, status=int(item.status), body=item.body)

    @staticmethod
    def _get(pk: str, sort_keys: list[str]) -> list[dict[str, Any]]:
        table = get_settings().table_name
        pending: dict[str, Any] = {
            table: {"Keys": [{"PK": {"S": pk}, "SK": {"S": sk}} for sk in sort_keys], "ConsistentRead": True}
        }
        found: list[dict[str, Any]] = []
        while pending:
            answer = connection().dispatch("BatchGetItem", {"RequestItems": pending})
            found += answer.get("Responses", {}).get(table, [])
            pending = answer.get("UnprocessedKeys") or {}
        return found

    def list_reviews(
        self, institution_id: str, course_id: str, status: str, limit: int, cursor: str | None
    ) -> tuple[list[Review], str | None]:
        """One Query of the course's reviews in one status, newest first."""
        partition = keys.course_reviews_pk(institution_id, course_id, status)
        start = decode_cursor(cursor, partition_attr="GSI1PK", partition=partition)
        results = ReviewItem.by_course.query(
            partition, scan_index_forward=False, last_evaluated_key=start, page_size=limit, limit=limit
        )
        page = next(results.page_iter)
        found = [_review(ReviewItem.from_raw_data(raw)) for raw in page.get("Items", [])]
        return found, encode_cursor(page.get("LastEvaluatedKey"))

    def reviews_by(self, institution_id: str, author_id: str, course_ids: list[str]) -> list[Review]:
        """The author's reviews among these courses (privacy: the courses they were enrolled in)."""
        if not course_ids:
            return []
        wanted = [
            (keys.course_pk(institution_id, c), keys.review_sk(author_id)) for c in dict.fromkeys(course_ids)
        ]
        return [_review(item) for item in ReviewItem.batch_get(wanted)]

    def reports_by(self, institution_id: str, reporter_id: str) -> list[ReviewReportItem]:
        found = ReviewReportItem.by_reporter.query(keys.reporter_reports_pk(institution_id, reporter_id))
        return [item for item in found if isinstance(item, ReviewReportItem)]

    def delete_report(self, item: ReviewReportItem) -> None:
        item.delete()

    def commit(self, change: ReviewChange) -> None:
        inst, pk = change.institution_id, keys.course_pk(change.institution_id, change.course_id)
        tx = Transaction()
        before, after = change.before, change.after
        refusal = ConcurrentModification("The review changed meanwhile; read it again and retry.")
        if before is None and after is not None:
            self._check_may_review(tx, change, after.author_id)
            tx.put(
                _review_item(inst, after),
                ReviewItem.PK.does_not_exist(),
                ReviewExists("You have already reviewed this course."),
            )
        elif after is None and before is not None:
            tx.delete(
                ReviewItem(pk, keys.review_sk(before.author_id)),
                ReviewItem.version == before.version,
                refusal,
            )
        elif after is not None and before is not None and change.report is None:
            tx.put(_review_item(inst, after), ReviewItem.version == before.version, refusal)
        if change.report is not None and before is not None:
            self._add_report(tx, change, before)
        delta = RatingDelta.of(before, after) if change.report is None else RatingDelta(0, 0, {})
        if not delta.empty:
            actions: list[Action] = [
                RatingCounterItem.entity.set(RATING_ENTITY),
                RatingCounterItem.rated.add(delta.count),
                RatingCounterItem.total.add(delta.total),
            ]
            actions += [_star(star).add(n) for star, n in delta.stars.items()]
            shard = rating_shard(change.author_id)
            tx.update(RatingCounterItem(pk, keys.rating_sk(shard)), actions)
            add_rating(tx, inst, change.course_id, delta.count, delta.total)
        for event in change.events:
            tx.put(outbox_item(event, inst, change.actor))
        if change.idempotent is not None and change.response is not None:
            remember_answer(tx, inst, change.actor.user_id, change.idempotent, change.response)
        tx.commit()

    @staticmethod
    def _check_may_review(tx: Transaction, change: ReviewChange, author_id: str) -> None:
        inst = change.institution_id
        refusal = ReviewNeedsEnrollment("Enroll in the course to review it.")
        if change.requires_completion:
            check_completed(
                tx,
                inst,
                author_id,
                change.course_id,
                ReviewNeedsEnrollment("Complete the course to review it."),
            )
            return
        tx.check(
            EnrollmentItem,
            keys.course_pk(inst, change.course_id),
            keys.enrollment_sk(author_id),
            EnrollmentItem.status == EnrollmentStatus.ENROLLED.value,
            refusal,
        )

    @staticmethod
    def _add_report(tx: Transaction, change: ReviewChange, review: Review) -> None:
        assert change.report is not None
        inst = change.institution_id
        reporter, reason, reported_at = change.report
        pk = keys.course_pk(inst, change.course_id)
        report = ReviewReportItem(
            pk,
            keys.review_report_sk(review.author_id, reporter),
            entity=REPORT_ENTITY,
            GSI1PK=keys.reporter_reports_pk(inst, reporter),
            GSI1SK=keys.course_reviews_sk(change.course_id, review.author_id),
            course_id=change.course_id,
            author_id=review.author_id,
            reporter_id=reporter,
            reason=reason,
            reported_at=reported_at,
        )
        tx.put(
            report,
            ReviewReportItem.PK.does_not_exist(),
            ReviewAlreadyReported("You have already reported this review."),
        )
        if change.reporter_must_be_enrolled:
            tx.check(
                EnrollmentItem,
                pk,
                keys.enrollment_sk(reporter),
                EnrollmentItem.status == EnrollmentStatus.ENROLLED.value,
                ReviewNeedsEnrollment("Only people enrolled in the course may report its reviews."),
            )
        tx.update(
            ReviewItem(pk, keys.review_sk(review.author_id)),
            [ReviewItem.reports.add(1)],
            ReviewItem.PK.exists(),
            ConcurrentModification("The review was removed meanwhile."),
        )
