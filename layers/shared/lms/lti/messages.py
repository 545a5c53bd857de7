"""LTI 1.3 messages (pure): the launch hint the platform signs, the id_token of a launch (a
resource link, or a deep linking request and the `data` the tool must return with its answer).

Claim names and role URIs are the IMS vocabulary (LTI 1.3 Core, LIS v2 roles).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from lms.auth import Principal, Role
from lms.lti.ags.domain import AGS_CLAIM, AGS_SCOPES
from lms.lti.domain import PlatformEndpoints, Tool

LTI = "https://purl.imsglobal.org/spec/lti/claim/"
LIS = "http://purl.imsglobal.org/vocab/lis/v2/"
LTI_VERSION = "1.3.0"
RESOURCE_LINK_REQUEST = "LtiResourceLinkRequest"
DEEP_LINKING_REQUEST = "LtiDeepLinkingRequest"
DEEP_LINKING_RESPONSE = "LtiDeepLinkingResponse"
DL = "https://purl.imsglobal.org/spec/lti-dl/claim/"
RESOURCE_LINK_ITEM = "ltiResourceLink"
COURSE_OFFERING = LIS + "course#CourseOffering"

NRPS_CLAIM = "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"

HINT_TYPE = "lti-hint+jwt"
HINT_LIFETIME = timedelta(minutes=5)
ID_TOKEN_LIFETIME = timedelta(minutes=5)
DATA_TYPE = "lti-dl-data+jwt"
DEEP_LINK_LIFETIME = timedelta(hours=1)
"""How long the instructor has to choose the tool's content and send it back."""


def lis_roles(principal: Principal, teaches: bool) -> list[str]:
    """The caller's roles in the course (membership) and the institution, in the LIS vocabulary."""
    roles: list[str] = []
    if teaches:
        roles += [LIS + "membership#Instructor", LIS + "institution/person#Faculty"]
    if principal.is_institution_admin:
        roles += [LIS + "membership#Administrator", LIS + "institution/person#Administrator"]
    if Role.STUDENT in principal.roles:
        roles += [LIS + "membership#Learner", LIS + "institution/person#Student"]
    return roles


@dataclass(frozen=True)
class LaunchHint:
    """What the signed hint binds: the person, the resource link and the tool, for five minutes."""

    hint_id: str
    institution_id: str
    user_id: str
    tool_id: str
    client_id: str
    course_id: str
    course_title: str
    lesson_id: str
    lesson_title: str
    custom: Mapping[str, str]
    roles: tuple[str, ...]
    message_type: str = RESOURCE_LINK_REQUEST
    target_link_uri: str = ""
    section_id: str = ""
    author_roles: tuple[str, ...] = ()
    """A deep link's: the section it adds lessons to, and the roles of who adds them (ours)."""

    def claims(self, issuer: str, now: datetime) -> dict[str, Any]:
        return {
            "iss": issuer,
            "aud": issuer,
            "sub": self.user_id,
            "jti": self.hint_id,
            "iat": int(now.timestamp()),
            "exp": int((now + HINT_LIFETIME).timestamp()),
            "institution_id": self.institution_id,
            "tool_id": self.tool_id,
            "client_id": self.client_id,
            "course": {"id": self.course_id, "title": self.course_title},
            "resource_link": {"id": self.lesson_id, "title": self.lesson_title},
            "custom": dict(self.custom),
            "roles": list(self.roles),
            "message_type": self.message_type,
            "target_link_uri": self.target_link_uri,
            "section_id": self.section_id,
            "author_roles": list(self.author_roles),
        }

    @classmethod
    def of_claims(cls, claims: Mapping[str, Any]) -> LaunchHint:
        """The hint from claims whose signature, issuer, audience and expiry were verified."""
        course, link = claims["course"], claims["resource_link"]
        return cls(
            hint_id=str(claims["jti"]),
            institution_id=str(claims["institution_id"]),
            user_id=str(claims["sub"]),
            tool_id=str(claims["tool_id"]),
            client_id=str(claims["client_id"]),
            course_id=str(course["id"]),
            course_title=str(course["title"]),
            lesson_id=str(link["id"]),
            lesson_title=str(link["title"]),
            custom={str(k): str(v) for k, v in dict(claims.get("custom") or {}).items()},
            roles=tuple(str(role) for role in claims.get("roles") or ()),
            message_type=str(claims.get("message_type") or RESOURCE_LINK_REQUEST),
            target_link_uri=str(claims.get("target_link_uri") or ""),
            section_id=str(claims.get("section_id") or ""),
            author_roles=tuple(str(role) for role in claims.get("author_roles") or ()),
        )


@dataclass(frozen=True)
class DeepLinkData:
    """The deep link's `data`: signed by the platform, it comes back unchanged with the tool's answer
    and binds it to the person, the course, the section and the tool (that request has no Cognito
    token)."""

    data_id: str
    institution_id: str
    user_id: str
    author_roles: tuple[str, ...]
    tool_id: str
    client_id: str
    deployment_id: str
    course_id: str
    section_id: str

    def claims(self, issuer: str, now: datetime) -> dict[str, Any]:
        return {
            "iss": issuer,
            "aud": issuer,
            "sub": self.user_id,
            "jti": self.data_id,
            "iat": int(now.timestamp()),
            "exp": int((now + DEEP_LINK_LIFETIME).timestamp()),
            "institution_id": self.institution_id,
            "roles": list(self.author_roles),
            "tool_id": self.tool_id,
            "client_id": self.client_id,
            "deployment_id": self.deployment_id,
            "course_id": self.course_id,
            "section_id": self.section_id,
        }

    @classmethod
    def of_claims(cls, claims: Mapping[str, Any]) -> DeepLinkData:
        """The data from claims whose signature, issuer, audience and expiry were verified."""
        return cls(
            data_id=str(claims["jti"]),
            institution_id=str(claims["institution_id"]),
            user_id=str(claims["sub"]),
            author_roles=tuple(str(role) for role in claims["roles"]),
            tool_id=str(claims["tool_id"]),
            client_id=str(claims["client_id"]),
            deployment_id=str(claims["deployment_id"]),
            course_id=str(claims["course_id"]),
            section_id=str(claims["section_id"]),
        )


def id_token_claims(
    hint: LaunchHint, tool: Tool, platform: PlatformEndpoints, nonce: str, now: datetime
) -> dict[str, Any]:
    """The id_token of an LtiResourceLinkRequest: the required claims and the services' claims."""
    return {
        **_message_claims(hint, tool, platform, nonce, now),
        LTI + "resource_link": {"id": hint.lesson_id, "title": hint.lesson_title},
        LTI + "custom": dict(hint.custom),
        LTI + "launch_presentation": {"document_target": "window"},
        NRPS_CLAIM: {
            "context_memberships_url": platform.memberships_url(hint.course_id),
            "service_versions": ["2.0"],
        },
        # The resource link's own line item has the lesson's id: named here before it exists, it is
        # made on its first use (lms.lti.ags.service).
        AGS_CLAIM: {
            "scope": list(AGS_SCOPES),
            "lineitems": platform.line_items_url(hint.course_id),
            "lineitem": platform.line_item_url(hint.course_id, hint.lesson_id),
        },
    }


def deep_linking_claims(
    hint: LaunchHint, tool: Tool, platform: PlatformEndpoints, nonce: str, now: datetime, data: str
) -> dict[str, Any]:
    """The id_token of an LtiDeepLinkingRequest: resource links only, several at once, and `data`."""
    return {
        **_message_claims(hint, tool, platform, nonce, now),
        DL + "deep_linking_settings": {
            "deep_link_return_url": platform.deep_link_return_url,
            "accept_types": [RESOURCE_LINK_ITEM],
            "accept_presentation_document_targets": ["iframe", "window"],
            "accept_multiple": True,
            "auto_create": True,
            "data": data,
        },
        # No resource link yet: the tool may read and make the course's line items.
        AGS_CLAIM: {"scope": list(AGS_SCOPES), "lineitems": platform.line_items_url(hint.course_id)},
    }


def _message_claims(
    hint: LaunchHint, tool: Tool, platform: PlatformEndpoints, nonce: str, now: datetime
) -> dict[str, Any]:
    issuer = platform.issuer
    return {
        "iss": issuer,
        "aud": tool.client_id,
        "azp": tool.client_id,
        "sub": hint.user_id,
        "nonce": nonce,
        "iat": int(now.timestamp()),
        "exp": int((now + ID_TOKEN_LIFETIME).timestamp()),
        LTI + "message_type": hint.message_type,
        LTI + "version": LTI_VERSION,
        LTI + "deployment_id": tool.deployment_id,
        LTI + "target_link_uri": hint.target_link_uri or tool.target_link_uri,
        LTI + "roles": list(hint.roles),
        LTI + "context": {"id": hint.course_id, "title": hint.course_title, "type": [COURSE_OFFERING]},
        LTI + "tool_platform": {"guid": issuer, "product_family_code": "lms-backend"},
    }
