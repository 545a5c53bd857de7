"""LTI use cases: registering and changing tools; the platform's keys."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Protocol

from lms import authz, clock, ids
from lms.auth import Principal
from lms.events import DomainEvent
from lms.events.lti import LtiToolChanged, LtiToolRegistered
from lms.idempotency import IdempotentRequest, StoredResponse
from lms.lti import policy
from lms.lti.domain import PlatformEndpoints, Tool, client_id_of
from lms.lti.errors import LtiToolChangedMeanwhile, LtiToolNotFound
from lms.lti.repository import Idempotent
from lms.lti.schemas import ToolPatch, ToolRegistration, ToolView


class ToolRepository(Protocol):
    def get(self, institution_id: str, tool_id: str) -> Tool | None: ...
    def page(self, institution_id: str, limit: int, cursor: str | None) -> tuple[list[Tool], str | None]: ...
    def create(
        self, tool: Tool, actor: Principal, events: list[DomainEvent], idempotent: Idempotent | None
    ) -> None: ...
    def save(self, before: Tool, after: Tool, actor: Principal, events: list[DomainEvent]) -> None: ...


class ToolService:
    def __init__(
        self,
        repository: ToolRepository,
        now: Callable[[], datetime] = clock.now,
        new_id: Callable[[], str] = ids.new_id,
    ) -> None:
        self._repo = repository
        self._now = now
        self._new_id = new_id

    def register(
        self,
        principal: Principal,
        registration: ToolRegistration,
        platform: PlatformEndpoints,
        request: IdempotentRequest | None,
    ) -> ToolView:
        """Register a tool; its client id and deployment id are generated here and never change."""
        authz.authorize(principal, policy.REGISTER_LTI_TOOL)
        now = self._now()
        tool_id = self._new_id()
        tool = Tool(
            id=tool_id,
            institution_id=principal.institution_id,
            name=registration.name,
            client_id=client_id_of(principal.institution_id, tool_id),
            deployment_id=self._new_id(),
            jwks_url=registration.jwks_url,
            jwks=registration.registered_keys(),
            oidc_login_url=registration.oidc_login_url,
            redirect_uris=tuple(registration.redirect_uris),
            target_link_uri=registration.target_link_uri,
            enabled=True,
            version=1,
            created_at=now,
            updated_at=now,
        )
        view = ToolView.of(tool, platform)
        idempotent = None
        if request is not None:
            answer = StoredResponse(fingerprint=request.fingerprint, status=201, body=view.model_dump_json())
            idempotent = Idempotent(request=request, response=answer)
        event = LtiToolRegistered(
            tool_id=tool.id, tool_name=tool.name, client_id=tool.client_id, deployment_id=tool.deployment_id
        )
        self._repo.create(tool, principal, [event], idempotent)
        return view

    def get(self, principal: Principal, tool_id: str) -> Tool:
        authz.authorize(principal, policy.GET_LTI_TOOL)
        return self._tool(principal, tool_id)

    def page(self, principal: Principal, limit: int, cursor: str | None) -> tuple[list[Tool], str | None]:
        authz.authorize(principal, policy.LIST_LTI_TOOLS)
        return self._repo.page(principal.institution_id, limit, cursor)

    def update(self, principal: Principal, tool_id: str, patch: ToolPatch, expected_version: int) -> Tool:
        """Change a registration at the version read; disabling stops its launches and services."""
        authz.authorize(principal, policy.UPDATE_LTI_TOOL)
        before = self._tool(principal, tool_id)
        if before.version != expected_version:
            raise LtiToolChangedMeanwhile(f"The tool is at version {before.version}; read it again.")
        changes = patch.changes()
        for given in ("jwks", "public_key_pem"):
            changes.pop(given, None)
        changes.update(patch.key_changes())
        if "redirect_uris" in changes:
            changes["redirect_uris"] = tuple(changes["redirect_uris"])
        changed = sorted(name for name, value in changes.items() if getattr(before, name) != value)
        if not changed:
            return before
        after = before.changed(self._now(), **changes)
        event = LtiToolChanged(tool_id=after.id, changed=changed, enabled=after.enabled)
        self._repo.save(before, after, principal, [event])
        return after

    def _tool(self, principal: Principal, tool_id: str) -> Tool:
        tool = self._repo.get(principal.institution_id, tool_id)
        if tool is None:
            raise LtiToolNotFound(f"No LTI tool {tool_id!r}.")
        return tool
