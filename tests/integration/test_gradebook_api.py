"""The gradebook API through the gateway emulation: settings, own grades, class reads, export.

Grades reach the gradebook as events (the quiz and assignment producers are other parts of the
context): these tests write them to the outbox as a producer's transaction would, and the event
pump delivers them through the relay, the bus and the gradebook queue to the consumer.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any
from urllib.parse import parse_qs, unquote, urlparse

import boto3
import pytest

from bench.expectations import expected_requests
from infra.gateway import ApiGateway, ApiResponse, TokenVerifier
from infra.provision import Stack
from lms import ids, keys
from lms.events.courses import StudentDropped
from lms.settings import get_settings
from tests.support.client import Caller, problem
from tests.support.courses import course_with_lessons, enroll
from tests.support.events import (
    assignment_published,
    drained,
    emit,
    grade_released,
    quiz_graded,
    quiz_published,
)
from tests.support.tenant import Tenant

SETTINGS_BODY = {
    "categories": [
        {"name": "quizzes", "weight": "40", "drop_lowest": 1},
        {"name": "assignments", "weight": "60"},
    ],
    "letters": [
        {"letter": "A", "min_percent": "90"},
        {"letter": "B", "min_percent": "80"},
        {"letter": "C", "min_percent": "0"},
    ],
}


@pytest.fixture(scope="module")
def gradebook_gateway(stack: Stack) -> ApiGateway:
    return ApiGateway(stack, TokenVerifier.for_stack(stack))


@pytest.fixture
def tenant(stack: Stack, gradebook_gateway: ApiGateway) -> Tenant:
    return Tenant(stack, gradebook_gateway)


@pytest.fixture
def other_tenant(stack: Stack, gradebook_gateway: ApiGateway) -> Tenant:
    return Tenant(stack, gradebook_gateway)


# ---------------------------------------------------------------- producing events


# ---------------------------------------------------------------- a graded class


class GradedCourse:
    """A published course with two students enrolled through the API, two quizzes and an
    assignment published and graded through events, and the gradebook's consumer caught up.

    Student `ada`: quizzes 8/10 and 4/10 (the 4 is dropped), essay 90/100; `bob`: quiz 10/10 only.
    """

    def __init__(self, tenant: Tenant) -> None:
        self.tenant = tenant
        self.instructor = tenant.instructor()
        self.course_id, _ = course_with_lessons(self.instructor, count=1)
        self.ada, self.bob = tenant.student(), tenant.student()
        # Ada saves a profile (a name a spreadsheet would run as a formula); Bob's account has none.
        assert self.ada.patch("/users/me", {"display_name": "@Ada L."}, version=0).status == 200
        for student in (self.ada, self.bob):
            enroll(tenant, self.course_id, student)
        self.quiz1, self.quiz2, self.essay = ids.new_id(), ids.new_id(), ids.new_id()
        c, a, b = self.course_id, self.ada.user_id, self.bob.user_id
        emit(
            tenant.institution_id,
            quiz_published(c, self.quiz1, "Quiz 1"),
            quiz_published(c, self.quiz2, '=HYPERLINK("http://evil")'),
            assignment_published(c, self.essay, "Essay, final"),
            quiz_graded(c, self.quiz1, a, "8"),
            quiz_graded(c, self.quiz2, a, "4"),
            grade_released(c, self.essay, a, "90"),
            quiz_graded(c, self.quiz1, b, "10"),
        )
        assert drained(tenant.stack).failures == 0
        assert self.instructor.request("PUT", self.path("settings"), json_body=SETTINGS_BODY).status == 200

    def path(self, tail: str) -> str:
        return f"/assessments/gradebook/courses/{self.course_id}/{tail}"


@pytest.fixture
def graded(tenant: Tenant) -> GradedCourse:
    return GradedCourse(tenant)


def gradebook_items(tenant: Tenant) -> list[dict[str, Any]]:
    return sorted(
        (i for i in tenant.items() if str(i["PK"]).endswith("#GRADEBOOK")), key=lambda i: (i["PK"], i["SK"])
    )


def audit_entries(tenant: Tenant) -> list[dict[str, Any]]:
    return [i for i in tenant.items() if i.get("entity") == "audit"]


def warm_get(caller: Caller, path: str, **kw: Any) -> ApiResponse:
    """A GET made twice, the second measured: the first refreshes the caller's cached account check
    (lms.users.access, 30 s), which a slow set-up may have let expire."""
    caller.get(path, **kw)
    return caller.get(path, **kw)


def settings_path(course_id: str) -> str:
    return f"/assessments/gradebook/courses/{course_id}/settings"


# ---------------------------------------------------------------- settings


def test_a_course_without_settings_answers_the_defaults_at_version_0(tenant: Tenant) -> None:
    instructor = tenant.instructor()
    course_id, _ = course_with_lessons(instructor, count=1)
    response = warm_get(instructor, settings_path(course_id))
    assert response.status == 200, response.body
    assert response.header("ETag") == '"0"'
    body = response.json()
    assert body["version"] == 0
    assert [(c["name"], c["weight"]) for c in body["categories"]] == [
        ("quizzes", "40"),
        ("assignments", "60"),
    ]
    assert body["letters"][-1] == {"letter": "F", "min_percent": "0"}
    assert instructor.last_calls == expected_requests(
        "GET", "/assessments/gradebook/courses/{course_id}/settings"
    )


def test_first_settings_need_no_if_match_then_every_change_does(tenant: Tenant) -> None:
    instructor = tenant.instructor()
    course_id, _ = course_with_lessons(instructor, count=1)
    created = instructor.request("PUT", settings_path(course_id), json_body=SETTINGS_BODY)
    assert created.status == 200, created.body
    assert created.header("ETag") == '"1"'
    assert created.json()["categories"][0] == {"name": "quizzes", "weight": "40", "drop_lowest": 1}
    assert instructor.last_calls == expected_requests(
        "PUT", "/assessments/gradebook/courses/{course_id}/settings"
    )
    changed = tenant.event_types()
    assert changed[-1] == "GradebookSettingsChanged"
    [entry] = audit_entries(tenant)
    assert (entry["action"], entry["actor_id"]) == ("UpdateGradebookSettings", instructor.user_id)
    assert entry["resource"] == f"courses/{course_id}/gradebook/settings"

    before = gradebook_items(tenant)
    problem(
        instructor.request("PUT", settings_path(course_id), json_body=SETTINGS_BODY), 428, "if-match-required"
    )
    stale = instructor.request(
        "PUT", settings_path(course_id), json_body=SETTINGS_BODY, headers={"If-Match": '"0"'}
    )
    assert problem(stale, 412, "version-mismatch")["current_version"] == 1
    assert gradebook_items(tenant) == before
    assert tenant.event_types() == changed

    again = instructor.request(
        "PUT", settings_path(course_id), json_body=SETTINGS_BODY, headers={"If-Match": '"1"'}
    )
    assert again.status == 200, again.body
    assert again.json()["version"] == 2
    assert [json.loads(e["details"]) for e in audit_entries(tenant)] == [{"version": 1}, {"version": 2}]
    assert instructor.get(settings_path(course_id)).json()["version"] == 2
    problem(
        instructor.request(
            "PUT", settings_path(course_id), json_body=SETTINGS_BODY, headers={"If-Match": "one"}
        ),
        400,
        "bad-request",
    )


def _with(**changes: Any) -> dict[str, Any]:
    return {**json.loads(json.dumps(SETTINGS_BODY)), **changes}


INVALID_SETTINGS = [
    (
        _with(categories=[{"name": "quizzes", "weight": "40"}, {"name": "essays", "weight": "50"}]),
        "categories",
    ),
    (
        _with(categories=[{"name": "quizzes", "weight": "50"}, {"name": "Quizzes", "weight": "50"}]),
        "categories.1.name",
    ),
    (_with(categories=[{"name": "quizzes", "weight": "100.5"}]), "categories.0.weight"),
    (_with(categories=[{"name": "quizzes", "weight": "33.333"}]), "categories.0.weight"),
    (_with(categories=[{"name": "quizzes", "weight": "-1"}]), "categories.0.weight"),
    (_with(categories=[{"name": "quizzes", "weight": "100", "drop_lowest": -1}]), "categories.0.drop_lowest"),
    (_with(categories=[]), "categories"),
    (_with(categories=[{"name": " ", "weight": "100"}]), "categories.0.name"),
    (
        _with(letters=[{"letter": "A", "min_percent": "50"}, {"letter": "B", "min_percent": "60"}]),
        "letters.1.min_percent",
    ),
    (
        _with(letters=[{"letter": "A", "min_percent": "90"}, {"letter": "B", "min_percent": "90"}]),
        "letters.1.min_percent",
    ),
    (
        _with(letters=[{"letter": "A", "min_percent": "90"}, {"letter": "A", "min_percent": "0"}]),
        "letters.1.letter",
    ),
    (_with(letters=[{"letter": "A", "min_percent": "90"}]), "letters.0.min_percent"),
    (_with(letters=[{"letter": "A", "min_percent": "120"}]), "letters.0.min_percent"),
    (_with(letters=[]), "letters"),
    ({"categories": SETTINGS_BODY["categories"]}, "letters"),
    ({"letters": SETTINGS_BODY["letters"]}, "categories"),
    (_with(extra=True), "extra"),
]


@pytest.mark.parametrize(("body", "field"), INVALID_SETTINGS)
def test_invalid_settings_are_refused_naming_the_field_and_nothing_is_stored(
    tenant: Tenant, body: dict[str, Any], field: str
) -> None:
    instructor = tenant.instructor()
    course_id, _ = course_with_lessons(instructor, count=1)
    events = tenant.event_types()
    refused = problem(
        instructor.request("PUT", settings_path(course_id), json_body=body), 422, "validation-failed"
    )
    assert field in {error["field"] for error in refused["errors"]}, refused
    assert gradebook_items(tenant) == []
    assert tenant.event_types() == events


def test_only_the_course_s_staff_manage_its_settings(tenant: Tenant, other_tenant: Tenant) -> None:
    instructor = tenant.instructor()
    course_id, _ = course_with_lessons(instructor, count=1)
    path = settings_path(course_id)
    problem(tenant.student().request("PUT", path, json_body=SETTINGS_BODY), 403, "forbidden")
    problem(tenant.student().get(path), 403, "forbidden")
    colleague = tenant.instructor()
    problem(colleague.request("PUT", path, json_body=SETTINGS_BODY), 403, "gradebook-staff-only")
    problem(colleague.get(path), 403, "gradebook-staff-only")
    stranger = other_tenant.instructor()
    problem(stranger.request("PUT", path, json_body=SETTINGS_BODY), 404, "course-not-found")
    problem(other_tenant.admin().get(path), 404, "course-not-found")
    problem(
        instructor.request("PUT", settings_path("no-such-course"), json_body=SETTINGS_BODY),
        404,
        "course-not-found",
    )
    problem(instructor.get(settings_path("no such course")), 404, "not-found")
    assert gradebook_items(tenant) == []
    admin = tenant.admin()
    assert admin.request("PUT", path, json_body=SETTINGS_BODY).status == 200


# ---------------------------------------------------------------- a student's own grades


def test_a_student_reads_their_counted_grades_with_the_weighted_course_grade(graded: GradedCourse) -> None:
    response = warm_get(graded.ada, graded.path("me"))
    assert response.status == 200, response.body
    body = response.json()
    assert body["student_id"] == graded.ada.user_id
    assert body["status"] == "enrolled"
    scores = {s["assessment_id"]: s for s in body["scores"]}
    assert scores[graded.quiz1]["score"] == "8"
    assert scores[graded.quiz1]["title"] == "Quiz 1"
    assert scores[graded.quiz2]["dropped"] is True
    assert scores[graded.essay]["score"] == "90"
    assert scores[graded.essay]["category"] == "assignments"
    # quizzes: 8/10 with the 4 dropped = 80; assignments 90; 0.4 * 80 + 0.6 * 90 = 86
    assert [(c["name"], c["percent"], c["counted"]) for c in body["categories"]] == [
        ("quizzes", "80.00", 1),
        ("assignments", "90.00", 1),
    ]
    assert body["final_percent"] == "86.00"
    assert body["letter"] == "B"
    assert graded.ada.last_calls == expected_requests("GET", "/assessments/gradebook/courses/{course_id}/me")


def test_a_student_with_quiz_grades_only_is_graded_on_quizzes_only(graded: GradedCourse) -> None:
    body = graded.bob.get(graded.path("me")).json()
    assert [(c["name"], c["percent"]) for c in body["categories"]] == [
        ("quizzes", "100.00"),
        ("assignments", None),
    ]
    assert body["final_percent"] == "100.00"
    assert body["letter"] == "A"


def test_an_enrolled_student_without_grades_yet_sees_an_empty_row(tenant: Tenant) -> None:
    instructor = tenant.instructor()
    course_id, _ = course_with_lessons(instructor, count=1)
    student = tenant.student()
    enroll(tenant, course_id, student)  # the gradebook has not heard of it yet
    body = student.get(f"/assessments/gradebook/courses/{course_id}/me").json()
    assert body["scores"] == []
    assert body["final_percent"] is None
    assert body["letter"] is None


def test_only_enrolled_students_read_their_grades(graded: GradedCourse, other_tenant: Tenant) -> None:
    tenant = graded.tenant
    problem(tenant.student().get(graded.path("me")), 403, "grades-need-enrollment")
    problem(graded.instructor.get(graded.path("me")), 403, "forbidden")
    problem(other_tenant.student().get(graded.path("me")), 404, "course-not-found")
    problem(graded.ada.get("/assessments/gradebook/courses/unknown-course/me"), 404, "course-not-found")
    dropped = graded.ada.delete(f"/courses/{graded.course_id}/enrollments/{graded.ada.user_id}")
    assert dropped.status == 204, dropped.body
    problem(graded.ada.get(graded.path("me")), 403, "grades-need-enrollment")


# ---------------------------------------------------------------- staff reads


def test_staff_read_the_class_with_computed_grades_by_cursor(graded: GradedCourse) -> None:
    first = warm_get(graded.instructor, graded.path("students"), query={"limit": "1"})
    assert first.status == 200, first.body
    assert graded.instructor.last_calls == expected_requests(
        "GET", "/assessments/gradebook/courses/{course_id}/students"
    )
    page = first.json()
    assert [c["assessment_id"] for c in page["columns"]] == sorted(
        [graded.quiz1, graded.quiz2, graded.essay], key=[graded.quiz1, graded.quiz2, graded.essay].index
    )
    assert len(page["items"]) == 1
    assert page["next_cursor"]
    second = graded.instructor.get(
        graded.path("students"), query={"limit": "1", "cursor": page["next_cursor"]}
    )
    rest = second.json()
    rows = {r["student_id"]: r for r in page["items"] + rest["items"]}
    assert rows[graded.ada.user_id]["final_percent"] == "86.00"
    assert rows[graded.bob.user_id]["letter"] == "A"
    assert (rows[graded.ada.user_id]["display_name"], rows[graded.bob.user_id]["display_name"]) == (
        "@Ada L.",
        None,
    )
    everyone = graded.instructor.get(graded.path("students")).json()
    assert {r["student_id"] for r in everyone["items"]} == {graded.ada.user_id, graded.bob.user_id}
    assert everyone["next_cursor"] is None
    reads = [e for e in audit_entries(graded.tenant) if e["action"] == "ListCourseGrades"]
    assert len(reads) == 4  # warm_get's two, the second page, the whole class: one entry per page read
    assert {e["actor_id"] for e in reads} == {graded.instructor.user_id}
    assert [json.loads(e["details"])["students"] for e in reads][-1] == 2


def test_a_dropped_student_leaves_the_class_views(graded: GradedCourse) -> None:
    assert graded.bob.delete(f"/courses/{graded.course_id}/enrollments/{graded.bob.user_id}").status == 204
    assert drained(graded.tenant.stack).failures == 0
    everyone = graded.instructor.get(graded.path("students")).json()
    assert [r["student_id"] for r in everyone["items"]] == [graded.ada.user_id]
    exported = list(csv.reader(io.StringIO(graded.instructor.get(graded.path("export")).body)))
    assert [line[0] for line in exported[1:]] == [graded.ada.user_id]
    # Staff can still look the student up: the row keeps its grades, marked dropped.
    bob = graded.instructor.get(graded.path(f"students/{graded.bob.user_id}")).json()
    assert bob["status"] == "dropped"
    assert bob["final_percent"] == "100.00"


def test_the_class_read_makes_the_same_requests_for_3_and_30_students(tenant: Tenant) -> None:
    instructor = tenant.instructor()
    counts = []
    for size in (3, 30):
        course_id, _ = course_with_lessons(instructor, count=1)
        quiz_id = ids.new_id()
        students = [f"student-{size}-{n:02d}" for n in range(size)]
        # A grade makes the student's row (enrolled) even before the enrollment reaches the gradebook.
        emit(
            tenant.institution_id,
            quiz_published(course_id, quiz_id),
            *(quiz_graded(course_id, quiz_id, s, str(n % 11)) for n, s in enumerate(students)),
        )
        assert drained(tenant.stack).failures == 0
        path = f"/assessments/gradebook/courses/{course_id}/students"
        response = warm_get(instructor, path, query={"limit": "100"})
        assert len(response.json()["items"]) == size
        counts.append(instructor.last_calls)
    assert (
        counts[0]
        == counts[1]
        == expected_requests("GET", "/assessments/gradebook/courses/{course_id}/students")
    )


def test_a_cursor_of_another_list_is_refused(graded: GradedCourse, tenant: Tenant) -> None:
    other_course, _ = course_with_lessons(graded.instructor, count=1)
    cursor = graded.instructor.get(graded.path("students"), query={"limit": "1"}).json()["next_cursor"]
    problem(
        graded.instructor.get(
            f"/assessments/gradebook/courses/{other_course}/students", query={"cursor": cursor}
        ),
        400,
        "invalid-cursor",
    )
    problem(graded.instructor.get(graded.path("students"), query={"limit": "0"}), 422, "validation-failed")
    problem(graded.instructor.get(graded.path("students"), query={"limit": "101"}), 422, "validation-failed")


def test_staff_reading_one_student_s_grades_is_audited(graded: GradedCourse) -> None:
    graded.instructor.get("/users/me")  # the account check, cached for the measured call
    before = len(audit_entries(graded.tenant))
    response = graded.instructor.get(graded.path(f"students/{graded.ada.user_id}"))
    assert response.status == 200, response.body
    assert response.json()["final_percent"] == "86.00"
    assert graded.instructor.last_calls == expected_requests(
        "GET", "/assessments/gradebook/courses/{course_id}/students/{student_id}"
    )
    entries = audit_entries(graded.tenant)
    assert len(entries) == before + 1
    entry = max(entries, key=lambda e: e["SK"])
    assert entry["action"] == "GetStudentGrades"
    assert entry["subject_user_id"] == graded.ada.user_id
    assert entry["actor_id"] == graded.instructor.user_id


def test_refused_or_unknown_student_reads_leave_no_audit_entry(
    graded: GradedCourse, other_tenant: Tenant
) -> None:
    before = audit_entries(graded.tenant)
    problem(graded.instructor.get(graded.path("students/nobody")), 404, "student-grades-not-found")
    problem(graded.bob.get(graded.path(f"students/{graded.ada.user_id}")), 403, "forbidden")
    problem(
        graded.tenant.instructor().get(graded.path(f"students/{graded.ada.user_id}")),
        403,
        "gradebook-staff-only",
    )
    problem(
        other_tenant.instructor().get(graded.path(f"students/{graded.ada.user_id}")), 404, "course-not-found"
    )
    problem(graded.bob.get(graded.path("students")), 403, "forbidden")
    problem(other_tenant.admin().get(graded.path("students")), 404, "course-not-found")
    problem(graded.bob.get(graded.path("export")), 403, "forbidden")
    problem(graded.tenant.instructor().get(graded.path("export")), 403, "gradebook-staff-only")
    problem(other_tenant.instructor().get(graded.path("export")), 404, "course-not-found")
    assert audit_entries(graded.tenant) == before


# ---------------------------------------------------------------- export


def test_the_export_is_csv_one_row_per_student_safe_to_open(graded: GradedCourse) -> None:
    before = len(audit_entries(graded.tenant))
    response = graded.tenant.admin().get(graded.path("export"))
    assert response.status == 200, response.body
    assert response.header("Content-Type") == "text/csv; charset=utf-8"
    assert "attachment" in (response.header("Content-Disposition") or "")
    assert "\r\n" in response.body
    table = list(csv.reader(io.StringIO(response.body)))
    header = table[0]
    assert header == [
        "student_id",
        "display_name",
        f"Quiz 1 ({graded.quiz1})",
        f'\'=HYPERLINK("http://evil") ({graded.quiz2})',
        f"Essay, final ({graded.essay})",
        "quizzes (%)",
        "assignments (%)",
        "final (%)",
        "letter",
    ]
    rows = {line[0]: line[1:] for line in table[1:]}
    assert rows == {
        graded.ada.user_id: ["'@Ada L.", "8", "4", "90", "80.00", "90.00", "86.00", "B"],
        graded.bob.user_id: ["", "10", "", "", "100.00", "", "100.00", "A"],
    }
    entries = audit_entries(graded.tenant)
    assert len(entries) == before + 1
    assert max(entries, key=lambda e: e["SK"])["action"] == "ExportGradebook"


def test_an_export_too_large_for_a_response_is_stored_and_answered_with_a_download_link(
    graded: GradedCourse, monkeypatch: pytest.MonkeyPatch
) -> None:
    inline = graded.instructor.get(graded.path("export"))
    assert inline.status == 200, inline.body
    inline_calls = graded.instructor.last_calls
    before = len(audit_entries(graded.tenant))
    monkeypatch.setenv("GRADEBOOK_EXPORT_INLINE_MAX_BYTES", "64")
    get_settings.cache_clear()
    response = graded.instructor.get(graded.path("export"))
    assert response.status == 303, response.body
    assert graded.instructor.last_calls == inline_calls  # the same DynamoDB requests, plus one PutObject
    assert response.body == ""
    location = urlparse(response.header("Location") or "")
    path = unquote(location.path)
    prefix = f"exports/gradebook/{graded.tenant.institution_id}/{graded.course_id}/"
    key = path[path.index(prefix) :]
    assert key.endswith(".csv")
    query = parse_qs(location.query)
    assert query["X-Amz-Expires"] == ["300"]
    assert query["response-content-disposition"] == [
        f'attachment; filename="gradebook-{graded.course_id}.csv"'
    ]
    stored = boto3.client("s3", region_name=graded.tenant.stack.region).get_object(
        Bucket=graded.tenant.stack.files_bucket, Key=key
    )
    assert stored["ContentType"] == "text/csv; charset=utf-8"
    assert stored["ServerSideEncryption"] == "AES256"
    text = stored["Body"].read().decode("utf-8")
    assert list(csv.reader(io.StringIO(text))) == list(csv.reader(io.StringIO(inline.body)))
    entries = audit_entries(graded.tenant)
    assert len(entries) == before + 1
    assert max(entries, key=lambda e: e["SK"])["action"] == "ExportGradebook"


def test_a_refused_export_stores_no_file(
    graded: GradedCourse, other_tenant: Tenant, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GRADEBOOK_EXPORT_INLINE_MAX_BYTES", "64")
    get_settings.cache_clear()
    s3 = boto3.client("s3", region_name=graded.tenant.stack.region)
    prefix = f"exports/gradebook/{graded.tenant.institution_id}/{graded.course_id}/"
    problem(graded.bob.get(graded.path("export")), 403, "forbidden")
    problem(graded.tenant.instructor().get(graded.path("export")), 403, "gradebook-staff-only")
    problem(other_tenant.instructor().get(graded.path("export")), 404, "course-not-found")
    assert s3.list_objects_v2(Bucket=graded.tenant.stack.files_bucket, Prefix=prefix).get("KeyCount") == 0


def test_the_export_of_a_course_without_students_is_its_header(tenant: Tenant) -> None:
    instructor = tenant.instructor()
    course_id, _ = course_with_lessons(instructor, count=1)
    instructor.get("/users/me")  # the account check, cached for the measured call
    response = instructor.get(f"/assessments/gradebook/courses/{course_id}/export")
    assert response.status == 200
    assert list(csv.reader(io.StringIO(response.body))) == [
        ["student_id", "display_name", "quizzes (%)", "assignments (%)", "final (%)", "letter"]
    ]
    assert instructor.last_calls == expected_requests(
        "GET", "/assessments/gradebook/courses/{course_id}/export", students=0
    )


def test_rows_are_indexed_under_their_student(graded: GradedCourse) -> None:
    row = next(
        i for i in gradebook_items(graded.tenant) if i["SK"] == keys.gradebook_row_sk(graded.ada.user_id)
    )
    assert row["GSI1PK"] == keys.student_grades_pk(graded.tenant.institution_id, graded.ada.user_id)
    assert json.loads(str(row["document"]))["scores"][graded.quiz1]["score"] == "8"


def test_dropping_through_the_roster_and_events_agree(graded: GradedCourse) -> None:
    emit(
        graded.tenant.institution_id,
        StudentDropped(course_id=graded.course_id, student_id="waiting", dropped_by="x", was_waitlisted=True),
    )
    assert drained(graded.tenant.stack).failures == 0
    assert not any(i["SK"] == keys.gradebook_row_sk("waiting") for i in gradebook_items(graded.tenant))
