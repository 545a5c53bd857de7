"""A quiz over the local stack: an instructor authors and publishes it, a student attempts it twice,
and the highest of the two scores is the quiz score."""

from __future__ import annotations

from infra.local_stack import LocalStack
from tests.support.courses import course_with_lessons
from tests.support.local import demo, new_student, signed_in
from tests.support.quizzes import LIGHT_QUESTIONS, QUIZZES, attempt


def test_a_student_attempts_a_quiz_twice_and_the_highest_score_counts(local: LocalStack) -> None:
    instructor = signed_in(local, demo(local, "instructors"))
    student = new_student(local)
    course_id, _ = course_with_lessons(instructor, 1, title="Light and colour")
    status, enrollment = student.call("POST", f"/courses/{course_id}/enrollments", {})
    assert status == 201, enrollment

    body = {
        "course_id": course_id,
        "title": "Light check",
        "max_attempts": 2,
        "scoring_policy": "highest",
        "show_correct_answers": "after_submission",
        "passing_score": "6",
        "questions": LIGHT_QUESTIONS,
    }
    status, quiz = instructor.call("POST", QUIZZES, body)
    assert status == 201, quiz
    status, published = instructor.call("POST", f"{QUIZZES}/{quiz['id']}/publish")
    assert (status, published["status"], published["points"]) == (200, "published", "10")

    status, seen = student.call("GET", f"{QUIZZES}/{quiz['id']}")
    assert (status, seen["questions"]) == (200, None)

    good = attempt(student, quiz["id"], {"wave": "a", "speed": 299792.458, "colors": ["r", "g"]}, "try-1")
    worse = attempt(student, quiz["id"], {"wave": "b", "speed": 1, "colors": ["r", "g", "b"]}, "try-2")
    assert (good["score"], worse["score"]) == ("9.33", "2.00")
    assert good["results"][0]["correct_answer"] == {"correct_option_id": "a"}

    status, refused = student.call("POST", f"{QUIZZES}/{quiz['id']}/attempts")
    assert (status, refused["type"]) == (409, "urn:lms:problem:attempts-exhausted")

    status, mine = student.call("GET", f"{QUIZZES}/{quiz['id']}/attempts")
    assert status == 200, mine
    assert [a["score"] for a in mine["items"]] == ["9.33", "2.00"]
    assert mine["quiz_score"] == "9.33"  # the highest of the two

    status, class_attempts = instructor.call("GET", f"{QUIZZES}/{quiz['id']}/attempts")
    assert status == 200, class_attempts
    assert sorted(a["score"] for a in class_attempts["items"]) == ["2.00", "9.33"]

    status, stats = instructor.call("GET", f"{QUIZZES}/{quiz['id']}/statistics")
    assert status == 200, stats
    assert stats["submitted_attempts"] == 2
    assert stats["questions"][0]["answer_distribution"] == {"a": 1, "b": 1}

    status, report = instructor.call("POST", f"{QUIZZES}/{quiz['id']}/regrade")
    assert (status, report["attempts_checked"], report["attempts_changed"]) == (200, 2, 0)
