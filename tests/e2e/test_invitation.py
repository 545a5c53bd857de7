"""Invitation to first API call over the running local stack: temporary password, new password, token."""

from __future__ import annotations

import uuid

from infra.local_stack import LocalStack
from tests.support.local import demo, first_sign_in, signed_in


def test_an_invited_student_signs_in_sets_a_password_and_calls_the_api(local: LocalStack) -> None:
    admin = signed_in(local, demo(local, "institution-admins"))
    email = f"new-student-{uuid.uuid4().hex[:8]}@demo.example"
    status, invited = admin.call(
        "POST", "/users", {"email": email, "given_name": "Nia", "family_name": "New", "role": "student"}
    )
    assert status == 201, invited
    assert invited["temporary_password"]

    student = first_sign_in(local, email, invited["temporary_password"])

    status, me = student.call("GET", "/users/me")
    assert (status, me["id"], me["role"]) == (200, invited["id"], "student")
    status, courses = student.call("GET", "/courses")
    assert status == 200
    assert "items" in courses
    status, edited = student.call("PATCH", "/users/me", {"locale": "fr"}, headers={"If-Match": '"1"'})
    assert (status, edited["locale"]) == (200, "fr")

    status, suspended = admin.call("POST", f"/users/{invited['id']}/suspend")
    assert (status, suspended["status"]) == (200, "suspended")
    status, refused = student.call("GET", "/courses")
    assert (status, refused["type"]) == (403, "urn:lms:problem:account-suspended")


def test_a_platform_admin_opens_an_institution_whose_first_admin_invites_people(local: LocalStack) -> None:
    platform = signed_in(local, demo(local, "platform-admins"))
    slug = f"e2e-{uuid.uuid4().hex[:8]}"
    status, institution = platform.call(
        "POST",
        "/institutions",
        {"name": "E2E College", "slug": slug, "timezone": "Europe/Madrid", "default_locale": "es"},
    )
    assert status == 201, institution
    email = f"first-admin-{uuid.uuid4().hex[:8]}@e2e.example"
    status, first = platform.call(
        "POST",
        f"/institutions/{institution['id']}/admins",
        {"email": email, "given_name": "Fe", "family_name": "First"},
    )
    assert status == 201, first

    admin = first_sign_in(local, email, first["temporary_password"])

    status, own = admin.call("GET", f"/institutions/{institution['id']}")
    assert (status, own["slug"]) == (200, slug)
    status, invited = admin.call(
        "POST",
        "/users",
        {
            "email": f"t-{uuid.uuid4().hex[:8]}@e2e.example",
            "given_name": "T",
            "family_name": "T",
            "role": "instructor",
        },
    )
    assert status == 201, invited
    status, trail = admin.call("GET", f"/institutions/{institution['id']}/audit-events")
    assert status == 200
    assert [e["action"] for e in trail["items"]] == ["InviteUser", "AddInstitutionAdmin", "CreateInstitution"]
    assert platform.call("GET", "/courses")[0] == 403
