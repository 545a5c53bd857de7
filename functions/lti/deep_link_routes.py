"""Routes of LTI Deep Linking: an instructor starts one from the course editor, the tool's answer
comes back to the return URL; the rules live in lms.lti.deep_linking and lms.courses.

The return URL is public (the browser posts the tool's JWT, no Cognito token): the platform-signed
`data` in it says who asked, for which section. Its resource links become lessons through the
courses context's own service, as that person: the course's rules (who edits it, its outline's
limits) are checked there, at that moment, and its lessons and events commit in one transaction.
"""

from __future__ import annotations

from functools import cache
from typing import Any
from urllib.parse import parse_qsl

from aws_lambda_powertools.event_handler.openapi.types import OpenAPIResponse
from launch_routes import launches
from lti_api import TAGS, app, platform

from lms.courses.catalog.store import DynamoCatalogStore
from lms.courses.domain import ContentType, LineItemHint, LtiLink
from lms.courses.repository import DynamoCourseRepository
from lms.courses.schemas import LessonDraft
from lms.courses.service import CourseService
from lms.http import principal
from lms.lti import tool_keys
from lms.lti.deep_linking import DeepLinkService, LinkedContent
from lms.lti.errors import LtiInvalidDeepLink
from lms.lti.platform_keys import platform_keys
from lms.lti.repository import DynamoToolRepository
from lms.lti.schemas import DeepLinkResult, DeepLinkStart, LaunchStart, LinkedLesson

RETURN_ANSWER: dict[int, OpenAPIResponse] = {
    400: {"description": "Not a deep linking response the tool signed for a deep link of the platform"},
    403: {"description": "The tool is disabled, or the person may no longer edit the course"},
    422: {"description": "A content item is not a resource link the platform accepts"},
}


@cache
def deep_links() -> DeepLinkService:
    return DeepLinkService(DynamoToolRepository(), platform_keys(), tool_keys.signing_key)


@cache
def courses() -> CourseService:
    # Deep linking adds lessons; it never answers a course's standards page, which asks for questions.
    return CourseService(DynamoCourseRepository(), DynamoCatalogStore(), lambda *_: [])


@app.post(
    "/lti/deep-links",
    summary="Add a tool's content to a section (LTI Deep Linking): where the browser goes to choose it",
    tags=TAGS,
    operation_id="StartLtiDeepLink",
)
def start_deep_link(request: DeepLinkStart) -> LaunchStart:
    return launches().start_deep_link(principal(app), request, platform())


@app.post(
    "/lti/deep-links/return",
    summary="Deep linking return URL (public; the tool's signed content items become lessons)",
    tags=TAGS,
    operation_id="ReturnLtiDeepLink",
    responses=RETURN_ANSWER,
)
def return_deep_link() -> DeepLinkResult:
    form = dict(parse_qsl(app.current_event.decoded_body or ""))
    token = form.get("JWT")
    if not token:
        raise LtiInvalidDeepLink("Post the tool's deep linking response as the form field JWT.")
    linked = deep_links().receive(token, platform())
    added = courses().add_linked_lessons(
        linked.author, linked.course_id, linked.section_id, _lesson_drafts(linked)
    )
    return DeepLinkResult(
        course_id=linked.course_id,
        section_id=linked.section_id,
        lessons=[LinkedLesson(id=lesson.id, title=lesson.title, position=at) for lesson, at in added],
    )


def _lesson_drafts(linked: LinkedContent) -> list[LessonDraft]:
    drafts = []
    for resource in linked.resources:
        hint: dict[str, Any] | None = resource.line_item
        link = LtiLink(
            tool_id=linked.tool_id,
            custom=resource.custom,
            url=resource.url,
            line_item=LineItemHint(**hint) if hint else None,
        )
        drafts.append(
            LessonDraft(
                section_id=linked.section_id,
                title=resource.title,
                content_type=ContentType.LTI,
                lti=link,
                duration_minutes=0,
            )
        )
    return drafts
