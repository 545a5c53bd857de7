"""Events of the LTI context (source `lms.lti`)."""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field

from lms.events.envelope import DomainEvent


class LtiEvent(DomainEvent):
    source: ClassVar[str] = "lms.lti"


class LtiToolRegistered(LtiEvent):
    """An institution admin registered an LTI tool."""

    name: ClassVar[str] = "LtiToolRegistered"

    tool_id: str
    tool_name: str
    client_id: str
    deployment_id: str


class LtiToolChanged(LtiEvent):
    """A tool's registration changed: its URLs, its name, or whether it is enabled."""

    name: ClassVar[str] = "LtiToolChanged"

    tool_id: str
    changed: list[str] = Field(description="The names of the fields that changed.")
    enabled: bool


class LtiLaunched(LtiEvent):
    """A person launched a tool: the platform posted an id_token for a resource link to it."""

    name: ClassVar[str] = "LtiLaunched"

    launch_id: str
    tool_id: str
    user_id: str
    course_id: str
    lesson_id: str = Field(description="The lesson, whose id is the LTI resource link id.")
    message_type: str
    roles: list[str] = Field(description="The person's roles as the tool received them (LIS URIs).")
