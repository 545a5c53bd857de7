"""The gradebook settings port's contract, held by the table's repository and by the in-memory fake.

Both answer the same to the same calls (defaults before the first save, the version check, who may
save), so the service's rules tested on the fake hold on the table too.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

import pytest

from lms.assessments.course_access import CourseAccess
from lms.assessments.gradebook.domain import DEFAULT_SETTINGS, Category, GradebookSettings, LetterGrade
from lms.assessments.gradebook.repository import (
    DynamoGradebookRepository,
    SettingsVersionChanged,
    StaffCheckFailed,
)
from lms.assessments.gradebook.service import GradebookRepository
from lms.auth import Principal, Role
from lms.events.assessments import GradebookSettingsChanged
from tests.support.courses import create_course
from tests.support.fakes import InMemoryGradebook
from tests.support.tenant import Tenant


@dataclass(frozen=True)
class Setup:
    port: GradebookRepository
    course_id: str
    teacher: Principal
    outsider: Principal  # an instructor of the institution who does not teach the course


def _on_the_table(request: pytest.FixtureRequest) -> Setup:
    tenant = Tenant(request.getfixturevalue("stack"), request.getfixturevalue("gateway"))
    teacher, outsider = tenant.instructor(), tenant.instructor()
    course_id = create_course(teacher)["id"]
    instructor = frozenset({Role.INSTRUCTOR})
    return Setup(
        DynamoGradebookRepository(),
        course_id,
        Principal(teacher.user_id, teacher.institution_id, instructor),
        Principal(outsider.user_id, outsider.institution_id, instructor),
    )


def _in_memory(request: pytest.FixtureRequest) -> Setup:
    teacher = Principal("u-teacher", "inst-1", frozenset({Role.INSTRUCTOR}))
    outsider = Principal("u-outsider", "inst-1", frozenset({Role.INSTRUCTOR}))
    fake = InMemoryGradebook(courses={"C1": CourseAccess("C1", "draft", frozenset({teacher.user_id}))})
    return Setup(fake, "C1", teacher, outsider)


@pytest.fixture(params=[_on_the_table, _in_memory], ids=["table", "in-memory"])
def setup(request: pytest.FixtureRequest) -> Setup:
    build: Callable[[pytest.FixtureRequest], Setup] = request.param
    return build(request)


def _settings(version: int, weight: int = 50) -> GradebookSettings:
    categories = (Category("quizzes", Decimal(weight)), Category("assignments", Decimal(100 - weight)))
    return GradebookSettings(
        categories, (LetterGrade("P", Decimal(50)), LetterGrade("F", Decimal(0))), version
    )


def _event(course_id: str, version: int) -> GradebookSettingsChanged:
    return GradebookSettingsChanged(
        course_id=course_id, version=version + 1, categories=[], weights=[], letters=[]
    )


def test_a_course_never_saved_has_the_defaults_at_version_0(setup: Setup) -> None:
    access, settings = setup.port.settings(setup.teacher.institution_id, setup.course_id)
    assert access is not None
    assert access.teaches(setup.teacher)
    assert not access.teaches(setup.outsider)
    assert settings == DEFAULT_SETTINGS
    assert setup.port.settings(setup.teacher.institution_id, "no-such-course") == (None, DEFAULT_SETTINGS)


def test_a_save_commits_only_at_the_stored_version(setup: Setup) -> None:
    port, course, teacher = setup.port, setup.course_id, setup.teacher
    saved = port.save_settings(teacher, course, _settings(0), _event(course, 0))
    assert saved == _settings(1)
    with pytest.raises(SettingsVersionChanged):
        port.save_settings(teacher, course, _settings(0, weight=30), _event(course, 0))
    assert port.save_settings(teacher, course, _settings(1, weight=30), _event(course, 1)) == _settings(2, 30)
    with pytest.raises(SettingsVersionChanged):
        port.save_settings(teacher, course, _settings(1), _event(course, 1))
    assert port.settings(teacher.institution_id, course)[1] == _settings(2, 30)


def test_only_the_course_s_teachers_save(setup: Setup) -> None:
    with pytest.raises(StaffCheckFailed):
        setup.port.save_settings(setup.outsider, setup.course_id, _settings(0), _event(setup.course_id, 0))
    with pytest.raises(StaffCheckFailed):
        setup.port.save_settings(setup.teacher, "no-such-course", _settings(0), _event("no-such-course", 0))
    assert setup.port.settings(setup.teacher.institution_id, setup.course_id)[1] == DEFAULT_SETTINGS
