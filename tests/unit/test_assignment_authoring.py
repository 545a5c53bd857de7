"""Who may create and change an assignment, and when a change commits, on the in-memory ports.

The assignments port's contract is held by the table's repository too
(tests/integration/test_course_staff_ports.py).
"""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from lms.assessments.assignments.errors import (
    AssignmentAlreadyPublished,
    AssignmentCourseNotFound,
    NotCourseStaff,
)
from lms.assessments.assignments.schemas import AssignmentDraft, AssignmentPatch
from lms.assessments.assignments.service import AssignmentService
from lms.assessments.course_access import CourseAccess
from lms.auth import Principal, Role
from lms.errors import Forbidden, PreconditionFailed
from tests.support.fakes import InMemoryAssignments, InMemoryCourseCatalog

INSTITUTION = "inst-1"
AT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
TEACHER = Principal("u-teacher", INSTITUTION, frozenset({Role.INSTRUCTOR}))
OUTSIDER = Principal("u-outsider", INSTITUTION, frozenset({Role.INSTRUCTOR}))
STUDENT = Principal("u-student", INSTITUTION, frozenset({Role.STUDENT}))


class _NoFiles:
    def presigned_upload(self, key: str, content_type: str, size: int, expires_in_seconds: int) -> Any:
        raise NotImplementedError

    def stored_object(self, key: str) -> Any:
        raise NotImplementedError

    def download_url(self, key: str, file_name: str, expires_in_seconds: int) -> str:
        raise NotImplementedError


@pytest.fixture
def assignments() -> InMemoryAssignments:
    return InMemoryAssignments(courses={"C1": CourseAccess("C1", "published", frozenset({TEACHER.user_id}))})


@pytest.fixture
def service(assignments: InMemoryAssignments) -> AssignmentService:
    numbers = itertools.count(1)
    catalog = InMemoryCourseCatalog(assignments.courses)
    return AssignmentService(
        assignments, catalog, _NoFiles(), now=lambda: AT, new_id=lambda: f"a-{next(numbers)}"
    )


def _draft(course_id: str = "C1") -> AssignmentDraft:
    return AssignmentDraft.model_validate(
        {
            "course_id": course_id,
            "title": "Essay on light",
            "due_at": (AT + timedelta(days=7)).isoformat(),
            "points": "10",
            "submission_types": ["text"],
        }
    )


def test_the_course_s_teacher_creates_and_changes_an_assignment_version_by_version(
    service: AssignmentService, assignments: InMemoryAssignments
) -> None:
    created = service.create_assignment(TEACHER, _draft())
    assert (created.id, created.version) == ("a-1", 1)
    changed = service.update_assignment(TEACHER, "a-1", AssignmentPatch(title="Essay on colour"), 1)
    assert (changed.title, changed.version) == ("Essay on colour", 2)
    assert assignments.assignments["a-1"] == changed


def test_a_change_made_against_an_older_version_is_refused_with_the_current_one(
    service: AssignmentService,
) -> None:
    service.create_assignment(TEACHER, _draft())
    service.update_assignment(TEACHER, "a-1", AssignmentPatch(title="Essay on colour"), 1)
    with pytest.raises(PreconditionFailed) as stale:
        service.update_assignment(TEACHER, "a-1", AssignmentPatch(title="Lost update"), 1)
    assert stale.value.extensions["current_version"] == 2


def test_someone_outside_the_course_neither_creates_nor_learns_the_version(
    service: AssignmentService, assignments: InMemoryAssignments
) -> None:
    with pytest.raises(NotCourseStaff):
        service.create_assignment(OUTSIDER, _draft())
    with pytest.raises(AssignmentCourseNotFound):
        service.create_assignment(TEACHER, _draft("C2"))
    with pytest.raises(Forbidden):
        service.create_assignment(STUDENT, _draft())
    assert assignments.assignments == {}
    created = service.create_assignment(TEACHER, _draft())
    with pytest.raises(NotCourseStaff):
        service.update_assignment(OUTSIDER, created.id, AssignmentPatch(title="Mine now"), 7)


def test_points_are_fixed_once_published(service: AssignmentService) -> None:
    service.create_assignment(TEACHER, _draft())
    published = service.publish_assignment(TEACHER, "a-1")
    with pytest.raises(AssignmentAlreadyPublished):
        service.update_assignment(TEACHER, "a-1", AssignmentPatch(points=Decimal(20)), published.version)
    assert service.update_assignment(
        TEACHER, "a-1", AssignmentPatch(title="Essay on colour"), published.version
    ).points == Decimal(10)
