"""Every operation that takes If-Match: a failed precondition is 412 whether it fails at the read or at
the commit, and only a caller who may make the change learns the current version.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import pytest

from infra.gateway import ApiResponse
from tests.support.assignments import ASSIGNMENTS, published, submitted
from tests.support.client import Caller
from tests.support.courses import add_lesson, add_section, course_with_lessons, create_course, enroll
from tests.support.gradebook import WEIGHTED_SETTINGS
from tests.support.people import create_institution
from tests.support.quizzes import create_quiz
from tests.support.tenant import Tenant


@dataclass
class Conditional:
    """One conditional change: who may make it, who may not, and the request itself."""

    actor: Caller
    outsider: Caller | None
    method: str
    path: str
    body: dict[str, Any]
    version: int

    def send(self, caller: Caller, version: int) -> ApiResponse:
        headers = {"If-Match": f'"{version}"'}
        return caller.request(self.method, self.path, json_body=self.body, headers=headers)


def _course(tenant: Tenant) -> Conditional:
    instructor = tenant.instructor()
    course = create_course(instructor)
    path = f"/courses/{course['id']}"
    return Conditional(
        instructor, tenant.instructor(), "PATCH", path, {"title": "Renamed"}, course["version"]
    )


def _section(tenant: Tenant) -> Conditional:
    instructor = tenant.instructor()
    course = create_course(instructor)
    section = add_section(instructor, course["id"])
    path = f"/courses/{course['id']}/sections/{section['id']}"
    return Conditional(
        instructor, tenant.instructor(), "PATCH", path, {"title": "Week 2"}, section["version"]
    )


def _lesson(tenant: Tenant) -> Conditional:
    instructor = tenant.instructor()
    course = create_course(instructor)
    lesson = add_lesson(instructor, course["id"], add_section(instructor, course["id"])["id"])
    path = f"/courses/{course['id']}/lessons/{lesson['id']}"
    return Conditional(
        instructor, tenant.instructor(), "PATCH", path, {"title": "Renamed"}, lesson["version"]
    )


def _quiz(tenant: Tenant) -> Conditional:
    instructor = tenant.instructor()
    course_id, _ = course_with_lessons(instructor, 1)
    quiz = create_quiz(instructor, course_id)
    path = f"/assessments/quizzes/{quiz['id']}"
    return Conditional(instructor, tenant.instructor(), "PATCH", path, {"title": "Renamed"}, quiz["version"])


def _assignment(tenant: Tenant) -> Conditional:
    instructor = tenant.instructor()
    course_id, _ = course_with_lessons(instructor, 1)
    assignment = published(instructor, course_id)
    path = f"{ASSIGNMENTS}/{assignment['id']}"
    body = {"title": "Renamed"}
    return Conditional(instructor, tenant.instructor(), "PATCH", path, body, assignment["version"])


def _grade(tenant: Tenant) -> Conditional:
    instructor, student = tenant.instructor(), tenant.student()
    course_id, _ = course_with_lessons(instructor, 1)
    enroll(tenant, course_id, student)
    assignment = published(instructor, course_id)
    submission = submitted(student, assignment["id"])
    path = f"{ASSIGNMENTS}/{assignment['id']}/submissions/{submission['id']}/grade"
    return Conditional(instructor, tenant.instructor(), "PUT", path, {"score": "8"}, submission["revision"])


def settings_path(course_id: str) -> str:
    return f"/assessments/gradebook/courses/{course_id}/settings"


def _gradebook_settings(tenant: Tenant) -> Conditional:
    instructor = tenant.instructor()
    course_id, _ = course_with_lessons(instructor, 1)
    created = instructor.request("PUT", settings_path(course_id), json_body=WEIGHTED_SETTINGS)
    assert created.status == 200, created.body
    path = settings_path(course_id)
    return Conditional(
        instructor, tenant.instructor(), "PUT", path, WEIGHTED_SETTINGS, created.json()["version"]
    )


def _institution(tenant: Tenant) -> Conditional:
    platform = tenant.platform_admin()
    institution = create_institution(platform)
    path = f"/institutions/{institution['id']}"
    return Conditional(platform, tenant.admin(), "PATCH", path, {"name": "Renamed"}, institution["version"])


def _my_profile(tenant: Tenant) -> Conditional:
    student = tenant.invited(tenant.admin())
    version = student.get("/users/me").json()["version"]
    return Conditional(student, None, "PATCH", "/users/me", {"display_name": "Renamed"}, version)


def _role(tenant: Tenant) -> Conditional:
    admin = tenant.admin()
    person = tenant.invited(admin)
    version = admin.get(f"/users/{person.user_id}").json()["version"]
    path = f"/users/{person.user_id}/role"
    return Conditional(admin, tenant.instructor(), "PATCH", path, {"role": "instructor"}, version)


OPERATIONS: dict[str, Callable[[Tenant], Conditional]] = {
    "UpdateCourse": _course,
    "UpdateSection": _section,
    "UpdateLesson": _lesson,
    "UpdateQuiz": _quiz,
    "UpdateAssignment": _assignment,
    "GradeSubmission": _grade,
    "UpdateGradebookSettings": _gradebook_settings,
    "UpdateInstitution": _institution,
    "UpdateMyProfile": _my_profile,
    "ChangeUserRole": _role,
}
CONCURRENT_CHANGES = 8


# A profile of one's own has no outsider: /users/me always names the caller.
@pytest.mark.parametrize("operation", [name for name in OPERATIONS if name != "UpdateMyProfile"])
def test_a_caller_who_may_not_change_it_learns_no_version(tenant: Tenant, operation: str) -> None:
    case = OPERATIONS[operation](tenant)
    assert case.outsider is not None
    before = tenant.items()
    for version in (case.version, case.version + 7):
        response = case.outsider.request(
            case.method, case.path, json_body=case.body, headers={"If-Match": f'"{version}"'}
        )
        assert response.status in (403, 404), response.body
        assert "current_version" not in response.json()
    assert tenant.items() == before


@pytest.mark.parametrize("operation", OPERATIONS)
def test_concurrent_changes_from_one_version_all_lose_with_412_but_one(
    tenant: Tenant, operation: str
) -> None:
    case = OPERATIONS[operation](tenant)
    with ThreadPoolExecutor(CONCURRENT_CHANGES) as pool:
        answers = list(pool.map(lambda _: case.send(case.actor, case.version), range(CONCURRENT_CHANGES)))
    statuses = sorted(a.status for a in answers)
    assert statuses == [200] + [412] * (CONCURRENT_CHANGES - 1), [a.body for a in answers if a.status != 412]
    assert all(a.json()["type"] == "urn:lms:problem:version-mismatch" for a in answers if a.status == 412)
