"""The progress API through the gateway emulation: completions, progress reads, achievements."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import boto3
import pytest

from bench.expectations import expected_requests
from infra.gateway import ApiGateway, TokenVerifier
from infra.provision import Stack
from infra.seed import sign_in
from lms import keys
from lms.events.assessments import QuizPublished
from tests.support.client import Caller, problem
from tests.support.courses import add_lesson, add_section, course_with_lessons, create_course, enroll
from tests.support.events import drained, emit, quiz_graded, quiz_published
from tests.support.tenant import PASSWORD, Tenant


@pytest.fixture(scope="module")
def progress_stack(stack: Stack) -> Stack:
    """The module's own stack (a table per module: see tests/integration/conftest.py)."""
    return stack


@pytest.fixture(scope="module")
def progress_gateway(progress_stack: Stack) -> ApiGateway:
    return ApiGateway(progress_stack, TokenVerifier.for_stack(progress_stack))


@pytest.fixture
def tenant(progress_stack: Stack, progress_gateway: ApiGateway) -> Tenant:
    return Tenant(progress_stack, progress_gateway)


@pytest.fixture
def other_tenant(progress_stack: Stack, progress_gateway: ApiGateway) -> Tenant:
    return Tenant(progress_stack, progress_gateway)


def lesson_path(course_id: str, lesson_id: str) -> str:
    return f"/progress/courses/{course_id}/lessons/{lesson_id}"


def progress_items(tenant: Tenant) -> list[dict[str, Any]]:
    return sorted(
        (i for i in tenant.items() if "#PROGRESS#" in str(i["PK"]) or "#ACHIEVEMENTS#" in str(i["PK"])),
        key=lambda i: (str(i["PK"]), str(i["SK"])),
    )


@pytest.fixture
def learning(tenant: Tenant) -> tuple[Caller, Caller, str, list[str]]:
    """An instructor, an enrolled student, and a published course of three lessons."""
    instructor, student = tenant.instructor(), tenant.student()
    course_id, lessons = course_with_lessons(instructor)
    enroll(tenant, course_id, student)
    return instructor, student, course_id, lessons


def snapshot(tenant: Tenant) -> list[dict[str, Any]]:
    return sorted(tenant.items(), key=lambda i: (str(i["PK"]), str(i["SK"])))


# ---------------------------------------------------------------- PUT: complete a lesson


def test_an_enrolled_student_completes_a_lesson_in_one_transaction(
    tenant: Tenant, learning: tuple[Caller, Caller, str, list[str]]
) -> None:
    _, student, course_id, lessons = learning
    events_before = len(tenant.events())
    response = student.request("PUT", lesson_path(course_id, lessons[0]))
    assert response.status == 200, response.body
    body = response.json()
    assert body["course_id"] == course_id
    assert body["lesson_id"] == lessons[0]
    assert body["completed_at"].endswith("Z")
    assert student.last_calls == expected_requests("PUT", "/progress/courses/{course_id}/lessons/{lesson_id}")
    events = tenant.events()[events_before:]
    assert [e["type"] for e in events] == ["lms.progress.LessonCompleted.v1"]
    assert events[0]["data"] == {
        "student_id": student.user_id,
        "course_id": course_id,
        "lesson_id": lessons[0],
        "timezone": "UTC",
    }
    assert events[0]["actor"]["user_id"] == student.user_id
    stored = [i for i in tenant.items() if i["entity"] == "lesson-completion"]
    assert [(i["PK"], i["SK"]) for i in stored] == [
        (
            keys.course_progress_pk(tenant.institution_id, student.user_id, course_id),
            keys.completion_sk(lessons[0]),
        )
    ]


def test_completing_a_lesson_again_answers_the_first_completion_and_changes_nothing(
    tenant: Tenant, learning: tuple[Caller, Caller, str, list[str]]
) -> None:
    _, student, course_id, lessons = learning
    first = student.request("PUT", lesson_path(course_id, lessons[0]))
    before = snapshot(tenant)
    again = student.request("PUT", lesson_path(course_id, lessons[0]))
    assert again.status == 200
    assert again.json() == first.json()
    assert student.last_calls == expected_requests(
        "PUT", "/progress/courses/{course_id}/lessons/{lesson_id}", "again"
    )
    assert snapshot(tenant) == before


def test_the_time_zone_claim_travels_with_the_completion(
    tenant: Tenant, learning: tuple[Caller, Caller, str, list[str]]
) -> None:
    _, student, course_id, lessons = learning
    username = next(
        u["Username"]
        for u in boto3.client("cognito-idp", region_name=tenant.stack.region).list_users(
            UserPoolId=tenant.stack.user_pool_id, Filter=f'sub = "{student.user_id}"'
        )["Users"]
    )
    cognito = boto3.client("cognito-idp", region_name=tenant.stack.region)
    cognito.admin_update_user_attributes(
        UserPoolId=tenant.stack.user_pool_id,
        Username=username,
        UserAttributes=[{"Name": "zoneinfo", "Value": "Pacific/Auckland"}],
    )
    student.token = sign_in(tenant.stack, username, PASSWORD, endpoint_url=None)
    assert student.request("PUT", lesson_path(course_id, lessons[0])).status == 200
    assert tenant.events()[-1]["data"]["timezone"] == "Pacific/Auckland"


@pytest.mark.parametrize("status", ["waitlisted", "dropped", None])
def test_a_student_without_a_seat_cannot_complete_lessons(tenant: Tenant, status: str | None) -> None:
    instructor, student = tenant.instructor(), tenant.student()
    course_id, lessons = course_with_lessons(instructor, capacity=1, waitlist_enabled=True)
    if status:
        enroll(tenant, course_id, student, status)
    before = snapshot(tenant)
    problem(student.request("PUT", lesson_path(course_id, lessons[0])), 403, "not-enrolled")
    assert student.last_calls == expected_requests(
        "PUT", "/progress/courses/{course_id}/lessons/{lesson_id}", "not enrolled"
    )
    assert snapshot(tenant) == before


def test_an_unknown_lesson_is_not_found(
    tenant: Tenant, learning: tuple[Caller, Caller, str, list[str]]
) -> None:
    _, student, course_id, _ = learning
    before = snapshot(tenant)
    problem(student.request("PUT", lesson_path(course_id, "01NOSUCHLESSON")), 404, "lesson-not-found")
    problem(student.request("PUT", lesson_path(course_id, "not a lesson!")), 404, "not-found")
    assert snapshot(tenant) == before


def test_an_unknown_course_or_a_draft_is_not_found(tenant: Tenant) -> None:
    instructor, student = tenant.instructor(), tenant.student()
    draft = create_course(instructor)
    lesson = add_lesson(instructor, draft["id"], add_section(instructor, draft["id"])["id"])
    before = snapshot(tenant)
    problem(student.request("PUT", lesson_path(draft["id"], lesson["id"])), 404, "course-not-found")
    assert student.last_calls == expected_requests(
        "PUT", "/progress/courses/{course_id}/lessons/{lesson_id}", "course refused"
    )
    problem(student.request("PUT", lesson_path("01NOSUCHCOURSE", lesson["id"])), 404, "course-not-found")
    assert snapshot(tenant) == before


def test_an_archived_course_is_closed_for_learning(
    tenant: Tenant, learning: tuple[Caller, Caller, str, list[str]]
) -> None:
    instructor, student, course_id, lessons = learning
    assert student.request("PUT", lesson_path(course_id, lessons[0])).status == 200
    assert instructor.post(f"/courses/{course_id}/archive").status == 200
    before = snapshot(tenant)
    problem(student.request("PUT", lesson_path(course_id, lessons[1])), 409, "learning-closed")
    problem(student.delete(lesson_path(course_id, lessons[0])), 409, "learning-closed")
    assert snapshot(tenant) == before


def test_another_institution_s_course_is_not_found(tenant: Tenant, other_tenant: Tenant) -> None:
    theirs, their_lessons = course_with_lessons(other_tenant.instructor())
    student = tenant.student()
    problem(student.request("PUT", lesson_path(theirs, their_lessons[0])), 404, "course-not-found")
    assert tenant.items() == []
    assert [i for i in other_tenant.items() if i["entity"] == "lesson-completion"] == []


@pytest.mark.parametrize("role", ["instructors", "institution-admins"])
def test_staff_do_not_complete_lessons(
    tenant: Tenant, learning: tuple[Caller, Caller, str, list[str]], role: str
) -> None:
    _, _, course_id, lessons = learning
    before = snapshot(tenant)
    problem(tenant.user(role).request("PUT", lesson_path(course_id, lessons[0])), 403, "forbidden")
    assert snapshot(tenant) == before


def test_an_anonymous_caller_is_refused_by_the_gateway(
    tenant: Tenant, learning: tuple[Caller, Caller, str, list[str]]
) -> None:
    _, student, course_id, lessons = learning
    anonymous = Caller(student.transport, None, "", "", tenant.institution_id)
    assert anonymous.request("PUT", lesson_path(course_id, lessons[0])).status == 401


# ---------------------------------------------------------------- DELETE: undo


def test_a_student_undoes_a_completion(
    tenant: Tenant, learning: tuple[Caller, Caller, str, list[str]]
) -> None:
    _, student, course_id, lessons = learning
    student.request("PUT", lesson_path(course_id, lessons[0]))
    response = student.delete(lesson_path(course_id, lessons[0]))
    assert response.status == 204, response.body
    assert student.last_calls == expected_requests(
        "DELETE", "/progress/courses/{course_id}/lessons/{lesson_id}"
    )
    assert tenant.event_types()[-2:] == ["LessonCompleted", "LessonCompletionUndone"]
    assert [i for i in tenant.items() if i["entity"] == "lesson-completion"] == []


def test_undoing_what_is_not_completed_changes_nothing(
    tenant: Tenant, learning: tuple[Caller, Caller, str, list[str]]
) -> None:
    _, student, course_id, lessons = learning
    before = snapshot(tenant)
    assert student.delete(lesson_path(course_id, lessons[0])).status == 204
    assert snapshot(tenant) == before


def test_undo_refusals_write_nothing(tenant: Tenant, learning: tuple[Caller, Caller, str, list[str]]) -> None:
    instructor, student, course_id, lessons = learning
    stranger = tenant.student()
    before = snapshot(tenant)
    problem(stranger.delete(lesson_path(course_id, lessons[0])), 403, "not-enrolled")
    problem(student.delete(lesson_path(course_id, "01NOSUCHLESSON")), 404, "lesson-not-found")
    problem(student.delete(lesson_path("01NOSUCHCOURSE", lessons[0])), 404, "course-not-found")
    problem(instructor.delete(lesson_path(course_id, lessons[0])), 403, "forbidden")
    assert snapshot(tenant) == before


def test_a_completed_course_keeps_its_lessons_completed(
    progress_stack: Stack, tenant: Tenant, learning: tuple[Caller, Caller, str, list[str]]
) -> None:
    _, student, course_id, lessons = learning
    for lesson in lessons:
        assert student.request("PUT", lesson_path(course_id, lesson)).status == 200
    drained(progress_stack)
    before = snapshot(tenant)
    problem(student.delete(lesson_path(course_id, lessons[0])), 409, "course-already-completed")
    assert snapshot(tenant) == before


# ---------------------------------------------------------------- GET: my progress


def test_a_student_reads_their_progress_in_two_requests(
    progress_stack: Stack, tenant: Tenant, learning: tuple[Caller, Caller, str, list[str]]
) -> None:
    _, student, course_id, lessons = learning
    drained(progress_stack)
    student.request("PUT", lesson_path(course_id, lessons[0]))
    # Their own completions answer at once; the consumer has not run yet.
    response = student.get(f"/progress/courses/{course_id}")
    assert response.status == 200, response.body
    body = response.json()
    assert student.last_calls == expected_requests("GET", "/progress/courses/{course_id}")
    assert body["completed_lessons"] == [lessons[0]]
    assert body["lesson_count"] == 3
    assert body["percent"] == 33
    assert body["next_lesson_id"] == lessons[1]
    assert body["enrollment"] == "enrolled"
    assert body["completed_at"] is None
    assert body["last_activity_at"] is not None
    assert body["title"] == "Linear Algebra"


def test_progress_of_a_completed_course(
    progress_stack: Stack, tenant: Tenant, learning: tuple[Caller, Caller, str, list[str]]
) -> None:
    _, student, course_id, lessons = learning
    for lesson in reversed(lessons):
        student.request("PUT", lesson_path(course_id, lesson))
    drained(progress_stack)
    body = student.get(f"/progress/courses/{course_id}").json()
    assert body["completed_lessons"] == lessons
    assert body["percent"] == 100
    assert body["next_lesson_id"] is None
    assert body["completed_at"] is not None
    assert tenant.event_types().count("CourseCompleted") == 1


def test_reading_progress_without_any_is_refused(
    progress_stack: Stack, tenant: Tenant, learning: tuple[Caller, Caller, str, list[str]]
) -> None:
    instructor, _, course_id, _ = learning
    drained(progress_stack)
    problem(tenant.student().get(f"/progress/courses/{course_id}"), 404, "progress-not-found")
    problem(tenant.student().get("/progress/courses/01NOSUCHCOURSE"), 404, "course-not-found")
    problem(instructor.get(f"/progress/courses/{course_id}"), 403, "forbidden")


# ---------------------------------------------------------------- GET: the class list


def test_the_course_s_instructor_lists_students_progress_one_query_per_page(
    progress_stack: Stack, tenant: Tenant, learning: tuple[Caller, Caller, str, list[str]]
) -> None:
    instructor, first, course_id, lessons = learning
    others = [tenant.student(), tenant.student()]
    for student in others:
        enroll(tenant, course_id, student)
    first.request("PUT", lesson_path(course_id, lessons[0]))
    assert others[0].patch("/users/me", {"display_name": "Lise M."}, version=0).status == 200
    drained(progress_stack)
    seen: dict[str, dict[str, Any]] = {}
    cursor = None
    while True:
        query = {"limit": "2", **({"cursor": cursor} if cursor else {})}
        response = instructor.get(f"/progress/courses/{course_id}/students", query=query)
        assert response.status == 200, response.body
        # The outline, one page of summaries, its students' display names (lms.users.queries), and
        # the page's read on the audit trail.
        assert instructor.last_calls == expected_requests("GET", "/progress/courses/{course_id}/students")
        page = response.json()
        assert len(page["items"]) <= 2
        seen.update({item["student_id"]: item for item in page["items"]})
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert set(seen) == {first.user_id, *(s.user_id for s in others)}
    assert seen[first.user_id]["percent"] == 33
    assert seen[first.user_id]["completed_lesson_count"] == 1
    assert seen[others[0].user_id]["percent"] == 0
    assert seen[others[0].user_id]["last_activity_at"] is None
    assert (seen[others[0].user_id]["display_name"], seen[first.user_id]["display_name"]) == ("Lise M.", None)
    reads = [i for i in tenant.items() if i.get("entity") == "audit" and i["action"] == "ListCourseProgress"]
    assert {(r["actor_id"], r["resource"]) for r in reads} == {
        (instructor.user_id, f"progress/courses/{course_id}/students")
    }
    assert sorted(json.loads(r["details"])["students"] for r in reads) == [1, 2]


def test_a_dropped_student_leaves_the_class_list(
    progress_stack: Stack, tenant: Tenant, learning: tuple[Caller, Caller, str, list[str]]
) -> None:
    instructor, student, course_id, _ = learning
    drained(progress_stack)
    assert student.delete(f"/courses/{course_id}/enrollments/{student.user_id}").status == 204
    drained(progress_stack)
    page = instructor.get(f"/progress/courses/{course_id}/students").json()
    assert page["items"] == []


def test_only_the_course_s_staff_read_its_class(
    progress_stack: Stack,
    tenant: Tenant,
    other_tenant: Tenant,
    learning: tuple[Caller, Caller, str, list[str]],
) -> None:
    _, student, course_id, _ = learning
    drained(progress_stack)
    path = f"/progress/courses/{course_id}/students"
    assert tenant.admin().get(path).status == 200
    problem(tenant.instructor().get(path), 403, "forbidden")
    problem(student.get(path), 403, "forbidden")
    problem(other_tenant.admin().get(path), 404, "course-not-found")
    problem(tenant.admin().get(path, query={"cursor": "forged"}), 400, "invalid-cursor")
    problem(tenant.admin().get(path, query={"limit": "101"}), 422, "validation-failed")


def test_an_admin_added_instructor_sees_the_class(
    progress_stack: Stack, tenant: Tenant, learning: tuple[Caller, Caller, str, list[str]]
) -> None:
    instructor, _, course_id, _ = learning
    colleague = tenant.instructor()
    version = instructor.get(f"/courses/{course_id}").json()["version"]
    body = {"instructor_ids": [instructor.user_id, colleague.user_id]}
    assert instructor.patch(f"/courses/{course_id}", body, version=version).status == 200
    drained(progress_stack)
    assert colleague.get(f"/progress/courses/{course_id}/students").status == 200


def test_staff_read_one_student_s_progress(
    progress_stack: Stack, tenant: Tenant, learning: tuple[Caller, Caller, str, list[str]]
) -> None:
    instructor, student, course_id, lessons = learning
    student.request("PUT", lesson_path(course_id, lessons[1]))
    drained(progress_stack)
    response = instructor.get(f"/progress/courses/{course_id}/students/{student.user_id}")
    assert response.status == 200, response.body
    assert instructor.last_calls == expected_requests(
        "GET", "/progress/courses/{course_id}/students/{student_id}"
    )
    audit = [i for i in tenant.items() if i["entity"] == "audit"]
    assert [(a["action"], a["subject_user_id"], a["actor_id"]) for a in audit] == [
        ("GetStudentProgress", student.user_id, instructor.user_id)
    ]
    body = response.json()
    assert body["student_id"] == student.user_id
    assert body["completed_lessons"] == [lessons[1]]
    assert body["next_lesson_id"] == lessons[0]
    problem(instructor.get(f"/progress/courses/{course_id}/students/nobody"), 404, "progress-not-found")
    problem(
        tenant.instructor().get(f"/progress/courses/{course_id}/students/{student.user_id}"), 403, "forbidden"
    )
    problem(student.get(f"/progress/courses/{course_id}/students/{student.user_id}"), 403, "forbidden")


# ---------------------------------------------------------------- GET: achievements


def test_a_student_lists_their_achievements_in_one_query(
    progress_stack: Stack, tenant: Tenant, learning: tuple[Caller, Caller, str, list[str]]
) -> None:
    _, student, course_id, lessons = learning
    response = student.get("/progress/achievements")
    assert response.status == 200
    assert response.json() == {"items": [], "next_cursor": None}
    for lesson in lessons:
        student.request("PUT", lesson_path(course_id, lesson))
    drained(progress_stack)
    response = student.get("/progress/achievements")
    assert student.last_calls == expected_requests("GET", "/progress/achievements")
    earned = {(a["achievement"], a["course_id"]) for a in response.json()["items"]}
    assert earned == {("first-lesson-completed", None), ("course-completed", course_id)}
    types = tenant.event_types()
    assert types.count("AchievementEarned") == 2
    first_page = student.get("/progress/achievements", query={"limit": "1"}).json()
    assert len(first_page["items"]) == 1
    rest = student.get("/progress/achievements", query={"cursor": first_page["next_cursor"]}).json()
    assert len(rest["items"]) == 1
    problem(tenant.instructor().get("/progress/achievements"), 403, "forbidden")


def test_my_enrollments_show_the_progress_percent_once_progress_knows(
    tenant: Tenant, progress_stack: Stack, learning: tuple[Caller, Caller, str, list[str]]
) -> None:
    _, student, course_id, lessons = learning
    before = student.get("/enrollments")
    assert before.status == 200
    assert [(e["course_id"], e["progress_percent"]) for e in before.json()["items"]] == [(course_id, None)]
    assert student.request("PUT", lesson_path(course_id, lessons[0])).status == 200
    drained(progress_stack)
    after = student.get("/enrollments")
    assert [(e["course_id"], e["progress_percent"]) for e in after.json()["items"]] == [(course_id, 33)]
    assert student.last_calls == expected_requests("GET", "/enrollments")


# ---------------------------------------------------------------- required quizzes and moved lessons


def required_quiz(course_id: str, quiz_id: str) -> QuizPublished:
    return quiz_published(
        course_id,
        quiz_id,
        "Check your algebra",
        required_for_completion=True,
        passing_score=Decimal("6"),
    )


def quiz_attempt_graded(
    tenant: Tenant, course_id: str, student: Caller, *, passed: bool, revision: int
) -> None:
    """The student's attempt graded by the assessments context (7.5 or 2 of 10), in its outbox."""
    graded = quiz_graded(
        course_id,
        "quiz-1",
        student.user_id,
        "7.5" if passed else "2",
        passed=passed,
        required=True,
        revision=revision,
        attempt_id=f"attempt-{revision}",
        graded_at=datetime(2026, 3, 2, 9, revision, tzinfo=UTC),
    )
    emit(tenant.institution_id, graded, actor="quiz-author")


def test_a_required_quiz_counts_in_every_progress_view_and_completes_the_course_once_passed(
    progress_stack: Stack, tenant: Tenant, learning: tuple[Caller, Caller, str, list[str]]
) -> None:
    instructor, student, course_id, lessons = learning
    emit(tenant.institution_id, required_quiz(course_id, "quiz-1"), actor="quiz-author")
    drained(progress_stack)
    for lesson in lessons:
        assert student.request("PUT", lesson_path(course_id, lesson)).status == 200
    quiz_attempt_graded(tenant, course_id, student, passed=False, revision=1)
    drained(progress_stack)

    body = student.get(f"/progress/courses/{course_id}").json()
    assert student.last_calls == expected_requests("GET", "/progress/courses/{course_id}")
    assert body["required_assessments"] == [
        {"assessment_id": "quiz-1", "kind": "quiz", "title": "Check your algebra", "lesson_id": None}
    ]
    assert (body["passed_assessments"], body["percent"], body["completed_at"]) == ([], 75, None)
    assert body["next_lesson_id"] is None
    row = instructor.get(f"/progress/courses/{course_id}/students").json()["items"][0]
    assert (row["required_assessment_count"], row["passed_assessment_count"], row["percent"]) == (1, 0, 75)
    assert "CourseCompleted" not in tenant.event_types()

    quiz_attempt_graded(tenant, course_id, student, passed=True, revision=2)
    drained(progress_stack)
    body = student.get(f"/progress/courses/{course_id}").json()
    assert (body["passed_assessments"], body["percent"]) == (["quiz-1"], 100)
    assert body["completed_at"] is not None
    staff_view = instructor.get(f"/progress/courses/{course_id}/students/{student.user_id}").json()
    assert (staff_view["passed_assessments"], staff_view["completed_at"]) == (
        ["quiz-1"],
        body["completed_at"],
    )
    row = instructor.get(f"/progress/courses/{course_id}/students").json()["items"][0]
    assert (row["passed_assessment_count"], row["percent"]) == (1, 100)
    enrollments = student.get("/enrollments").json()["items"]
    assert [(e["course_id"], e["progress_percent"]) for e in enrollments] == [(course_id, 100)]
    assert tenant.event_types().count("CourseCompleted") == 1

    # A regrade that fails the quiz takes the pass back, not the completion.
    quiz_attempt_graded(tenant, course_id, student, passed=False, revision=3)
    drained(progress_stack)
    body = student.get(f"/progress/courses/{course_id}").json()
    assert (body["passed_assessments"], body["percent"]) == ([], 75)
    assert body["completed_at"] is not None
    assert tenant.event_types().count("CourseCompleted") == 1


def test_a_course_without_required_quizzes_shows_none(
    progress_stack: Stack, tenant: Tenant, learning: tuple[Caller, Caller, str, list[str]]
) -> None:
    _, student, course_id, _ = learning
    optional = required_quiz(course_id, "quiz-2").model_copy(update={"required_for_completion": False})
    emit(tenant.institution_id, optional, actor="quiz-author")
    drained(progress_stack)
    body = student.get(f"/progress/courses/{course_id}").json()
    assert (body["required_assessments"], body["passed_assessments"]) == ([], [])


def test_a_lesson_moved_in_the_catalog_moves_the_next_lesson(
    progress_stack: Stack, tenant: Tenant, learning: tuple[Caller, Caller, str, list[str]]
) -> None:
    instructor, student, course_id, lessons = learning
    assert student.request("PUT", lesson_path(course_id, lessons[0])).status == 200
    drained(progress_stack)
    assert student.get(f"/progress/courses/{course_id}").json()["next_lesson_id"] == lessons[1]
    moved = instructor.patch(f"/courses/{course_id}/lessons/{lessons[2]}", {"position": 1}, version=1)
    assert moved.status == 200, moved.body
    drained(progress_stack)
    body = student.get(f"/progress/courses/{course_id}").json()
    assert body["next_lesson_id"] == lessons[2]
    assert body["completed_lessons"] == [lessons[0]]
    # A lesson moved into a new section, and that section moved first: the order follows both.
    week_0 = add_section(instructor, course_id, "Week 0")
    into = {"section_id": week_0["id"]}
    assert instructor.patch(f"/courses/{course_id}/lessons/{lessons[1]}", into, version=1).status == 200
    first = instructor.patch(f"/courses/{course_id}/sections/{week_0['id']}", {"position": 1}, version=1)
    assert first.status == 200, first.body
    drained(progress_stack)
    assert student.get(f"/progress/courses/{course_id}").json()["next_lesson_id"] == lessons[1]
