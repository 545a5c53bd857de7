"""The gradebook over the local stack: grade events on the bus become a weighted course grade and a
CSV export. The events are put on the bus as the quiz and assignment producers' relay would."""

from __future__ import annotations

from decimal import Decimal

from infra.local_stack import LocalStack
from lms import ids
from tests.support.courses import course_with_lessons
from tests.support.events import (
    assignment_published,
    envelope,
    grade_released,
    put_on_bus,
    quiz_graded,
    quiz_published,
)
from tests.support.gradebook import WEIGHTED_SETTINGS, csv_of
from tests.support.local import demo, eventually, new_student, signed_in


def test_grades_on_the_bus_make_a_weighted_course_grade_and_a_matching_export(local: LocalStack) -> None:
    instructor = signed_in(local, demo(local, "instructors"))
    institution_id = demo(local, "instructors").institution_id
    student = new_student(local)
    first_profile = {"If-Match": '"0"'}  # an account made outside the API saves its first profile
    status, profile = student.call("PATCH", "/users/me", {"display_name": "Ibn al-Haytham"}, first_profile)
    assert status == 200, profile
    course_id, _ = course_with_lessons(instructor, 1, title="Gradebook optics")
    status, enrollment = student.call("POST", f"/courses/{course_id}/enrollments", {})
    assert status == 201, enrollment
    gradebook = f"/assessments/gradebook/courses/{course_id}"
    status, saved = instructor.call("PUT", f"{gradebook}/settings", WEIGHTED_SETTINGS)
    assert status == 200, saved

    status, me = student.call("GET", f"{gradebook}/me")
    assert status == 200, me
    student_id = me["student_id"]
    quiz_id, essay_id = ids.new_id(), ids.new_id()
    # Two attempts under the highest-score policy: the second grading (revision 2) is what counts,
    # and it arrives before the first.
    events = [
        quiz_published(course_id, quiz_id, "Lenses"),
        assignment_published(course_id, essay_id, "Report"),
        quiz_graded(course_id, quiz_id, student_id, "9", revision=2),
        quiz_graded(course_id, quiz_id, student_id, "6", revision=1),
        grade_released(course_id, essay_id, student_id, "75"),
    ]
    put_on_bus(
        local.stack,
        *(envelope(e, institution_id) for e in events),
        endpoint_url=local.aws_endpoint_url,
    )

    def graded() -> bool:
        status, body = student.call("GET", f"{gradebook}/me")
        return status == 200 and body["final_percent"] is not None and len(body["scores"]) == 2

    assert eventually(graded, seconds=30)
    status, me = student.call("GET", f"{gradebook}/me")
    # quizzes 9/10 = 90, assignments 75/100 = 75: 0.4 * 90 + 0.6 * 75 = 81
    assert {s["assessment_id"]: s["score"] for s in me["scores"]} == {quiz_id: "9", essay_id: "75"}
    assert (me["final_percent"], me["letter"]) == ("81.00", "B")
    assert Decimal(me["final_percent"]) == Decimal("0.4") * 90 + Decimal("0.6") * 75

    content_type, table = csv_of(instructor, f"{gradebook}/export")
    assert content_type.startswith("text/csv")
    # Both assessments are undated and published within the same instant: their order is the ids'.
    header, *rows = table
    assert header[:2] == ["student_id", "display_name"]
    assert header[4:] == ["quizzes (%)", "assignments (%)", "final (%)", "letter"]
    assert [dict(zip(header, row, strict=True)) for row in rows] == [
        {
            "student_id": student_id,
            "display_name": "Ibn al-Haytham",
            f"Lenses ({quiz_id})": "9",
            f"Report ({essay_id})": "75",
            "quizzes (%)": "90.00",
            "assignments (%)": "75.00",
            "final (%)": "81.00",
            "letter": "B",
        }
    ]
