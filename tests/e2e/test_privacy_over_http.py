"""Privacy over the running local stack: an export downloaded over HTTP; an erased person locked out."""

from __future__ import annotations

import json
import urllib.request
import uuid
from typing import Any

from infra.local_stack import LocalStack
from tests.support.client import Caller
from tests.support.local import demo, eventually, first_sign_in, signed_in


def invited_student(local: LocalStack, admin: Caller) -> tuple[Caller, dict[str, Any]]:
    email = f"private-{uuid.uuid4().hex[:8]}@demo.example"
    body = {"email": email, "given_name": "Pia", "family_name": "Private", "role": "student"}
    status, invited = admin.call("POST", "/users", body)
    assert status == 201, invited
    return first_sign_in(local, email, invited["temporary_password"]), invited


def test_a_person_downloads_their_export_and_an_erased_person_is_locked_out(local: LocalStack) -> None:
    admin = signed_in(local, demo(local, "institution-admins"))
    student, invited = invited_student(local, admin)
    me = invited["id"]

    status, job = student.call("POST", f"/users/{me}/exports")
    assert (status, job["status"]) == (202, "pending"), job
    path = f"/users/{me}/exports/{job['export_id']}"

    def ready() -> bool:
        return student.call("GET", path)[1]["status"] == "ready"

    assert eventually(ready, seconds=30)
    status, view = student.call("GET", path)
    assert status == 200
    with urllib.request.urlopen(view["download_url"], timeout=10) as response:  # noqa: S310 - local stack
        document = json.loads(response.read())
    assert document["user_id"] == me
    assert document["contexts"]["users"]["profile"][0]["email"] == invited["email"]

    status, erasure = admin.call("DELETE", f"/users/{me}")
    assert (status, erasure["status"]) == (202, "pending"), erasure
    status, refused = student.call("GET", "/courses")
    assert (status, refused["type"]) == (403, "urn:lms:problem:account-erased")

    def complete() -> bool:
        return admin.call("DELETE", f"/users/{me}")[1]["status"] == "complete"

    assert eventually(complete, seconds=30)
    status, profile = admin.call("GET", f"/users/{me}")
    assert (status, profile["status"], profile["email"]) == (200, "erased", "")
