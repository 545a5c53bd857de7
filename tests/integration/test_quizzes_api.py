"""The quiz API through the gateway emulation: authoring, publishing, listing (moto DynamoDB)."""

from __future__ import annotations

from typing import Any

import pytest

from bench.expectations import expected_requests
from tests.support.client import problem
from tests.support.courses import course_with_lessons, create_course, enroll
from tests.support.quizzes import (
    QUIZZES,
    classroom,
    create_quiz,
    publish,
    published_quiz,
    questions,
    quiz_body,
    quiz_items,
    snapshot,
)
from tests.support.tenant import Tenant

# ---------------------------------------------------------------- create


def test_an_instructor_authors_a_draft_quiz_with_its_keys_stored_apart(tenant: Tenant) -> None:
    instructor, _, course_id = classroom(tenant)
    events_before = len(tenant.events())
    response = instructor.post(QUIZZES, quiz_body(course_id, passing_score="7"))
    assert response.status == 201, response.body
    quiz = response.json()
    assert quiz["status"] == "draft"
    assert quiz["points"] == "14"
    assert quiz["question_count"] == 7
    assert quiz["gradebook_category"] == "quizzes"
    assert quiz["questions"][0]["key"] == {"correct_option_id": "b"}
    assert response.header("ETag") == '"1"'
    assert response.header("Location") == f"{QUIZZES}/{quiz['id']}"
    assert instructor.last_calls == expected_requests("POST", "/assessments/quizzes")
    assert len(tenant.events()) == events_before  # drafts are private: no event
    [stored] = quiz_items(tenant, "quiz")
    [key] = quiz_items(tenant, "quiz-key")
    assert (stored["SK"], key["SK"]) == ("QUIZ", "KEY")
    assert "correct_option_id" not in str(stored)
    assert "correct_option_id" in str(key)


def test_an_admin_authors_in_any_course_and_other_instructors_in_none(tenant: Tenant) -> None:
    _, _, course_id = classroom(tenant)
    assert tenant.admin().post(QUIZZES, quiz_body(course_id)).status == 201
    before = snapshot(tenant)
    problem(tenant.instructor().post(QUIZZES, quiz_body(course_id)), 403, "not-course-staff")
    problem(tenant.student().post(QUIZZES, quiz_body(course_id)), 403, "forbidden")
    assert snapshot(tenant) == before


def test_a_course_of_another_institution_or_unknown_is_not_found(
    tenant: Tenant, other_tenant: Tenant
) -> None:
    _, _, foreign_course = classroom(other_tenant)
    instructor = tenant.instructor()
    problem(instructor.post(QUIZZES, quiz_body(foreign_course)), 404, "quiz-course-not-found")
    problem(instructor.post(QUIZZES, quiz_body("01NOSUCHCOURSE")), 404, "quiz-course-not-found")
    assert tenant.items() == []


def _without(field: str) -> dict[str, Any]:
    body = quiz_body("c1")
    body.pop(field)
    return body


def _question(index: int, **change: Any) -> dict[str, Any]:
    body = quiz_body("c1")
    body["questions"][index].update(change)
    return body


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (_without("course_id"), "course_id"),
        (_without("title"), "title"),
        (quiz_body("c1", title=""), "title"),
        (quiz_body("c1", max_attempts=0), "max_attempts"),
        (quiz_body("c1", max_attempts=101), "max_attempts"),
        (quiz_body("c1", time_limit_minutes=0), "time_limit_minutes"),
        (quiz_body("c1", scoring_policy="best"), "scoring_policy"),
        (quiz_body("c1", show_correct_answers="sometimes"), "show_correct_answers"),
        (quiz_body("c1", passing_score="-1"), "passing_score"),
        (quiz_body("c1", due_at="2030-01-01T00:00:00"), "due_at"),
        (quiz_body("c1", gradebook_category="Not A Slug"), "gradebook_category"),
        (quiz_body("c1", surprise=True), "surprise"),
        (_question(0, type="essay"), "questions.0"),
        (_question(0, points="0"), "questions.0.single_choice.points"),
        (_question(0, points="1.234"), "questions.0.single_choice.points"),
        (_question(0, options=[{"id": "a", "text": "only one"}]), "questions.0.single_choice.options"),
        (_question(0, key={"correct_option_ids": ["a"]}), "questions.0.single_choice.key.correct_option_id"),
        (_question(3, key={"value": "NaN"}), "questions.3.numeric.key.value"),
        (_question(4, key={"accepted_answers": []}), "questions.4.short_text.key.accepted_answers"),
    ],
)
def test_an_invalid_quiz_is_refused_naming_the_field(
    tenant: Tenant, body: dict[str, Any], field: str
) -> None:
    instructor, _, course_id = classroom(tenant)
    if "course_id" in body:
        body["course_id"] = course_id
    before = snapshot(tenant)
    found = problem(instructor.post(QUIZZES, body), 422, "validation-failed")
    assert any(e["field"].startswith(field) for e in found["errors"]), found["errors"]
    assert snapshot(tenant) == before


def test_question_ids_are_unique_and_the_schedule_runs_forward(tenant: Tenant) -> None:
    instructor, _, course_id = classroom(tenant)
    before = snapshot(tenant)
    twice = questions()
    twice[1]["id"] = "single"
    body = problem(instructor.post(QUIZZES, quiz_body(course_id, questions=twice)), 422, "invalid-questions")
    assert body["problems"] == [{"question_id": "single", "problem": "the id is used twice"}]
    late = quiz_body(course_id, available_from="2030-02-01T00:00:00Z", due_at="2030-01-01T00:00:00Z")
    problem(instructor.post(QUIZZES, late), 422, "invalid-quiz-schedule")
    assert snapshot(tenant) == before


def test_a_retried_create_with_the_same_idempotency_key_creates_one_quiz(tenant: Tenant) -> None:
    instructor, _, course_id = classroom(tenant)
    headers = {"Idempotency-Key": "quiz-create-1"}
    first = instructor.post(QUIZZES, quiz_body(course_id), headers=headers)
    again = instructor.post(QUIZZES, quiz_body(course_id), headers=headers)
    assert (first.status, again.status) == (201, 201)
    assert again.json() == first.json()
    assert again.header("Idempotent-Replayed") == "true"
    assert instructor.last_calls == expected_requests(
        "POST", "/assessments/quizzes", "Idempotency-Key replay"
    )
    assert len(quiz_items(tenant, "quiz")) == 1
    other = instructor.post(QUIZZES, quiz_body(course_id, title="Other"), headers=headers)
    problem(other, 422, "idempotency-key-reused")
    assert len(quiz_items(tenant, "quiz")) == 1


# ---------------------------------------------------------------- read and list


def test_staff_read_the_keys_and_enrolled_students_the_published_quiz_without_questions(
    tenant: Tenant,
) -> None:
    instructor, student, course_id = classroom(tenant)
    quiz = published_quiz(instructor, course_id)
    staff_view = instructor.get(f"{QUIZZES}/{quiz['id']}")
    assert staff_view.status == 200
    assert staff_view.json()["questions"][4]["key"]["accepted_answers"]
    assert staff_view.header("ETag") == '"2"'
    assert instructor.last_calls == expected_requests("GET", "/assessments/quizzes/{quiz_id}")
    student_view = student.get(f"{QUIZZES}/{quiz['id']}")
    assert student_view.status == 200, student_view.body
    body = student_view.json()
    assert body["questions"] is None
    assert (body["points"], body["question_count"], body["status"]) == ("14", 7, "published")
    assert student.last_calls == expected_requests("GET", "/assessments/quizzes/{quiz_id}")


def test_students_do_not_see_drafts_nor_quizzes_of_courses_they_are_not_in(tenant: Tenant) -> None:
    instructor, student, course_id = classroom(tenant)
    draft = create_quiz(instructor, course_id)
    problem(student.get(f"{QUIZZES}/{draft['id']}"), 404, "quiz-not-found")
    published = published_quiz(instructor, course_id)
    outsider = tenant.student()
    problem(outsider.get(f"{QUIZZES}/{published['id']}"), 403, "quiz-requires-enrollment")
    problem(tenant.instructor().get(f"{QUIZZES}/{published['id']}"), 403, "not-course-staff")


def test_another_institutions_quiz_and_unknown_ids_are_not_found(
    tenant: Tenant, other_tenant: Tenant
) -> None:
    instructor, _, course_id = classroom(other_tenant)
    foreign = published_quiz(instructor, course_id)
    admin = tenant.admin()
    for path in (f"{QUIZZES}/{foreign['id']}", f"{QUIZZES}/01NOSUCHQUIZ"):
        problem(admin.get(path), 404, "quiz-not-found")
        problem(admin.post(path + "/publish"), 404, "quiz-not-found")
        problem(admin.patch(path, {"title": "Mine"}, version=2), 404, "quiz-not-found")
    problem(admin.get(f"{QUIZZES}/not a quiz!"), 404, "not-found")


def test_the_quiz_list_pages_with_a_cursor_and_students_see_published_ones(tenant: Tenant) -> None:
    instructor, student, course_id = classroom(tenant)
    drafts = [create_quiz(instructor, course_id, title=f"Draft {n}")["id"] for n in range(2)]
    published = [published_quiz(instructor, course_id, title=f"Live {n}")["id"] for n in range(3)]
    first = instructor.get(QUIZZES, query={"course_id": course_id, "limit": "3"})
    assert first.status == 200, first.body
    assert instructor.last_calls == expected_requests("GET", "/assessments/quizzes")
    rest = instructor.get(QUIZZES, query={"course_id": course_id, "cursor": first.json()["next_cursor"]})
    listed = [q["id"] for q in first.json()["items"] + rest.json()["items"]]
    assert listed == drafts + published
    assert rest.json()["next_cursor"] is None
    seen = student.get(QUIZZES, query={"course_id": course_id})
    assert [q["id"] for q in seen.json()["items"]] == published
    assert student.last_calls == expected_requests("GET", "/assessments/quizzes", "a student")
    problem(student.get(QUIZZES, query={"course_id": course_id, "status": "draft"}), 403, "forbidden")
    problem(tenant.student().get(QUIZZES, query={"course_id": course_id}), 403, "quiz-requires-enrollment")
    problem(
        instructor.get(QUIZZES, query={"course_id": course_id, "cursor": "forged"}), 400, "invalid-cursor"
    )
    problem(instructor.get(QUIZZES), 422, "validation-failed")


# ---------------------------------------------------------------- edit


def test_a_draft_changes_freely_with_the_version_it_was_read_at(tenant: Tenant) -> None:
    instructor, _, course_id = classroom(tenant)
    quiz = create_quiz(instructor, course_id)
    path = f"{QUIZZES}/{quiz['id']}"
    problem(instructor.patch(path, {"title": "New"}), 428, "if-match-required")
    problem(instructor.patch(path, {"title": "New"}, version=7), 412, "version-mismatch")
    changed = instructor.patch(
        path, {"title": "New", "max_attempts": 5, "questions": questions()[:2]}, version=1
    )
    assert changed.status == 200, changed.body
    assert (changed.json()["title"], changed.json()["max_attempts"], changed.json()["points"]) == (
        "New",
        5,
        "4",
    )
    assert changed.header("ETag") == '"2"'
    assert instructor.last_calls == expected_requests("PATCH", "/assessments/quizzes/{quiz_id}")
    before = snapshot(tenant)
    problem(instructor.patch(path, {"title": "Late"}, version=1), 412, "version-mismatch")
    problem(instructor.patch(path, {"title": None}, version=2), 422, "validation-failed")
    problem(instructor.patch(path, {}, version=2), 422, "validation-failed")
    problem(tenant.instructor().patch(path, {"title": "Not mine"}, version=2), 403, "not-course-staff")
    problem(tenant.student().patch(path, {"title": "Mine"}, version=2), 403, "forbidden")
    assert snapshot(tenant) == before


def test_a_published_quiz_changes_only_safe_fields_and_its_keys_and_points(tenant: Tenant) -> None:
    instructor, _, course_id = classroom(tenant)
    quiz = published_quiz(instructor, course_id)
    path = f"{QUIZZES}/{quiz['id']}"
    before = snapshot(tenant)
    locked = problem(
        instructor.patch(path, {"max_attempts": 9, "title": "x"}, version=2), 409, "quiz-field-locked"
    )
    assert locked["fields"] == ["max_attempts"]
    reworded = questions()
    reworded[0]["prompt"] = "Which is composite?"
    problem(instructor.patch(path, {"questions": reworded}, version=2), 409, "quiz-field-locked")
    broken = questions()
    broken[0]["key"] = {"correct_option_id": "zz"}
    problem(instructor.patch(path, {"questions": broken}, version=2), 422, "invalid-questions")
    assert snapshot(tenant) == before
    fixed = questions()
    fixed[0]["key"] = {"correct_option_id": "a"}
    fixed[0]["points"] = "4"
    changed = instructor.patch(path, {"questions": fixed, "title": "Week 1 (fixed)"}, version=2)
    assert changed.status == 200, changed.body
    assert changed.json()["points"] == "16"
    assert changed.json()["questions"][0]["key"] == {"correct_option_id": "a"}


# ---------------------------------------------------------------- publish


def test_publishing_emits_quiz_published_with_the_points_and_never_a_key(tenant: Tenant) -> None:
    instructor, _, course_id = classroom(tenant)
    quiz = create_quiz(instructor, course_id, passing_score="7", required_for_completion=True)
    response = instructor.post(f"{QUIZZES}/{quiz['id']}/publish")
    assert response.status == 200, response.body
    assert response.json()["status"] == "published"
    assert instructor.last_calls == expected_requests("POST", "/assessments/quizzes/{quiz_id}/publish")
    event = tenant.events()[-1]
    assert event["type"] == "lms.assessments.QuizPublished.v1"
    assert event["data"] == {
        "course_id": course_id,
        "quiz_id": quiz["id"],
        "lesson_id": None,
        "title": "Week 1 check",
        "points": "14",
        "gradebook_category": "quizzes",
        "required_for_completion": True,
        "passing_score": "7",
        "available_from": None,
        "due_at": None,
    }
    before = snapshot(tenant)
    problem(instructor.post(f"{QUIZZES}/{quiz['id']}/publish"), 409, "quiz-already-published")
    assert snapshot(tenant) == before


@pytest.mark.parametrize(
    ("overrides", "problems"),
    [
        ({"questions": []}, [{"question_id": "", "problem": "the quiz has no questions"}]),
        (
            {"passing_score": "15"},
            [{"question_id": "", "problem": "passing_score 15 is above the 14 points"}],
        ),
        (
            {"questions": [{**questions()[0], "key": None}]},
            [{"question_id": "single", "problem": "it has no answer key"}],
        ),
        (
            {"questions": [{**questions()[5], "key": {"pairs": {"fr": "p"}}}]},
            [{"question_id": "match", "problem": "the key must pair every prompt with one of the choices"}],
        ),
        (
            {"questions": [{**questions()[6], "key": {"order": ["x", "x", "y"]}}]},
            [{"question_id": "order", "problem": "the key must name every item once"}],
        ),
        (
            {"questions": [{**questions()[1], "key": {"correct_option_ids": ["a", "q"]}}]},
            [{"question_id": "multi", "problem": "the key names an option the question does not have"}],
        ),
    ],
)
def test_an_incomplete_quiz_is_not_published(
    tenant: Tenant, overrides: dict[str, Any], problems: list[dict[str, str]]
) -> None:
    instructor, _, course_id = classroom(tenant)
    quiz = create_quiz(instructor, course_id, **overrides)
    before = snapshot(tenant)
    body = problem(instructor.post(f"{QUIZZES}/{quiz['id']}/publish"), 409, "quiz-not-publishable")
    assert body["problems"] == problems
    assert snapshot(tenant) == before


def test_only_the_course_staff_publish(tenant: Tenant) -> None:
    instructor, student, course_id = classroom(tenant)
    quiz = create_quiz(instructor, course_id)
    before = snapshot(tenant)
    problem(tenant.instructor().post(f"{QUIZZES}/{quiz['id']}/publish"), 403, "not-course-staff")
    problem(student.post(f"{QUIZZES}/{quiz['id']}/publish"), 403, "forbidden")
    assert snapshot(tenant) == before
    assert publish(tenant.admin(), quiz["id"])["status"] == "published"


def test_a_quiz_belongs_to_a_lesson_when_named(tenant: Tenant) -> None:
    instructor = tenant.instructor()
    course_id, lessons = course_with_lessons(instructor, 2)
    enroll(tenant, course_id, tenant.student())
    quiz = published_quiz(instructor, course_id, lesson_id=lessons[1])
    assert quiz["lesson_id"] == lessons[1]
    assert tenant.events()[-1]["data"]["lesson_id"] == lessons[1]
    draft_course = create_course(instructor)
    assert create_quiz(instructor, draft_course["id"])["status"] == "draft"


def test_a_quiz_lesson_must_be_a_lesson_of_its_course(tenant: Tenant) -> None:
    instructor = tenant.instructor()
    course_id, lessons = course_with_lessons(instructor, 2)
    other_course, other_lessons = course_with_lessons(instructor, 1)
    before = snapshot(tenant)
    for lesson_id in ("01NOSUCHLESSON", other_lessons[0]):
        refused = instructor.post(QUIZZES, quiz_body(course_id, lesson_id=lesson_id))
        body = problem(refused, 422, "quiz-lesson-not-found")
        assert body["field"] == "lesson_id"
        assert instructor.last_calls == expected_requests("POST", "/assessments/quizzes")
    assert snapshot(tenant) == before

    quiz = create_quiz(instructor, course_id, lesson_id=lessons[0])
    assert instructor.last_calls == expected_requests("POST", "/assessments/quizzes")
    assert quiz["lesson_id"] == lessons[0]
    path = f"{QUIZZES}/{quiz['id']}"
    before = snapshot(tenant)
    for lesson_id in ("01NOSUCHLESSON", other_lessons[0]):
        body = problem(
            instructor.patch(path, {"lesson_id": lesson_id}, version=1), 422, "quiz-lesson-not-found"
        )
        assert body["field"] == "lesson_id"
        assert instructor.last_calls == expected_requests("PATCH", "/assessments/quizzes/{quiz_id}")
    assert snapshot(tenant) == before

    moved = instructor.patch(path, {"lesson_id": lessons[1]}, version=1)
    assert moved.status == 200, moved.body
    assert moved.json()["lesson_id"] == lessons[1]
    assert instructor.last_calls == expected_requests("PATCH", "/assessments/quizzes/{quiz_id}")
    detached = instructor.patch(path, {"lesson_id": None}, version=2)
    assert detached.status == 200, detached.body
    assert detached.json()["lesson_id"] is None
    other = create_quiz(instructor, other_course, lesson_id=other_lessons[0])
    assert other["lesson_id"] == other_lessons[0]
