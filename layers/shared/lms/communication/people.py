"""The people of a course by name: whom its members and staff may write to.

Its instructors and enrolled students, as the catalog lists them (lms.communication.course_access),
named by the identity context (lms.users.queries): three requests per page whatever the class size.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from enum import StrEnum

from pydantic import Field

from lms import authz
from lms.auth import Principal
from lms.communication import course_access, policy
from lms.communication.messages.errors import MessagingCourseNotFound, NotInCourse
from lms.lazy_model import LazyModel


class CourseRole(StrEnum):
    INSTRUCTOR = "instructor"
    STUDENT = "student"


class CoursePersonView(LazyModel):
    user_id: str
    display_name: str | None = Field(description="An erased person's pseudonym; null without a profile.")
    role: CourseRole


class CoursePeoplePage(LazyModel):
    course_id: str
    items: list[CoursePersonView] = Field(
        description="The instructors first (on the first page), then enrolled students by id."
    )
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last page.")


class CoursePeopleService:
    def __init__(self, display_names: Callable[[str, list[str]], Mapping[str, str]]) -> None:
        """`display_names`: the identity context's answer (lms.users.queries), wired by the function."""
        self._display_names = display_names

    def page(self, principal: Principal, course_id: str, limit: int, cursor: str | None) -> CoursePeoplePage:
        authz.authorize(principal, policy.LIST_COURSE_PEOPLE)
        access = course_access.load_for(principal, course_id)
        if access is None:
            raise MessagingCourseNotFound(f"No course {course_id!r}.")
        if not access.is_member(principal):
            raise NotInCourse("Only the course's students and staff see its people.")
        instructors = sorted(access.instructor_ids) if cursor is None else []
        # The first page holds the instructors too, and no page more than `limit` people.
        students, next_cursor = course_access.enrolled_students(
            principal.institution_id, course_id, max(1, limit - len(instructors)), cursor
        )
        names = self._display_names(principal.institution_id, [*instructors, *students])
        items = [
            CoursePersonView(user_id=user_id, display_name=names.get(user_id), role=role)
            for role, group in ((CourseRole.INSTRUCTOR, instructors), (CourseRole.STUDENT, students))
            for user_id in group
        ]
        return CoursePeoplePage(course_id=course_id, items=items, next_cursor=next_cursor)
