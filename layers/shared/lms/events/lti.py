"""Events of the LTI context (source `lms.lti`)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
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
    """A person launched a tool: the platform posted an id_token for a resource link (or a deep
    linking request) to it."""

    name: ClassVar[str] = "LtiLaunched"

    launch_id: str
    tool_id: str
    user_id: str
    course_id: str
    lesson_id: str | None = Field(
        description="The lesson, whose id is the LTI resource link id; none for a deep linking request."
    )
    message_type: str
    roles: list[str] = Field(description="The person's roles as the tool received them (LIS URIs).")


class LtiLineItemSaved(LtiEvent):
    """A tool created or changed a line item of a course (the gradebook keeps it as a column)."""

    name: ClassVar[str] = "LtiLineItemSaved"

    line_item_id: str
    tool_id: str
    course_id: str
    label: str
    score_maximum: Decimal
    gradebook_category: str = Field(description="The gradebook category its scores count in.")
    resource_link_id: str | None = Field(default=None, description="The lesson it grades, if any.")
    end_date_time: datetime | None = Field(default=None, description="When the activity is due.")


class LtiLineItemDeleted(LtiEvent):
    """A tool deleted a line item: its column and its scores leave the gradebook."""

    name: ClassVar[str] = "LtiLineItemDeleted"

    line_item_id: str
    tool_id: str
    course_id: str


class LtiScorePosted(LtiEvent):
    """A tool posted a student's score, newer than the one kept (an older one changes nothing).

    `result_score` is `score_given` scaled to the line item's maximum (`result_maximum`); null
    when the tool cleared the score. Only a FullyGraded score `counts`; any other grading progress
    leaves the student without a grade for the line item until a fully graded one comes.
    """

    name: ClassVar[str] = "LtiScorePosted"

    line_item_id: str
    tool_id: str
    course_id: str
    user_id: str
    score_given: Decimal | None
    score_maximum: Decimal | None
    result_score: Decimal | None
    result_maximum: Decimal
    activity_progress: str
    grading_progress: str
    counts: bool
    timestamp: datetime = Field(description="The tool's time of the score: it orders the scores.")


class LtiDeepLinkReturned(LtiEvent):
    """A tool answered a deep link with content items, which become lessons of a section."""

    name: ClassVar[str] = "LtiDeepLinkReturned"

    tool_id: str
    user_id: str = Field(description="Who started the deep link (the lessons' author).")
    course_id: str
    section_id: str
    item_count: int
