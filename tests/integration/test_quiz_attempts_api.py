"""Quiz attempts through the gateway emulation: start, answer, submit and grade, read, regrade."""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pytest

from bench.expectations import expected_requests
from lms.assessments import privacy
from lms.auth import Principal, Role
from tests.support.client import Caller, problem
from tests.support.clock import moved_clock
from tests.support.courses import enroll
from tests.support.quizzes import (
    PARTIAL,
    PARTIAL_SCORE,
    PERFECT,
    QUIZZES,
    answer,
    answers_path,
    classroom,
    create_quiz,
    in_minutes,
    key_material_in,
    published_quiz,
    questions,
    quiz_items,
    snapshot,
    start,
    submit_path,
    take,
)
from tests.support.tenant import Tenant


def attempts_path(quiz_id: str) -> str:
    return f"{QUIZZES}/{quiz_id}/attempts"


# ---------------------------------------------------------------- start


def test_an_enrolled_student_starts_an_attempt_without_keys(tenant: Tenant) -> None:
    instructor, student, course_id = classroom(tenant)
    quiz = published_quiz(instructor, course_id, time_limit_minutes=30)
    response = student.post(attempts_path(quiz["id"]))
    assert response.status == 201, response.body
    attempt = response.json()
    assert student.last_calls == expected_requests("POST", "/assessments/quizzes/{quiz_id}/attempts")
    assert response.header("Location") == f"{attempts_path(quiz['id'])}/{attempt['id']}"
    assert (attempt["number"], attempt["status"], attempt["student_id"]) == (1, "open", student.user_id)
    assert attempt["deadline"] is not None
    assert [q["id"] for q in attempt["questions"]] == [q["id"] for q in questions()]
    assert all("key" not in q for q in attempt["questions"])
    assert attempt["results"] is None
    [counter] = quiz_items(tenant, "quiz-score")
    assert (counter["started"], counter["submitted"]) == (1, 0)


def test_shuffled_questions_keep_their_order_within_an_attempt(tenant: Tenant) -> None:
    instructor, student, course_id = classroom(tenant)
    quiz = published_quiz(instructor, course_id, shuffle_questions=True, max_attempts=4)
    orders = []
    for _ in range(4):
        attempt = start(student, quiz["id"])
        order = [q["id"] for q in attempt["questions"]]
        again = student.get(f"{attempts_path(quiz['id'])}/{attempt['id']}").json()
        assert [q["id"] for q in again["questions"]] == order
        assert sorted(order) == sorted(q["id"] for q in questions())
        orders.append(order)
    assert len({tuple(o) for o in orders}) > 1


def test_attempts_are_refused_by_role_state_and_window(tenant: Tenant, other_tenant: Tenant) -> None:
    instructor, student, course_id = classroom(tenant)
    draft = create_quiz(instructor, course_id)
    later = published_quiz(instructor, course_id, available_from=in_minutes(60))
    open_quiz = published_quiz(instructor, course_id)
    other_instructor, _, other_course = classroom(other_tenant)
    foreign = published_quiz(other_instructor, other_course)
    before = snapshot(tenant)
    problem(student.post(attempts_path(draft["id"])), 404, "quiz-not-found")  # as reading it answers
    problem(student.post(attempts_path(later["id"])), 409, "quiz-not-open")
    problem(tenant.student().post(attempts_path(open_quiz["id"])), 403, "quiz-requires-enrollment")
    problem(instructor.post(attempts_path(open_quiz["id"])), 403, "forbidden")
    problem(student.post(attempts_path(foreign["id"])), 404, "quiz-not-found")
    problem(student.post(attempts_path("01NOSUCHQUIZ")), 404, "quiz-not-found")
    assert snapshot(tenant) == before


def test_a_draft_is_not_found_for_students_whatever_they_try(tenant: Tenant) -> None:
    instructor, student, course_id = classroom(tenant)
    draft = create_quiz(instructor, course_id)
    guessed = "01GUESSEDATTEMPT"
    before = snapshot(tenant)
    problem(student.get(f"{QUIZZES}/{draft['id']}"), 404, "quiz-not-found")
    problem(student.post(attempts_path(draft["id"])), 404, "quiz-not-found")
    saving = student.request("PUT", answers_path(draft["id"], guessed), json_body={"answers": {}})
    problem(saving, 404, "quiz-not-found")
    problem(student.post(submit_path(draft["id"], guessed)), 404, "quiz-not-found")
    problem(student.get(f"{attempts_path(draft['id'])}/{guessed}"), 404, "quiz-not-found")
    assert snapshot(tenant) == before


def test_a_closed_quiz_takes_no_new_attempts(tenant: Tenant, monkeypatch: pytest.MonkeyPatch) -> None:
    instructor, student, course_id = classroom(tenant)
    quiz = published_quiz(instructor, course_id, due_at=in_minutes(5))
    before = snapshot(tenant)
    with moved_clock(monkeypatch, timedelta(minutes=6)):
        problem(student.post(attempts_path(quiz["id"])), 409, "quiz-closed")
    assert snapshot(tenant) == before


def test_the_attempt_counter_refuses_an_attempt_beyond_max_attempts(tenant: Tenant) -> None:
    instructor, student, course_id = classroom(tenant)
    quiz = published_quiz(instructor, course_id, max_attempts=2)
    start(student, quiz["id"])
    start(student, quiz["id"])
    before = snapshot(tenant)
    body = problem(student.post(attempts_path(quiz["id"])), 409, "attempts-exhausted")
    assert body["max_attempts"] == 2
    assert snapshot(tenant) == before


def test_a_retried_start_with_the_same_idempotency_key_starts_one_attempt(tenant: Tenant) -> None:
    instructor, student, course_id = classroom(tenant)
    quiz = published_quiz(instructor, course_id)
    headers = {"Idempotency-Key": "start-1"}
    first = student.post(attempts_path(quiz["id"]), headers=headers)
    again = student.post(attempts_path(quiz["id"]), headers=headers)
    assert (first.status, again.status) == (201, 201)
    assert again.json() == first.json()
    assert len(quiz_items(tenant, "quiz-attempt")) == 1


# ---------------------------------------------------------------- answers


@pytest.mark.parametrize(
    ("answers", "field"),
    [
        ({"single": "z"}, "answers.single"),
        ({"single": ["b"]}, "answers.single"),
        ({"multi": ["a", "a"]}, "answers.multi"),
        ({"multi": "a"}, "answers.multi"),
        ({"tf": "false"}, "answers.tf"),
        ({"num": "many"}, "answers.num"),
        ({"num": True}, "answers.num"),
        ({"text": 42}, "answers.text"),
        ({"text": "x" * 501}, "answers.text"),
        ({"match": {"fr": "zz"}}, "answers.match"),
        ({"match": ["p"]}, "answers.match"),
        ({"order": ["y", "z"]}, "answers.order"),
        ({"order": ["y", "y", "x"]}, "answers.order"),
        ({"nope": "a"}, "answers.nope"),
    ],
)
def test_answers_are_checked_against_their_question_type(
    tenant: Tenant, answers: dict[str, Any], field: str
) -> None:
    instructor, student, course_id = classroom(tenant)
    quiz = published_quiz(instructor, course_id)
    attempt = start(student, quiz["id"])
    before = snapshot(tenant)
    response = student.request("PUT", answers_path(quiz["id"], attempt["id"]), json_body={"answers": answers})
    assert problem(response, 422, "invalid-answer")["field"] == field
    assert snapshot(tenant) == before


def test_answers_are_saved_while_the_attempt_is_open(tenant: Tenant, monkeypatch: pytest.MonkeyPatch) -> None:
    instructor, student, course_id = classroom(tenant)
    quiz = published_quiz(instructor, course_id, time_limit_minutes=10)
    attempt = start(student, quiz["id"])
    saved = answer(student, quiz["id"], attempt["id"], {"single": "a", "num": 3})
    assert saved["answers"] == {"single": "a", "num": "3"}
    assert student.last_calls == expected_requests(
        "PUT", "/assessments/quizzes/{quiz_id}/attempts/{attempt_id}/answers"
    )
    assert answer(student, quiz["id"], attempt["id"], {"tf": True})["answers"] == {"tf": True}
    problem(student.request("PUT", answers_path(quiz["id"], attempt["id"])), 422, "validation-failed")
    before = snapshot(tenant)
    other = tenant.student()
    enroll(tenant, course_id, other)
    before = snapshot(tenant)
    mine = {"answers": {"tf": False}}
    problem(
        other.request("PUT", answers_path(quiz["id"], attempt["id"]), json_body=mine), 403, "not-your-attempt"
    )
    missing = answers_path(quiz["id"], "01NOSUCHATTEMPT")
    problem(student.request("PUT", missing, json_body=mine), 404, "attempt-not-found")
    with moved_clock(monkeypatch, timedelta(minutes=13)):
        late = student.request("PUT", answers_path(quiz["id"], attempt["id"]), json_body=mine)
        problem(late, 409, "attempt-time-expired")
    assert snapshot(tenant) == before


# ---------------------------------------------------------------- submit


def test_submitting_grades_the_attempt_and_emits_both_events(tenant: Tenant) -> None:
    instructor, student, course_id = classroom(tenant)
    quiz = published_quiz(instructor, course_id, passing_score="5", required_for_completion=True)
    attempt = start(student, quiz["id"])
    answer(student, quiz["id"], attempt["id"], PARTIAL)
    events_before = len(tenant.events())
    response = student.post(submit_path(quiz["id"], attempt["id"]))
    assert response.status == 200, response.body
    submitted = response.json()
    assert (submitted["status"], submitted["score"], submitted["points"]) == (
        "submitted",
        PARTIAL_SCORE,
        "14",
    )
    assert submitted["results"] is None  # show_correct_answers: never
    assert student.last_calls == expected_requests(
        "POST", "/assessments/quizzes/{quiz_id}/attempts/{attempt_id}/submit"
    )
    events = tenant.events()[events_before:]
    by_type = {e["type"].split(".")[2]: e["data"] for e in events}
    assert sorted(by_type) == ["QuizAttemptSubmitted", "QuizGraded"]
    assert by_type["QuizAttemptSubmitted"]["attempt_number"] == 1
    graded = by_type["QuizGraded"]
    assert (graded["attempt_score"], graded["score"], graded["points"]) == (
        PARTIAL_SCORE,
        PARTIAL_SCORE,
        "14",
    )
    assert (graded["passed"], graded["required_for_completion"], graded["revision"]) == (False, True, 1)
    assert graded["regrade"] is False
    [counter] = quiz_items(tenant, "quiz-score")
    assert (counter["started"], counter["submitted"]) == (1, 1)


@pytest.mark.parametrize("past_attempts", [1, 12])
def test_submit_and_grade_takes_the_same_requests_whatever_the_past_attempts(
    tenant: Tenant, past_attempts: int
) -> None:
    instructor, student, course_id = classroom(tenant)
    quiz = published_quiz(instructor, course_id, max_attempts=past_attempts + 1, scoring_policy="average")
    for _ in range(past_attempts):
        take(student, quiz["id"], PARTIAL)
    attempt = start(student, quiz["id"])
    answer(student, quiz["id"], attempt["id"], PERFECT)
    response = student.post(submit_path(quiz["id"], attempt["id"]))
    assert response.status == 200, response.body
    assert student.last_calls == expected_requests(
        "POST", "/assessments/quizzes/{quiz_id}/attempts/{attempt_id}/submit"
    )
    graded = [e for e in tenant.events() if e["type"].endswith("QuizGraded.v1")][-1]["data"]
    assert graded["attempt_score"] == "14.00"
    expected = (Decimal(14) + Decimal(PARTIAL_SCORE) * past_attempts) / (past_attempts + 1)
    assert graded["score"] == str(expected.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))
    assert graded["revision"] == past_attempts + 1


def test_a_submit_counts_once_when_retried_with_or_without_a_key(tenant: Tenant) -> None:
    instructor, student, course_id = classroom(tenant)
    quiz = published_quiz(instructor, course_id)
    attempt = start(student, quiz["id"])
    answer(student, quiz["id"], attempt["id"], PARTIAL)
    headers = {"Idempotency-Key": "submit-1"}
    first = student.post(submit_path(quiz["id"], attempt["id"]), headers=headers)
    before = snapshot(tenant)
    keyed = student.post(submit_path(quiz["id"], attempt["id"]), headers=headers)
    assert keyed.status == 200
    assert keyed.json() == first.json()
    assert keyed.header("Idempotent-Replayed") == "true"
    assert student.last_calls == expected_requests(
        "POST", "/assessments/quizzes/{quiz_id}/attempts/{attempt_id}/submit", "Idempotency-Key replay"
    )
    bare = student.post(submit_path(quiz["id"], attempt["id"]))
    assert bare.status == 200
    assert bare.json() == first.json()
    assert student.last_calls == expected_requests(
        "POST", "/assessments/quizzes/{quiz_id}/attempts/{attempt_id}/submit", "already submitted"
    )
    assert snapshot(tenant) == before
    assert tenant.event_types().count("QuizAttemptSubmitted") == 1
    problem(
        student.request("PUT", answers_path(quiz["id"], attempt["id"]), json_body={"answers": {}}),
        409,
        "attempt-already-submitted",
    )


def test_a_submission_after_the_deadline_and_its_grace_is_refused(
    tenant: Tenant, monkeypatch: pytest.MonkeyPatch
) -> None:
    instructor, student, course_id = classroom(tenant)
    quiz = published_quiz(instructor, course_id, time_limit_minutes=10, max_attempts=2)
    late, in_grace = start(student, quiz["id"]), start(student, quiz["id"])
    with moved_clock(monkeypatch, timedelta(minutes=11)):
        assert student.post(submit_path(quiz["id"], in_grace["id"])).status == 200
    before = snapshot(tenant)
    with moved_clock(monkeypatch, timedelta(minutes=12, seconds=30)):
        body = problem(student.post(submit_path(quiz["id"], late["id"])), 409, "attempt-time-expired")
    assert body["deadline"] == late["deadline"].replace("Z", "+00:00")
    assert snapshot(tenant) == before


def test_nobody_submits_another_students_attempt(tenant: Tenant, other_tenant: Tenant) -> None:
    instructor, student, course_id = classroom(tenant)
    quiz = published_quiz(instructor, course_id)
    attempt = start(student, quiz["id"])
    classmate = tenant.student()
    enroll(tenant, course_id, classmate)
    stranger = other_tenant.student()
    before = snapshot(tenant)
    problem(classmate.post(submit_path(quiz["id"], attempt["id"])), 403, "not-your-attempt")
    problem(instructor.post(submit_path(quiz["id"], attempt["id"])), 403, "forbidden")
    problem(stranger.post(submit_path(quiz["id"], attempt["id"])), 404, "quiz-not-found")
    problem(student.post(submit_path(quiz["id"], "01NOSUCHATTEMPT")), 404, "attempt-not-found")
    assert snapshot(tenant) == before


def test_a_dropped_student_cannot_submit(tenant: Tenant) -> None:
    instructor, student, course_id = classroom(tenant)
    quiz = published_quiz(instructor, course_id)
    attempt = start(student, quiz["id"])
    assert student.delete(f"/courses/{course_id}/enrollments/{student.user_id}").status == 204
    before = snapshot(tenant)
    problem(student.post(submit_path(quiz["id"], attempt["id"])), 403, "quiz-requires-enrollment")
    assert snapshot(tenant) == before


def test_correct_answers_show_after_submission_when_the_quiz_says_so(tenant: Tenant) -> None:
    instructor, student, course_id = classroom(tenant)
    quiz = published_quiz(instructor, course_id, show_correct_answers="after_submission")
    submitted = take(student, quiz["id"], PARTIAL)
    results = {r["question_id"]: r for r in submitted["results"]}
    assert results["single"] == {
        "question_id": "single",
        "score": "0.00",
        "points": "2",
        "correct_answer": {"correct_option_id": "b"},
    }
    assert results["order"]["score"] == "1.33"


def test_correct_answers_after_the_due_date_wait_for_it(
    tenant: Tenant, monkeypatch: pytest.MonkeyPatch
) -> None:
    instructor, student, course_id = classroom(tenant)
    quiz = published_quiz(instructor, course_id, show_correct_answers="after_due_date", due_at=in_minutes(30))
    submitted = take(student, quiz["id"], PARTIAL)
    assert submitted["results"] is None
    path = f"{attempts_path(quiz['id'])}/{submitted['id']}"
    with moved_clock(monkeypatch, timedelta(minutes=31)):
        assert student.get(path).json()["results"][0]["correct_answer"] is not None


def test_no_student_response_and_no_event_carries_key_material(tenant: Tenant) -> None:
    """A student's whole journey with show_correct_answers=never: every body they receive and
    every event emitted is scanned for the keys' values and field names."""
    instructor, student, course_id = classroom(tenant)
    quiz = published_quiz(instructor, course_id, max_attempts=2, shuffle_questions=True)
    received = []

    def call(method: str, path: str, **kw: Any) -> Any:
        response = student.request(method, path, **kw)
        received.append(response.body)
        return response

    base = f"{QUIZZES}/{quiz['id']}"
    call("GET", base)
    call("GET", QUIZZES, query={"course_id": course_id})
    for _ in range(2):
        attempt = call("POST", f"{base}/attempts").json()
        call("PUT", answers_path(quiz["id"], attempt["id"]), json_body={"answers": PARTIAL})
        call("POST", submit_path(quiz["id"], attempt["id"]))
        call("POST", submit_path(quiz["id"], attempt["id"]))
        call("GET", f"{base}/attempts/{attempt['id']}")
    call("GET", f"{base}/attempts")
    call("GET", f"{base}/statistics")
    call("POST", f"{base}/attempts")
    assert {b: key_material_in(b) for b in received if key_material_in(b)} == {}
    events = [json.dumps(e) for e in tenant.events()]
    assert [key_material_in(e) for e in events if key_material_in(e)] == []


# ---------------------------------------------------------------- read and list attempts


def test_students_read_their_own_attempts_and_staff_any_audited(tenant: Tenant) -> None:
    instructor, student, course_id = classroom(tenant)
    quiz = published_quiz(instructor, course_id, max_attempts=2)
    submitted = take(student, quiz["id"], PARTIAL)
    path = f"{attempts_path(quiz['id'])}/{submitted['id']}"
    own = student.get(path)
    assert own.status == 200
    assert own.json()["score"] == PARTIAL_SCORE
    assert student.last_calls == expected_requests(
        "GET", "/assessments/quizzes/{quiz_id}/attempts/{attempt_id}"
    )
    classmate = tenant.student()
    enroll(tenant, course_id, classmate)
    problem(classmate.get(path), 403, "not-your-attempt")
    problem(tenant.instructor().get(path), 403, "not-course-staff")
    staff = instructor.get(path)
    assert staff.status == 200
    assert staff.json()["results"][0]["correct_answer"] == {"correct_option_id": "b"}
    assert instructor.last_calls == expected_requests(
        "GET", "/assessments/quizzes/{quiz_id}/attempts/{attempt_id}", "staff"
    )
    [entry] = [i for i in tenant.items() if i["entity"] == "audit"]
    assert (entry["action"], entry["subject_user_id"]) == ("GetQuizAttempt", student.user_id)
    problem(instructor.get(f"{attempts_path(quiz['id'])}/01NOSUCHATTEMPT"), 404, "attempt-not-found")


def test_staff_list_every_attempt_with_scores_and_students_their_own(tenant: Tenant) -> None:
    instructor, student, course_id = classroom(tenant)
    quiz = published_quiz(instructor, course_id, max_attempts=2)
    classmate = tenant.student()
    enroll(tenant, course_id, classmate)
    mine = [take(student, quiz["id"], PARTIAL)["id"], take(student, quiz["id"], PERFECT)["id"]]
    theirs = start(classmate, quiz["id"])["id"]
    first = instructor.get(attempts_path(quiz["id"]), query={"limit": "2"})
    assert first.status == 200, first.body
    assert instructor.last_calls == expected_requests("GET", "/assessments/quizzes/{quiz_id}/attempts")
    rest = instructor.get(attempts_path(quiz["id"]), query={"cursor": first.json()["next_cursor"]})
    listed = first.json()["items"] + rest.json()["items"]
    assert sorted(a["id"] for a in listed) == sorted([*mine, theirs])
    assert {a["id"]: a["score"] for a in listed}[mine[1]] == "14.00"
    own = student.get(attempts_path(quiz["id"]))
    assert [a["id"] for a in own.json()["items"]] == mine
    assert own.json()["next_cursor"] is None
    assert own.json()["quiz_score"] == "14.00"  # highest
    assert first.json()["quiz_score"] is None
    assert student.last_calls == expected_requests(
        "GET", "/assessments/quizzes/{quiz_id}/attempts", "a student's own"
    )
    problem(tenant.instructor().get(attempts_path(quiz["id"])), 403, "not-course-staff")


def test_a_staff_list_of_attempts_is_audited_once_per_page_and_a_students_own_list_is_not(
    tenant: Tenant,
) -> None:
    instructor, student, course_id = classroom(tenant)
    quiz = published_quiz(instructor, course_id, max_attempts=2)
    classmate = tenant.student()
    enroll(tenant, course_id, classmate)
    take(student, quiz["id"], PARTIAL)
    take(student, quiz["id"], PERFECT)
    start(classmate, quiz["id"])

    def audit() -> list[dict[str, Any]]:
        return [i for i in tenant.items() if i["entity"] == "audit"]

    assert student.get(attempts_path(quiz["id"])).status == 200
    problem(tenant.instructor().get(attempts_path(quiz["id"])), 403, "not-course-staff")
    problem(instructor.get(attempts_path("01NOSUCHQUIZ")), 404, "quiz-not-found")
    assert audit() == []
    listed = instructor.get(attempts_path(quiz["id"]))
    assert listed.status == 200, listed.body
    assert len(listed.json()["items"]) == 3
    [entry] = audit()
    assert (entry["action"], entry["actor_id"], entry["resource"]) == (
        "ListQuizAttempts",
        instructor.user_id,
        f"assessments/quizzes/{quiz['id']}/attempts",
    )
    assert json.loads(entry["details"]) == {"students": 2}
    assert entry.get("subject_user_id") is None


# ---------------------------------------------------------------- statistics and regrade


def test_statistics_count_scores_full_marks_and_choices(tenant: Tenant) -> None:
    instructor, student, course_id = classroom(tenant)
    quiz = published_quiz(instructor, course_id, max_attempts=2)
    take(student, quiz["id"], PARTIAL)
    take(student, quiz["id"], PERFECT)
    response = instructor.get(f"{QUIZZES}/{quiz['id']}/statistics")
    assert response.status == 200, response.body
    assert instructor.last_calls == expected_requests("GET", "/assessments/quizzes/{quiz_id}/statistics")
    stats = response.json()
    assert (stats["submitted_attempts"], stats["complete"], stats["average_score"]) == (2, True, "9.17")
    by_id = {q["question_id"]: q for q in stats["questions"]}
    assert by_id["single"]["answer_distribution"] == {"a": 1, "b": 1, "c": 0}
    assert (by_id["single"]["average_score"], by_id["single"]["full_marks_percent"]) == ("1.00", "50.0")
    assert by_id["tf"]["answer_distribution"] == {"true": 0, "false": 2}
    assert by_id["multi"]["answer_distribution"] == {"a": 2, "b": 0, "c": 1, "d": 0}
    assert by_id["order"]["answer_distribution"] is None
    problem(student.get(f"{QUIZZES}/{quiz['id']}/statistics"), 403, "forbidden")
    problem(tenant.instructor().get(f"{QUIZZES}/{quiz['id']}/statistics"), 403, "not-course-staff")


def _fix_single_key(instructor: Caller, quiz_id: str, version: int) -> None:
    fixed = questions()
    fixed[0]["key"] = {"correct_option_id": "a"}
    response = instructor.patch(f"{QUIZZES}/{quiz_id}", {"questions": fixed}, version=version)
    assert response.status == 200, response.body


def test_a_regrade_after_fixing_a_key_rescoring_students_whose_score_changed(tenant: Tenant) -> None:
    instructor, student, course_id = classroom(tenant)
    quiz = published_quiz(instructor, course_id, max_attempts=2, scoring_policy="latest")
    classmate = tenant.student()
    enroll(tenant, course_id, classmate)
    take(student, quiz["id"], PERFECT)  # 14, then 12 with the fixed key
    take(student, quiz["id"], PARTIAL)  # picked "a": 4.33, then 6.33
    take(classmate, quiz["id"], {"tf": False})  # 1, unchanged
    _fix_single_key(instructor, quiz["id"], 2)
    events_before = len(tenant.events())
    response = instructor.post(f"{QUIZZES}/{quiz['id']}/regrade")
    assert response.status == 200, response.body
    report = response.json()
    assert (report["attempts_checked"], report["attempts_changed"], report["students_rescored"]) == (3, 2, 1)
    [graded] = tenant.events()[events_before:]
    assert graded["type"] == "lms.assessments.QuizGraded.v1"
    data = graded["data"]
    assert (data["student_id"], data["score"], data["attempt_score"]) == (student.user_id, "6.33", "6.33")
    assert (data["regrade"], data["revision"]) == (True, 3)
    attempts = student.get(attempts_path(quiz["id"])).json()["items"]
    assert [a["score"] for a in attempts] == ["12.00", "6.33"]
    again = instructor.post(f"{QUIZZES}/{quiz['id']}/regrade")
    assert again.json()["attempts_changed"] == 0
    assert len(tenant.events()) == events_before + 1


def test_regrading_is_for_the_staff_of_a_published_quiz(tenant: Tenant, other_tenant: Tenant) -> None:
    instructor, student, course_id = classroom(tenant)
    draft = create_quiz(instructor, course_id)
    quiz = published_quiz(instructor, course_id)
    before = snapshot(tenant)
    problem(instructor.post(f"{QUIZZES}/{draft['id']}/regrade"), 409, "quiz-not-published")
    problem(student.post(f"{QUIZZES}/{quiz['id']}/regrade"), 403, "forbidden")
    problem(tenant.instructor().post(f"{QUIZZES}/{quiz['id']}/regrade"), 403, "not-course-staff")
    problem(other_tenant.admin().post(f"{QUIZZES}/{quiz['id']}/regrade"), 404, "quiz-not-found")
    assert snapshot(tenant) == before


# ---------------------------------------------------------------- privacy


def test_a_students_attempts_and_scores_are_exported_and_their_answers_erased(tenant: Tenant) -> None:
    instructor, student, course_id = classroom(tenant)
    quiz = published_quiz(instructor, course_id, max_attempts=2)
    submitted = take(student, quiz["id"], PARTIAL)
    exported = privacy.export(tenant.institution_id, student.user_id)
    [attempt] = exported["quiz_attempts"]
    assert (attempt["id"], attempt["score"], attempt["answers"]["text"]) == (
        submitted["id"],
        "4.33",
        "Managua",
    )
    [score] = exported["quiz_scores"]
    assert (score["quiz_id"], score["score"], score["submitted"]) == (quiz["id"], "4.33", 1)
    admin = Principal(
        user_id="admin", institution_id=tenant.institution_id, roles=frozenset({Role.INSTITUTION_ADMIN})
    )
    privacy.erase(tenant.institution_id, student.user_id, admin)
    after = snapshot(tenant)
    privacy.erase(tenant.institution_id, student.user_id, admin)
    assert snapshot(tenant) == after
    [erased] = privacy.export(tenant.institution_id, student.user_id)["quiz_attempts"]
    assert (erased["answers"], erased["score"]) == ({}, "4.33")
    assert instructor.get(f"{attempts_path(quiz['id'])}/{submitted['id']}").json()["score"] == "4.33"
