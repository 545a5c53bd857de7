"""LTI Deep Linking: the tool's answer to a deep link the platform started (LtiDeepLinkingResponse).

The browser posts the tool's JWT to the return URL with no Cognito token. What binds it to the
person, the course, the section and the tool is the `data` the platform signed into the request
and the tool returned unchanged; the JWT itself is verified with the tool's keys (issuer its client
id, audience the platform's issuer, expiry, deployment, message type). Its nonce and its `data`
are used once. The resource links it carries become lessons of the section, added by the
courses context in one transaction as the person who started the deep link.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

import jwt

from lms import clock
from lms.auth import Principal, Role
from lms.events import DomainEvent
from lms.events.lti import LtiDeepLinkReturned
from lms.lti.domain import PlatformEndpoints, Tool
from lms.lti.errors import LtiInvalidDeepLink, LtiToolDisabled, LtiUnacceptedContentItem
from lms.lti.launches import PlatformSigner
from lms.lti.messages import (
    DATA_TYPE,
    DEEP_LINKING_RESPONSE,
    DL,
    LTI,
    LTI_VERSION,
    RESOURCE_LINK_ITEM,
    DeepLinkData,
)
from lms.lti.repository import DeepLinkUse
from lms.urls import is_tool_url

MAX_CONTENT_ITEMS = 20
CUSTOM_NAME = re.compile(r"[A-Za-z0-9_]{1,64}")
MAX_CUSTOM_PARAMETERS = 20
MAX_CUSTOM_VALUE = 256
MAX_TITLE = 200
MAX_LINE_ITEM_TEXT = {"label": 200, "resourceId": 255, "tag": 255}
MAX_SCORE = 1_000_000
TOOL_ALGORITHMS = ["RS256", "RS384", "RS512"]


class DeepLinkRepository(Protocol):
    def get(self, institution_id: str, tool_id: str) -> Tool | None: ...
    def use_deep_link(self, use: DeepLinkUse, actor: Principal, events: list[DomainEvent]) -> None: ...


@dataclass(frozen=True)
class LinkedResource:
    """A resource link the tool returned: the lesson it becomes."""

    title: str
    url: str | None
    custom: dict[str, str]
    line_item: dict[str, Any] | None
    """score_maximum, label, resource_id, tag: the gradebook column the tool asked for."""


@dataclass(frozen=True)
class LinkedContent:
    author: Principal
    tool_id: str
    course_id: str
    section_id: str
    resources: list[LinkedResource]


class DeepLinkService:
    def __init__(
        self,
        repository: DeepLinkRepository,
        keys: PlatformSigner,
        tool_key: Callable[[Tool, str], jwt.PyJWK],
        now: Callable[[], datetime] = clock.now,
    ) -> None:
        self._repo = repository
        self._keys = keys
        self._tool_key = tool_key
        self._now = now

    def receive(self, token: str, platform: PlatformEndpoints) -> LinkedContent:
        """The resource links of a verified deep linking response, its nonce and `data` used up."""
        data, data_expires = self._data(token, platform)
        tool = self._repo.get(data.institution_id, data.tool_id)
        if tool is None or tool.client_id != data.client_id:
            raise LtiInvalidDeepLink("The deep link's tool is not registered.")
        if not tool.enabled:
            raise LtiToolDisabled("The tool is disabled.")
        claims = self._verified(token, tool, platform)
        if (
            claims.get(LTI + "deployment_id") != tool.deployment_id
            or data.deployment_id != tool.deployment_id
        ):
            raise LtiInvalidDeepLink("The response names a deployment that is not the tool's.")
        if claims.get(LTI + "message_type") != DEEP_LINKING_RESPONSE:
            raise LtiInvalidDeepLink(f"The message type must be {DEEP_LINKING_RESPONSE}.")
        if claims.get(LTI + "version") != LTI_VERSION:
            raise LtiInvalidDeepLink(f"The LTI version must be {LTI_VERSION}.")
        resources = resources_of(claims.get(DL + "content_items"), tool.name)
        roles = frozenset(Role(role) for role in data.author_roles if role in Role.__members__.values())
        author = Principal(user_id=data.user_id, institution_id=data.institution_id, roles=roles)
        use = DeepLinkUse(
            institution_id=data.institution_id,
            tool_id=tool.id,
            nonce_digest=hashlib.sha256(str(claims["nonce"]).encode()).hexdigest(),
            data_id=data.data_id,
            expires_at=datetime.fromtimestamp(max(int(claims["exp"]), data_expires), tz=UTC),
        )
        event = LtiDeepLinkReturned(
            tool_id=tool.id,
            user_id=data.user_id,
            course_id=data.course_id,
            section_id=data.section_id,
            item_count=len(resources),
        )
        self._repo.use_deep_link(use, author, [event])
        return LinkedContent(
            author=author,
            tool_id=tool.id,
            course_id=data.course_id,
            section_id=data.section_id,
            resources=resources,
        )

    def _data(self, token: str, platform: PlatformEndpoints) -> tuple[DeepLinkData, int]:
        """The deep link's `data`, which only the platform signs: a tool cannot forge or alter it."""
        try:
            unverified = jwt.decode(token, options={"verify_signature": False})
        except jwt.PyJWTError as invalid:
            raise LtiInvalidDeepLink(f"The response is not a JWT: {invalid}.") from invalid
        signed = unverified.get(DL + "data")
        if not isinstance(signed, str):
            raise LtiInvalidDeepLink("The response does not return the deep link's data.")
        try:
            claims = self._keys.verify(signed, DATA_TYPE, issuer=platform.issuer, audience=platform.issuer)
            return DeepLinkData.of_claims(claims), int(claims["exp"])
        except (jwt.InvalidTokenError, KeyError, TypeError) as invalid:
            raise LtiInvalidDeepLink(f"The deep link's data is not the platform's: {invalid}.") from invalid

    def _verified(self, token: str, tool: Tool, platform: PlatformEndpoints) -> dict[str, Any]:
        try:
            key = self._tool_key(tool, token)
            claims: dict[str, Any] = jwt.decode(
                token,
                key,
                algorithms=TOOL_ALGORITHMS,
                audience=platform.issuer,
                issuer=tool.client_id,
                options={"require": ["iss", "aud", "exp", "iat", "nonce"]},
            )
        except jwt.PyJWTError as invalid:
            raise LtiInvalidDeepLink(f"The response is not the tool's: {invalid}.") from invalid
        if not isinstance(claims["nonce"], str) or not 0 < len(claims["nonce"]) <= 256:
            raise LtiInvalidDeepLink("The response's nonce must be a string of at most 256 characters.")
        return claims


def resources_of(items: Any, default_title: str) -> list[LinkedResource]:
    """The content items as resource links; any other type, or a malformed item, is refused."""
    if items is None:
        return []
    if not isinstance(items, list):
        raise LtiInvalidDeepLink("content_items must be a list.")
    if len(items) > MAX_CONTENT_ITEMS:
        raise LtiUnacceptedContentItem(f"At most {MAX_CONTENT_ITEMS} content items are accepted at once.")
    return [_resource(index, item, default_title) for index, item in enumerate(items)]


def _resource(index: int, item: Any, default_title: str) -> LinkedResource:
    def refused(why: str) -> LtiUnacceptedContentItem:
        return LtiUnacceptedContentItem(f"Content item {index}: {why}.")

    if not isinstance(item, Mapping) or item.get("type") != RESOURCE_LINK_ITEM:
        kind = item.get("type") if isinstance(item, Mapping) else type(item).__name__
        raise refused(f"only {RESOURCE_LINK_ITEM} items are accepted, not {kind!r}")
    title = item.get("title") or default_title
    if not isinstance(title, str) or not 0 < len(title.strip()) <= MAX_TITLE:
        raise refused(f"the title must be text of at most {MAX_TITLE} characters")
    url = item.get("url")
    if url is not None and (not isinstance(url, str) or len(url) > 2048 or not is_tool_url(url)):
        raise refused("the url must be an https URL (http only on localhost)")
    return LinkedResource(
        title=title.strip(),
        url=url,
        custom=_custom(item.get("custom"), refused),
        line_item=_line_item(item.get("lineItem"), refused),
    )


def _custom(custom: Any, refused: Callable[[str], LtiUnacceptedContentItem]) -> dict[str, str]:
    if custom is None:
        return {}
    if not isinstance(custom, Mapping) or len(custom) > MAX_CUSTOM_PARAMETERS:
        raise refused(f"custom must be an object of at most {MAX_CUSTOM_PARAMETERS} parameters")
    for name, value in custom.items():
        if (
            not CUSTOM_NAME.fullmatch(str(name))
            or not isinstance(value, str)
            or len(value) > MAX_CUSTOM_VALUE
        ):
            raise refused(
                "custom parameter names are 1-64 letters, digits or _, "
                f"values text of at most {MAX_CUSTOM_VALUE}"
            )
    return {str(name): str(value) for name, value in custom.items()}


def _line_item(line_item: Any, refused: Callable[[str], LtiUnacceptedContentItem]) -> dict[str, Any] | None:
    if line_item is None:
        return None
    if not isinstance(line_item, Mapping):
        raise refused("lineItem must be an object")
    maximum = line_item.get("scoreMaximum")
    if isinstance(maximum, bool) or not isinstance(maximum, int | float) or not 0 < maximum <= MAX_SCORE:
        raise refused(f"lineItem.scoreMaximum must be a number above 0, at most {MAX_SCORE}")
    hint: dict[str, Any] = {"score_maximum": float(maximum)}
    for name, longest in MAX_LINE_ITEM_TEXT.items():
        value = line_item.get(name)
        if value is None:
            continue
        if not isinstance(value, str) or not 0 < len(value) <= longest:
            raise refused(f"lineItem.{name} must be text of at most {longest} characters")
        hint["resource_id" if name == "resourceId" else name] = value
    return hint
