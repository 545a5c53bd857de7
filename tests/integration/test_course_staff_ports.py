"""The contracts of the ports a course's staff change through (gradebook settings, assignments, quizzes),
held by the table's repositories and by the in-memory fakes.

Both answer the same to the same calls (defaults before the first save, the version check, a
repeated create, who may save), so the services' rules tested on the fakes hold on the table too.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from lms.assessments.assignments.domain import Assignment, SubmissionType
from lms.assessments.assignments.errors import NotCourseStaff
from lms.assessments.assignments.repository import DynamoAssignmentRepository
from lms.assessments.assignments.service import AssignmentRepository
from lms.assessments.course_access import CourseAccess
from lms.assessments.gradebook.domain import DEFAULT_SETTINGS, Category, GradebookSettings, LetterGrade
from lms.assessments.gradebook.repository import (
    DynamoGradebookRepository,
    SettingsVersionChanged,
    StaffCheckFailed,
)
from lms.assessments.gradebook.service import GradebookRepository
from lms.assessments.quizzes.domain import Quiz, QuizKeys
from lms.assessments.quizzes.errors import QuizChangedMeanwhile
from lms.assessments.quizzes.repository import DynamoQuizRepository
from lms.assessments.quizzes.service import QuizRepository
from lms.auth import Principal, Role
from lms.errors import Conflict, PreconditionFailed
from lms.events.assessments import GradebookSettingsChanged
from tests.support.courses import create_course
from tests.support.fakes import InMemoryAssignments, InMemoryGradebook, InMemoryQuizzes
from tests.support.tenant import Tenant


@dataclass(frozen=True)
class Setup:
    port: GradebookRepository
    assignments: AssignmentRepository
    quizzes: QuizRepository
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
        DynamoAssignmentRepository(),
        DynamoQuizRepository(),
        course_id,
        Principal(teacher.user_id, teacher.institution_id, instructor),
        Principal(outsider.user_id, outsider.institution_id, instructor),
    )


def _in_memory(request: pytest.FixtureRequest) -> Setup:
    teacher = Principal("u-teacher", "inst-1", frozenset({Role.INSTRUCTOR}))
    outsider = Principal("u-outsider", "inst-1", frozenset({Role.INSTRUCTOR}))
    courses = {"C1": CourseAccess("C1", "draft", frozenset({teacher.user_id}))}
    return Setup(
        InMemoryGradebook(courses=courses),
        InMemoryAssignments(courses=courses),
        InMemoryQuizzes(courses=courses),
        "C1",
        teacher,
        outsider,
    )


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


def test_gradebook_settings_never_saved_are_the_defaults_at_version_0(setup: Setup) -> None:
    access, settings = setup.port.settings(setup.teacher.institution_id, setup.course_id)
    assert access is not None
    assert access.teaches(setup.teacher)
    assert not access.teaches(setup.outsider)
    assert settings == DEFAULT_SETTINGS
    assert setup.port.settings(setup.teacher.institution_id, "no-such-course") == (None, DEFAULT_SETTINGS)


def test_gradebook_settings_are_saved_only_at_the_stored_version(setup: Setup) -> None:
    port, course, teacher = setup.port, setup.course_id, setup.teacher
    saved = port.save_settings(teacher, course, _settings(0), _event(course, 0))
    assert saved == _settings(1)
    with pytest.raises(SettingsVersionChanged):
        port.save_settings(teacher, course, _settings(0, weight=30), _event(course, 0))
    assert port.save_settings(teacher, course, _settings(1, weight=30), _event(course, 1)) == _settings(2, 30)
    with pytest.raises(SettingsVersionChanged):
        port.save_settings(teacher, course, _settings(1), _event(course, 1))
    assert port.settings(teacher.institution_id, course)[1] == _settings(2, 30)


def test_only_the_course_s_teachers_save_its_gradebook_settings(setup: Setup) -> None:
    with pytest.raises(StaffCheckFailed):
        setup.port.save_settings(setup.outsider, setup.course_id, _settings(0), _event(setup.course_id, 0))
    with pytest.raises(StaffCheckFailed):
        setup.port.save_settings(setup.teacher, "no-such-course", _settings(0), _event("no-such-course", 0))
    assert setup.port.settings(setup.teacher.institution_id, setup.course_id)[1] == DEFAULT_SETTINGS


def _assignment(setup: Setup, version: int = 1, title: str = "Problem set 1") -> Assignment:
    at = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    return Assignment(
        id="a-1",
        course_id=setup.course_id,
        title=title,
        instructions="Solve the systems.",
        due_at=datetime(2026, 3, 9, 9, 0, tzinfo=UTC),
        points=Decimal(10),
        submission_types=[SubmissionType.TEXT],
        version=version,
        created_by=setup.teacher.user_id,
        created_at=at,
        updated_at=at,
    )


def test_an_assignment_is_created_once_and_changed_only_at_the_version_read(setup: Setup) -> None:
    port, inst, teacher = setup.assignments, setup.teacher.institution_id, setup.teacher
    assert port.get_assignment(inst, "a-1") is None
    port.save_assignment(inst, _assignment(setup), None, teacher, [])
    with pytest.raises(Conflict):
        port.save_assignment(inst, _assignment(setup, title="Again"), None, teacher, [])
    port.save_assignment(inst, _assignment(setup, 2, "Problem set 1 (fixed)"), 1, teacher, [])
    with pytest.raises(PreconditionFailed):
        port.save_assignment(inst, _assignment(setup, 2, "Lost update"), 1, teacher, [])
    assert port.get_assignment(inst, "a-1") == _assignment(setup, 2, "Problem set 1 (fixed)")
    assert port.load(inst, "a-1").assignment == _assignment(setup, 2, "Problem set 1 (fixed)")


def test_only_the_course_s_teachers_save_its_assignments(setup: Setup) -> None:
    inst = setup.teacher.institution_id
    with pytest.raises(NotCourseStaff):
        setup.assignments.save_assignment(inst, _assignment(setup), None, setup.outsider, [])
    assert setup.assignments.get_assignment(inst, "a-1") is None


class _NotTeaching(Exception):
    pass


def _quiz(setup: Setup, version: int = 1, title: str = "Week 1 check") -> Quiz:
    at = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    return Quiz(
        id="q-1",
        institution_id=setup.teacher.institution_id,
        course_id=setup.course_id,
        title=title,
        version=version,
        created_at=at,
        updated_at=at,
    )


def test_a_quiz_is_created_once_and_changed_only_at_the_versions_read(setup: Setup) -> None:
    port, inst = setup.quizzes, setup.teacher.institution_id

    def save(quiz: Quiz, keys: QuizKeys, expected: tuple[int, int] | None) -> None:
        port.save_quiz(setup.teacher, quiz, keys, expected=expected, events=[], refusal=_NotTeaching())

    assert port.read(inst, "q-1").quiz is None
    save(_quiz(setup), QuizKeys(), None)
    with pytest.raises(QuizChangedMeanwhile):
        save(_quiz(setup, title="Again"), QuizKeys(), None)
    changed = _quiz(setup, 2, "Week 1 check (fixed)")
    save(changed, QuizKeys(version=2), (1, 1))
    with pytest.raises(QuizChangedMeanwhile):
        save(_quiz(setup, 2, "Lost"), QuizKeys(), (1, 1))
    with pytest.raises(QuizChangedMeanwhile):
        save(_quiz(setup, 3), QuizKeys(version=2), (2, 1))
    loaded = port.read(inst, "q-1", with_keys=True)
    assert (loaded.quiz, loaded.quiz_version, loaded.keys) == (changed, 2, QuizKeys(version=2))


def test_only_the_course_s_teachers_save_its_quizzes(setup: Setup) -> None:
    with pytest.raises(_NotTeaching):
        setup.quizzes.save_quiz(
            setup.outsider, _quiz(setup), QuizKeys(), expected=None, events=[], refusal=_NotTeaching()
        )
    assert setup.quizzes.read(setup.teacher.institution_id, "q-1").quiz is None
