"""The event archive's privacy: a person's e-mail, name and words never reach it, and once they are
erased the ids it holds name nobody (docs/architecture.md, "The event history is an archive of ids")."""

from __future__ import annotations

import pytest

from infra.gateway import ApiGateway
from infra.provision import Stack
from tests.support.archive import archived_objects
from tests.support.courses import course_with_lessons, enroll
from tests.support.events import drained
from tests.support.tenant import Tenant


@pytest.fixture(scope="module")
def erased(stack: Stack, gateway: ApiGateway) -> tuple[Tenant, str, list[str]]:
    """A student who enrolled, completed a lesson, wrote to their instructor naming themself, and
    was erased; their id, and what named them (e-mail, full name, the words they wrote)."""
    tenant = Tenant(stack, gateway)
    admin = tenant.admin()
    instructor = tenant.instructor()
    course_id, lessons = course_with_lessons(instructor, 1)
    student = tenant.invited(admin)
    profile = student.get("/users/me").json()
    enroll(tenant, course_id, student)
    assert student.request("PUT", f"/progress/courses/{course_id}/lessons/{lessons[0]}").status in (200, 201)
    words = f"Hello, it is {profile['given_name']} {profile['family_name']} writing from {profile['email']}"
    sent = {"recipient_ids": [instructor.user_id], "course_id": course_id, "body": f"<p>{words}</p>"}
    assert student.post("/communication/conversations", sent).status == 201
    drained(stack)
    assert admin.delete(f"/users/{student.user_id}").status == 202
    drained(stack)
    full_name = f"{profile['given_name']} {profile['family_name']}"
    return tenant, student.user_id, [profile["email"], full_name, words]


def test_no_archived_record_holds_an_erased_persons_email_name_or_words(
    stack: Stack, erased: tuple[Tenant, str, list[str]]
) -> None:
    tenant, user_id, naming = erased
    partition = f"events/institution={tenant.institution_id}/"
    archive = archived_objects(stack, partition)
    records = [r for o in archive for r in o.records]

    # The person's history is archived, by id: enrolled, completed, wrote, was erased.
    theirs = [r for r in records if r["actor"]["user_id"] == user_id or user_id in (r["data"] or "")]
    types = {r["type"].split(".")[2] for r in theirs}
    assert {"StudentEnrolled", "LessonCompleted", "ConversationStarted", "UserErased"} <= types
    everything = "\n".join(o.text for o in archive)
    assert [text for text in naming if text in everything] == []


def test_the_id_the_archive_holds_names_nobody_once_erased(
    stack: Stack, erased: tuple[Tenant, str, list[str]]
) -> None:
    tenant, user_id, naming = erased
    admin = tenant.admin()

    profile = admin.get(f"/users/{user_id}")

    # The users context, the only place an id resolves to a person, answers with a pseudonym.
    assert profile.status == 200, profile.body
    assert [text for text in naming[:2] if text in profile.body] == []
    assert profile.json()["display_name"].startswith("Erased user ")
