"""The OpenAPI document is the contract: every operation, called by every role with generated
requests (schemathesis), answers only what the document declares and never a server error.

Bounded to a few examples per operation, generation only (no shrinking), in process through the
API Gateway emulation. Each operation is called with generated ids and with the ids of one real
course (its section, lesson, quiz, assignment and an enrolled student), so answers that read and
change real resources are checked too. A new operation is checked by being in docs/openapi.json.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from infra.docs import DOCS
from infra.gateway import ApiGateway
from infra.provision import Stack
from tests.support import assignments, quizzes
from tests.support.client import Caller, InProcess
from tests.support.courses import add_lesson, add_section, enroll, published_course
from tests.support.tenant import Tenant
from tests.support.wsgi import GatewayApp

# In this order: the admins' changes (suspending, erasing the student) come after the others' calls.
ROLES = ("students", "instructors", "institution-admins", "platform-admins")
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
pytestmark = pytest.mark.filterwarnings("ignore:No application metrics to publish")

BOUNDED = settings(
    max_examples=1,
    phases=[Phase.generate],
    database=None,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)


class World:
    """One tenant with a real course and a caller of each role."""

    def __init__(self, stack: Stack, gateway: ApiGateway) -> None:
        tenant = Tenant(stack, gateway)
        instructor = tenant.instructor()
        student = tenant.student()
        course = published_course(instructor)
        section = add_section(instructor, course["id"])
        lesson = add_lesson(instructor, course["id"], section["id"])
        enroll(tenant, course["id"], student)
        quiz = quizzes.published_quiz(instructor, course["id"])
        assignment = assignments.published(instructor, course["id"])
        self.callers: dict[str, Caller] = {
            "platform-admins": tenant.platform_admin(),
            "institution-admins": tenant.admin(),
            "instructors": instructor,
            "students": student,
        }
        self.ids = {
            "course_id": course["id"],
            "section_id": section["id"],
            "lesson_id": lesson["id"],
            "quiz_id": quiz["id"],
            "assignment_id": assignment["id"],
            "student_id": student.user_id,
            "user_id": student.user_id,
            "institution_id": tenant.institution_id,
        }
        self.app = GatewayApp(InProcess(gateway))


@pytest.fixture(scope="module")
def world(stack: Stack, gateway: ApiGateway) -> World:
    return World(stack, gateway)


@pytest.fixture(scope="module")
def contract() -> Any:
    document = json.loads((DOCS / "openapi.json").read_text(encoding="utf-8"))
    document["servers"] = [{"url": "/"}]  # the in-process gateway, without a stage in its paths
    return schemathesis.openapi.from_dict(document)


def violations(case: Any, response: Any) -> list[str]:
    """What the response breaks of the contract, in words (empty when nothing)."""
    found = []
    try:
        case.validate_response(response, checks=CHECKS)
    except FailureGroup as group:
        found += [str(failure).splitlines()[0] for failure in group.exceptions]
    if response.status_code == 204 and (response.headers.get("Content-Type") or response.content):
        found.append("204 with a body or a Content-Type")
    return found


def strategies(operation: Any, ids: dict[str, str]) -> list[Any]:
    """Generated ids, the world's ids, and (where there is one to break) an invalid request."""
    known = {p.name: ids[p.name] for p in operation.path_parameters if p.name in ids}
    chosen = [operation.as_strategy()]
    if known:
        chosen.append(operation.as_strategy(path_parameters=known))
    if operation.body or operation.query:
        chosen.append(operation.as_strategy(generation_mode=GenerationMode.NEGATIVE))
    return chosen


def test_every_operation_answers_as_the_document_declares(contract: Any, world: World) -> None:
    failures: list[str] = []
    for role in ROLES:
        auth = {"Authorization": f"Bearer {world.callers[role].token}"}
        for result in contract.get_all_operations():
            operation = result.ok()
            label = f"{role} {operation.label}"
            for strategy in strategies(operation, world.ids):
                BOUNDED(given(case=strategy)(checked(world.app, auth, label, failures)))()
    assert failures == [], "\n".join(failures)


def checked(app: GatewayApp, auth: dict[str, str], label: str, failures: list[str]) -> Callable[[Any], None]:
    """A test of one case: call it, and add what its answer breaks to `failures`."""

    def run(case: Any) -> None:
        response = case.call(app=app, headers=auth)
        failures.extend(
            f"{label}: {v} ({response.status_code} {response.text[:240]!r})"
            for v in violations(case, response)
        )

    return run
