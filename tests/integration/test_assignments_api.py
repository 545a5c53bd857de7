"""The assignments API through the gateway emulation: authoring, extensions, uploads, submissions,
grading and release, with every refusal leaving nothing behind."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import boto3
import pytest
import requests

from bench.expectations import expected_calls, expected_requests
from lms import keys
from lms.assessments import privacy
from lms.auth import Principal, Role
from tests.support.assignments import (
    ASSIGNMENTS,
    RUBRIC,
    assignment_body,
    at,
    create,
    published,
    submit,
    submitted,
)
from tests.support.client import Caller, problem
from tests.support.courses import course_with_lessons, enroll
from tests.support.tenant import Tenant


def grade(staff: Caller, assignment_id: str, submission: dict[str, Any], body: dict[str, Any]) -> Any:
    path = f"{ASSIGNMENTS}/{assignment_id}/submissions/{submission['id']}/grade"
    return staff.request("PUT", path, json_body=body, headers={"If-Match": f'"{submission["revision"]}"'})


def snapshot(tenant: Tenant) -> list[dict[str, Any]]:
    return sorted(tenant.items(), key=lambda i: (str(i["PK"]), str(i["SK"])))


def of_entity(tenant: Tenant, entity: str) -> list[dict[str, Any]]:
    return [i for i in tenant.items() if i["entity"] == entity]


def upload_file(upload: dict[str, Any], content: bytes, content_type: str | None = None) -> int:
    """POST the bytes to the presigned URL as a browser form would."""
    fields = dict(upload["fields"])
    if content_type is not None:
        fields["Content-Type"] = content_type
    answer = requests.post(upload["url"], data=fields, files={"file": ("work.pdf", content)}, timeout=10)
    return answer.status_code


@pytest.fixture
def classroom(tenant: Tenant) -> tuple[Caller, Caller, str]:
    """An instructor, a student enrolled in the instructor's published course, and the course."""
    instructor, student = tenant.instructor(), tenant.student()
    course_id, _ = course_with_lessons(instructor, 1)
    enroll(tenant, course_id, student)
    return instructor, student, course_id


# ---------------------------------------------------------------- create


def test_an_instructor_creates_a_draft_assignment_in_one_transaction(
    tenant: Tenant, classroom: tuple[Caller, Caller, str]
) -> None:
    instructor, _, course_id = classroom
    events_before = len(tenant.events())
    response = instructor.post(ASSIGNMENTS, assignment_body(course_id, rubric=RUBRIC))
    assert response.status == 201, response.body
    body = response.json()
    assert body["status"] == "draft"
    assert body["points"] == "10"
    assert body["rubric"][0]["levels"][1]["points"] == "3.5"
    assert body["created_by"] == instructor.user_id
    assert response.header("ETag") == '"1"'
    assert response.header("Location") == f"{ASSIGNMENTS}/{body['id']}"
    assert instructor.last_calls == expected_requests("POST", "/assessments/assignments")
    [stored] = of_entity(tenant, "assignment")
    assert (stored["PK"], stored["SK"]) == (
        keys.assignment_pk(tenant.institution_id, body["id"]),
        "ASSIGNMENT",
    )
    assert stored["GSI1PK"] == keys.course_assignments_pk(tenant.institution_id, course_id)
    assert len(tenant.events()) == events_before  # a draft tells no one


def test_a_retried_create_answers_the_first_response_and_stores_one_assignment(
    tenant: Tenant, classroom: tuple[Caller, Caller, str]
) -> None:
    instructor, _, course_id = classroom
    headers = {"Idempotency-Key": "create-essay-1"}
    body = assignment_body(course_id)
    first = instructor.post(ASSIGNMENTS, body, headers=headers)
    assert first.status == 201
    again = instructor.post(ASSIGNMENTS, body, headers=headers)
    assert again.status == 201
    assert again.json() == first.json()
    assert again.header("Idempotent-Replayed") == "true"
    assert instructor.last_calls == expected_requests(
        "POST", "/assessments/assignments", "Idempotency-Key replay"
    )
    assert len(of_entity(tenant, "assignment")) == 1
    other = instructor.post(ASSIGNMENTS, {**body, "title": "Other"}, headers=headers)
    problem(other, 422, "idempotency-key-reused")
    assert len(of_entity(tenant, "assignment")) == 1


@pytest.mark.parametrize(
    ("change", "slug"),
    [
        ({"title": None}, "validation-failed"),
        ({"points": "0"}, "validation-failed"),
        ({"points": "1.005"}, "validation-failed"),
        ({"due_at": "2026-01-01T10:00:00"}, "validation-failed"),
        ({"submission_types": []}, "validation-failed"),
        ({"submission_types": ["video"]}, "validation-failed"),
        ({"max_file_bytes": 200 * 1024 * 1024}, "validation-failed"),
        ({"grading": "curve"}, "validation-failed"),
        ({"rubric": RUBRIC, "points": "12"}, "invalid-rubric"),
        ({"rubric": [RUBRIC[0], RUBRIC[0]], "points": "12"}, "invalid-rubric"),
        (
            {"late_policy": {"percent_per_day": "10", "cutoff_days": 2, "cutoff_at": at(9)}},
            "invalid-late-policy",
        ),
        ({"late_policy": {"percent_per_day": "10", "cutoff_at": at(1)}}, "invalid-late-policy"),
        ({"late_policy": {"percent_per_day": "101"}}, "validation-failed"),
        ({"file_content_types": ["application/x-msdownload"]}, "invalid-file-rules"),
        ({"file_content_types": []}, "invalid-file-rules"),
    ],
)
def test_an_invalid_assignment_is_refused_and_nothing_is_stored(
    tenant: Tenant, classroom: tuple[Caller, Caller, str], change: dict[str, Any], slug: str
) -> None:
    instructor, _, course_id = classroom
    before = snapshot(tenant)
    body = {k: v for k, v in {**assignment_body(course_id), **change}.items() if v is not None}
    problem(instructor.post(ASSIGNMENTS, body), 422, slug)
    assert snapshot(tenant) == before


def test_only_the_course_staff_create_its_assignments(
    tenant: Tenant, other_tenant: Tenant, classroom: tuple[Caller, Caller, str]
) -> None:
    _, student, course_id = classroom
    before = snapshot(tenant)
    problem(student.post(ASSIGNMENTS, assignment_body(course_id)), 403, "forbidden")
    problem(tenant.instructor().post(ASSIGNMENTS, assignment_body(course_id)), 403, "not-course-staff")
    assert snapshot(tenant) == before
    admin = tenant.admin()
    problem(admin.post(ASSIGNMENTS, assignment_body("01NOSUCHCOURSE")), 404, "assignment-course-not-found")
    outsider = other_tenant.admin()
    problem(outsider.post(ASSIGNMENTS, assignment_body(course_id)), 404, "assignment-course-not-found")
    assert admin.post(ASSIGNMENTS, assignment_body(course_id)).status == 201  # admins manage every course


# ---------------------------------------------------------------- read and list


def test_drafts_are_for_staff_and_published_assignments_for_enrolled_students(
    tenant: Tenant, other_tenant: Tenant, classroom: tuple[Caller, Caller, str]
) -> None:
    instructor, student, course_id = classroom
    draft = create(instructor, course_id)
    path = f"{ASSIGNMENTS}/{draft['id']}"
    answer = instructor.get(path)
    assert answer.status == 200
    assert answer.header("ETag") == '"1"'
    assert instructor.last_calls == expected_requests(
        "GET", "/assessments/assignments/{assignment_id}", "a draft, by staff"
    )
    problem(student.get(path), 404, "assignment-not-found")
    problem(tenant.instructor().get(path), 404, "assignment-not-found")
    made = published(instructor, course_id)
    assert student.get(f"{ASSIGNMENTS}/{made['id']}").json()["status"] == "published"
    assert student.last_calls == expected_requests("GET", "/assessments/assignments/{assignment_id}")
    problem(tenant.student().get(f"{ASSIGNMENTS}/{made['id']}"), 403, "not-enrolled-in-course")
    problem(other_tenant.admin().get(f"{ASSIGNMENTS}/{made['id']}"), 404, "assignment-not-found")
    problem(instructor.get(f"{ASSIGNMENTS}/01NOSUCHASSIGNMENT"), 404, "assignment-not-found")
    problem(instructor.get(f"{ASSIGNMENTS}/not an id!"), 404, "not-found")


def test_the_list_shows_staff_every_assignment_and_students_the_published_ones(
    tenant: Tenant, classroom: tuple[Caller, Caller, str]
) -> None:
    instructor, student, course_id = classroom
    draft = create(instructor, course_id)
    first, second = published(instructor, course_id), published(instructor, course_id)
    query = {"course_id": course_id}
    staff_view = instructor.get(ASSIGNMENTS, query=query)
    assert staff_view.status == 200
    assert {a["id"] for a in staff_view.json()["items"]} == {draft["id"], first["id"], second["id"]}
    assert instructor.last_calls == expected_requests("GET", "/assessments/assignments", "staff")
    page = student.get(ASSIGNMENTS, query={**query, "limit": "1"})
    assert student.last_calls == expected_requests("GET", "/assessments/assignments")
    items, cursor = page.json()["items"], page.json()["next_cursor"]
    rest = student.get(ASSIGNMENTS, query={**query, "cursor": cursor}).json()
    assert [a["id"] for a in items + rest["items"]] == sorted([first["id"], second["id"]])
    assert rest["next_cursor"] is None
    problem(tenant.student().get(ASSIGNMENTS, query=query), 403, "not-enrolled-in-course")
    assert instructor.get(ASSIGNMENTS, query={"course_id": "01NOSUCHCOURSE"}).json()["items"] == []
    problem(instructor.get(ASSIGNMENTS), 422, "validation-failed")
    problem(instructor.get(ASSIGNMENTS, query={**query, "cursor": "forged"}), 400, "invalid-cursor")


# ---------------------------------------------------------------- edit and publish


def test_an_edit_needs_the_current_version_and_points_are_fixed_once_published(
    tenant: Tenant, classroom: tuple[Caller, Caller, str]
) -> None:
    instructor, student, course_id = classroom
    made = create(instructor, course_id)
    path = f"{ASSIGNMENTS}/{made['id']}"
    edited = instructor.patch(path, {"title": "Essay on optics", "rubric": RUBRIC}, version=1)
    assert edited.status == 200, edited.body
    assert (edited.json()["version"], edited.json()["title"]) == (2, "Essay on optics")
    assert instructor.last_calls == expected_requests("PATCH", "/assessments/assignments/{assignment_id}")
    before = snapshot(tenant)
    problem(instructor.patch(path, {"title": "Stale"}, version=1), 412, "version-mismatch")
    problem(instructor.patch(path, {"title": "No version"}), 428, "if-match-required")
    problem(instructor.patch(path, {"points": "11"}, version=2), 422, "invalid-rubric")
    problem(instructor.patch(path, {"title": None}, version=2), 422, "validation-failed")
    problem(student.patch(path, {"title": "Mine"}, version=2), 403, "forbidden")
    problem(tenant.instructor().patch(path, {"title": "Not mine"}, version=2), 403, "not-course-staff")
    assert snapshot(tenant) == before
    assert instructor.post(f"{path}/publish").status == 200
    problem(
        instructor.patch(path, {"points": "20", "rubric": None}, version=3),
        409,
        "assignment-already-published",
    )
    later = instructor.patch(path, {"due_at": at(14), "late_policy": {"percent_per_day": "5"}}, version=3)
    assert later.status == 200, later.body


def test_publishing_emits_assignment_published_once(
    tenant: Tenant, classroom: tuple[Caller, Caller, str]
) -> None:
    instructor, student, course_id = classroom
    made = create(instructor, course_id, gradebook_category="essays")
    path = f"{ASSIGNMENTS}/{made['id']}/publish"
    problem(student.post(path), 403, "forbidden")
    response = instructor.post(path)
    assert response.status == 200
    assert response.json()["published_at"] is not None
    assert instructor.last_calls == expected_requests(
        "POST", "/assessments/assignments/{assignment_id}/publish"
    )
    [event] = [e for e in tenant.events() if e["type"] == "lms.assessments.AssignmentPublished.v1"]
    assert event["data"] == {
        "course_id": course_id,
        "assignment_id": made["id"],
        "title": made["title"],
        "points": "10",
        "gradebook_category": "essays",
        "due_at": made["due_at"].replace("+00:00", "Z"),
    }
    before = snapshot(tenant)
    problem(instructor.post(path), 409, "assignment-already-published")
    assert snapshot(tenant) == before


# ---------------------------------------------------------------- extensions


def test_an_extension_is_granted_to_an_enrolled_student_replaced_and_revoked(
    tenant: Tenant, classroom: tuple[Caller, Caller, str]
) -> None:
    instructor, student, course_id = classroom
    made = published(instructor, course_id)
    path = f"{ASSIGNMENTS}/{made['id']}/extensions/{student.user_id}"
    granted = instructor.request("PUT", path, json_body={"due_at": at(10)})
    assert granted.status == 200, granted.body
    assert granted.json()["granted_by"] == instructor.user_id
    assert instructor.last_calls == expected_requests(
        "PUT", "/assessments/assignments/{assignment_id}/extensions/{student_id}"
    )
    assert instructor.request("PUT", path, json_body={"due_at": at(12), "cutoff_at": at(13)}).status == 200
    [stored] = of_entity(tenant, "assignment-extension")
    assert json.loads(stored["document"])["cutoff_at"] is not None
    before = snapshot(tenant)
    stranger = tenant.student()
    refused = instructor.request(
        "PUT", path.replace(student.user_id, stranger.user_id), json_body={"due_at": at(9)}
    )
    problem(refused, 403, "not-enrolled-in-course")
    problem(
        instructor.request("PUT", path, json_body={"due_at": at(9), "cutoff_at": at(8)}),
        422,
        "invalid-late-policy",
    )
    problem(instructor.request("PUT", path, json_body={}), 422, "validation-failed")
    problem(student.request("PUT", path, json_body={"due_at": at(30)}), 403, "forbidden")
    problem(tenant.instructor().request("PUT", path, json_body={"due_at": at(30)}), 403, "not-course-staff")
    assert snapshot(tenant) == before
    assert instructor.delete(path).status == 204
    assert of_entity(tenant, "assignment-extension") == []
    problem(instructor.delete(path), 404, "extension-not-found")


# ---------------------------------------------------------------- uploads and files


def test_a_presigned_upload_round_trip_stores_the_file_and_staff_download_it(
    tenant: Tenant, classroom: tuple[Caller, Caller, str]
) -> None:
    instructor, student, course_id = classroom
    made = published(instructor, course_id)
    request = {"file_name": "My Essay (final).pdf", "content_type": "application/pdf", "size": 11}
    response = student.post(f"{ASSIGNMENTS}/{made['id']}/uploads", request)
    assert response.status == 201, response.body
    upload = response.json()
    assert student.last_calls == expected_requests("POST", "/assessments/assignments/{assignment_id}/uploads")
    assert upload["method"] == "POST"
    key = upload["fields"]["key"]
    assert key == "/".join(
        (
            "submissions",
            tenant.institution_id,
            made["id"],
            student.user_id,
            upload["upload_id"],
            "My_Essay_final_.pdf",
        )
    )
    assert upload["fields"]["Content-Type"] == "application/pdf"
    assert upload["fields"]["x-amz-server-side-encryption"] == "AES256"
    assert upload_file(upload, b"%PDF-1.7 ok") == 204

    submission = {"upload_ids": [upload["upload_id"]]}
    raw_token = {"Authorization": str(student.token)}  # without the `Bearer ` prefix, as apps may send it
    answer = student.post(f"{ASSIGNMENTS}/{made['id']}/submissions", submission, headers=raw_token)
    assert answer.status == 201, answer.body
    assert student.last_calls_of("s3") == expected_calls(
        "s3", "POST", "/assessments/assignments/{assignment_id}/submissions", "with an upload"
    )
    [file] = answer.json()["files"]
    assert (file["file_name"], file["content_type"], file["size"]) == (
        "My_Essay_final_.pdf",
        "application/pdf",
        11,
    )

    read = instructor.get(f"{ASSIGNMENTS}/{made['id']}/submissions/{answer.json()['id']}")
    downloaded = requests.get(read.json()["files"][0]["download_url"], timeout=10)
    assert downloaded.content == b"%PDF-1.7 ok"
    head = boto3.client("s3", region_name=tenant.stack.region).head_object(
        Bucket=tenant.stack.files_bucket, Key=key
    )
    assert head["ContentType"] == "application/pdf"


def test_a_file_is_submitted_only_when_stored_as_announced_and_only_by_its_uploader(
    tenant: Tenant, classroom: tuple[Caller, Caller, str]
) -> None:
    instructor, student, course_id = classroom
    made = published(instructor, course_id)
    classmate = tenant.student()
    enroll(tenant, course_id, classmate)
    uploads = f"{ASSIGNMENTS}/{made['id']}/uploads"
    announced = {"file_name": "essay.pdf", "content_type": "application/pdf", "size": 5}
    never_sent = student.post(uploads, announced).json()
    other_size = student.post(uploads, announced).json()
    other_type = student.post(uploads, announced).json()
    theirs = classmate.post(uploads, announced).json()
    # The local emulation does not enforce the POST policy (S3 does): these uploads get through.
    assert upload_file(other_size, b"longer than announced") == 204
    assert upload_file(other_type, b"abcde", content_type="text/plain") == 204
    assert upload_file(theirs, b"%PDF!") == 204
    before = snapshot(tenant)
    refused = submit(student, made["id"], {"upload_ids": [never_sent["upload_id"]]})
    assert problem(refused, 409, "upload-incomplete")["upload_id"] == never_sent["upload_id"]
    problem(submit(student, made["id"], {"upload_ids": [other_size["upload_id"]]}), 409, "upload-incomplete")
    problem(submit(student, made["id"], {"upload_ids": [other_type["upload_id"]]}), 409, "upload-incomplete")
    problem(submit(student, made["id"], {"upload_ids": [theirs["upload_id"]]}), 404, "upload-not-found")
    problem(submit(student, made["id"], {"upload_ids": ["01NOSUCHUPLOAD"]}), 404, "upload-not-found")
    assert snapshot(tenant) == before


@pytest.mark.parametrize(
    ("request_body", "status", "slug"),
    [
        (
            {"file_name": "a.exe", "content_type": "application/x-msdownload", "size": 5},
            422,
            "file-not-allowed",
        ),
        ({"file_name": "a.png", "content_type": "image/png", "size": 5}, 422, "file-not-allowed"),
        ({"file_name": "a.pdf", "content_type": "application/pdf", "size": 1001}, 422, "file-not-allowed"),
        ({"file_name": "a.pdf", "content_type": "application/pdf", "size": 0}, 422, "validation-failed"),
        ({"file_name": "a.pdf", "content_type": "application/pdf"}, 422, "validation-failed"),
        ({"file_name": "", "content_type": "application/pdf", "size": 5}, 422, "validation-failed"),
    ],
)
def test_an_upload_outside_the_assignment_rules_is_refused(
    tenant: Tenant,
    classroom: tuple[Caller, Caller, str],
    request_body: dict[str, Any],
    status: int,
    slug: str,
) -> None:
    instructor, student, course_id = classroom
    made = published(instructor, course_id)
    before = snapshot(tenant)
    problem(student.post(f"{ASSIGNMENTS}/{made['id']}/uploads", request_body), status, slug)
    assert snapshot(tenant) == before


def test_uploads_are_for_enrolled_students_of_published_assignments(
    tenant: Tenant, other_tenant: Tenant, classroom: tuple[Caller, Caller, str]
) -> None:
    instructor, student, course_id = classroom
    draft, made = create(instructor, course_id), published(instructor, course_id)
    body = {"file_name": "a.pdf", "content_type": "application/pdf", "size": 5}
    before = snapshot(tenant)
    problem(student.post(f"{ASSIGNMENTS}/{draft['id']}/uploads", body), 404, "assignment-not-found")
    problem(tenant.student().post(f"{ASSIGNMENTS}/{made['id']}/uploads", body), 403, "not-enrolled-in-course")
    problem(instructor.post(f"{ASSIGNMENTS}/{made['id']}/uploads", body), 403, "forbidden")
    problem(
        other_tenant.student().post(f"{ASSIGNMENTS}/{made['id']}/uploads", body), 404, "assignment-not-found"
    )
    text_only = published(instructor, course_id, submission_types=["text"], file_content_types=[])
    problem(
        student.post(f"{ASSIGNMENTS}/{text_only['id']}/uploads", body), 422, "submission-type-not-allowed"
    )
    assert [i for i in snapshot(tenant) if i["entity"] == "assignment-upload"] == [
        i for i in before if i["entity"] == "assignment-upload"
    ]


# ---------------------------------------------------------------- submissions


def test_a_student_submits_and_resubmits_and_every_version_is_kept(
    tenant: Tenant, classroom: tuple[Caller, Caller, str]
) -> None:
    instructor, student, course_id = classroom
    made = published(instructor, course_id)
    first = submit(student, made["id"], {"text": "Draft one."})
    assert first.status == 201, first.body
    assert student.last_calls == expected_requests(
        "POST", "/assessments/assignments/{assignment_id}/submissions"
    )
    body = first.json()
    assert (body["version"], body["late"], body["days_late"], body["grade"]) == (1, False, 0, None)
    assert body["release_pending"] is None
    assert first.header("Location") == f"{ASSIGNMENTS}/{made['id']}/submissions/{body['id']}"
    second = submitted(student, made["id"], {"text": "Draft two."})
    assert second["version"] == 2
    assert student.last_calls == expected_requests(
        "POST", "/assessments/assignments/{assignment_id}/submissions"
    )  # whatever came before
    events = [e for e in tenant.events() if e["type"] == "lms.assessments.AssignmentSubmitted.v1"]
    assert [e["data"]["version"] for e in events] == [1, 2]
    assert events[1]["data"]["student_id"] == student.user_id
    assert events[1]["data"]["late"] is False
    assert len(of_entity(tenant, "assignment-submission")) == 2

    mine = student.get(f"{ASSIGNMENTS}/{made['id']}/submissions")
    assert [s["text"] for s in mine.json()["items"]] == ["Draft two.", "Draft one."]
    assert student.last_calls == expected_requests(
        "GET", "/assessments/assignments/{assignment_id}/submissions", "a student's own"
    )
    staff = instructor.get(f"{ASSIGNMENTS}/{made['id']}/submissions")
    assert [(s["id"], s["release_pending"]) for s in staff.json()["items"]] == [(second["id"], False)]
    assert instructor.last_calls == expected_requests(
        "GET", "/assessments/assignments/{assignment_id}/submissions"
    )


def test_a_retried_submission_is_stored_once(tenant: Tenant, classroom: tuple[Caller, Caller, str]) -> None:
    instructor, student, course_id = classroom
    made = published(instructor, course_id)
    headers = {"Idempotency-Key": "essay-final"}
    first = submit(student, made["id"], headers=headers)
    again = submit(student, made["id"], headers=headers)
    assert (first.status, again.status) == (201, 201)
    assert again.json() == first.json()
    assert student.last_calls == expected_requests(
        "POST", "/assessments/assignments/{assignment_id}/submissions", "Idempotency-Key replay"
    )
    assert len(of_entity(tenant, "assignment-submission")) == 1
    problem(submit(student, made["id"], {"text": "Changed"}, headers=headers), 422, "idempotency-key-reused")


def test_lateness_is_counted_in_started_days_from_the_students_own_due_date(
    tenant: Tenant, classroom: tuple[Caller, Caller, str]
) -> None:
    instructor, student, course_id = classroom
    made = published(instructor, course_id, due_at=at(-1.5), late_policy={"percent_per_day": "10"})
    late = submitted(student, made["id"])
    assert (late["late"], late["days_late"]) == (True, 2)
    event = [e for e in tenant.events() if e["type"] == "lms.assessments.AssignmentSubmitted.v1"][-1]
    assert event["data"]["late"] is True
    extension = f"{ASSIGNMENTS}/{made['id']}/extensions/{student.user_id}"
    assert instructor.request("PUT", extension, json_body={"due_at": at(1)}).status == 200
    on_time = submitted(student, made["id"])
    assert (on_time["late"], on_time["days_late"], on_time["version"]) == (False, 0, 2)


def test_the_hard_cutoff_closes_submissions_unless_the_student_has_an_extension(
    tenant: Tenant, classroom: tuple[Caller, Caller, str]
) -> None:
    instructor, student, course_id = classroom
    made = published(
        instructor, course_id, due_at=at(-3), late_policy={"percent_per_day": "10", "cutoff_days": 1}
    )
    before = snapshot(tenant)
    problem(submit(student, made["id"]), 409, "submission-closed")
    assert snapshot(tenant) == before
    extension = f"{ASSIGNMENTS}/{made['id']}/extensions/{student.user_id}"
    assert instructor.request("PUT", extension, json_body={"due_at": at(-0.5)}).status == 200
    late = submitted(student, made["id"])  # the cut-off moved with the due date: 1 day after it
    assert (late["late"], late["days_late"]) == (True, 1)


@pytest.mark.parametrize(
    ("body", "slug"),
    [
        ({}, "submission-type-not-allowed"),
        ({"url": "https://example.org/essay"}, "submission-type-not-allowed"),
        ({"text": ""}, "validation-failed"),
        ({"url": "not a url"}, "validation-failed"),
        ({"text": "x", "student_id": "someone-else"}, "validation-failed"),
        ({"upload_ids": ["a"] * 11}, "validation-failed"),
    ],
)
def test_an_invalid_submission_is_refused_and_nothing_is_stored(
    tenant: Tenant, classroom: tuple[Caller, Caller, str], body: dict[str, Any], slug: str
) -> None:
    instructor, student, course_id = classroom
    made = published(instructor, course_id)
    before = snapshot(tenant)
    problem(student.post(f"{ASSIGNMENTS}/{made['id']}/submissions", body), 422, slug)
    assert snapshot(tenant) == before


def test_only_enrolled_students_submit_to_published_assignments_of_their_institution(
    tenant: Tenant, other_tenant: Tenant, classroom: tuple[Caller, Caller, str]
) -> None:
    instructor, student, course_id = classroom
    draft, made = create(instructor, course_id), published(instructor, course_id)
    dropped = tenant.student()
    enroll(tenant, course_id, dropped, "dropped")
    before = snapshot(tenant)
    problem(submit(student, draft["id"]), 404, "assignment-not-found")
    problem(submit(dropped, made["id"]), 403, "not-enrolled-in-course")
    problem(submit(tenant.student(), made["id"]), 403, "not-enrolled-in-course")
    problem(submit(instructor, made["id"]), 403, "forbidden")
    problem(submit(other_tenant.student(), made["id"]), 404, "assignment-not-found")
    problem(submit(student, "01NOSUCHASSIGNMENT"), 404, "assignment-not-found")
    assert snapshot(tenant) == before


def test_students_read_only_their_own_submissions_and_staff_reads_are_audited(
    tenant: Tenant, classroom: tuple[Caller, Caller, str]
) -> None:
    instructor, student, course_id = classroom
    made = published(instructor, course_id)
    mine = submitted(student, made["id"])
    path = f"{ASSIGNMENTS}/{made['id']}/submissions/{mine['id']}"
    assert student.get(path).json()["id"] == mine["id"]
    assert student.last_calls == expected_requests(
        "GET", "/assessments/assignments/{assignment_id}/submissions/{submission_id}"
    )
    classmate = tenant.student()
    enroll(tenant, course_id, classmate)
    problem(classmate.get(path), 404, "submission-not-found")
    assert classmate.get(f"{ASSIGNMENTS}/{made['id']}/submissions").json()["items"] == []
    audit_before = len(of_entity(tenant, "audit"))
    assert instructor.get(path).status == 200
    assert instructor.last_calls == expected_requests(
        "GET", "/assessments/assignments/{assignment_id}/submissions/{submission_id}", "staff"
    )
    [entry] = of_entity(tenant, "audit")[audit_before:]
    assert (entry["action"], entry["subject_user_id"]) == ("GetSubmission", student.user_id)
    problem(tenant.instructor().get(path), 403, "not-course-staff")
    problem(tenant.instructor().get(f"{ASSIGNMENTS}/{made['id']}/submissions"), 403, "not-course-staff")
    problem(instructor.get(f"{ASSIGNMENTS}/{made['id']}/submissions/01NOSUCH"), 404, "submission-not-found")


def test_a_staff_list_of_submissions_is_audited_once_per_page_and_a_students_own_list_is_not(
    tenant: Tenant, classroom: tuple[Caller, Caller, str]
) -> None:
    instructor, student, course_id = classroom
    made = published(instructor, course_id)
    classmate = tenant.student()
    enroll(tenant, course_id, classmate)
    submitted(student, made["id"])
    submitted(student, made["id"], {"text": "Draft two."})
    submitted(classmate, made["id"])
    path = f"{ASSIGNMENTS}/{made['id']}/submissions"
    assert len(student.get(path).json()["items"]) == 2
    problem(tenant.instructor().get(path), 403, "not-course-staff")
    problem(instructor.get(f"{ASSIGNMENTS}/01NOSUCH/submissions"), 404, "assignment-not-found")
    assert of_entity(tenant, "audit") == []
    listed = instructor.get(path)
    assert listed.status == 200, listed.body
    assert len(listed.json()["items"]) == 2
    [entry] = of_entity(tenant, "audit")
    assert (entry["action"], entry["actor_id"], entry["resource"]) == (
        "ListSubmissions",
        instructor.user_id,
        f"assessments/assignments/{made['id']}/submissions",
    )
    assert json.loads(entry["details"]) == {"students": 2}
    assert entry.get("subject_user_id") is None


# ---------------------------------------------------------------- grading and release


def test_a_late_rubric_grade_is_deducted_exactly_and_seen_only_after_release(
    tenant: Tenant, classroom: tuple[Caller, Caller, str]
) -> None:
    instructor, student, course_id = classroom
    policy = {"percent_per_day": "12.5", "floor_percent": "80"}
    made = published(instructor, course_id, rubric=RUBRIC, due_at=at(-1.5), late_policy=policy)
    work = submitted(student, made["id"])
    response = grade(
        instructor,
        made["id"],
        work,
        {"rubric_levels": {"argument": "fair", "style": "good"}, "feedback": "Good."},
    )
    assert response.status == 200, response.body
    assert instructor.last_calls == expected_requests(
        "PUT", "/assessments/assignments/{assignment_id}/submissions/{submission_id}/grade"
    )
    graded = response.json()
    # 7.5 raw, 2 days late: 25% would go, but at least 80% is kept.
    assert graded["grade"]["raw_score"] == "7.5"
    assert graded["grade"]["deduction_percent"] == "20"
    assert graded["grade"]["score"] == "6"
    assert (graded["release_pending"], graded["revision"]) == (True, 2)
    assert response.header("ETag") == '"2"'
    [event] = [e for e in tenant.events() if e["type"] == "lms.assessments.SubmissionGraded.v1"]
    assert event["data"]["score"] == "6"
    assert event["data"]["points"] == "10"
    assert "Good." not in str(event)

    path = f"{ASSIGNMENTS}/{made['id']}/submissions/{work['id']}"
    assert student.get(path).json()["grade"] is None
    assert student.get(f"{ASSIGNMENTS}/{made['id']}/submissions").json()["items"][0]["grade"] is None

    released = instructor.post(f"{path}/release")
    assert released.status == 200, released.body
    assert instructor.last_calls == expected_requests(
        "POST", "/assessments/assignments/{assignment_id}/submissions/{submission_id}/release"
    )
    seen = student.get(path).json()["grade"]
    assert (seen["score"], seen["feedback"], seen["points"]) == ("6", "Good.", "10")
    assert instructor.post(f"{path}/release").status == 200  # already shown: nothing changes
    regraded = grade(
        instructor, made["id"], released.json(), {"rubric_levels": {"argument": "strong", "style": "good"}}
    )
    assert regraded.json()["grade"]["score"] == "8"
    assert student.get(path).json()["grade"]["score"] == "6"  # the released grade until released again
    assert instructor.post(f"{path}/release").status == 200
    releases = [e["data"] for e in tenant.events() if e["type"] == "lms.assessments.GradeReleased.v1"]
    assert [(r["score"], r["revision"], r["kind"]) for r in releases] == [
        ("6", 1, "assignment"),
        ("8", 2, "assignment"),
    ]
    assert releases[0]["assessment_id"] == made["id"]
    assert student.get(path).json()["grade"]["score"] == "8"


def test_grading_refuses_stale_versions_wrong_scores_and_wrong_callers(
    tenant: Tenant, other_tenant: Tenant, classroom: tuple[Caller, Caller, str]
) -> None:
    instructor, student, course_id = classroom
    plain = published(instructor, course_id)
    rubric = published(instructor, course_id, rubric=RUBRIC)
    work, rubric_work = submitted(student, plain["id"]), submitted(student, rubric["id"])
    assert grade(instructor, plain["id"], work, {"score": "9.25"}).json()["grade"]["score"] == "9.25"
    before = snapshot(tenant)
    problem(grade(instructor, plain["id"], work, {"score": "8"}), 412, "version-mismatch")
    path = f"{ASSIGNMENTS}/{plain['id']}/submissions/{work['id']}/grade"
    problem(instructor.request("PUT", path, json_body={"score": "8"}), 428, "if-match-required")
    fresh = {**work, "revision": 2}
    problem(grade(instructor, plain["id"], fresh, {"score": "10.5"}), 422, "invalid-grade")
    problem(grade(instructor, plain["id"], fresh, {}), 422, "invalid-grade")
    problem(grade(instructor, plain["id"], fresh, {"score": "-1"}), 422, "validation-failed")
    problem(
        grade(instructor, plain["id"], fresh, {"rubric_levels": {"argument": "fair"}}), 422, "invalid-grade"
    )
    problem(grade(instructor, rubric["id"], rubric_work, {"score": "5"}), 422, "invalid-grade")
    problem(
        grade(instructor, rubric["id"], rubric_work, {"rubric_levels": {"argument": "fair"}}),
        422,
        "invalid-grade",
    )
    unknown_level = {"rubric_levels": {"argument": "superb", "style": "good"}}
    problem(grade(instructor, rubric["id"], rubric_work, unknown_level), 422, "invalid-grade")
    problem(grade(student, plain["id"], fresh, {"score": "10"}), 403, "forbidden")
    problem(grade(tenant.instructor(), plain["id"], fresh, {"score": "10"}), 403, "not-course-staff")
    problem(grade(other_tenant.admin(), plain["id"], fresh, {"score": "10"}), 404, "assignment-not-found")
    problem(
        grade(instructor, plain["id"], {"id": "01NOSUCH", "revision": 1}, {"score": "1"}),
        404,
        "submission-not-found",
    )
    assert snapshot(tenant) == before


def test_releasing_all_grades_releases_each_students_latest_graded_version(
    tenant: Tenant, classroom: tuple[Caller, Caller, str]
) -> None:
    instructor, student, course_id = classroom
    made = published(instructor, course_id)
    others = [tenant.student() for _ in range(2)]
    for other in others:
        enroll(tenant, course_id, other)
    works = [submitted(s, made["id"]) for s in (student, *others)]
    for work, score in zip(works[:2], ("7", "8.5"), strict=True):
        assert grade(instructor, made["id"], work, {"score": score}).status == 200
    problem(
        instructor.post(f"{ASSIGNMENTS}/{made['id']}/submissions/{works[2]['id']}/release"),
        409,
        "submission-not-graded",
    )
    problem(student.post(f"{ASSIGNMENTS}/{made['id']}/release"), 403, "forbidden")
    problem(tenant.instructor().post(f"{ASSIGNMENTS}/{made['id']}/release"), 403, "not-course-staff")
    response = instructor.post(f"{ASSIGNMENTS}/{made['id']}/release")
    assert response.status == 200, response.body
    assert response.json() == {"released": 2, "more": False}
    assert instructor.last_calls == expected_requests(
        "POST", "/assessments/assignments/{assignment_id}/release"
    )
    released = [e["data"] for e in tenant.events() if e["type"] == "lms.assessments.GradeReleased.v1"]
    assert sorted((r["student_id"], r["score"], r["revision"]) for r in released) == sorted(
        [(student.user_id, "7", 1), (others[0].user_id, "8.5", 1)]
    )
    before = snapshot(tenant)
    assert instructor.post(f"{ASSIGNMENTS}/{made['id']}/release").json() == {"released": 0, "more": False}
    assert snapshot(tenant) == before
    assert (
        student.get(f"{ASSIGNMENTS}/{made['id']}/submissions/{works[0]['id']}").json()["grade"]["score"]
        == "7"
    )


# ---------------------------------------------------------------- privacy


def test_erasure_deletes_the_students_files_and_strips_their_submissions(
    tenant: Tenant, classroom: tuple[Caller, Caller, str]
) -> None:
    instructor, student, course_id = classroom
    made = published(instructor, course_id)
    request = {"file_name": "essay.pdf", "content_type": "application/pdf", "size": 5}
    submitted_upload = student.post(f"{ASSIGNMENTS}/{made['id']}/uploads", request).json()
    stray_upload = student.post(f"{ASSIGNMENTS}/{made['id']}/uploads", request).json()
    for upload in (submitted_upload, stray_upload):
        assert upload_file(upload, b"%PDF!") == 204
    work = submitted(
        student, made["id"], {"text": "Personal story.", "upload_ids": [submitted_upload["upload_id"]]}
    )
    assert grade(instructor, made["id"], work, {"score": "9", "feedback": "Moving."}).status == 200

    exported = privacy.export(tenant.institution_id, student.user_id)
    assert [s["text"] for s in exported["assignment_submissions"]] == ["Personal story."]
    assert len(exported["assignment_uploads"]) == 2
    assert exported["assignment_records"] == [
        {"assignment_id": made["id"], "latest_version": 1, "grades_released": 0}
    ]

    admin = Principal(
        user_id="admin", institution_id=tenant.institution_id, roles=frozenset({Role.INSTITUTION_ADMIN})
    )
    for _ in range(2):  # idempotent: a second run changes nothing more
        privacy.erase(tenant.institution_id, student.user_id, admin)
    s3 = boto3.client("s3", region_name=tenant.stack.region)
    prefix = f"submissions/{tenant.institution_id}/{made['id']}/{student.user_id}/"
    assert s3.list_objects_v2(Bucket=tenant.stack.files_bucket, Prefix=prefix).get("KeyCount") == 0
    assert of_entity(tenant, "assignment-upload") == []
    [stored] = [json.loads(i["document"]) for i in of_entity(tenant, "assignment-submission")]
    assert (stored["text"], stored["files"]) == (None, [])
    assert stored["grade"]["feedback"] == ""
    assert Decimal(stored["grade"]["score"]) == Decimal(9)
