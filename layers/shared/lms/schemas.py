"""Request-body bases shared by every context's API models."""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from lms.richtext import plain_text, sanitize

HTML_FORMAT = Field(json_schema_extra={"contentMediaType": "text/html"})
"""Declares in the OpenAPI document that a frontend renders the field as HTML."""


def _with_text(text: str) -> str:
    clean = sanitize(text)
    if not plain_text(clean):
        raise ValueError("has no text once unsafe markup is removed")
    return clean


SANITIZED_HTML = AfterValidator(sanitize)
"""Stored text a frontend renders: sanitised on the way in with the rich-text allow-list (lms.richtext)."""
SANITIZED_HTML_WITH_TEXT = AfterValidator(_with_text)
"""As SANITIZED_HTML, for a required text: refused when nothing readable is left once sanitised."""


class Body(BaseModel):
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
