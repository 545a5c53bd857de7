"""Reviews and ratings through the handler: one review per student, counters in the same transaction."""

from __future__ import annotations

from typing import Any

import pytest

from bench.expectations import expected_requests
from lms.courses.reviews.domain import weighted_rating
from tests.support.client import Caller, problem
from tests.support.courses import create_course, enroll, published_course
from tests.support.reviews import review
from tests.support.tenant import Tenant


def _course_with_students(tenant: Tenant, count: int, **course: Any) -> tuple[Caller, str, list[Caller]]:
    instructor = tenant.instructor()
    course_id = published_course(instructor, **course)["id"]
    students = [tenant.student() for _ in range(count)]
    for student in students:
        enroll(tenant, course_id, student)
    return instructor, course_id, students


def _rating(caller: Caller, course_id: str) -> dict[str, Any]:
    page = caller.get(f"/courses/{course_id}/reviews")
    assert page.status == 200, page.body
    rating: dict[str, Any] = page.json()["rating"]
    return rating


def test_an_enrolled_student_reviews_a_course_once(tenant: Tenant) -> None:
    _, course_id, (student,) = _course_with_students(tenant, 1)
    response = student.post(
        f"/courses/{course_id}/reviews", {"rating": 5, "text": "<p>Great<script>x()</script></p>"}
    )
    assert response.status == 201, response.body
    assert student.last_calls == expected_requests("POST", "/courses/{course_id}/reviews")
    body = response.json()
    assert (body["id"], body["rating"], body["text"], body["version"]) == (
        student.user_id,
        5,
        "<p>Great</p>",
        1,
    )
    assert response.header("Location") == f"/courses/{course_id}/reviews/{student.user_id}"
    assert tenant.events()[-1]["type"] == "lms.courses.ReviewPosted.v1"
    assert tenant.events()[-1]["data"] == {"course_id": course_id, "author_id": student.user_id, "rating": 5}
    problem(student.post(f"/courses/{course_id}/reviews", {"rating": 4}), 409, "review-exists")
    read = student.get(f"/courses/{course_id}/reviews/{student.user_id}")
    assert read.status == 200
    assert read.json()["rating"] == 5


def test_only_enrolled_students_review(tenant: Tenant, other_tenant: Tenant) -> None:
    instructor, course_id, _ = _course_with_students(tenant, 0)
    stranger = tenant.student()
    problem(stranger.post(f"/courses/{course_id}/reviews", {"rating": 3}), 403, "review-needs-enrollment")
    problem(instructor.post(f"/courses/{course_id}/reviews", {"rating": 3}), 403, "forbidden")
    problem(
        other_tenant.student().post(f"/courses/{course_id}/reviews", {"rating": 3}), 404, "course-not-found"
    )
    problem(stranger.post("/courses/no-such-course/reviews", {"rating": 3}), 404, "course-not-found")
    draft = create_course(instructor)
    problem(stranger.post(f"/courses/{draft['id']}/reviews", {"rating": 3}), 404, "course-not-found")
    dropped = tenant.student()
    enroll(tenant, course_id, dropped, status="dropped")
    problem(dropped.post(f"/courses/{course_id}/reviews", {"rating": 3}), 403, "review-needs-enrollment")
    assert _rating(instructor, course_id)["count"] == 0


def test_a_course_may_ask_for_completion_before_a_review(tenant: Tenant) -> None:
    _, course_id, (student,) = _course_with_students(tenant, 1, reviews_require_completion=True)
    body = problem(
        student.post(f"/courses/{course_id}/reviews", {"rating": 5}), 403, "review-needs-enrollment"
    )
    assert "Complete" in body["detail"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "rating"),
        ({"rating": 0}, "rating"),
        ({"rating": 6}, "rating"),
        ({"rating": "five"}, "rating"),
        ({"rating": 3, "text": "x" * 5001}, "text"),
        ({"rating": 3, "extra": 1}, "extra"),
    ],
)
def test_invalid_reviews_are_refused(tenant: Tenant, body: dict[str, Any], field: str) -> None:
    student = tenant.student()
    refused = problem(student.post("/courses/any/reviews", body), 422, "validation-failed")
    assert refused["errors"][0]["field"] == field


def test_the_average_appears_at_the_minimum_and_hidden_reviews_leave_it(tenant: Tenant) -> None:
    instructor, course_id, students = _course_with_students(tenant, 4)
    review(students[0], course_id, 5)
    review(students[1], course_id, 4)
    assert _rating(students[0], course_id) == {
        "count": 2,
        "average": None,
        "minimum_for_average": 3,
        "histogram": {"1": 0, "2": 0, "3": 0, "4": 1, "5": 1},
    }
    review(students[2], course_id, 3)
    rating = _rating(students[0], course_id)
    assert (rating["count"], rating["average"]) == (3, 4.0)
    assert students[0].last_calls == expected_requests("GET", "/courses/{course_id}/reviews")
    review(students[3], course_id, 1)
    reported = students[0].post(
        f"/courses/{course_id}/reviews/{students[3].user_id}/reports", {"reason": "rude"}
    )
    assert reported.status == 200, reported.body
    assert reported.json()["reports"] == 1
    problem(
        students[0].post(f"/courses/{course_id}/reviews/{students[3].user_id}/reports", {"reason": "again"}),
        409,
        "review-already-reported",
    )
    hidden = instructor.post(
        f"/courses/{course_id}/reviews/{students[3].user_id}/hide", {"reason": "Insults"}
    )
    assert hidden.status == 200, hidden.body
    assert (hidden.json()["status"], hidden.json()["hidden_reason"]) == ("hidden", "Insults")
    assert _rating(students[0], course_id)["histogram"]["1"] == 0
    assert _rating(students[0], course_id)["average"] == 4.0
    visible = students[0].get(f"/courses/{course_id}/reviews").json()["items"]
    assert [r["id"] for r in visible] == [s.user_id for s in reversed(students[:3])]
    hidden_list = instructor.get(f"/courses/{course_id}/reviews", query={"status": "hidden"}).json()["items"]
    assert [r["id"] for r in hidden_list] == [students[3].user_id]
    problem(students[0].get(f"/courses/{course_id}/reviews", query={"status": "hidden"}), 403, "forbidden")
    problem(students[0].get(f"/courses/{course_id}/reviews/{students[3].user_id}"), 404, "review-not-found")
    assert students[3].get(f"/courses/{course_id}/reviews/{students[3].user_id}").json()["status"] == "hidden"
    problem(
        instructor.post(f"/courses/{course_id}/reviews/{students[3].user_id}/hide", {"reason": "x"}),
        409,
        "review-already-hidden",
    )
    assert [e for e in tenant.event_types() if e.startswith("Review")][-2:] == [
        "ReviewReported",
        "ReviewHidden",
    ]


def test_reports_come_from_people_enrolled_and_never_from_the_author(tenant: Tenant) -> None:
    _, course_id, (author,) = _course_with_students(tenant, 1)
    review(author, course_id)
    path = f"/courses/{course_id}/reviews/{author.user_id}/reports"
    problem(tenant.student().post(path, {"reason": "spam"}), 403, "review-needs-enrollment")
    problem(author.post(path, {"reason": "spam"}), 403, "review-needs-enrollment")
    problem(author.post(path, {"reason": ""}), 422, "validation-failed")
    assert tenant.admin().post(path, {"reason": "checking"}).status == 200


def test_the_author_edits_and_deletes_and_the_counters_follow(tenant: Tenant) -> None:
    _, course_id, (author, classmate) = _course_with_students(tenant, 2)
    review(author, course_id, 2)
    path = f"/courses/{course_id}/reviews/{author.user_id}"
    edited = author.patch(path, {"rating": 4}, version=1)
    assert edited.status == 200, edited.body
    assert author.last_calls == expected_requests("PATCH", "/courses/{course_id}/reviews/{student_id}")
    assert (edited.json()["rating"], edited.json()["version"], edited.header("ETag")) == (4, 2, '"2"')
    assert _rating(author, course_id)["histogram"] == {"1": 0, "2": 0, "3": 0, "4": 1, "5": 0}
    problem(author.patch(path, {"rating": 5}, version=1), 412, "version-mismatch")
    problem(author.patch(path, {"rating": 5}), 428, "if-match-required")
    problem(author.patch(path, {"rating": None}, version=2), 422, "validation-failed")
    problem(classmate.patch(path, {"rating": 1}, version=2), 403, "review-not-yours")
    problem(classmate.delete(path), 403, "review-not-yours")
    assert author.delete(path).status == 204
    assert author.last_calls == expected_requests("DELETE", "/courses/{course_id}/reviews/{student_id}")
    assert _rating(author, course_id)["count"] == 0
    problem(author.delete(path), 404, "review-not-found")
    review(author, course_id, 5)
    assert tenant.admin().delete(path).status == 204


def test_the_course_s_staff_reply_once(tenant: Tenant) -> None:
    instructor, course_id, (author,) = _course_with_students(tenant, 1)
    review(author, course_id)
    path = f"/courses/{course_id}/reviews/{author.user_id}/reply"
    problem(tenant.instructor().post(path, {"text": "Not mine"}), 403, "forbidden")
    problem(author.post(path, {"text": "Me"}), 403, "forbidden")
    replied = instructor.post(path, {"text": "<p>Thank you!</p>"})
    assert replied.status == 200, replied.body
    assert replied.json()["reply"]["author_id"] == instructor.user_id
    problem(instructor.post(path, {"text": "Again"}), 409, "reply-exists")
    problem(
        instructor.post(f"/courses/{course_id}/reviews/nobody/reply", {"text": "?"}), 404, "review-not-found"
    )


def test_the_catalog_sorts_by_weighted_rating(tenant: Tenant) -> None:
    instructor = tenant.instructor()
    students = [tenant.student() for _ in range(4)]
    praised = published_course(instructor, title="Praised thrice")["id"]
    panned = published_course(instructor, title="Panned once")["id"]
    published_course(instructor, title="Not reviewed")
    for student in students[:3]:
        enroll(tenant, praised, student)
        review(student, praised, 5)
    enroll(tenant, panned, students[3])
    review(students[3], panned, 1)
    # The first search sorting by rating reads the ratings; the institution's mean (16 / 4) is the prior.
    ranked = students[0].get("/courses", query={"sort": "rating"}).json()["items"]
    expected = sorted(
        [
            ("Praised thrice", weighted_rating(3, 15, 4.0)),
            ("Panned once", weighted_rating(1, 1, 4.0)),
            ("Not reviewed", weighted_rating(0, 0, 4.0)),
        ],
        key=lambda pair: -pair[1],
    )
    assert [c["title"] for c in ranked] == [title for title, _ in expected]
    assert [title for title, _ in expected] == ["Praised thrice", "Not reviewed", "Panned once"]


def test_staff_restore_a_hidden_review_and_it_counts_again(tenant: Tenant, other_tenant: Tenant) -> None:
    instructor, course_id, (author, classmate) = _course_with_students(tenant, 2)
    review(author, course_id, 2)
    path = f"/courses/{course_id}/reviews/{author.user_id}"
    problem(instructor.post(f"{path}/restore"), 409, "review-not-hidden")
    assert instructor.post(f"{path}/hide", {"reason": "Insults"}).status == 200
    assert _rating(author, course_id)["count"] == 0

    problem(author.post(f"{path}/restore"), 403, "forbidden")
    problem(classmate.post(f"{path}/restore"), 403, "forbidden")
    # Another instructor is not the course's staff: the hidden review does not exist for them.
    problem(tenant.instructor().post(f"{path}/restore"), 404, "review-not-found")
    problem(other_tenant.admin().post(f"{path}/restore"), 404, "course-not-found")
    problem(instructor.post(f"/courses/{course_id}/reviews/nobody/restore"), 404, "review-not-found")
    problem(
        instructor.post(f"/courses/no-such-course/reviews/{author.user_id}/restore"), 404, "course-not-found"
    )

    admin = tenant.admin()
    restored = admin.post(f"{path}/restore")
    assert restored.status == 200, restored.body
    assert admin.last_calls == expected_requests("POST", "/courses/{course_id}/reviews/{student_id}/restore")
    body = restored.json()
    assert (body["status"], body["hidden_reason"], body["version"]) == ("visible", None, 3)
    assert restored.header("ETag") == '"3"'
    assert _rating(author, course_id)["histogram"]["2"] == 1
    assert classmate.get(path).json()["status"] == "visible"
    assert tenant.events()[-1]["type"] == "lms.courses.ReviewRestored.v1"
    assert tenant.events()[-1]["data"] == {
        "course_id": course_id,
        "author_id": author.user_id,
        "restored_by": admin.user_id,
    }
    problem(instructor.post(f"{path}/restore"), 409, "review-not-hidden")  # restored twice


def test_a_retried_review_with_its_idempotency_key_answers_the_first_response(tenant: Tenant) -> None:
    _, course_id, (student,) = _course_with_students(tenant, 1)
    reviews_path = f"/courses/{course_id}/reviews"
    headers = {"Idempotency-Key": "review-once-1"}
    first = student.post(reviews_path, {"rating": 4}, headers=headers)
    assert first.status == 201, first.body
    assert student.last_calls == expected_requests("POST", "/courses/{course_id}/reviews", "Idempotency-Key")
    again = student.post(reviews_path, {"rating": 4}, headers=headers)
    assert (again.status, again.json()) == (201, first.json())
    assert again.header("Idempotent-Replayed") == "true"
    assert student.last_calls == expected_requests(
        "POST", "/courses/{course_id}/reviews", "Idempotency-Key replay"
    )
    problem(student.post(reviews_path, {"rating": 1}, headers=headers), 422, "idempotency-key-reused")
    problem(
        student.post(reviews_path, {"rating": 4}, headers={"Idempotency-Key": "no spaces"}),
        400,
        "bad-request",
    )
    problem(
        student.post(reviews_path, {"rating": 4}, headers={"Idempotency-Key": "other"}), 409, "review-exists"
    )
    assert _rating(student, course_id)["count"] == 1
    assert tenant.event_types().count("ReviewPosted") == 1
