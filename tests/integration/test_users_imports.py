"""Roster imports through the gateway emulation and the event pipeline (stream, bus, queue, worker)."""

from __future__ import annotations

import json
import uuid
from collections import Counter
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from bench.expectations import expected_requests
from infra.provision import Stack
from infra.pump import EventPump
from tests.support.client import problem
from tests.support.faults import Faults, WorkerDied
from tests.support.people import (
    accounts_with_email,
    cognito,
    entities,
    groups_of,
    job_after_processing,
    person,
    profiles,
    roster,
    submit_roster,
)
from tests.support.tenant import Tenant

# ---------------------------------------------------------------- submit


def test_an_admin_submits_a_roster_and_gets_a_queued_job_in_one_transaction(tenant: Tenant) -> None:
    admin = tenant.admin()
    rows = roster(tenant, 26)

    job = submit_roster(admin, rows)

    assert admin.last_calls == expected_requests("POST", "/users/imports")
    assert job["status"] == "queued"
    assert job["rows"] == 26
    assert job["counts"] == {"created": 0, "skipped": 0, "failed": 0}
    assert job["results"] == []
    assert job["failure"] is None
    stored = Counter(entities(tenant))
    assert stored["import-job"] == 1
    assert stored["import-chunk"] == 2
    assert tenant.event_types().count("RosterImportRequested") == 1
    requested = next(e for e in tenant.events() if e["type"].endswith("RosterImportRequested.v1"))
    assert requested["data"] == {"job_id": job["id"], "rows": 26, "chunks": 2}
    assert "email" not in json.dumps(requested["data"])
    audit = [i for i in tenant.items() if i["entity"] == "audit"]
    assert [(a["action"], a["resource"]) for a in audit if a["action"] == "ImportRoster"] == [
        ("ImportRoster", f"users/imports/{job['id']}")
    ]


def test_the_job_is_read_in_one_query(tenant: Tenant) -> None:
    admin = tenant.admin()
    job = submit_roster(admin, roster(tenant, 3))
    response = admin.get(f"/users/imports/{job['id']}")
    assert response.status == 200
    assert admin.last_calls == expected_requests("GET", "/users/imports/{job_id}")
    assert response.json() == job


@pytest.mark.parametrize(
    "body",
    [
        {"rows": []},
        {"rows": "not a list"},
        {"rows": ["not a row"]},
        {"people": [{"email": "a@b.example"}]},
        None,
    ],
    ids=["empty", "not-a-list", "row-not-an-object", "unknown-field", "no-body"],
)
def test_a_roster_that_is_not_a_list_of_rows_is_refused_with_nothing_stored(
    tenant: Tenant, body: Any
) -> None:
    admin = tenant.admin()
    before = entities(tenant)
    response = admin.post("/users/imports", body)
    problem(response, 422, "validation-failed")
    assert entities(tenant) == before


def test_an_oversize_roster_is_refused_with_nothing_stored(tenant: Tenant) -> None:
    admin = tenant.admin()
    before = entities(tenant)
    body = problem(admin.post("/users/imports", {"rows": roster(tenant, 1001)}), 422, "validation-failed")
    assert [e["field"] for e in body["errors"]] == ["rows"]
    assert entities(tenant) == before


@pytest.mark.parametrize("role", ["instructors", "students"])
def test_only_institution_admins_import_and_read_imports(tenant: Tenant, role: str) -> None:
    admin = tenant.admin()
    job = submit_roster(admin, roster(tenant, 1))
    caller = tenant.user(role)
    before = entities(tenant)
    problem(caller.post("/users/imports", {"rows": roster(tenant, 1)}), 403, "forbidden")
    problem(caller.get(f"/users/imports/{job['id']}"), 403, "forbidden")
    assert entities(tenant) == before


def test_another_institutions_job_is_not_found(tenant: Tenant, other_tenant: Tenant) -> None:
    job = submit_roster(tenant.admin(), roster(tenant, 1))
    other_admin = other_tenant.admin()
    problem(other_admin.get(f"/users/imports/{job['id']}"), 404, "import-job-not-found")
    problem(other_admin.get("/users/imports/01UNKNOWNJOB"), 404, "import-job-not-found")
    problem(other_admin.get("/users/imports/not%20an%20id"), 404, "not-found")


def test_a_retry_with_the_same_idempotency_key_answers_the_first_job(tenant: Tenant) -> None:
    admin = tenant.admin()
    rows = roster(tenant, 2)
    key = {"Idempotency-Key": f"roster-{uuid.uuid4().hex[:8]}"}
    first = submit_roster(admin, rows, headers=key)
    retry = admin.post("/users/imports", {"rows": rows}, headers=key)
    assert retry.status == 202
    assert retry.header("Idempotent-Replayed") == "true"
    assert retry.json() == first
    assert Counter(entities(tenant))["import-job"] == 1
    problem(admin.post("/users/imports", {"rows": rows[:1]}, headers=key), 422, "idempotency-key-reused")


# ---------------------------------------------------------------- the worker


def test_the_worker_invites_everyone_and_the_job_completes(stack: Stack, tenant: Tenant) -> None:
    admin = tenant.admin()
    rows = [person(tenant), person(tenant, "instructor"), person(tenant, "institution-admin")]
    job = submit_roster(admin, rows)

    done = job_after_processing(stack, admin, job["id"])

    assert done["status"] == "completed"
    assert done["counts"] == {"created": 3, "skipped": 0, "failed": 0}
    assert [(r["row"], r["email"], r["status"]) for r in done["results"]] == [
        (n, row["email"], "created") for n, row in enumerate(rows, start=1)
    ]
    stored = profiles(tenant)
    groups = {"student": "students", "instructor": "instructors", "institution-admin": "institution-admins"}
    for result, row in zip(done["results"], rows, strict=True):
        profile = stored[row["email"]]
        assert profile["user_id"] == result["user_id"]
        assert profile["role"] == row["role"]
        assert profile["invited_by"] == admin.user_id
        assert groups_of(stack, result["user_id"]) == [groups[row["role"]]]
    assert tenant.event_types().count("UserInvited") == 3
    assert [str(i["action"]) for i in tenant.items() if i["entity"] == "audit"].count("ImportUser") == 3
    # The invited people are listed like any other.
    listed = admin.get("/users", query={"limit": "100"}).json()["items"]
    assert {row["email"] for row in rows} <= {p["email"] for p in listed}


def test_reimporting_the_same_roster_creates_nobody_twice(stack: Stack, tenant: Tenant) -> None:
    admin = tenant.admin()
    rows = roster(tenant, 4)
    first = job_after_processing(stack, admin, submit_roster(admin, rows)["id"])
    before = profiles(tenant)

    again = job_after_processing(stack, admin, submit_roster(admin, rows)["id"])

    assert again["status"] == "completed"
    assert again["counts"] == {"created": 0, "skipped": 4, "failed": 0}
    assert {r["reason"] for r in again["results"]} == {"Already in the institution."}
    assert profiles(tenant) == before
    assert tenant.event_types().count("UserInvited") == 4
    for row, result in zip(rows, first["results"], strict=True):
        assert [a["Username"] for a in accounts_with_email(stack, row["email"])] == [result["user_id"]]


def test_malformed_rows_fail_alone_with_their_reasons(stack: Stack, tenant: Tenant) -> None:
    admin = tenant.admin()
    good = person(tenant)
    rows: list[Any] = [
        person(tenant, email="not-an-email"),
        person(tenant, role="wizard"),
        {"email": f"missing@{tenant.institution_id}.example", "given_name": "No", "role": "student"},
        good,
        person(tenant, email=good["email"].upper()),
        person(tenant, given_name=42, family_name="  "),
    ]
    job = submit_roster(admin, rows)

    done = job_after_processing(stack, admin, job["id"])

    assert done["status"] == "completed"
    assert done["counts"] == {"created": 1, "skipped": 0, "failed": 5}
    reasons = {r["row"]: (r["status"], r["reason"]) for r in done["results"]}
    assert reasons == {
        1: ("failed", "Email is not a valid email address."),
        2: ("failed", "Role must be one of institution-admin, instructor, student."),
        3: ("failed", "Family_name is missing."),
        4: ("created", None),
        5: ("failed", "The same email as row 4."),
        6: ("failed", "Given_name must be text; family_name is empty."),
    }
    assert list(profiles(tenant)) == [good["email"]]


def test_someone_with_an_account_elsewhere_fails_with_a_reason(
    stack: Stack, tenant: Tenant, other_tenant: Tenant
) -> None:
    elsewhere = person(other_tenant)
    other_admin = other_tenant.admin()
    job_after_processing(stack, other_admin, submit_roster(other_admin, [elsewhere])["id"])
    admin = tenant.admin()

    done = job_after_processing(
        stack, admin, submit_roster(admin, [person(tenant, email=elsewhere["email"])])["id"]
    )

    assert done["counts"] == {"created": 0, "skipped": 0, "failed": 1}
    assert "another institution" in done["results"][0]["reason"]
    assert profiles(tenant) == {}


def test_an_account_made_outside_the_api_is_not_taken_over(stack: Stack, tenant: Tenant) -> None:
    admin = tenant.admin()
    seeded = tenant.user("students", warm=False)  # an account without a profile, as seeding makes
    account = cognito(stack).admin_get_user(UserPoolId=stack.user_pool_id, Username=seeded.user_id)
    email = next(a["Value"] for a in account["UserAttributes"] if a["Name"] == "email")

    done = job_after_processing(stack, admin, submit_roster(admin, [person(tenant, email=email)])["id"])

    assert done["counts"] == {"created": 0, "skipped": 0, "failed": 1}
    assert "without a profile" in done["results"][0]["reason"]
    assert groups_of(stack, seeded.user_id) == ["students"]


def test_an_account_the_user_pool_refuses_fails_its_row_only(stack: Stack, tenant: Tenant) -> None:
    admin = tenant.admin()
    rows = roster(tenant, 3)
    job = submit_roster(admin, rows)
    refused = ClientError(
        {"Error": {"Code": "InvalidParameterException", "Message": "undeliverable"}}, "AdminCreateUser"
    )
    faults = Faults()
    faults.fail("AdminCreateUser", lambda n, params: params["Username"] == rows[1]["email"], refused)
    with faults.active():
        done = job_after_processing(stack, admin, job["id"])

    assert done["counts"] == {"created": 2, "skipped": 0, "failed": 1}
    assert done["results"][1]["reason"] == "The user pool refused the account (InvalidParameterException)."
    assert sorted(profiles(tenant)) == sorted([rows[0]["email"], rows[2]["email"]])


def test_a_worker_that_dies_midway_resumes_after_the_last_row_done(stack: Stack, tenant: Tenant) -> None:
    admin = tenant.admin()
    rows = roster(tenant, 20)
    job = submit_roster(admin, rows)
    faults = Faults()
    faults.fail("AdminCreateUser", lambda n, params: n == 11, WorkerDied())
    with faults.active():
        report = EventPump(stack).drain(max_rounds=50)

    assert report.settled
    assert report.failures == 1
    assert faults.calls["AdminCreateUser"] == 21  # rows 1-10 once, row 11 twice, rows 12-20 once
    done = admin.get(f"/users/imports/{job['id']}").json()
    assert done["status"] == "completed"
    assert done["counts"] == {"created": 20, "skipped": 0, "failed": 0}
    stored = profiles(tenant)
    assert sorted(stored) == sorted(r["email"] for r in rows)
    for row in rows:
        accounts = accounts_with_email(stack, row["email"])
        assert [a["Username"] for a in accounts] == [stored[row["email"]]["user_id"]]
    assert tenant.event_types().count("UserInvited") == 20


def test_an_account_left_without_its_profile_is_finished_on_retry(stack: Stack, tenant: Tenant) -> None:
    admin = tenant.admin()
    rows = roster(tenant, 3)
    job = submit_roster(admin, rows)
    faults = Faults()
    # The worker dies after the account of row 2 was made and before its profile was written, so
    # badly that its compensation (deleting the account) does not run either.
    faults.fail("TransactWriteItems", lambda n, params: n == 2, WorkerDied())
    faults.fail("AdminDeleteUser", lambda n, params: True, WorkerDied())
    with faults.active():
        report = EventPump(stack).drain(max_rounds=50)

    assert report.settled
    assert report.failures == 1
    done = admin.get(f"/users/imports/{job['id']}").json()
    assert done["counts"] == {"created": 3, "skipped": 0, "failed": 0}
    stored = profiles(tenant)
    for row, result in zip(rows, done["results"], strict=True):
        accounts = accounts_with_email(stack, row["email"])
        assert [a["Username"] for a in accounts] == [result["user_id"]] == [stored[row["email"]]["user_id"]]
        assert groups_of(stack, result["user_id"]) == ["students"]


def test_a_redelivered_message_changes_nothing(stack: Stack, tenant: Tenant) -> None:
    admin = tenant.admin()
    job = submit_roster(admin, roster(tenant, 2))
    pump = EventPump(stack)
    pump.drain(max_rounds=50)
    before = sorted(entities(tenant))
    requested = next(e for e in tenant.events() if e["type"].endswith("RosterImportRequested.v1"))
    events = boto3.client("events", region_name=stack.region)
    events.put_events(
        Entries=[
            {
                "EventBusName": stack.bus_name,
                "Source": "lms.users",
                "DetailType": "RosterImportRequested",
                "Detail": json.dumps(requested),
            }
        ]
    )
    report = pump.drain(max_rounds=50)
    assert report.messages == 1
    assert report.failures == 0
    assert sorted(entities(tenant)) == before
    assert admin.get(f"/users/imports/{job['id']}").json()["counts"]["created"] == 2


def test_a_job_that_keeps_failing_is_marked_failed_and_dead_lettered(stack: Stack, tenant: Tenant) -> None:
    admin = tenant.admin()
    rows = roster(tenant, 3)
    job = submit_roster(admin, rows)
    faults = Faults()
    faults.fail("AdminCreateUser", lambda n, params: params["Username"] == rows[1]["email"], WorkerDied())
    pump = EventPump(stack)
    with faults.active():
        report = pump.drain(max_rounds=50)

    assert report.failures == stack.queues["ImportsQueue"].max_receive_count
    done = admin.get(f"/users/imports/{job['id']}").json()
    assert done["status"] == "failed"
    assert done["failure"] == "The import stopped: WorkerDied."
    assert done["counts"] == {"created": 1, "skipped": 0, "failed": 0}
    dead = [json.loads(m["body"])["detail"]["data"]["job_id"] for m in pump.dead_letters("ImportsQueue")]
    assert job["id"] in dead
    assert list(profiles(tenant)) == [rows[0]["email"]]


# Last in the module on purpose: no later test drains the pipeline, so its 1,000 rows are never
# processed (that would take moto minutes); processing is what the tests above check, on small rosters.
def test_the_largest_roster_is_one_transaction_and_its_job_one_query(tenant: Tenant) -> None:
    admin = tenant.admin()
    job = submit_roster(admin, roster(tenant, 1000))
    assert admin.last_calls == expected_requests("POST", "/users/imports")
    assert Counter(entities(tenant))["import-chunk"] == 40
    assert job["rows"] == 1000
    response = admin.get(f"/users/imports/{job['id']}")
    assert admin.last_calls == expected_requests("GET", "/users/imports/{job_id}")
    assert response.json() == job
