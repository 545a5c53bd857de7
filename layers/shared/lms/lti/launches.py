"""LTI launches: a person opens an `lti` lesson (or an instructor asks a tool for content to add to
a section: a deep link), the tool comes back for an id_token.

1. `start` (the person, signed in): checks they may open the lesson and the tool is enabled, and
   answers the tool's OIDC login initiation URL with a hint the platform signed, which binds the
   person, the resource link and the tool for five minutes. `start_deep_link` does the same for
   the course's staff and a section of the course.
2. `authorize` (public: the browser brings the tool's authentication request, and no Cognito
   token): verifies the hint, the client, the redirect URI and the request's parameters, uses up
   the nonce and the hint, records the launch, and answers the id_token to post to the tool.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol
from urllib.parse import urlencode

import jwt

from lms import authz, clock, ids
from lms.auth import Principal
from lms.events import DomainEvent
from lms.events.lti import LtiLaunched
from lms.lti import policy
from lms.lti.course_access import CourseOutline, Found
from lms.lti.domain import PlatformEndpoints, Tool
from lms.lti.errors import (
    LtiCourseNotFound,
    LtiInvalidHint,
    LtiLaunchForbidden,
    LtiLessonNotFound,
    LtiRedirectUriNotRegistered,
    LtiSectionNotFound,
    LtiToolDisabled,
    LtiToolNotFound,
)
from lms.lti.messages import (
    DATA_TYPE,
    DEEP_LINKING_REQUEST,
    HINT_LIFETIME,
    HINT_TYPE,
    ID_TOKEN_LIFETIME,
    DeepLinkData,
    LaunchHint,
    deep_linking_claims,
    id_token_claims,
    lis_roles,
)
from lms.lti.repository import Launch
from lms.lti.schemas import AuthorizationRequest, DeepLinkStart, LaunchStart


class LaunchRepository(Protocol):
    def get(self, institution_id: str, tool_id: str) -> Tool | None: ...
    def record_launch(self, launch: Launch, actor: Principal, events: list[DomainEvent]) -> None: ...


class PlatformSigner(Protocol):
    def sign(self, claims: dict[str, Any], typ: str = "JWT") -> str: ...
    def verify(self, token: str, typ: str, issuer: str, audience: str) -> dict[str, Any]: ...


@dataclass(frozen=True)
class FormPost:
    """The answer to an authentication request: fields the browser posts to the tool's redirect URI."""

    redirect_uri: str
    fields: dict[str, str]


class LaunchService:
    def __init__(
        self,
        repository: LaunchRepository,
        lessons: Callable[[Principal, str, str], Found],
        outlines: Callable[[str, str], CourseOutline | None],
        keys: PlatformSigner,
        now: Callable[[], datetime] = clock.now,
        new_id: Callable[[], str] = ids.new_id,
    ) -> None:
        self._repo = repository
        self._lessons = lessons
        self._outlines = outlines
        self._keys = keys
        self._now = now
        self._new_id = new_id

    def start(
        self, principal: Principal, course_id: str, lesson_id: str, platform: PlatformEndpoints
    ) -> LaunchStart:
        """Where the browser goes to launch the lesson's tool (its OIDC login initiation, with the hint)."""
        authz.authorize(principal, policy.START_LTI_LAUNCH)
        found = self._lessons(principal, course_id, lesson_id)
        if not found.course:
            raise LtiCourseNotFound(f"No course {course_id!r}.")
        lesson = found.lesson
        if lesson is None:
            raise LtiLessonNotFound(f"The course has no lti lesson {lesson_id!r}.")
        if not lesson.may_open(principal):
            raise LtiLaunchForbidden("Only the course's staff and its enrolled students open its tools.")
        tool = self._enabled_tool(principal.institution_id, lesson.tool_id)
        hint = LaunchHint(
            hint_id=self._new_id(),
            institution_id=principal.institution_id,
            user_id=principal.user_id,
            tool_id=tool.id,
            client_id=tool.client_id,
            course_id=lesson.course_id,
            course_title=lesson.course_title,
            lesson_id=lesson.lesson_id,
            lesson_title=lesson.lesson_title,
            custom=lesson.custom,
            roles=tuple(lis_roles(principal, lesson.teaches(principal))),
            target_link_uri=lesson.target_link_uri or "",
        )
        return self._login(principal, tool, hint, platform)

    def start_deep_link(
        self, principal: Principal, request: DeepLinkStart, platform: PlatformEndpoints
    ) -> LaunchStart:
        """Where the browser goes to choose the tool's content for a section (LtiDeepLinkingRequest)."""
        authz.authorize(principal, policy.START_LTI_DEEP_LINK)
        course = self._outlines(principal.institution_id, request.course_id)
        if course is None:
            raise LtiCourseNotFound(f"No course {request.course_id!r}.")
        if not course.may_edit(principal):
            raise LtiLaunchForbidden(
                "Only the course's instructors and the institution's admins add content."
            )
        if request.section_id not in course.section_ids:
            raise LtiSectionNotFound(f"The course has no section {request.section_id!r}.")
        tool = self._enabled_tool(principal.institution_id, request.tool_id)
        hint = LaunchHint(
            hint_id=self._new_id(),
            institution_id=principal.institution_id,
            user_id=principal.user_id,
            tool_id=tool.id,
            client_id=tool.client_id,
            course_id=course.course_id,
            course_title=course.course_title,
            lesson_id="",
            lesson_title="",
            custom={},
            roles=tuple(lis_roles(principal, course.teaches(principal))),
            message_type=DEEP_LINKING_REQUEST,
            section_id=request.section_id,
            author_roles=tuple(sorted(principal.roles)),
        )
        return self._login(principal, tool, hint, platform)

    def _login(
        self, principal: Principal, tool: Tool, hint: LaunchHint, platform: PlatformEndpoints
    ) -> LaunchStart:
        signed = self._keys.sign(hint.claims(platform.issuer, self._now()), typ=HINT_TYPE)
        params = {
            "iss": platform.issuer,
            "login_hint": principal.user_id,
            "lti_message_hint": signed,
            "target_link_uri": hint.target_link_uri or tool.target_link_uri,
            "client_id": tool.client_id,
            "lti_deployment_id": tool.deployment_id,
        }
        separator = "&" if "?" in tool.oidc_login_url else "?"
        return LaunchStart(
            login_url=f"{tool.oidc_login_url}{separator}{urlencode(params)}",
            login_initiation_url=tool.oidc_login_url,
            params=params,
            expires_in=int(HINT_LIFETIME.total_seconds()),
        )

    def authorize(self, request: AuthorizationRequest, platform: PlatformEndpoints) -> FormPost:
        """The id_token for the tool's authentication request, once every check passed."""
        request.check_oidc()
        hint = self._verified_hint(request, platform)
        tool = self._repo.get(hint.institution_id, hint.tool_id)
        if tool is None or tool.client_id != request.client_id:
            raise LtiInvalidHint("The hint names no tool of this client.")
        if not tool.enabled:
            raise LtiToolDisabled("The tool is disabled.")
        if request.redirect_uri not in tool.redirect_uris:
            raise LtiRedirectUriNotRegistered(f"{request.redirect_uri!r} is not a redirect URI of the tool.")
        now = self._now()
        if hint.message_type == DEEP_LINKING_REQUEST:
            data = DeepLinkData(
                data_id=self._new_id(),
                institution_id=hint.institution_id,
                user_id=hint.user_id,
                author_roles=hint.author_roles,
                tool_id=tool.id,
                client_id=tool.client_id,
                deployment_id=tool.deployment_id,
                course_id=hint.course_id,
                section_id=hint.section_id,
            )
            signed_data = self._keys.sign(data.claims(platform.issuer, now), typ=DATA_TYPE)
            claims = deep_linking_claims(hint, tool, platform, request.nonce, now, signed_data)
        else:
            claims = id_token_claims(hint, tool, platform, request.nonce, now)
        id_token = self._keys.sign(claims)
        launch = Launch(
            id=self._new_id(),
            institution_id=hint.institution_id,
            user_id=hint.user_id,
            tool_id=tool.id,
            course_id=hint.course_id,
            lesson_id=hint.lesson_id or None,
            message_type=hint.message_type,
            roles=hint.roles,
            launched_at=now,
            nonce_digest=hashlib.sha256(request.nonce.encode()).hexdigest(),
            hint_id=hint.hint_id,
            expires_at=now + max(HINT_LIFETIME, ID_TOKEN_LIFETIME),
        )
        event = LtiLaunched(
            launch_id=launch.id,
            tool_id=tool.id,
            user_id=hint.user_id,
            course_id=hint.course_id,
            lesson_id=hint.lesson_id or None,
            message_type=hint.message_type,
            roles=list(hint.roles),
        )
        person = Principal(user_id=hint.user_id, institution_id=hint.institution_id, roles=frozenset())
        self._repo.record_launch(launch, person, [event])
        fields = {"id_token": id_token}
        if request.state is not None:
            fields["state"] = request.state
        return FormPost(redirect_uri=request.redirect_uri, fields=fields)

    def _verified_hint(self, request: AuthorizationRequest, platform: PlatformEndpoints) -> LaunchHint:
        try:
            claims = self._keys.verify(
                request.lti_message_hint, HINT_TYPE, issuer=platform.issuer, audience=platform.issuer
            )
            hint = LaunchHint.of_claims(claims)
        except (jwt.InvalidTokenError, KeyError, TypeError) as invalid:
            raise LtiInvalidHint(f"The launch hint is not valid: {invalid}.") from invalid
        if hint.user_id != request.login_hint:
            raise LtiInvalidHint("The login_hint is not the person the hint was signed for.")
        if hint.client_id != request.client_id:
            raise LtiInvalidHint("The client_id is not the tool the hint was signed for.")
        return hint

    def _enabled_tool(self, institution_id: str, tool_id: str) -> Tool:
        tool = self._repo.get(institution_id, tool_id)
        if tool is None:
            raise LtiToolNotFound(f"The lesson's tool {tool_id!r} is not registered.")
        if not tool.enabled:
            raise LtiToolDisabled("The lesson's tool is disabled.")
        return tool
