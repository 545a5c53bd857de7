"""The catalog over the running local stack: search, reviews and ratings, a paid course and its access."""

from __future__ import annotations

from typing import Any

from infra.local_stack import LocalStack
from tests.support.client import Caller
from tests.support.local import demo, new_student, new_user, signed_in


def _published(instructor: Caller, **extra: Any) -> str:
    body = {
        "title": "Économie du numérique",
        "category": "economics",
        "level": "beginner",
        "language": "fr",
        "learning_objectives": ["Lire un marché"],
        **extra,
    }
    status, course = instructor.call("POST", "/courses", body)
    assert status == 201, course
    course_id = str(course["id"])
    status, section = instructor.call("POST", f"/courses/{course_id}/sections", {"title": "Semaine 1"})
    assert status == 201, section
    lesson = {
        "section_id": section["id"],
        "title": "Marchés",
        "content_type": "text",
        "content": "<p>Lire.</p>",
        "duration_minutes": 20,
    }
    assert instructor.call("POST", f"/courses/{course_id}/lessons", lesson)[0] == 201
    assert instructor.call("POST", f"/courses/{course_id}/publish")[0] == 200
    return course_id


def test_students_find_review_and_rate_a_course_and_staff_moderate(local: LocalStack) -> None:
    instructor = signed_in(local, demo(local, "instructors"))
    course_id = _published(instructor)
    students = [new_student(local) for _ in range(4)]

    status, found = students[0].call("GET", "/courses?search=econ%20numer&language=fr")
    assert status == 200, found
    assert course_id in [c["id"] for c in found["items"]]

    for student in students:
        assert student.call("POST", f"/courses/{course_id}/enrollments", {})[0] == 201
    averages = []
    for student, stars in zip(students[:3], (5, 4, 3), strict=True):
        status, posted = student.call(
            "POST", f"/courses/{course_id}/reviews", {"rating": stars, "text": "<p>Bien.</p>"}
        )
        assert status == 201, posted
        averages.append(students[0].call("GET", f"/courses/{course_id}/reviews")[1]["rating"]["average"])
    assert averages == [None, None, 4.0]  # shown from the third review

    status, replied = instructor.call(
        "POST", f"/courses/{course_id}/reviews/{students[0].user_id}/reply", {"text": "<p>Merci !</p>"}
    )
    assert status == 200, replied
    assert replied["reply"]["author_id"] not in {s.user_id for s in students}

    rude = students[3]
    assert rude.call("POST", f"/courses/{course_id}/reviews", {"rating": 1, "text": "<p>Nul.</p>"})[0] == 201
    review = f"/courses/{course_id}/reviews/{rude.user_id}"
    status, reported = students[1].call("POST", f"{review}/reports", {"reason": "Insulting"})
    assert status == 200, reported
    assert reported["reports"] == 1
    status, hidden = instructor.call("POST", f"{review}/hide", {"reason": "Insults the class"})
    assert status == 200, hidden
    assert hidden["status"] == "hidden"
    status, page = students[0].call("GET", f"/courses/{course_id}/reviews")
    assert status == 200
    assert rude.user_id not in [r["id"] for r in page["items"]]
    assert (page["rating"]["count"], page["rating"]["average"]) == (3, 4.0)


def test_a_paid_course_refuses_self_enrollment_with_402_until_access_is_granted(local: LocalStack) -> None:
    instructor = signed_in(local, demo(local, "instructors"))
    admin = signed_in(local, demo(local, "institution-admins"))
    course_id = _published(instructor, title="Finance avancée", price={"amount": "49.90", "currency": "EUR"})
    student = new_student(local)

    status, refused = student.call("POST", f"/courses/{course_id}/enrollments", {})
    assert status == 402, refused
    assert refused["type"] == "urn:lms:problem:payment-required"
    assert "entitlements" in refused["detail"]

    status, granted = admin.call(
        "POST", f"/courses/{course_id}/entitlements", {"student_id": student.user_id}
    )
    assert status == 201, granted
    status, enrolled = student.call("POST", f"/courses/{course_id}/enrollments", {})
    assert status == 201, enrolled
    assert enrolled["status"] == "enrolled"
    status, listed = student.call("GET", "/courses?currency=EUR&min_price=40&max_price=50&search=finance")
    assert status == 200
    assert [c["price"] for c in listed["items"] if c["id"] == course_id] == [
        {"amount": "49.90", "currency": "EUR"}
    ]


def test_another_institution_never_sees_the_catalog(local: LocalStack) -> None:
    instructor = signed_in(local, demo(local, "instructors"))
    _published(instructor, title="Histoire secrète")
    outsider = new_user(local, "students", "elsewhere-college")
    status, found = outsider.call("GET", "/courses?search=secrete")
    assert status == 200
    assert found["items"] == []
