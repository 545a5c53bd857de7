"""The token endpoint of LTI Advantage services: OAuth 2 client credentials, the client
authenticated by a JWT it signed with its own key (RFC 7523), verified against its JWKS.

The access token is a JWT the platform signs (typ `at+jwt`): the services verify it with the
platform's public keys and read the tool's enabled state again, so disabling a tool stops its
services at once, whatever tokens it still holds.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

import jwt

from lms import clock, ids
from lms.lti.ags.domain import AGS_SCOPES
from lms.lti.domain import PlatformEndpoints, Tool, tool_of_client_id
from lms.lti.errors import (
    LtiInvalidClient,
    LtiInvalidRequest,
    LtiInvalidScope,
    LtiInvalidToken,
    LtiToolDisabled,
)
from lms.lti.launches import PlatformSigner

CLIENT_CREDENTIALS = "client_credentials"
JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
ACCESS_TOKEN_TYPE = "at+jwt"  # noqa: S105 - the JWT type of access tokens (RFC 9068), not a secret
ACCESS_TOKEN_LIFETIME = timedelta(hours=1)
ASSERTION_MAX_LIFETIME = timedelta(minutes=10)

NRPS_SCOPE = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"
SCOPES = frozenset({NRPS_SCOPE, *AGS_SCOPES})
"""The services a tool may ask a token for (the platform offers these to every enabled tool)."""


class ToolReader(Protocol):
    def get(self, institution_id: str, tool_id: str) -> Tool | None: ...


class AssertionLedger(Protocol):
    def use_assertion(self, institution_id: str, tool_id: str, jti_digest: str, expires_at: datetime) -> None:
        """Record the assertion as used; LtiInvalidClient when it was used before."""
        ...


@dataclass(frozen=True)
class ServiceCaller:
    """A tool calling a service with an access token the platform issued it."""

    institution_id: str
    tool: Tool
    scopes: frozenset[str]


class TokenService:
    def __init__(
        self,
        tools: ToolReader,
        ledger: AssertionLedger,
        keys: PlatformSigner,
        tool_key: Callable[[Tool, str], jwt.PyJWK],
        now: Callable[[], datetime] = clock.now,
        new_id: Callable[[], str] = ids.new_id,
    ) -> None:
        self._tools = tools
        self._ledger = ledger
        self._keys = keys
        self._tool_key = tool_key
        self._now = now
        self._new_id = new_id

    def issue(self, form: Mapping[str, str], platform: PlatformEndpoints) -> dict[str, Any]:
        """An access token for the scopes asked that the platform offers (RFC 6749 4.4, RFC 7523)."""
        if form.get("grant_type") != CLIENT_CREDENTIALS:
            raise LtiInvalidRequest("grant_type must be client_credentials.", field="grant_type")
        if form.get("client_assertion_type") != JWT_BEARER:
            raise LtiInvalidRequest(
                f"client_assertion_type must be {JWT_BEARER}.", field="client_assertion_type"
            )
        assertion = form.get("client_assertion") or ""
        granted = sorted(set((form.get("scope") or "").split()) & SCOPES)
        if not granted:
            raise LtiInvalidRequest(f"Ask for one or more of: {' '.join(sorted(SCOPES))}.", field="scope")
        tool, claims = self._verified_client(assertion, platform)
        now = self._now()
        expires = datetime.fromtimestamp(int(claims["exp"]), tz=now.tzinfo)
        digest = hashlib.sha256(str(claims["jti"]).encode()).hexdigest()
        self._ledger.use_assertion(tool.institution_id, tool.id, digest, expires)
        token = self._keys.sign(
            {
                "iss": platform.issuer,
                "aud": platform.issuer,
                "sub": tool.client_id,
                "jti": self._new_id(),
                "iat": int(now.timestamp()),
                "exp": int((now + ACCESS_TOKEN_LIFETIME).timestamp()),
                "scope": " ".join(granted),
            },
            typ=ACCESS_TOKEN_TYPE,
        )
        return {
            "access_token": token,
            "token_type": "Bearer",
            "expires_in": int(ACCESS_TOKEN_LIFETIME.total_seconds()),
            "scope": " ".join(granted),
        }

    def caller(
        self, authorization: str | None, scope: str | frozenset[str], platform: PlatformEndpoints
    ) -> ServiceCaller:
        """The tool an access token was issued to, still enabled, holding `scope` (or one of them)."""
        scheme, _, token = (authorization or "").partition(" ")
        if scheme.lower() != "bearer" or not token:
            raise LtiInvalidToken("Send the access token: Authorization: Bearer <token>.")
        try:
            claims = self._keys.verify(
                token, ACCESS_TOKEN_TYPE, issuer=platform.issuer, audience=platform.issuer
            )
        except jwt.PyJWTError as invalid:
            raise LtiInvalidToken(f"The access token is not valid: {invalid}.") from invalid
        scopes = frozenset(str(claims.get("scope") or "").split())
        accepted = frozenset({scope}) if isinstance(scope, str) else scope
        if not accepted & scopes:
            raise LtiInvalidScope(f"The access token does not grant {' or '.join(sorted(accepted))}.")
        tool = self._tool(str(claims["sub"]))
        return ServiceCaller(institution_id=tool.institution_id, tool=tool, scopes=scopes)

    def _verified_client(self, assertion: str, platform: PlatformEndpoints) -> tuple[Tool, dict[str, Any]]:
        try:
            client_id = str(jwt.decode(assertion, options={"verify_signature": False}).get("iss") or "")
        except jwt.PyJWTError as invalid:
            raise LtiInvalidClient(f"The client assertion is not a JWT: {invalid}.") from invalid
        tool = self._tool(client_id)
        try:
            key = self._tool_key(tool, assertion)
            claims: dict[str, Any] = jwt.decode(
                assertion,
                key,
                algorithms=["RS256", "RS384", "RS512"],
                audience=platform.token_url,
                issuer=client_id,
                options={"require": ["iss", "sub", "aud", "exp", "iat", "jti"]},
            )
        except jwt.PyJWTError as invalid:
            raise LtiInvalidClient(f"The client assertion is not valid: {invalid}.") from invalid
        if claims["sub"] != client_id:
            raise LtiInvalidClient("The client assertion's sub must be its client id.")
        if int(claims["exp"]) - int(claims["iat"]) > ASSERTION_MAX_LIFETIME.total_seconds():
            raise LtiInvalidClient("A client assertion lives ten minutes at most.")
        return tool, claims

    def _tool(self, client_id: str) -> Tool:
        named = tool_of_client_id(client_id)
        tool = self._tools.get(*named) if named else None
        if tool is None or tool.client_id != client_id:
            raise LtiInvalidClient(f"No tool has the client id {client_id!r}.")
        if not tool.enabled:
            raise LtiToolDisabled("The tool is disabled.")
        return tool
