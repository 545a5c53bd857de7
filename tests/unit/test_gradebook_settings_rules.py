"""Who may change a course's gradebook settings, and when a change commits, on the in-memory port.

The port's contract is held by the table's repository too (tests/integration/test_course_staff_ports.py).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from lms.assessments.course_access import CourseAccess
from lms.assessments.gradebook.domain import DEFAULT_SETTINGS
from lms.assessments.gradebook.errors import CourseNotFound, GradebookStaffOnly
from lms.assessments.gradebook.schemas import GradebookSettingsBody
from lms.assessments.gradebook.service import GradebookService
from lms.auth import Principal, Role
from lms.errors import Forbidden, PreconditionFailed, PreconditionRequired, ValidationFailed
from lms.events.assessments import GradebookSettingsChanged
from tests.support.fakes import InMemoryGradebook

INSTITUTION = "inst-1"
TEACHER = Principal("u-teacher", INSTITUTION, frozenset({Role.INSTRUCTOR}))
OUTSIDER = Principal("u-outsider", INSTITUTION, frozenset({Role.INSTRUCTOR}))
ADMIN = Principal("u-admin", INSTITUTION, frozenset({Role.INSTITUTION_ADMIN}))
STUDENT = Principal("u-student", INSTITUTION, frozenset({Role.STUDENT}))


def _nobody_named(institution_id: str, user_ids: Any) -> dict[str, str]:
    return {}


class _NoExports:
    def put_csv(self, key: str, body: bytes) -> None:
        raise NotImplementedError

    def download_url(self, key: str, file_name: str, expires_in_seconds: int) -> str:
        raise NotImplementedError


@pytest.fixture
def gradebook() -> InMemoryGradebook:
    return InMemoryGradebook(courses={"C1": CourseAccess("C1", "published", frozenset({TEACHER.user_id}))})


@pytest.fixture
def service(gradebook: InMemoryGradebook) -> GradebookService:
    return GradebookService(gradebook, gradebook, _nobody_named, _NoExports())


def _body(quizzes: int = 30, **extra: Any) -> GradebookSettingsBody:
    return GradebookSettingsBody.model_validate(
        {
            "categories": [
                {"name": "quizzes", "weight": quizzes},
                {"name": "assignments", "weight": 100 - quizzes, "drop_lowest": 1},
            ],
            "letters": [{"letter": "P", "min_percent": 50}, {"letter": "F", "min_percent": 0}],
            **extra,
        }
    )


def test_the_defaults_until_the_first_change_then_each_change_a_version(
    service: GradebookService, gradebook: InMemoryGradebook
) -> None:
    assert service.settings(TEACHER, "C1").version == 0
    first = service.change_settings(TEACHER, "C1", _body(), None)
    assert (first.version, first.categories[0].weight) == (1, Decimal(30))
    second = service.change_settings(ADMIN, "C1", _body(quizzes=60), 1)
    assert second.version == 2
    assert service.settings(TEACHER, "C1") == second
    changes = [e for e in gradebook.events if isinstance(e, GradebookSettingsChanged)]
    assert [(e.version, e.weights) for e in changes] == [
        (1, [Decimal(30), Decimal(70)]),
        (2, [Decimal(60), Decimal(40)]),
    ]


def test_once_saved_a_change_needs_the_version_it_was_made_against(service: GradebookService) -> None:
    service.change_settings(TEACHER, "C1", _body(), None)
    with pytest.raises(PreconditionRequired):
        service.change_settings(TEACHER, "C1", _body(quizzes=60), None)
    service.change_settings(TEACHER, "C1", _body(quizzes=60), 1)
    with pytest.raises(PreconditionFailed) as stale:
        service.change_settings(TEACHER, "C1", _body(quizzes=10), 1)
    assert stale.value.extensions["current_version"] == 2
    assert service.settings(TEACHER, "C1").categories[0].weight == Decimal(60)


def test_only_the_course_s_staff_change_or_read_its_settings(
    service: GradebookService, gradebook: InMemoryGradebook
) -> None:
    with pytest.raises(GradebookStaffOnly):
        service.change_settings(OUTSIDER, "C1", _body(), None)
    with pytest.raises(GradebookStaffOnly):
        service.settings(OUTSIDER, "C1")
    with pytest.raises(Forbidden):
        service.change_settings(STUDENT, "C1", _body(), None)
    with pytest.raises(CourseNotFound):
        service.change_settings(TEACHER, "C2", _body(), None)
    assert gradebook.stored == {}


def test_a_stale_change_by_someone_outside_the_course_does_not_learn_the_version(
    service: GradebookService,
) -> None:
    service.change_settings(TEACHER, "C1", _body(), None)
    with pytest.raises(GradebookStaffOnly):
        service.change_settings(OUTSIDER, "C1", _body(), 7)


def test_weights_that_do_not_sum_to_100_change_nothing(
    service: GradebookService, gradebook: InMemoryGradebook
) -> None:
    body = GradebookSettingsBody.model_validate(
        {
            "categories": [{"name": "quizzes", "weight": 30}, {"name": "Quizzes", "weight": 30}],
            "letters": [{"letter": "P", "min_percent": 50}, {"letter": "F", "min_percent": 0}],
        }
    )
    with pytest.raises(ValidationFailed) as refused:
        service.change_settings(TEACHER, "C1", body, None)
    fields = {error["field"] for error in refused.value.extensions["errors"]}
    assert fields == {"categories", "categories.1.name"}
    assert gradebook.stored == {}
    assert gradebook.events == []
    assert service.settings(TEACHER, "C1").categories[0].weight == DEFAULT_SETTINGS.categories[0].weight
