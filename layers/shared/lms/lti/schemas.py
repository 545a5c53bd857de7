"""Request and response bodies of the LTI API (the OpenAPI document is generated from them)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import AfterValidator, ConfigDict, Field, StringConstraints, model_validator

from lms.lazy_model import LazyModel
from lms.lti.domain import PlatformEndpoints, Tool
from lms.lti.errors import LtiInvalidRequest
from lms.lti.tool_keys import InvalidToolKeys, registered_keys
from lms.schemas import Body, Patch
from lms.urls import is_tool_url


def _tool_url(url: str) -> str:
    if not is_tool_url(url):
        raise ValueError("must be an https URL (http only on localhost)")
    return url


ToolUrl = Annotated[str, StringConstraints(min_length=8, max_length=2048), AfterValidator(_tool_url)]
ToolName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
RedirectUris = Annotated[list[ToolUrl], Field(min_length=1, max_length=10)]


JwksDocument = Annotated[dict[str, Any], Field(description='A JWKS document: {"keys": [RSA public JWKs]}.')]
PemKey = Annotated[str, StringConstraints(min_length=64, max_length=4096)]
KEY_SOURCES = ("jwks_url", "jwks", "public_key_pem")


class ToolKeys(Body):
    """Where the tool's public keys come from: its JWKS URL, or the keys themselves (one of the three)."""

    jwks_url: ToolUrl | None = Field(
        default=None, description="Where the tool publishes its public keys (JWKS): read at every use."
    )
    jwks: JwksDocument | None = Field(
        default=None, description="The tool's public keys themselves, for a tool that publishes no JWKS URL."
    )
    public_key_pem: PemKey | None = Field(
        default=None, description="The tool's one RSA public key in PEM, for a tool that gives only that."
    )

    def registered_keys(self) -> tuple[dict[str, str], ...] | None:
        """The keys given directly, as JWKs; None when the tool gave its JWKS URL."""
        if self.jwks is None and self.public_key_pem is None:
            return None
        return registered_keys(self.jwks, self.public_key_pem)

    def _given_sources(self) -> list[str]:
        return [name for name in KEY_SOURCES if getattr(self, name) is not None]

    def _check_keys(self) -> None:
        try:
            self.registered_keys()
        except InvalidToolKeys as invalid:
            raise ValueError(str(invalid)) from invalid


class ToolRegistration(ToolKeys):
    """What the tool's vendor tells the institution about the tool."""

    name: ToolName
    oidc_login_url: ToolUrl = Field(
        description="Where a launch starts: the tool's OIDC login initiation URL."
    )
    redirect_uris: RedirectUris = Field(description="Where the platform may post id_tokens (launch URLs).")
    target_link_uri: ToolUrl = Field(description="The tool's default launch URL.")

    @model_validator(mode="after")
    def _one_key_source(self) -> ToolRegistration:
        if len(self._given_sources()) != 1:
            raise ValueError("give the tool's keys one way: jwks_url, jwks or public_key_pem")
        self._check_keys()
        return self


class ToolPatch(Patch, ToolKeys):
    """Giving the tool's keys one way (URL, JWKS or PEM) replaces how they were given before."""

    name: ToolName | None = None
    oidc_login_url: ToolUrl | None = None
    redirect_uris: RedirectUris | None = None
    target_link_uri: ToolUrl | None = None
    enabled: bool | None = Field(default=None, description="A disabled tool has no launches and no services.")

    @model_validator(mode="after")
    def _at_most_one_key_source(self) -> ToolPatch:
        if len(self._given_sources()) > 1:
            raise ValueError("give the tool's keys one way: jwks_url, jwks or public_key_pem")
        self._check_keys()
        return self

    def key_changes(self) -> dict[str, Any]:
        """The registration's key fields after this patch (both, since one way replaces the other)."""
        if self.jwks_url is not None:
            return {"jwks_url": self.jwks_url, "jwks": None}
        keys = self.registered_keys()
        return {"jwks_url": None, "jwks": keys} if keys is not None else {}


class PlatformValues(LazyModel):
    """What the institution gives the tool's vendor to configure the tool for this platform."""

    issuer: str
    client_id: str
    deployment_id: str
    jwks_url: str = Field(description="The platform's public keys (JWKS).")
    authorization_url: str = Field(description="The platform's OIDC authorization endpoint.")
    token_url: str = Field(description="The token endpoint of the platform's services (and the audience).")

    @classmethod
    def of(cls, tool: Tool, platform: PlatformEndpoints) -> PlatformValues:
        return cls(
            issuer=platform.issuer,
            client_id=tool.client_id,
            deployment_id=tool.deployment_id,
            jwks_url=platform.jwks_url,
            authorization_url=platform.authorization_url,
            token_url=platform.token_url,
        )


class ToolView(LazyModel):
    id: str
    name: str
    client_id: str = Field(description="Generated by the platform; never changes.")
    deployment_id: str = Field(description="Generated by the platform; never changes.")
    jwks_url: str | None = Field(
        description="Where the tool publishes its keys; null when `jwks` holds them."
    )
    jwks: dict[str, list[dict[str, str]]] | None = Field(
        description="The tool's public keys given at registration (a PEM key is shown as its JWK)."
    )
    oidc_login_url: str
    redirect_uris: list[str]
    target_link_uri: str
    enabled: bool
    version: int
    created_at: datetime
    updated_at: datetime
    platform: PlatformValues

    @classmethod
    def of(cls, tool: Tool, platform: PlatformEndpoints) -> ToolView:
        return cls(
            id=tool.id,
            name=tool.name,
            client_id=tool.client_id,
            deployment_id=tool.deployment_id,
            jwks_url=tool.jwks_url,
            jwks={"keys": [dict(key) for key in tool.jwks]} if tool.jwks is not None else None,
            oidc_login_url=tool.oidc_login_url,
            redirect_uris=list(tool.redirect_uris),
            target_link_uri=tool.target_link_uri,
            enabled=tool.enabled,
            version=tool.version,
            created_at=tool.created_at,
            updated_at=tool.updated_at,
            platform=PlatformValues.of(tool, platform),
        )


class ToolPage(LazyModel):
    items: list[ToolView]
    next_cursor: str | None = None


class Jwk(LazyModel):
    kty: str
    kid: str
    use: str
    alg: str
    n: str
    e: str


class Jwks(LazyModel):
    """The platform's public keys: the signing key first, then the standby key."""

    keys: list[Jwk]


Id = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_.:-]{1,64}$")]


class LaunchRequest(Body):
    course_id: Id
    lesson_id: Id = Field(description="An `lti` lesson of the course.")


class DeepLinkStart(Body):
    """From the course editor: ask a tool for content to add to a section (LTI Deep Linking)."""

    course_id: Id
    section_id: Id = Field(description="The section the tool's content items become lessons of.")
    tool_id: Id = Field(description="A registered, enabled tool of your institution.")


class LinkedLesson(LazyModel):
    id: str = Field(description="The lesson's id: the LTI resource link id of the content item.")
    title: str
    position: int = Field(description="1-based within the section.")


class DeepLinkResult(LazyModel):
    """What a tool's deep linking response added: the answer the browser gets from the return URL."""

    course_id: str
    section_id: str
    lessons: list[LinkedLesson]


class LaunchStart(LazyModel):
    """Where the browser goes to launch: the tool's OIDC login initiation, with the platform's hint."""

    login_url: str = Field(description="The login initiation URL with `params` in its query: open it.")
    login_initiation_url: str = Field(description="The tool's URL, for a frontend that posts `params`.")
    params: dict[str, str] = Field(
        description="iss, login_hint, lti_message_hint, target_link_uri, client_id, lti_deployment_id."
    )
    expires_in: int = Field(description="Seconds the hint stays valid.")


Param = Annotated[str, StringConstraints(min_length=1, max_length=4096)]


class AuthorizationRequest(LazyModel):
    """The tool's OIDC authentication request, as the browser brings it (query or form)."""

    model_config = ConfigDict(extra="ignore")

    scope: Param
    response_type: Param
    response_mode: Param | None = None
    prompt: Param | None = None
    client_id: Param
    redirect_uri: Param
    login_hint: Param
    lti_message_hint: Param
    nonce: Annotated[str, StringConstraints(min_length=1, max_length=256)]
    state: Param | None = None

    def check_oidc(self) -> None:
        """The values LTI 1.3 fixes (an implicit-flow id_token, posted by form, no prompt)."""
        if "openid" not in self.scope.split():
            raise LtiInvalidRequest("scope must include openid.", field="scope")
        if self.response_type != "id_token":
            raise LtiInvalidRequest("response_type must be id_token.", field="response_type")
        if self.response_mode not in (None, "form_post"):
            raise LtiInvalidRequest("response_mode must be form_post.", field="response_mode")
        if self.prompt not in (None, "none"):
            raise LtiInvalidRequest("prompt must be none: the person is already signed in.", field="prompt")
