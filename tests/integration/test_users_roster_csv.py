"""A roster uploaded as CSV (Content-Type: text/csv) through the real handler: the same job as JSON rows."""

from __future__ import annotations

import csv
import io
import uuid
from collections import Counter
from typing import Any

import pytest

from bench.expectations import expected_requests
from infra.gateway import ApiResponse
from infra.provision import Stack
from tests.support.client import Caller, problem
from tests.support.people import accounts_with_email, entities, job_after_processing, person, profiles
from tests.support.tenant import Tenant

HEADER = "email,given_name,family_name,role"


def csv_line(*values: str) -> str:
    """One line as spreadsheets write it: quoted when needed, inner quotes doubled."""
    out = io.StringIO()
    csv.writer(out, lineterminator="").writerow(values)
    return out.getvalue()


def csv_roster(rows: list[dict[str, Any]], header: str = HEADER) -> str:
    lines = [header, *(csv_line(r["email"], r["given_name"], r["family_name"], r["role"]) for r in rows)]
    return "\r\n".join(lines) + "\r\n"


def upload(admin: Caller, text: str, content_type: str = "text/csv", **headers: str) -> ApiResponse:
    return admin.post("/users/imports", body=text, headers={"Content-Type": content_type, **headers})


def submitted(admin: Caller, text: str, **headers: str) -> dict[str, Any]:
    response = upload(admin, text, **headers)
    assert response.status == 202, response.body
    job: dict[str, Any] = response.json()
    assert response.header("Location") == f"/users/imports/{job['id']}"
    return job


def test_a_spreadsheet_export_is_imported_like_json_rows(stack: Stack, tenant: Tenant) -> None:
    admin = tenant.admin()
    ada = person(tenant, given_name="Ada, Countess", family_name='Lovelace "Byron"')
    grace = person(tenant, "instructor", given_name="Grace", family_name="Hopper")
    # A BOM, header names in any case and order with spaces, an extra column, CRLF, quoted fields.
    text = "\ufeff Role ,EMAIL,Notes,Family_Name,given_name\r\n" + "\r\n".join(
        [
            csv_line(ada["role"], ada["email"], "first, of all", ada["family_name"], ada["given_name"]),
            ",,,,",  # a spreadsheet's empty line is not a row
            csv_line(grace["role"], grace["email"], "", grace["family_name"], grace["given_name"]),
        ]
    )

    job = submitted(admin, text)

    assert admin.last_calls == expected_requests("POST", "/users/imports")
    assert (job["status"], job["rows"]) == ("queued", 2)
    done = job_after_processing(stack, admin, job["id"])
    assert done["counts"] == {"created": 2, "skipped": 0, "failed": 0}
    stored = profiles(tenant)
    assert (stored[ada["email"]]["given_name"], stored[ada["email"]]["family_name"]) == (
        "Ada, Countess",
        'Lovelace "Byron"',
    )
    assert (stored[grace["email"]]["role"], stored[grace["email"]]["given_name"]) == ("instructor", "Grace")
    assert "Notes" not in str(tenant.items())


def test_the_same_roster_as_csv_or_json_stores_the_same_rows(tenant: Tenant) -> None:
    admin = tenant.admin()
    rows = [person(tenant), person(tenant, "institution-admin")]
    as_csv = submitted(admin, csv_roster(rows) + "\n", **{"Content-Type": "text/csv; charset=utf-8"})
    response = admin.post("/users/imports", {"rows": rows})
    assert response.status == 202
    as_json = response.json()

    chunks = {
        str(i["PK"]).rsplit("#", 1)[-1]: i["rows"] for i in tenant.items() if i["entity"] == "import-chunk"
    }
    assert chunks[as_csv["id"]] == chunks[as_json["id"]]


def test_bad_lines_fail_alone_with_the_reasons_of_json_rows(stack: Stack, tenant: Tenant) -> None:
    admin = tenant.admin()
    good = person(tenant)
    text = "\r\n".join(
        [
            HEADER,
            csv_line("not-an-email", "Ada", "Lovelace", "student"),
            csv_line(f"wizard-{uuid.uuid4().hex[:6]}@{tenant.institution_id}.example", "Ada", "L", "wizard"),
            csv_line(f"short-{uuid.uuid4().hex[:6]}@{tenant.institution_id}.example", "No"),
            csv_line(good["email"], good["given_name"], good["family_name"], good["role"]),
            csv_line(good["email"].upper(), "Again", "Same", "student"),
            csv_line(f"blank-{uuid.uuid4().hex[:6]}@{tenant.institution_id}.example", "", "  ", "student"),
        ]
    )

    done = job_after_processing(stack, admin, submitted(admin, text)["id"])

    reasons = {r["row"]: (r["status"], r["reason"]) for r in done["results"]}
    assert reasons == {
        1: ("failed", "Email is not a valid email address."),
        2: ("failed", "Role must be one of institution-admin, instructor, student."),
        3: ("failed", "Family_name is missing; role is missing."),
        4: ("created", None),
        5: ("failed", "The same email as row 4."),
        6: ("failed", "Given_name is empty; family_name is empty."),
    }
    assert list(profiles(tenant)) == [good["email"]]


@pytest.mark.parametrize(
    ("text", "detail"),
    [
        ("", "The CSV file is empty"),
        ("\ufeff\r\n , \r\n", "The CSV file is empty"),
        ("email,given_name,role\r\na@b.example,Ada,student\r\n", "lacks the column(s) family_name"),
        ("a@b.example,Ada,Lovelace,student\r\n", "lacks the column(s) email, given_name, family_name, role"),
        (HEADER + '\r\n"a@b.example,Ada,Lovelace,student\r\n', "Line 2 is not valid CSV: unexpected end"),
        (HEADER + '\r\n"a@b.example"x,Ada,Lovelace,student\r\n', "Line 2 is not valid CSV: ',' expected"),
    ],
    ids=["empty", "blank-lines", "missing-column", "no-header", "unterminated-quote", "text-after-quote"],
)
def test_a_file_that_cannot_be_read_is_refused_with_nothing_stored(
    tenant: Tenant, text: str, detail: str
) -> None:
    admin = tenant.admin()
    before = entities(tenant)
    body = problem(upload(admin, text), 400, "malformed-roster")
    assert detail in body["detail"]
    assert admin.last_calls == expected_requests("POST", "/users/imports", "malformed file")
    assert entities(tenant) == before


def test_a_header_without_lines_is_refused_like_an_empty_json_roster(tenant: Tenant) -> None:
    admin = tenant.admin()
    body = problem(upload(admin, HEADER + "\r\n"), 422, "validation-failed")
    assert [e["field"] for e in body["errors"]] == ["rows"]
    assert tenant.items() == []


def test_an_oversize_file_is_refused_like_an_oversize_json_roster(tenant: Tenant) -> None:
    admin = tenant.admin()
    rows = [person(tenant) for _ in range(1001)]
    body = problem(upload(admin, csv_roster(rows)), 422, "validation-failed")
    assert [e["field"] for e in body["errors"]] == ["rows"]
    assert tenant.items() == []


def test_only_institution_admins_upload_a_roster(tenant: Tenant) -> None:
    problem(upload(tenant.student(), csv_roster([person(tenant)])), 403, "forbidden")
    assert tenant.items() == []


def test_reimporting_the_same_file_creates_nobody_twice(stack: Stack, tenant: Tenant) -> None:
    admin = tenant.admin()
    rows = [person(tenant) for _ in range(3)]
    text = csv_roster(rows)
    headers = {"Idempotency-Key": f"roster-{uuid.uuid4().hex[:8]}"}
    first = submitted(admin, text, **headers)
    retry = upload(admin, text, **headers)
    assert retry.header("Idempotent-Replayed") == "true"
    assert retry.json() == first
    assert admin.last_calls == expected_requests("POST", "/users/imports", "Idempotency-Key replay")
    problem(upload(admin, csv_roster(rows[:2]), **headers), 422, "idempotency-key-reused")
    assert Counter(entities(tenant))["import-job"] == 1
    job_after_processing(stack, admin, first["id"])

    again = job_after_processing(stack, admin, submitted(admin, text)["id"])

    assert again["counts"] == {"created": 0, "skipped": 3, "failed": 0}
    assert tenant.event_types().count("UserInvited") == 3
    for row in rows:
        assert len(accounts_with_email(stack, row["email"])) == 1


def test_another_content_type_is_refused(tenant: Tenant) -> None:
    admin = tenant.admin()
    body = problem(
        upload(admin, csv_roster([person(tenant)]), content_type="text/plain"), 415, "unsupported-media-type"
    )
    assert "text/plain" in body["detail"]
    assert tenant.items() == []
