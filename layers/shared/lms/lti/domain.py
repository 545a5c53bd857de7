"""LTI tool registrations and the platform's endpoints (pure: no AWS, no HTTP)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

CLIENT_ID_SEPARATOR = "~"


@dataclass(frozen=True)
class Tool:
    """An LTI 1.3 tool registered by an institution; `client_id` and `deployment_id` never change."""

    id: str
    institution_id: str
    name: str
    client_id: str
    deployment_id: str
    jwks_url: str | None
    """Where the tool publishes its public keys; None when its registration holds them (`jwks`)."""
    oidc_login_url: str
    redirect_uris: tuple[str, ...]
    target_link_uri: str
    enabled: bool
    version: int
    created_at: datetime
    updated_at: datetime
    jwks: tuple[dict[str, str], ...] | None = None
    """The tool's public keys (JWKs) given at registration, instead of a JWKS URL."""

    def changed(self, now: datetime, **changes: object) -> Tool:
        return replace(self, **changes, version=self.version + 1, updated_at=now)  # type: ignore[arg-type]


def client_id_of(institution_id: str, tool_id: str) -> str:
    """The tool's OAuth client id names its institution: a tool's requests find their tenant by it."""
    return f"{institution_id}{CLIENT_ID_SEPARATOR}{tool_id}"


def tool_of_client_id(client_id: str) -> tuple[str, str] | None:
    """The (institution, tool) a client id names, or None when it names none."""
    institution_id, separator, tool_id = client_id.rpartition(CLIENT_ID_SEPARATOR)
    return (institution_id, tool_id) if separator and institution_id and tool_id else None


@dataclass(frozen=True)
class PlatformEndpoints:
    """Where tools reach the platform: its issuer, and the endpoints under it."""

    issuer: str

    @property
    def jwks_url(self) -> str:
        return f"{self.issuer}/lti/jwks"

    @property
    def authorization_url(self) -> str:
        return f"{self.issuer}/lti/authorize"

    @property
    def token_url(self) -> str:
        return f"{self.issuer}/lti/token"

    @property
    def deep_link_return_url(self) -> str:
        return f"{self.issuer}/lti/deep-links/return"

    def memberships_url(self, course_id: str) -> str:
        return f"{self.issuer}/lti/courses/{course_id}/memberships"

    def line_items_url(self, course_id: str) -> str:
        return f"{self.issuer}/lti/courses/{course_id}/lineitems"

    def line_item_url(self, course_id: str, line_item_id: str) -> str:
        return f"{self.line_items_url(course_id)}/{line_item_id}"
