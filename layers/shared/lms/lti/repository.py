"""LTI items in the single table (access patterns: docs/data-model.md, "LTI").

An institution's tool registrations share one partition (`keys.lti_tools_pk`): a tool is one
GetItem, the list one Query.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from pynamodb.attributes import (
    BooleanAttribute,
    JSONAttribute,
    ListAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
)
from pynamodb.exceptions import PutError

from lms import keys
from lms.auth import Principal
from lms.events import DomainEvent
from lms.idempotency import IdempotentRequest, StoredResponse
from lms.lti.domain import Tool
from lms.lti.errors import LtiInvalidClient, LtiReplayed, LtiToolChangedMeanwhile, LtiToolDisabled
from lms.pagination import decode_cursor, encode_cursor
from lms.persistence.idempotency import remember_answer
from lms.persistence.outbox import outbox_item
from lms.persistence.table import Item, VersionedItem
from lms.persistence.transactions import Transaction

TOOL_ENTITY = "lti-tool"
USED_ENTITY = "lti-used"
LAUNCH_ENTITY = "lti-launch"
TOOL_COURSE_ENTITY = "lti-tool-course"
USED_RETENTION = timedelta(hours=1)
"""How long a used nonce or hint is kept after the message it came with expired (TTL)."""


class ToolItem(VersionedItem):
    tool_id = UnicodeAttribute()
    name = UnicodeAttribute()
    client_id = UnicodeAttribute()
    deployment_id = UnicodeAttribute()
    jwks_url = UnicodeAttribute(null=True)
    jwks = JSONAttribute(null=True)  # the public keys given at registration, instead of a URL
    oidc_login_url = UnicodeAttribute()
    redirect_uris = ListAttribute(of=UnicodeAttribute)
    target_link_uri = UnicodeAttribute()
    enabled = BooleanAttribute()
    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute()


class UsedItem(Item):
    """A nonce or launch hint that was used; gone (TTL) once nothing signed with it is valid."""

    expires_at = NumberAttribute()


class ToolCourseItem(Item):
    """A course a tool was launched from (no attribute: its key says it all)."""


class LaunchItem(Item):
    """One launch of a tool by a person (their privacy export lists it)."""

    launch_id = UnicodeAttribute()
    user_id = UnicodeAttribute()
    tool_id = UnicodeAttribute()
    course_id = UnicodeAttribute()
    lesson_id = UnicodeAttribute(null=True)  # none for a deep link
    message_type = UnicodeAttribute()
    roles = ListAttribute(of=UnicodeAttribute)
    launched_at = UTCDateTimeAttribute()


@dataclass(frozen=True)
class Launch:
    """A launch about to be answered: what it uses up and what it records."""

    id: str
    institution_id: str
    user_id: str
    tool_id: str
    course_id: str
    lesson_id: str | None
    message_type: str
    roles: tuple[str, ...]
    launched_at: datetime
    nonce_digest: str
    hint_id: str
    expires_at: datetime


@dataclass(frozen=True)
class DeepLinkUse:
    """What a deep linking response uses up: its nonce and the deep link's `data`, until both expire."""

    institution_id: str
    tool_id: str
    nonce_digest: str
    data_id: str
    expires_at: datetime


@dataclass(frozen=True)
class Idempotent:
    """An Idempotency-Key request and the answer to store with the change it makes."""

    request: IdempotentRequest
    response: StoredResponse


def _item(tool: Tool) -> ToolItem:
    return ToolItem(
        keys.lti_tools_pk(tool.institution_id),
        keys.lti_tool_sk(tool.id),
        entity=TOOL_ENTITY,
        version=tool.version,
        tool_id=tool.id,
        name=tool.name,
        client_id=tool.client_id,
        deployment_id=tool.deployment_id,
        jwks_url=tool.jwks_url,
        jwks=list(tool.jwks) if tool.jwks is not None else None,
        oidc_login_url=tool.oidc_login_url,
        redirect_uris=list(tool.redirect_uris),
        target_link_uri=tool.target_link_uri,
        enabled=tool.enabled,
        created_at=tool.created_at,
        updated_at=tool.updated_at,
    )


def _tool(item: ToolItem, institution_id: str) -> Tool:
    return Tool(
        id=item.tool_id,
        institution_id=institution_id,
        name=item.name,
        client_id=item.client_id,
        deployment_id=item.deployment_id,
        jwks_url=item.jwks_url,
        jwks=tuple(dict(key) for key in item.jwks) if item.jwks is not None else None,
        oidc_login_url=item.oidc_login_url,
        redirect_uris=tuple(str(uri) for uri in item.redirect_uris),
        target_link_uri=item.target_link_uri,
        enabled=item.enabled,
        version=int(item.version),
        created_at=item.created_at,
        updated_at=item.updated_at,
    )


class DynamoToolRepository:
    def get(self, institution_id: str, tool_id: str) -> Tool | None:
        try:
            item = ToolItem.get(keys.lti_tools_pk(institution_id), keys.lti_tool_sk(tool_id))
        except ToolItem.DoesNotExist:
            return None
        return _tool(item, institution_id)

    def page(self, institution_id: str, limit: int, cursor: str | None) -> tuple[list[Tool], str | None]:
        """One Query of the institution's tools partition, in id (registration) order."""
        partition = keys.lti_tools_pk(institution_id)
        results = ToolItem.query(
            partition,
            ToolItem.SK.startswith(keys.LTI_TOOL_PREFIX),
            last_evaluated_key=decode_cursor(cursor, partition_attr="PK", partition=partition),
            limit=limit,
            page_size=limit,
        )
        page = next(results.page_iter)
        found = [_tool(ToolItem.from_raw_data(raw), institution_id) for raw in page.get("Items", [])]
        return found, encode_cursor(page.get("LastEvaluatedKey"))

    def create(
        self, tool: Tool, actor: Principal, events: Iterable[DomainEvent], idempotent: Idempotent | None
    ) -> None:
        """One transaction: the registration, its event and (with Idempotency-Key) the answer."""
        tx = Transaction()
        tx.put(_item(tool), ToolItem.PK.does_not_exist())
        for event in events:
            tx.put(outbox_item(event, tool.institution_id, actor))
        if idempotent is not None:
            remember_answer(
                tx,
                tool.institution_id,
                actor.user_id,
                idempotent.request,
                idempotent.response,
            )
        tx.commit()

    def save(self, before: Tool, after: Tool, actor: Principal, events: Iterable[DomainEvent]) -> None:
        """One transaction conditioned on the version read."""
        tx = Transaction()
        tx.put(
            _item(after),
            ToolItem.version == before.version,
            LtiToolChangedMeanwhile("The tool's registration changed meanwhile; read it again."),
        )
        for event in events:
            tx.put(outbox_item(event, after.institution_id, actor))
        tx.commit()

    def record_launch(self, launch: Launch, actor: Principal, events: Iterable[DomainEvent]) -> None:
        """One transaction: the tool still enabled, the nonce and the hint used up, the launch, its event."""
        tx = Transaction()
        inst = launch.institution_id
        tx.check(
            ToolItem,
            keys.lti_tools_pk(inst),
            keys.lti_tool_sk(launch.tool_id),
            ToolItem.enabled == True,  # noqa: E712 - a condition expression, not a comparison
            LtiToolDisabled("The tool was disabled meanwhile."),
        )
        expires_at = int((launch.expires_at + USED_RETENTION).timestamp())
        used = (
            (keys.lti_nonce_pk(inst, launch.tool_id, launch.nonce_digest), "This nonce was already used."),
            (keys.lti_hint_pk(inst, launch.hint_id), "This launch hint was already used."),
        )
        for pk, refusal in used:
            item = UsedItem(pk, keys.LTI_USED_SK, entity=USED_ENTITY, expires_at=expires_at)
            tx.put(item, UsedItem.PK.does_not_exist(), LtiReplayed(refusal))
        tx.put(_launch_item(launch))
        # The course the tool was launched from: the one whose roster its services may read.
        marker = keys.lti_tool_course_pk(inst, launch.tool_id, launch.course_id)
        tx.put(ToolCourseItem(marker, keys.LTI_LAUNCHED_SK, entity=TOOL_COURSE_ENTITY))
        for event in events:
            tx.put(outbox_item(event, inst, actor))
        tx.commit()

    def use_deep_link(self, use: DeepLinkUse, actor: Principal, events: Iterable[DomainEvent]) -> None:
        """One transaction: the tool still enabled, the response's nonce and the deep link's data used up."""
        tx = Transaction()
        inst = use.institution_id
        tx.check(
            ToolItem,
            keys.lti_tools_pk(inst),
            keys.lti_tool_sk(use.tool_id),
            ToolItem.enabled == True,  # noqa: E712 - a condition expression, not a comparison
            LtiToolDisabled("The tool was disabled meanwhile."),
        )
        expires_at = int((use.expires_at + USED_RETENTION).timestamp())
        used = (
            (keys.lti_nonce_pk(inst, use.tool_id, use.nonce_digest), "This nonce was already used."),
            (keys.lti_hint_pk(inst, use.data_id), "This deep link was already answered."),
        )
        for pk, refusal in used:
            item = UsedItem(pk, keys.LTI_USED_SK, entity=USED_ENTITY, expires_at=expires_at)
            tx.put(item, UsedItem.PK.does_not_exist(), LtiReplayed(refusal))
        for event in events:
            tx.put(outbox_item(event, inst, actor))
        tx.commit()

    def use_assertion(self, institution_id: str, tool_id: str, jti_digest: str, expires_at: datetime) -> None:
        """A client assertion is accepted once: its use is kept until it expires (TTL)."""
        item = UsedItem(
            keys.lti_assertion_pk(institution_id, tool_id, jti_digest),
            keys.LTI_USED_SK,
            entity=USED_ENTITY,
            expires_at=int((expires_at + USED_RETENTION).timestamp()),
        )
        try:
            item.save(UsedItem.PK.does_not_exist())
        except PutError as refused:
            if refused.cause_response_code == "ConditionalCheckFailedException":
                raise LtiInvalidClient("This client assertion was already used (its jti).") from refused
            raise

    def launched_from(self, institution_id: str, tool_id: str, course_id: str) -> bool:
        """Whether the tool was ever launched from the course."""
        try:
            ToolCourseItem.get(
                keys.lti_tool_course_pk(institution_id, tool_id, course_id), keys.LTI_LAUNCHED_SK
            )
        except ToolCourseItem.DoesNotExist:
            return False
        return True


def _launch_item(launch: Launch) -> LaunchItem:
    return LaunchItem(
        keys.lti_launches_pk(launch.institution_id, launch.user_id),
        keys.lti_launch_sk(launch.id),
        entity=LAUNCH_ENTITY,
        launch_id=launch.id,
        user_id=launch.user_id,
        tool_id=launch.tool_id,
        course_id=launch.course_id,
        lesson_id=launch.lesson_id,
        message_type=launch.message_type,
        roles=list(launch.roles),
        launched_at=launch.launched_at,
    )
