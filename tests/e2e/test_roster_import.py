"""A roster import over the running local stack: HTTP, the background pump, the worker, a first sign-in."""

from __future__ import annotations

import time
import uuid
from typing import Any

from infra.local_stack import LocalStack
from tests.support.client import Caller
from tests.support.local import demo, first_sign_in, signed_in

DEADLINE_SECONDS = 120  # not a performance claim: how long to wait for the background pump at most


def finished(admin: Caller, job_id: str) -> dict[str, Any]:
    deadline = time.monotonic() + DEADLINE_SECONDS
    while True:
        status, job = admin.call("GET", f"/users/imports/{job_id}")
        assert status == 200, job
        if job["status"] in {"completed", "failed"} or time.monotonic() > deadline:
            return dict(job)
        time.sleep(0.2)


def upload_csv(admin: Caller, text: str) -> tuple[int, Any]:
    """The roster as a spreadsheet exports it: UTF-8 with a BOM, CRLF, sent as text/csv."""
    response = admin.post("/users/imports", body="\ufeff" + text, headers={"Content-Type": "text/csv"})
    return response.status, response.json()


def test_an_admin_imports_twenty_people_and_one_of_them_signs_in(local: LocalStack) -> None:
    admin = signed_in(local, demo(local, "institution-admins"))
    batch = uuid.uuid4().hex[:8]
    rows = [
        {
            "email": f"imported-{batch}-{n}@demo.example",
            "given_name": f"Person{n}",
            "family_name": "Imported",
            "role": "instructor" if n == 0 else "student",
        }
        for n in range(20)
    ]

    status, job = admin.call("POST", "/users/imports", {"rows": rows})
    assert status == 202, job
    assert job["status"] == "queued"

    done = finished(admin, job["id"])
    assert done["status"] == "completed", done
    assert done["counts"] == {"created": 20, "skipped": 0, "failed": 0}
    first = done["results"][0]
    assert first["email"] == rows[0]["email"]
    assert first["temporary_password"]

    instructor = first_sign_in(local, rows[0]["email"], first["temporary_password"])
    status, me = instructor.call("GET", "/users/me")
    assert (status, me["id"], me["role"]) == (200, first["user_id"], "instructor")

    # The same people again, uploaded as a CSV file: nobody is created twice.
    lines = ["Email,Given_Name,Family_Name,Role", *(",".join(r.values()) for r in rows)]
    status, again = upload_csv(admin, "\r\n".join(lines) + "\r\n")
    assert status == 202, again
    assert again["rows"] == 20
    assert finished(admin, again["id"])["counts"] == {"created": 0, "skipped": 20, "failed": 0}
