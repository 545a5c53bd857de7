"""Names and Role Provisioning Services (NRPS 2.0): a course's members as a tool sees them.

A tool reads the roster of a course it was launched from, with an access token granting the
membership scope; the course's instructors (first page) and its enrolled students, with their
LIS roles, paged with a `Link: <...>; rel="next"` header.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Protocol

from lms.lti.course_access import CourseRoster
from lms.lti.domain import PlatformEndpoints
from lms.lti.errors import LtiCourseNotFound
from lms.lti.messages import COURSE_OFFERING, LIS
from lms.lti.tokens import ServiceCaller

INSTRUCTOR_ROLES = [LIS + "membership#Instructor"]
LEARNER_ROLES = [LIS + "membership#Learner"]
MEDIA_TYPE = "application/vnd.ims.lti-nrps.v2.membershipcontainer+json"


class Launches(Protocol):
    def launched_from(self, institution_id: str, tool_id: str, course_id: str) -> bool: ...


@dataclass(frozen=True)
class MembershipPage:
    container: dict[str, Any]
    next_cursor: str | None


class MembershipService:
    def __init__(
        self,
        launches: Launches,
        roster: Callable[[str, str, int, str | None], CourseRoster | None],
        names: Callable[[str, Iterable[str]], dict[str, str]],
    ) -> None:
        self._launches = launches
        self._roster = roster
        self._names = names

    def page(
        self,
        caller: ServiceCaller,
        course_id: str,
        limit: int,
        cursor: str | None,
        platform: PlatformEndpoints,
    ) -> MembershipPage:
        """One page of the course's members; a course the tool was never launched from is not found."""
        if not self._launches.launched_from(caller.institution_id, caller.tool.id, course_id):
            raise LtiCourseNotFound(f"No course {course_id!r} launched this tool.")
        roster = self._roster(caller.institution_id, course_id, limit, cursor)
        if roster is None:
            raise LtiCourseNotFound(f"No course {course_id!r}.")
        people = [*roster.instructor_ids, *roster.student_ids]
        names = self._names(caller.institution_id, people)
        members = [_member(i, INSTRUCTOR_ROLES, names) for i in roster.instructor_ids]
        members += [_member(s, LEARNER_ROLES, names) for s in roster.student_ids]
        container = {
            "id": platform.memberships_url(course_id),
            "context": {"id": course_id, "title": roster.course_title, "type": [COURSE_OFFERING]},
            "members": members,
        }
        return MembershipPage(container=container, next_cursor=roster.next_cursor)


def _member(user_id: str, roles: list[str], names: dict[str, str]) -> dict[str, Any]:
    member: dict[str, Any] = {"status": "Active", "user_id": user_id, "roles": roles}
    if names.get(user_id):
        member["name"] = names[user_id]
    return member
