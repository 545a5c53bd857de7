"""Request and response bodies of entitlements."""

from __future__ import annotations

from pydantic import AwareDatetime, Field

from lms.courses.schemas import Id
from lms.lazy_model import LazyModel
from lms.schemas import Body


class EntitlementGrant(Body):
    student_id: Id = Field(description="The student who may then enroll themself once.")


class EntitlementView(LazyModel):
    course_id: str
    student_id: str
    status: str = Field(description="`granted` until the student enrolls, then `consumed`.")
    granted_at: AwareDatetime
