"""The JSON of LTI AGS 2.0 (camelCase, as the specification names it): bodies read and documents answered.

Bodies come with the AGS media types, not `application/json`, so the routes read them here: an
invalid one is an LTI refusal naming each field, logged like every refusal of a tool's request.
Extension properties a tool adds are ignored, except the platform's own gradebook category.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, TypeVar

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from lms import clock
from lms.errors import MalformedBody, PayloadTooLarge
from lms.keys import SAFE_PART_PATTERN
from lms.lazy_model import LazyModel
from lms.lti.ags.domain import (
    GRADEBOOK_CATEGORY,
    ActivityProgress,
    GradingProgress,
    LineItem,
    Result,
)
from lms.lti.errors import LtiInvalidLineItem, LtiInvalidScore
from lms.request_body import MAX_BODY_BYTES, read_json

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=255)]
Points = Annotated[Decimal, Field(gt=0, le=Decimal(10**9), allow_inf_nan=False)]
Given = Annotated[Decimal, Field(ge=0, le=Decimal(10**9), allow_inf_nan=False)]
UserId = Annotated[str, StringConstraints(pattern=SAFE_PART_PATTERN)]
Category = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]
Model = TypeVar("Model", bound=BaseModel)


class LineItemBody(LazyModel):
    """A line item as a tool sends it (POST creates, PUT replaces)."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True)

    label: Text
    score_maximum: Points = Field(alias="scoreMaximum")
    resource_link_id: Text | None = Field(default=None, alias="resourceLinkId")
    resource_id: Text | None = Field(default=None, alias="resourceId")
    tag: Text | None = None
    start_date_time: AwareDatetime | None = Field(default=None, alias="startDateTime")
    end_date_time: AwareDatetime | None = Field(default=None, alias="endDateTime")
    gradebook_category: Category | None = Field(default=None, alias=GRADEBOOK_CATEGORY)


class ScoreBody(LazyModel):
    """A score as a tool posts it for one student."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True)

    user_id: UserId = Field(alias="userId")
    score_given: Given | None = Field(default=None, alias="scoreGiven")
    score_maximum: Points | None = Field(default=None, alias="scoreMaximum")
    activity_progress: ActivityProgress = Field(alias="activityProgress")
    grading_progress: GradingProgress = Field(alias="gradingProgress")
    timestamp: AwareDatetime
    comment: Annotated[str, StringConstraints(max_length=4096)] | None = None


def _read(text: str | None, model: type[Model], refusal: type[LtiInvalidLineItem | LtiInvalidScore]) -> Model:
    if len((text or "").encode("utf-8", "surrogatepass")) > MAX_BODY_BYTES:
        raise PayloadTooLarge(f"Bodies are at most {MAX_BODY_BYTES} bytes.", max_bytes=MAX_BODY_BYTES)
    try:
        document = read_json(text or "")
    except (ValueError, MalformedBody) as unreadable:
        raise refusal("The body is not a JSON object.", errors=[_error("body", "not JSON")]) from unreadable
    if not isinstance(document, dict):
        raise refusal("The body is not a JSON object.", errors=[_error("body", "not an object")])
    try:
        return model.model_validate(document)
    except ValidationError as invalid:
        errors = [
            _error(".".join(str(part) for part in error["loc"]) or "body", error["msg"])
            for error in invalid.errors()
        ]
        names = ", ".join(sorted({e["field"] for e in errors}))
        raise refusal(f"Invalid or missing fields: {names}.", errors=errors) from invalid


def _error(field: str, message: str) -> dict[str, str]:
    return {"field": field, "in": "body", "message": message}


def line_item_body(text: str | None) -> LineItemBody:
    return _read(text, LineItemBody, LtiInvalidLineItem)


def score_body(text: str | None) -> ScoreBody:
    body = _read(text, ScoreBody, LtiInvalidScore)
    if body.score_given is not None and body.score_maximum is None:
        raise LtiInvalidScore(
            "A scoreGiven needs its scoreMaximum.",
            errors=[_error("scoreMaximum", "required with scoreGiven")],
        )
    return body


def _number(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


def _time(value: datetime | None) -> str | None:
    return clock.rfc3339(value) if value is not None else None


def line_item_document(item: LineItem, url: str) -> dict[str, Any]:
    """The line item as AGS shows it; `url` is its id (the tool posts scores under it)."""
    document: dict[str, Any] = {
        "id": url,
        "label": item.label,
        "scoreMaximum": _number(item.score_maximum),
        "resourceLinkId": item.resource_link_id,
        "resourceId": item.resource_id,
        "tag": item.tag,
        "startDateTime": _time(item.start_date_time),
        "endDateTime": _time(item.end_date_time),
        GRADEBOOK_CATEGORY: item.gradebook_category,
    }
    return {name: value for name, value in document.items() if value is not None}


def result_document(result: Result, line_item_url: str) -> dict[str, Any]:
    """A student's result: their latest score scaled to the line item's maximum (none once cleared)."""
    document: dict[str, Any] = {
        "id": f"{line_item_url}/results/{result.score.user_id}",
        "scoreOf": line_item_url,
        "userId": result.score.user_id,
        "resultMaximum": _number(result.result_maximum),
    }
    if result.result_score is not None:
        document["resultScore"] = _number(result.result_score)
    if result.score.comment:
        document["comment"] = result.score.comment
    return document
