"""Request-body bases shared by every context's API models."""

from __future__ import annotations

from typing import Any, ClassVar, Final

from pydantic import (
    AfterValidator,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from lms.lazy_model import LazyModel
from lms.richtext import plain_text, sanitize

HTML_FORMAT = Field(json_schema_extra={"contentMediaType": "text/html"})
"""Declares in the OpenAPI document that a frontend renders the field as HTML."""

SANITIZED: Final = {"sanitized": True}
"""`model_validate(..., context=SANITIZED)` of what already passed the sanitiser: a document read back
from the table, or a model's own dump. The sanitiser's output is its own fixed point, so running it
again changes nothing and cost most of a quiz list's time (every prompt and option of every quiz)."""


def _already_sanitized(info: ValidationInfo) -> bool:
    return isinstance(info.context, dict) and info.context.get("sanitized") is True


def _sanitized(text: str, info: ValidationInfo) -> str:
    return text if _already_sanitized(info) else sanitize(text)


def _with_text(text: str, info: ValidationInfo) -> str:
    if _already_sanitized(info):
        return text
    clean = sanitize(text)
    if not plain_text(clean):
        raise ValueError("has no text once unsafe markup is removed")
    return clean


SANITIZED_HTML = AfterValidator(_sanitized)
"""Stored text a frontend renders: sanitised on the way in with the rich-text allow-list (lms.richtext)."""
SANITIZED_HTML_WITH_TEXT = AfterValidator(_with_text)
"""As SANITIZED_HTML, for a required text: refused when nothing readable is left once sanitised."""


class Body(LazyModel):
    """A request body: unknown fields are refused (422 naming them), never ignored."""

    model_config = ConfigDict(extra="forbid")


class Patch(Body):
    """A partial update: only the fields sent change; `null` is refused where a value is required."""

    nullable: ClassVar[frozenset[str]] = frozenset()

    @field_validator("*", mode="before")
    @classmethod
    def _no_null_for_required(cls, value: Any, info: ValidationInfo) -> Any:
        if value is None and info.field_name not in cls.nullable:
            raise ValueError("cannot be null")
        return value

    @model_validator(mode="after")
    def _something_to_change(self) -> Patch:
        if not self.model_fields_set:
            raise ValueError("send at least one field to change")
        return self

    def changes(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in sorted(self.model_fields_set)}
