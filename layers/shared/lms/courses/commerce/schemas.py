"""The store's order message and the answer it gets."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Self

from pydantic import AwareDatetime, Field, StringConstraints, model_validator

from lms.courses.schemas import Id
from lms.lazy_model import LazyModel
from lms.schemas import Body

Email = Annotated[
    str,
    StringConstraints(strip_whitespace=True, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", max_length=254),
]


class OrderStatus(StrEnum):
    PAID = "paid"
    REFUNDED = "refunded"
    CANCELLED = "cancelled"


class OrderMessage(Body):
    """What the store says about one order: paid (grant access) or refunded/cancelled (revoke it)."""

    order_id: Id = Field(description="The store's id of the order: it names one order, forever.")
    status: OrderStatus
    course_id: Id
    user_id: Id | None = Field(default=None, description="The student's id; or give `email`.")
    email: Email | None = Field(
        default=None, description="The student's e-mail address in the institution; or give `user_id`."
    )

    @model_validator(mode="after")
    def _one_student(self) -> Self:
        if (self.user_id is None) == (self.email is None):
            raise ValueError("name the student by exactly one of user_id and email")
        return self

    @property
    def revokes(self) -> bool:
        return self.status != OrderStatus.PAID


class OrderView(LazyModel):
    order_id: str
    course_id: str
    student_id: str
    status: str = Field(description="`granted` once paid, `revoked` once refunded or cancelled.")
    received_at: AwareDatetime = Field(description="When this message was first received.")
