"""Stored text a frontend renders (descriptions, lesson content, instructions, rubrics, feedback, quiz
questions) is sanitised on the way in with the rich-text allow-list: no script survives a round trip.
"""

from __future__ import annotations

import json
from typing import Any

from tests.support.assignments import ASSIGNMENTS, RUBRIC, assignment_body, submitted
from tests.support.courses import add_lesson, add_section, course_with_lessons, create_course, enroll
from tests.support.quizzes import create_quiz, questions, quiz_body
from tests.support.tenant import Tenant

HOSTILE = (
    '<p>Read <b onclick="steal()">this</b></p><script>alert(1)</script>'
    '<a href="javascript:alert(2)">link</a><img src="x" onerror="alert(3)"><iframe src="//evil"></iframe>'
)
KEPT = "<p>Read <b>this</b></p>"
UNSAFE = ("<script", "onclick", "javascript:", "onerror", "<img", "<iframe", "alert(")


def assert_harmless(where: str, document: Any) -> None:
    text = json.dumps(document, default=str)
    assert not [u for u in UNSAFE if u in text], f"{where}: {text[:400]}"


def stored_and_answered(tenant: Tenant, where: str, answered: Any) -> None:
    assert_harmless(where, answered)
    assert_harmless(f"{where} (stored)", tenant.items())


def test_course_description_and_lesson_content_are_sanitised(tenant: Tenant) -> None:
    instructor = tenant.instructor()
    course = create_course(instructor, description=HOSTILE)
    assert course["description"].startswith(KEPT)
    lesson = add_lesson(
        instructor, course["id"], add_section(instructor, course["id"])["id"], content=HOSTILE
    )
    assert lesson["content"].startswith(KEPT)
    patched = instructor.patch(
        f"/courses/{course['id']}",
        {"description": HOSTILE},
        version=instructor.get(f"/courses/{course['id']}").json()["version"],
    )
    assert patched.status == 200, patched.body
    stored_and_answered(tenant, "courses", [course, lesson, patched.json()])


def test_assignment_instructions_rubric_and_feedback_are_sanitised(tenant: Tenant) -> None:
    instructor, student = tenant.instructor(), tenant.student()
    course_id, _ = course_with_lessons(instructor, 1)
    enroll(tenant, course_id, student)
    rubric = [{**RUBRIC[0], "description": HOSTILE}, RUBRIC[1]]
    body = assignment_body(course_id, instructions=HOSTILE, rubric=rubric)
    created = instructor.post(ASSIGNMENTS, body)
    assert created.status == 201, created.body
    assignment = created.json()
    assert assignment["instructions"].startswith(KEPT)
    assert instructor.post(f"{ASSIGNMENTS}/{assignment['id']}/publish").status == 200
    submission = submitted(student, assignment["id"])
    path = f"{ASSIGNMENTS}/{assignment['id']}/submissions/{submission['id']}/grade"
    levels = {"argument": "strong", "style": "good"}
    graded = instructor.request(
        "PUT",
        path,
        json_body={"rubric_levels": levels, "feedback": HOSTILE},
        headers={"If-Match": f'"{submission["revision"]}"'},
    )
    assert graded.status == 200, graded.body
    assert graded.json()["grade"]["feedback"].startswith(KEPT)
    stored_and_answered(tenant, "assignments", [assignment, graded.json()])


def test_quiz_instructions_prompts_and_choices_are_sanitised(tenant: Tenant) -> None:
    instructor = tenant.instructor()
    course_id, _ = course_with_lessons(instructor, 1)
    hostile_questions = []
    for question in questions():
        question = {**question, "prompt": HOSTILE}
        for options in ("options", "prompts", "choices", "items"):
            if options in question:
                question[options] = [
                    {**option, "text": HOSTILE + option["id"]} for option in question[options]
                ]
        hostile_questions.append(question)
    quiz = create_quiz(instructor, course_id, instructions=HOSTILE, questions=hostile_questions)
    assert quiz["instructions"].startswith(KEPT)
    assert all(q["prompt"].startswith(KEPT) for q in quiz["questions"])
    stored_and_answered(tenant, "quizzes", quiz)


def test_a_prompt_that_is_only_markup_is_refused(tenant: Tenant) -> None:
    instructor = tenant.instructor()
    course_id, _ = course_with_lessons(instructor, 1)
    only_script = [{**questions()[0], "prompt": "<script>alert(1)</script>"}]
    response = instructor.post("/assessments/quizzes", quiz_body(course_id, questions=only_script))
    assert response.status == 422, response.body
