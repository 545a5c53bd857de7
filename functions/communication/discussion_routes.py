"""Routes of the communication API for discussions: request parsing and wiring only."""

from __future__ import annotations

from functools import cache
from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Query
from aws_lambda_powertools.metrics import MetricUnit
from communication_api import app, metrics

from lms.communication.discussions.domain import ModerationStatus
from lms.communication.discussions.repository import DynamoDiscussionRepository
from lms.communication.discussions.schemas import (
    DiscussionSettingsView,
    PostOrder,
    PostPage,
    PostPatch,
    PostView,
    ReactionRequest,
    ReactionView,
    ReadView,
    ReplyDraft,
    ReportedPostPage,
    ReportedPostView,
    ReportRequest,
    ReportView,
    SettingsRequest,
    SubscriptionRequest,
    SubscriptionView,
    TopicDraft,
    TopicPage,
    TopicPatch,
    TopicView,
    VisibilityRequest,
)
from lms.communication.discussions.service import DiscussionService
from lms.http import NO_CONTENT, created, expected_version, idempotent_request, path_id, principal, respond
from lms.pagination import DEFAULT_LIMIT, MAX_LIMIT
from lms.users.queries import display_names

TAGS = ["discussions"]
COURSE = "/communication/courses/<course_id>"
TOPICS = COURSE + "/topics"
TOPIC = TOPICS + "/<topic_id>"
POSTS = TOPIC + "/posts"
POST = POSTS + "/<post_id>"
Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT)]
Cursor = Annotated[str | None, Query(max_length=2048)]


@cache
def discussions() -> DiscussionService:
    return DiscussionService(DynamoDiscussionRepository(display_names))


def _course(course_id: str) -> str:
    return path_id(course_id, "course")


def _ids(course_id: str, topic_id: str) -> tuple[str, str]:
    return _course(course_id), path_id(topic_id, "topic")


@app.get(
    COURSE + "/discussion-settings",
    summary="Read a course's discussion settings (whether students may start topics)",
    tags=TAGS,
    operation_id="GetDiscussionSettings",
)
def get_discussion_settings(course_id: str) -> Response[DiscussionSettingsView]:
    settings = discussions().get_settings(principal(app), _course(course_id))
    return respond(DiscussionSettingsView.of(course_id, settings), version=settings.version)


@app.put(
    COURSE + "/discussion-settings",
    summary="Change a course's discussion settings (If-Match: their version, 0 before the first save)",
    tags=TAGS,
    operation_id="UpdateDiscussionSettings",
)
def update_discussion_settings(course_id: str, request: SettingsRequest) -> Response[DiscussionSettingsView]:
    settings = discussions().update_settings(
        principal(app), _course(course_id), request, expected_version(app)
    )
    return respond(DiscussionSettingsView.of(course_id, settings), version=settings.version)


@app.post(
    TOPICS,
    summary="Start a topic (staff; students when the course allows it) with its opening post",
    tags=TAGS,
    operation_id="CreateTopic",
    responses=created(TopicView),
)
def create_topic(course_id: str, draft: TopicDraft) -> Response[TopicView]:
    caller = principal(app)
    topic, membership = discussions().create_topic(
        caller, _course(course_id), draft, idempotent_request(app, draft)
    )
    metrics.add_metric(name="DiscussionTopicCreated", unit=MetricUnit.Count, value=1)
    view = TopicView.of(topic, membership)
    location = f"/communication/courses/{course_id}/topics/{topic.id}"
    return respond(view, status=201, version=topic.version, location=location)


@app.get(
    TOPICS,
    summary="List a course's topics, pinned first then newest, with your unread counts",
    tags=TAGS,
    operation_id="ListTopics",
)
def list_topics(course_id: str, limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None) -> TopicPage:
    found, next_cursor = discussions().list_topics(principal(app), _course(course_id), limit, cursor)
    return TopicPage(items=[TopicView.of(t, m) for t, m in found], next_cursor=next_cursor)


@app.get(TOPIC, summary="Read a topic with your unread count", tags=TAGS, operation_id="GetTopic")
def get_topic(course_id: str, topic_id: str) -> Response[TopicView]:
    topic, membership = discussions().get_topic(principal(app), *_ids(course_id, topic_id))
    return respond(TopicView.of(topic, membership), version=topic.version)


@app.patch(
    TOPIC,
    summary="Rename a topic (its author or staff), or pin, lock or close it (staff); If-Match: its version",
    tags=TAGS,
    operation_id="UpdateTopic",
)
def update_topic(course_id: str, topic_id: str, patch: TopicPatch) -> Response[TopicView]:
    topic, membership = discussions().update_topic(
        principal(app), *_ids(course_id, topic_id), patch, expected_version(app)
    )
    return respond(TopicView.of(topic, membership), version=topic.version)


@app.post(
    TOPIC + "/read",
    summary="Mark every reply of the topic read",
    tags=TAGS,
    operation_id="MarkTopicRead",
)
def mark_topic_read(course_id: str, topic_id: str) -> ReadView:
    topic, membership = discussions().mark_read(principal(app), *_ids(course_id, topic_id))
    return ReadView(topic_id=topic.id, read_count=membership.read_count, unread_count=0)


@app.put(
    TOPIC + "/subscription",
    summary="Subscribe to a topic's replies, or unsubscribe",
    tags=TAGS,
    operation_id="SetTopicSubscription",
)
def set_topic_subscription(course_id: str, topic_id: str, request: SubscriptionRequest) -> SubscriptionView:
    membership = discussions().set_subscription(
        principal(app), *_ids(course_id, topic_id), request.subscribed
    )
    return SubscriptionView(topic_id=topic_id, subscribed=bool(membership.subscribed))


@app.get(
    POSTS,
    summary="A page of the thread, oldest or newest first (in question-and-answer topics, "
    "students see classmates' replies once they posted)",
    tags=TAGS,
    operation_id="ListPosts",
)
def list_posts(
    course_id: str,
    topic_id: str,
    order: Annotated[PostOrder, Query()] = "oldest",
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> PostPage:
    found, next_cursor = discussions().list_posts(
        principal(app), *_ids(course_id, topic_id), order == "newest", limit, cursor
    )
    return PostPage(
        items=[PostView.of(r.post, r.likes, r.liked, r.author_name) for r in found], next_cursor=next_cursor
    )


@app.post(
    POSTS,
    summary="Reply to the topic or to one of its posts",
    tags=TAGS,
    operation_id="CreatePost",
    responses=created(PostView),
)
def create_post(course_id: str, topic_id: str, draft: ReplyDraft) -> Response[PostView]:
    post = discussions().reply(
        principal(app), *_ids(course_id, topic_id), draft, idempotent_request(app, draft)
    )
    metrics.add_metric(name="DiscussionReplyPosted", unit=MetricUnit.Count, value=1)
    location = f"/communication/courses/{course_id}/topics/{topic_id}/posts/{post.id}"
    return respond(PostView.of(post), status=201, version=post.version, location=location)


@app.patch(POST, summary="Edit your post (If-Match: its version)", tags=TAGS, operation_id="UpdatePost")
def update_post(course_id: str, topic_id: str, post_id: str, patch: PostPatch) -> Response[PostView]:
    post = discussions().edit_post(
        principal(app), *_ids(course_id, topic_id), path_id(post_id, "post"), patch, expected_version(app)
    )
    return respond(PostView.of(post), version=post.version)


@app.delete(
    POST,
    summary="Delete your post, or any post as staff: a tombstone keeps the thread's shape",
    tags=TAGS,
    operation_id="DeletePost",
    responses=NO_CONTENT,
)
def delete_post(course_id: str, topic_id: str, post_id: str) -> Response[None]:
    discussions().delete_post(principal(app), *_ids(course_id, topic_id), path_id(post_id, "post"))
    return Response(status_code=204)


@app.put(
    POST + "/reaction",
    summary="Like a post (once per person), or take the like back",
    tags=TAGS,
    operation_id="ReactToPost",
)
def react_to_post(course_id: str, topic_id: str, post_id: str, request: ReactionRequest) -> ReactionView:
    liked = discussions().react(
        principal(app), *_ids(course_id, topic_id), path_id(post_id, "post"), request.liked
    )
    return ReactionView(post_id=post_id, liked=liked)


@app.post(
    POST + "/reports",
    summary="Report a post to the course's staff, with a reason",
    tags=TAGS,
    operation_id="ReportPost",
    responses=created(ReportView),
)
def report_post(course_id: str, topic_id: str, post_id: str, request: ReportRequest) -> Response[ReportView]:
    report = discussions().report(
        principal(app), *_ids(course_id, topic_id), path_id(post_id, "post"), request
    )
    metrics.add_metric(name="PostReported", unit=MetricUnit.Count, value=1)
    view = ReportView(post_id=report.post_id, reason=report.reason, reported_at=report.reported_at)
    return respond(view, status=201)


@app.put(
    POST + "/visibility",
    summary="Hide a post from students, or restore it (staff)",
    tags=TAGS,
    operation_id="SetPostVisibility",
)
def set_post_visibility(
    course_id: str, topic_id: str, post_id: str, request: VisibilityRequest
) -> Response[PostView]:
    post = discussions().set_visibility(
        principal(app), *_ids(course_id, topic_id), path_id(post_id, "post"), request.hidden
    )
    return respond(PostView.of(post), version=post.version)


@app.get(
    COURSE + "/reported-posts",
    summary="The course's moderation queue: reported and hidden posts, newest posts first (staff)",
    tags=TAGS,
    operation_id="ListReportedPosts",
)
def list_reported_posts(
    course_id: str,
    status: Annotated[ModerationStatus | None, Query()] = None,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> ReportedPostPage:
    found, next_cursor = discussions().list_reported(
        principal(app), _course(course_id), status, limit, cursor
    )
    return ReportedPostPage(items=[ReportedPostView.of(e, p) for e, p in found], next_cursor=next_cursor)
