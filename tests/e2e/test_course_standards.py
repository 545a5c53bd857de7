"""Learning standards over the running local stack: a course aligned to two standards lists them
with the lessons and the quiz questions behind each."""

from __future__ import annotations

from infra.local_stack import LocalStack
from tests.support.local import demo, new_student, signed_in
from tests.support.quizzes import QUIZZES, questions
from tests.support.standards import CED_A_1, REI_B_3, alignment


def test_a_course_aligned_to_two_standards_lists_them_with_the_lessons_and_questions_behind_each(
    local: LocalStack,
) -> None:
    instructor = signed_in(local, demo(local, "instructors"))
    body = {
        "title": "Algebra I",
        "category": "mathematics",
        "level": "beginner",
        "language": "en",
        "learning_objectives": ["Solve equations"],
        "standards": [alignment(REI_B_3)],
    }
    status, course = instructor.call("POST", "/courses", body)
    assert status == 201, course
    course_id = course["id"]
    status, section = instructor.call("POST", f"/courses/{course_id}/sections", {"title": "Week 1"})
    assert status == 201, section
    lesson_ids = []
    for title, scheme in (("Solving", REI_B_3), ("Modeling", CED_A_1)):
        lesson = {
            "section_id": section["id"],
            "title": title,
            "content_type": "text",
            "content": "<p>Go.</p>",
        }
        status, made = instructor.call(
            "POST",
            f"/courses/{course_id}/lessons",
            {**lesson, "duration_minutes": 15, "standards": [alignment(scheme)]},
        )
        assert status == 201, made
        lesson_ids.append(made["id"])
    assert instructor.call("POST", f"/courses/{course_id}/publish")[0] == 200
    quiz_questions = questions()
    quiz_questions[0]["standards"] = [alignment(REI_B_3, "assesses")]
    quiz_questions[1]["standards"] = [alignment(CED_A_1, "assesses")]
    status, quiz = instructor.call(
        "POST", QUIZZES, {"course_id": course_id, "title": "Check", "questions": quiz_questions}
    )
    assert status == 201, quiz
    assert instructor.call("POST", f"{QUIZZES}/{quiz['id']}/publish")[0] == 200

    student = new_student(local)
    status, page = student.call("GET", f"/courses/{course_id}/standards")
    assert status == 200, page
    behind = {
        s["human_coding_scheme"]: (
            [x["lesson_id"] for x in s["lessons"]],
            [x["question_id"] for x in s["questions"]],
        )
        for s in page["standards"]
    }
    assert behind == {CED_A_1: ([lesson_ids[1]], ["multi"]), REI_B_3: ([lesson_ids[0]], ["single"])}
    status, found = student.call("GET", f"/courses?standard={CED_A_1}")
    assert status == 200, found
    assert course_id in [c["id"] for c in found["items"]]
