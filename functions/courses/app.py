"""Courses API: routes, request parsing and wiring; the rules live in lms.courses."""

from __future__ import annotations

import time
from decimal import Decimal
from functools import cache
from typing import Annotated, Any

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body, Query
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from lms.courses.catalog.index import CatalogFilter, CatalogSort
from lms.courses.catalog.store import DynamoCatalogStore
from lms.courses.commerce.repository import DynamoOrderRepository
from lms.courses.commerce.schemas import OrderMessage, OrderView
from lms.courses.commerce.service import CommerceService
from lms.courses.commerce.signature import HEADER as SIGNATURE_HEADER
from lms.courses.commerce.signing import verify_order_signature
from lms.courses.domain import CourseStatus, Level
from lms.courses.enrollment.domain import EnrollmentStatus
from lms.courses.enrollment.repository import DynamoEnrollmentRepository
from lms.courses.enrollment.schemas import (
    EnrollmentPage,
    EnrollmentRequest,
    EnrollmentView,
    MyEnrollmentPage,
    MyEnrollmentView,
    RosterEntryView,
)
from lms.courses.enrollment.service import EnrollmentService, RosterQuery
from lms.courses.entitlements.repository import DynamoEntitlementRepository
from lms.courses.entitlements.schemas import EntitlementGrant, EntitlementView
from lms.courses.entitlements.service import EntitlementService
from lms.courses.price import price_bound
from lms.courses.repository import DynamoCourseRepository
from lms.courses.reviews.domain import ReviewStatus
from lms.courses.reviews.repository import DynamoReviewRepository
from lms.courses.reviews.schemas import (
    RatingSummaryView,
    ReviewDraft,
    ReviewPage,
    ReviewPatch,
    ReviewReason,
    ReviewReplyDraft,
    ReviewView,
)
from lms.courses.reviews.service import ReviewService
from lms.courses.schemas import (
    CatalogFacetsView,
    CourseDraft,
    CoursePage,
    CoursePatch,
    CourseStandardsView,
    CourseSummaryView,
    CourseView,
    Health,
    LessonDraft,
    LessonPatch,
    LessonView,
    SectionDraft,
    SectionPatch,
    SectionView,
    section_view,
)
from lms.courses.service import CatalogQuery, CourseService
from lms.courses.user_access import find_active_student
from lms.errors import Problem
from lms.http import (
    NO_CONTENT,
    cacheable,
    content_tag,
    create_resolver,
    created,
    expected_version,
    idempotent_request,
    parse_body,
    path_id,
    principal,
    respond,
    respond_cacheable,
)
from lms.pagination import DEFAULT_LIMIT, MAX_LIMIT
from lms.settings import METRICS_NAMESPACE, get_settings
from lms.standards import QuestionAlignment
from lms.users.access import gate
from lms.users.queries import display_names

logger = Logger()
tracer = Tracer()
metrics = Metrics(namespace=METRICS_NAMESPACE)
app = create_resolver(admit=gate.admit, logger=logger)


@cache
def courses() -> CourseService:
    return CourseService(DynamoCourseRepository(), DynamoCatalogStore(), _question_alignments)


def _question_alignments(institution_id: str, course_id: str, with_drafts: bool) -> list[QuestionAlignment]:
    # Only the standards page reads the assessments context: its items stay out of the cold start.
    from lms.assessments.queries import question_alignments

    return question_alignments(institution_id, course_id, with_drafts)


def _course_response(view: CourseView, status: int = 200, **kw: Any) -> Response[CourseView]:
    return respond(view, status=status, version=view.version, **kw)


@app.get("/health", summary="Liveness check (public)", tags=["health"], operation_id="Health")
def health() -> Health:
    return Health(status="ok")


@app.get(
    "/courses",
    summary="Search and browse your institution's courses (ETag, If-None-Match)",
    tags=["courses"],
    operation_id="ListCourses",
    responses=cacheable(CoursePage),
)
def list_courses(
    status: Annotated[CourseStatus, Query(description="Students see published courses only.")] = (
        CourseStatus.PUBLISHED
    ),
    search: Annotated[
        str | None,
        Query(
            min_length=1,
            max_length=100,
            description="Words, each the start of a word of the title or description (case and accents"
            " ignored); title matches rank first.",
        ),
    ] = None,
    category: Annotated[str | None, Query(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", max_length=64)] = None,
    level: Annotated[Level | None, Query()] = None,
    language: Annotated[str | None, Query(pattern=r"^[a-z]{2,3}(-[A-Za-z]{2,4})?$")] = None,
    instructor_id: Annotated[str | None, Query(pattern=r"^[A-Za-z0-9_.:-]{1,64}$")] = None,
    has_video: Annotated[bool | None, Query(description="Has (true) or has no (false) video lesson.")] = None,
    min_duration: Annotated[int | None, Query(ge=0, description="Total lesson minutes, at least.")] = None,
    max_duration: Annotated[int | None, Query(ge=0, description="Total lesson minutes, at most.")] = None,
    free: Annotated[bool | None, Query(description="Free (true) or paid (false) courses.")] = None,
    currency: Annotated[
        str | None, Query(pattern=r"^[A-Z]{3}$", description="Paid in this ISO 4217 currency.")
    ] = None,
    min_price: Annotated[Decimal | None, Query(ge=0, description="With `currency`: at least.")] = None,
    max_price: Annotated[Decimal | None, Query(ge=0, description="With `currency`: at most.")] = None,
    standard: Annotated[
        str | None,
        Query(
            pattern=r"^[A-Za-z0-9][A-Za-z0-9._:/-]{0,99}$",
            description="Aligned (the course or a lesson) to this learning standard: its CASE identifier"
            " or human coding scheme, case ignored.",
        ),
    ] = None,
    sort: Annotated[
        CatalogSort, Query(description="`relevance` is `newest` without `search`.")
    ] = CatalogSort.RELEVANCE,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
    cursor: Annotated[str | None, Query(max_length=2048)] = None,
) -> Response[CoursePage]:
    wanted = CatalogFilter(
        status=status,
        text=search,
        category=category,
        level=level,
        language=language,
        instructors=frozenset({instructor_id} if instructor_id else ()),
        has_video=has_video,
        min_duration=min_duration,
        max_duration=max_duration,
        free=free,
        currency=currency,
        min_price=price_bound(min_price, currency, "min_price"),
        max_price=price_bound(max_price, currency, "max_price"),
        standard=standard,
    )
    query = CatalogQuery(filter=wanted, sort=sort, limit=limit, cursor=cursor)
    result = courses().list_courses(principal(app), query)
    page = CoursePage(
        items=[CourseSummaryView.of(c) for c in result.courses],
        next_cursor=result.next_cursor,
        total=result.total,
        facets=CatalogFacetsView.of(result.facets),
    )
    return respond_cacheable(app, page, etag=content_tag(page))


@app.post(
    "/courses",
    summary="Create a draft course",
    tags=["courses"],
    operation_id="CreateCourse",
    responses=created(CourseView),
)
def create_course(draft: CourseDraft) -> Response[CourseView]:
    course = courses().create_course(principal(app), draft, idempotent_request(app, draft))
    metrics.add_metric(name="CourseCreated", unit=MetricUnit.Count, value=1)
    view = CourseView.of(course)
    return _course_response(view, 201, location=f"/courses/{view.id}")


@app.get(
    "/courses/<course_id>",
    summary="Read a course with its ordered outline",
    tags=["courses"],
    operation_id="GetCourse",
    responses=cacheable(CourseView),
)
def get_course(course_id: str) -> Response[CourseView]:
    course = courses().get_course(principal(app), path_id(course_id, "course"))
    return respond_cacheable(app, CourseView.of(course), etag=f'"{course.version}"')


@app.get(
    "/courses/<course_id>/standards",
    summary="The learning standards a course covers, with the lessons and questions behind each",
    tags=["courses"],
    operation_id="GetCourseStandards",
    responses=cacheable(CourseStandardsView),
)
def get_course_standards(course_id: str) -> Response[CourseStandardsView]:
    view = courses().course_standards(principal(app), path_id(course_id, "course"))
    return respond_cacheable(app, view, etag=content_tag(view))


@app.patch(
    "/courses/<course_id>",
    summary="Edit a course (If-Match: its version)",
    tags=["courses"],
    operation_id="UpdateCourse",
)
def update_course(course_id: str, patch: CoursePatch) -> Response[CourseView]:
    course = courses().update_course(
        principal(app), path_id(course_id, "course"), patch, expected_version=expected_version(app)
    )
    return _course_response(CourseView.of(course))


@app.post(
    "/courses/<course_id>/publish",
    summary="Publish a draft course",
    tags=["courses"],
    operation_id="PublishCourse",
)
def publish_course(course_id: str) -> Response[CourseView]:
    course = courses().publish_course(principal(app), path_id(course_id, "course"))
    metrics.add_metric(name="CoursePublished", unit=MetricUnit.Count, value=1)
    return _course_response(CourseView.of(course))


@app.post(
    "/courses/<course_id>/archive", summary="Archive a course", tags=["courses"], operation_id="ArchiveCourse"
)
def archive_course(course_id: str) -> Response[CourseView]:
    course = courses().archive_course(principal(app), path_id(course_id, "course"))
    return _course_response(CourseView.of(course))


@app.post(
    "/courses/<course_id>/sections",
    summary="Add a section",
    tags=["sections"],
    operation_id="AddSection",
    responses=created(SectionView),
)
def add_section(course_id: str, draft: SectionDraft) -> Response[SectionView]:
    course, section_id = courses().add_section(
        principal(app), path_id(course_id, "course"), draft, idempotent_request(app, draft)
    )
    view = section_view(course, section_id)
    return respond(
        view, status=201, version=view.version, location=f"/courses/{course.id}/sections/{section_id}"
    )


@app.patch(
    "/courses/<course_id>/sections/<section_id>",
    summary="Rename or move a section (If-Match)",
    tags=["sections"],
    operation_id="UpdateSection",
)
def update_section(course_id: str, section_id: str, patch: SectionPatch) -> Response[SectionView]:
    section_id = path_id(section_id, "section")
    course = courses().update_section(
        principal(app),
        path_id(course_id, "course"),
        section_id,
        patch,
        expected_version=expected_version(app),
    )
    view = section_view(course, section_id)
    return respond(view, version=view.version)


@app.delete(
    "/courses/<course_id>/sections/<section_id>",
    summary="Remove an empty section",
    tags=["sections"],
    operation_id="RemoveSection",
    responses=NO_CONTENT,
)
def remove_section(course_id: str, section_id: str) -> Response[None]:
    courses().remove_section(principal(app), path_id(course_id, "course"), path_id(section_id, "section"))
    return Response(status_code=204)


@app.post(
    "/courses/<course_id>/lessons",
    summary="Add a lesson to a section",
    tags=["lessons"],
    operation_id="AddLesson",
    responses=created(LessonView),
)
def add_lesson(course_id: str, draft: LessonDraft) -> Response[LessonView]:
    lesson, position = courses().add_lesson(
        principal(app), path_id(course_id, "course"), draft, idempotent_request(app, draft)
    )
    view = LessonView.of(lesson, position)
    return respond(
        view, status=201, version=view.version, location=f"/courses/{lesson.course_id}/lessons/{lesson.id}"
    )


@app.get(
    "/courses/<course_id>/lessons/<lesson_id>",
    summary="Read a lesson with its content",
    tags=["lessons"],
    operation_id="GetLesson",
)
def get_lesson(course_id: str, lesson_id: str) -> Response[LessonView]:
    lesson, position = courses().get_lesson(
        principal(app), path_id(course_id, "course"), path_id(lesson_id, "lesson")
    )
    return respond(LessonView.of(lesson, position), version=lesson.version)


@app.patch(
    "/courses/<course_id>/lessons/<lesson_id>",
    summary="Edit or move a lesson (If-Match)",
    tags=["lessons"],
    operation_id="UpdateLesson",
)
def update_lesson(course_id: str, lesson_id: str, patch: LessonPatch) -> Response[LessonView]:
    lesson, position = courses().update_lesson(
        principal(app),
        path_id(course_id, "course"),
        path_id(lesson_id, "lesson"),
        patch,
        expected_version=expected_version(app),
    )
    return respond(LessonView.of(lesson, position), version=lesson.version)


@app.delete(
    "/courses/<course_id>/lessons/<lesson_id>",
    summary="Remove a lesson",
    tags=["lessons"],
    operation_id="RemoveLesson",
    responses=NO_CONTENT,
)
def remove_lesson(course_id: str, lesson_id: str) -> Response[None]:
    courses().remove_lesson(principal(app), path_id(course_id, "course"), path_id(lesson_id, "lesson"))
    return Response(status_code=204)


# ---------------------------------------------------------------- enrollment


@cache
def enrollments() -> EnrollmentService:
    return EnrollmentService(DynamoEnrollmentRepository(), DynamoCourseRepository())


@app.post(
    "/courses/<course_id>/enrollments",
    summary="Enroll yourself (empty body) or, as staff, a student of your institution",
    tags=["enrollments"],
    operation_id="EnrollStudent",
    responses={
        **created(EnrollmentView),
        402: {"description": "A paid course: get an entitlement first (the problem says how)"},
    },
)
def enroll_student(
    course_id: str, request: Annotated[EnrollmentRequest | None, Body()] = None
) -> Response[EnrollmentView]:
    body = request or EnrollmentRequest()
    enrollment, position = enrollments().enroll(
        principal(app), path_id(course_id, "course"), body.student_id, idempotent_request(app, body)
    )
    metrics.add_metric(
        name="StudentWaitlisted" if position else "StudentEnrolled", unit=MetricUnit.Count, value=1
    )
    return respond(
        EnrollmentView.of(enrollment, position),
        status=201,
        location=f"/courses/{enrollment.course_id}/enrollments/{enrollment.student_id}",
    )


@app.get(
    "/courses/<course_id>/enrollments",
    summary="The course's roster or waitlist (instructors of the course and admins)",
    tags=["enrollments"],
    operation_id="ListEnrollments",
)
def list_enrollments(
    course_id: str,
    status: Annotated[
        EnrollmentStatus, Query(description="`waitlisted` lists first come first, with positions.")
    ] = EnrollmentStatus.ENROLLED,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
    cursor: Annotated[str | None, Query(max_length=2048)] = None,
) -> EnrollmentPage:
    query = RosterQuery(status=status, limit=limit, cursor=cursor)
    caller = principal(app)
    found, next_cursor = enrollments().list_roster(caller, path_id(course_id, "course"), query)
    names = display_names(caller.institution_id, [e.enrollment.student_id for e in found])
    items = [
        RosterEntryView(
            **EnrollmentView.of(e.enrollment, e.position).model_dump(),
            display_name=names.get(e.enrollment.student_id),
        )
        for e in found
    ]
    return EnrollmentPage(items=items, next_cursor=next_cursor)


@app.get(
    "/courses/<course_id>/enrollments/<student_id>",
    summary="One student's enrollment, with the waitlist position while waiting",
    tags=["enrollments"],
    operation_id="GetEnrollment",
)
def get_enrollment(course_id: str, student_id: str) -> EnrollmentView:
    enrollment, position = enrollments().get_enrollment(
        principal(app), path_id(course_id, "course"), path_id(student_id, "student")
    )
    return EnrollmentView.of(enrollment, position)


@app.delete(
    "/courses/<course_id>/enrollments/<student_id>",
    summary="Drop a student from the roster or waitlist (students: only themselves)",
    tags=["enrollments"],
    operation_id="DropEnrollment",
    responses=NO_CONTENT,
)
def drop_enrollment(course_id: str, student_id: str) -> Response[None]:
    enrollments().drop(principal(app), path_id(course_id, "course"), path_id(student_id, "student"))
    return Response(status_code=204)


@app.get(
    "/enrollments",
    summary="Your enrollments, newest first, with course titles",
    tags=["enrollments"],
    operation_id="ListMyEnrollments",
)
def list_my_enrollments(
    status: Annotated[EnrollmentStatus | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
    cursor: Annotated[str | None, Query(max_length=2048)] = None,
) -> MyEnrollmentPage:
    # Only this route reads the progress context: its read model's items stay out of the cold start.
    from lms.progress.queries import percent_by_course

    found, next_cursor = enrollments().list_mine(principal(app), status, limit, cursor)
    caller = principal(app)
    done = percent_by_course(caller.institution_id, caller.user_id, [e.course_id for e in found])
    items = [
        MyEnrollmentView(**EnrollmentView.of(e).model_dump(), progress_percent=done.get(e.course_id))
        for e in found
    ]
    return MyEnrollmentPage(items=items, next_cursor=next_cursor)


# ---------------------------------------------------------------- reviews


@cache
def reviews() -> ReviewService:
    return ReviewService(DynamoReviewRepository())


REVIEW = "/courses/<course_id>/reviews/<student_id>"


def _review_ids(course_id: str, student_id: str) -> tuple[str, str]:
    return path_id(course_id, "course"), path_id(student_id, "review")


@app.get(
    "/courses/<course_id>/reviews",
    summary="A course's rating (count, average from the minimum, histogram) and its reviews, newest first",
    tags=["reviews"],
    operation_id="ListReviews",
)
def list_reviews(
    course_id: str,
    status: Annotated[
        ReviewStatus, Query(description="`hidden`: the course's staff only.")
    ] = ReviewStatus.VISIBLE,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
    cursor: Annotated[str | None, Query(max_length=2048)] = None,
) -> ReviewPage:
    summary, found, next_cursor = reviews().list_reviews(
        principal(app), path_id(course_id, "course"), status, limit, cursor
    )
    rating = RatingSummaryView.of(summary, get_settings().review_average_minimum)
    return ReviewPage(rating=rating, items=[ReviewView.of(r) for r in found], next_cursor=next_cursor)


@app.post(
    "/courses/<course_id>/reviews",
    summary="Review a course you are enrolled in (or completed): 1-5 stars and an optional text",
    tags=["reviews"],
    operation_id="PostReview",
    responses=created(ReviewView),
)
def post_review(course_id: str, draft: ReviewDraft) -> Response[ReviewView]:
    review = reviews().post_review(
        principal(app), path_id(course_id, "course"), draft, idempotent_request(app, draft)
    )
    location = f"/courses/{review.course_id}/reviews/{review.author_id}"
    return respond(ReviewView.of(review), status=201, version=review.version, location=location)


@app.get(REVIEW, summary="One review (its id is its author's)", tags=["reviews"], operation_id="GetReview")
def get_review(course_id: str, student_id: str) -> Response[ReviewView]:
    review = reviews().get_review(principal(app), *_review_ids(course_id, student_id))
    return respond(ReviewView.of(review), version=review.version)


@app.patch(REVIEW, summary="Edit your review (If-Match)", tags=["reviews"], operation_id="EditReview")
def edit_review(course_id: str, student_id: str, patch: ReviewPatch) -> Response[ReviewView]:
    review = reviews().edit_review(
        principal(app), *_review_ids(course_id, student_id), patch, expected_version=expected_version(app)
    )
    return respond(ReviewView.of(review), version=review.version)


@app.delete(
    REVIEW,
    summary="Delete your review (institution admins: any)",
    tags=["reviews"],
    operation_id="DeleteReview",
    responses=NO_CONTENT,
)
def delete_review(course_id: str, student_id: str) -> Response[None]:
    reviews().delete_review(principal(app), *_review_ids(course_id, student_id))
    return Response(status_code=204)


@app.post(
    f"{REVIEW}/reply",
    summary="Answer a review of a course you teach (once)",
    tags=["reviews"],
    operation_id="ReplyToReview",
)
def reply_to_review(course_id: str, student_id: str, reply: ReviewReplyDraft) -> Response[ReviewView]:
    review = reviews().reply(principal(app), *_review_ids(course_id, student_id), reply.text)
    return respond(ReviewView.of(review), version=review.version)


@app.post(
    f"{REVIEW}/reports",
    summary="Report a review to the course's staff (once each)",
    tags=["reviews"],
    operation_id="ReportReview",
)
def report_review(course_id: str, student_id: str, report: ReviewReason) -> Response[ReviewView]:
    review = reviews().report(principal(app), *_review_ids(course_id, student_id), report.reason)
    return respond(ReviewView.of(review), version=review.version)


@app.post(
    f"{REVIEW}/hide",
    summary="Hide a review with a reason (the course's staff); it leaves the rating",
    tags=["reviews"],
    operation_id="HideReview",
)
def hide_review(course_id: str, student_id: str, hide: ReviewReason) -> Response[ReviewView]:
    review = reviews().hide(principal(app), *_review_ids(course_id, student_id), hide.reason)
    return respond(ReviewView.of(review), version=review.version)


@app.post(
    f"{REVIEW}/restore",
    summary="Make a hidden review visible again (the course's staff); it counts in the rating again",
    tags=["reviews"],
    operation_id="RestoreReview",
)
def restore_review(course_id: str, student_id: str) -> Response[ReviewView]:
    review = reviews().restore(principal(app), *_review_ids(course_id, student_id))
    return respond(ReviewView.of(review), version=review.version)


# ---------------------------------------------------------------- entitlements (paid courses)


@cache
def entitlements() -> EntitlementService:
    return EntitlementService(DynamoEntitlementRepository(), DynamoCourseRepository())


@app.post(
    "/courses/<course_id>/entitlements",
    summary="Give a student access to a paid course: they may then enroll themself once (institution admins)",
    tags=["enrollments"],
    operation_id="GrantEntitlement",
    responses=created(EntitlementView),
)
def grant_entitlement(course_id: str, grant: EntitlementGrant) -> Response[EntitlementView]:
    view = entitlements().grant(
        principal(app), path_id(course_id, "course"), grant.student_id, idempotent_request(app, grant)
    )
    return respond(view, status=201)


# ---------------------------------------------------------------- commerce (a store's signed orders)


@cache
def commerce() -> CommerceService:
    return CommerceService(DynamoOrderRepository(), DynamoCourseRepository(), find_active_student)


@app.post(
    "/commerce/institutions/<institution_id>/orders",
    summary="A store's paid, refunded or cancelled order (public; signed with the institution's key)",
    description=f"The order as JSON (OrderMessage), with `{SIGNATURE_HEADER}: t=<unix seconds>,v1=<hex"
    " HMAC-SHA256 of '<t>.<body>'>` under the institution's commerce key (docs/commerce.md). Paid"
    " answers 201, refunded or cancelled 200; the same message again gets the first answer"
    " (`Idempotent-Replayed: true`).",
    tags=["commerce"],
    operation_id="ReceiveCommerceOrder",
    responses={
        200: {"description": "Refunded or cancelled: the order's unused entitlement is revoked"},
        **created(OrderView),
        401: {"description": f"{SIGNATURE_HEADER} is missing, wrong, or older than 5 minutes"},
    },
)
def receive_commerce_order(institution_id: str) -> Response[OrderView]:
    # No token: the signature over the raw body is the authority, so it is checked before the body is read.
    institution = path_id(institution_id, "institution")
    body = app.current_event.decoded_body or ""
    try:
        verify_order_signature(
            institution, app.current_event.headers.get(SIGNATURE_HEADER), body.encode(), time.time()
        )
        message = parse_body(OrderMessage, body)
        view = commerce().receive(institution, message)
    except Problem as refused:
        # A store retries what it is refused: the log tells the institution's operators why.
        logger.warning(
            "commerce order refused",
            extra={"institution": institution, "problem": refused.slug, "detail": refused.detail},
        )
        raise
    logger.info(
        "commerce order", extra={"institution": institution, "order_id": view.order_id, "order": view.status}
    )
    return respond(view, status=200 if message.revokes else 201)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
