"""Request and response bodies of the enrollment API."""

from __future__ import annotations

from pydantic import AwareDatetime, ConfigDict, Field

from lms.courses.enrollment.domain import Enrollment, EnrollmentStatus
from lms.courses.schemas import Id
from lms.lazy_model import LazyModel


class EnrollmentRequest(LazyModel):
    """Empty (or `{}`) when a student enrolls themself; staff name the student."""

    model_config = ConfigDict(extra="forbid")

    student_id: Id | None = Field(
        default=None,
        description="The student to enroll (instructors of the course and admins); omit to enroll yourself.",
    )


class EnrollmentView(LazyModel):
    course_id: str
    student_id: str
    course_title: str
    status: EnrollmentStatus
    position: int | None = Field(
        description="While waitlisted: the place on the waitlist (1 = next to get a seat); else null."
    )
    enrolled_by: str
    requested_at: AwareDatetime
    enrolled_at: AwareDatetime | None
    via_waitlist: bool
    dropped_at: AwareDatetime | None
    dropped_by: str | None

    @classmethod
    def of(cls, enrollment: Enrollment, position: int | None = None) -> EnrollmentView:
        data = enrollment.model_dump(exclude={"waitlist_ticket"})
        return cls(**data, position=position if enrollment.status == EnrollmentStatus.WAITLISTED else None)


class RosterEntryView(EnrollmentView):
    display_name: str | None = Field(
        description="The student's display name (an erased student's pseudonym); null for an account"
        " without a profile."
    )


class EnrollmentPage(LazyModel):
    items: list[RosterEntryView]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last page.")


class MyEnrollmentView(EnrollmentView):
    progress_percent: int | None = Field(
        description="Whole percent of what completes the course (its lessons and required assessments);"
        " null until the progress context publishes it."
    )


class MyEnrollmentPage(LazyModel):
    items: list[MyEnrollmentView]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last page.")
