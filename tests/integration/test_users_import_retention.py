"""Roster imports keep people's emails and names only so long: retention, export and erasure of rows."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

import pytest

from infra.provision import Stack
from infra.template import load_template
from tests.support.client import problem
from tests.support.clock import moved_clock
from tests.support.events import drained
from tests.support.people import (
    export_document,
    job_after_processing,
    person,
    request_export,
    roster,
    submit_roster,
)
from tests.support.tenant import Tenant

RETENTION = timedelta(days=30)  # template.yaml: ImportRetentionDays' default


def import_items(tenant: Tenant) -> list[dict[str, Any]]:
    return [i for i in tenant.items() if str(i["entity"]).startswith("import-")]


def chunk_rows(tenant: Tenant) -> list[dict[str, Any]]:
    chunks = sorted((i for i in tenant.items() if i["entity"] == "import-chunk"), key=lambda i: str(i["SK"]))
    return [row for chunk in chunks for row in chunk["rows"]]


def test_a_job_says_when_it_and_every_row_is_deleted(stack: Stack, tenant: Tenant) -> None:
    admin = tenant.admin()
    job = submit_roster(admin, roster(tenant, 30))

    created_at = datetime.fromisoformat(job["created_at"])
    expires_at = datetime.fromisoformat(job["expires_at"])
    assert expires_at == (created_at + RETENTION).replace(microsecond=0)
    done = job_after_processing(stack, admin, job["id"])
    assert done["expires_at"] == job["expires_at"]
    stored = import_items(tenant)
    assert {str(i["entity"]) for i in stored} == {"import-job", "import-chunk", "import-row"}
    # The table's TTL attribute: the job, its chunks and its row outcomes go together.
    assert {int(i["expires_at"]) for i in stored} == {int(expires_at.timestamp())}


def test_a_job_past_its_retention_is_not_found(
    stack: Stack, tenant: Tenant, monkeypatch: pytest.MonkeyPatch
) -> None:
    admin = tenant.admin()
    job = submit_roster(admin, roster(tenant, 2))

    with moved_clock(monkeypatch, RETENTION - timedelta(minutes=1)):
        assert admin.get(f"/users/imports/{job['id']}").status == 200
    with moved_clock(monkeypatch, RETENTION + timedelta(seconds=1)):
        # TTL deletes expired items some time later: until then they are not answered either.
        problem(admin.get(f"/users/imports/{job['id']}"), 404, "import-job-not-found")


def test_institutions_set_the_retention_in_the_template() -> None:
    template = load_template()
    parameter = template["Parameters"]["ImportRetentionDays"]
    assert (parameter["Type"], parameter["Default"]) == ("Number", 30)
    users = template["Resources"]["UsersFunction"]["Properties"]["Environment"]["Variables"]
    assert users["IMPORT_RETENTION_DAYS"] == {"Ref": "ImportRetentionDays"}


def test_a_skipped_row_names_the_person_already_there(stack: Stack, tenant: Tenant) -> None:
    admin = tenant.admin()
    rows = roster(tenant, 2)
    first = job_after_processing(stack, admin, submit_roster(admin, rows)["id"])

    again = job_after_processing(stack, admin, submit_roster(admin, rows)["id"])

    assert [r["status"] for r in again["results"]] == ["skipped", "skipped"]
    assert [r["user_id"] for r in again["results"]] == [r["user_id"] for r in first["results"]]


def test_a_persons_export_holds_the_roster_rows_that_name_them(stack: Stack, tenant: Tenant) -> None:
    admin = tenant.admin()
    mine = person(tenant, "instructor", given_name="Rosa", family_name="Roster")
    job = job_after_processing(stack, admin, submit_roster(admin, [person(tenant), mine])["id"])
    user_id = job["results"][1]["user_id"]
    again = job_after_processing(stack, admin, submit_roster(admin, [mine])["id"])

    export = request_export(admin, user_id)
    drained(stack)

    rows = export_document(stack, tenant, user_id, export["export_id"])["contexts"]["users"]["roster_rows"]
    assert all(r.pop("recorded_at") for r in rows)
    submitted = {"email": mine["email"], "given_name": "Rosa", "family_name": "Roster", "role": "instructor"}
    assert sorted(rows, key=lambda r: str(r["status"])) == [
        {"job_id": job["id"], "row": 2, "status": "created", "reason": None, **submitted},
        {
            "job_id": again["id"],
            "row": 1,
            "status": "skipped",
            "reason": "Already in the institution.",
            **submitted,
        },
    ]


def test_erasure_blanks_the_persons_rows_and_leaves_the_others(stack: Stack, tenant: Tenant) -> None:
    admin = tenant.admin()
    other, mine = person(tenant), person(tenant, given_name="Rosa", family_name="Roster")
    job = job_after_processing(stack, admin, submit_roster(admin, [other, mine])["id"])
    user_id = job["results"][1]["user_id"]

    assert admin.delete(f"/users/{user_id}").status == 202
    drained(stack)

    assert mine["email"] not in json.dumps(tenant.items(), default=str)
    assert "Roster" not in json.dumps(import_items(tenant), default=str)
    assert [(r["email"], r["given_name"]) for r in chunk_rows(tenant)] == [(other["email"], "Ada"), ("", "")]
    after = admin.get(f"/users/imports/{job['id']}").json()
    assert [(r["email"], r["status"], r["user_id"]) for r in after["results"]] == [
        (other["email"], "created", job["results"][0]["user_id"]),
        ("", "created", user_id),
    ]
    # A second run of the erasure changes nothing more.
    before = import_items(tenant)
    assert admin.delete(f"/users/{user_id}").json()["status"] == "complete"
    assert import_items(tenant) == before
