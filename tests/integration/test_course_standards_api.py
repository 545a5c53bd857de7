"""Courses, lessons and quiz questions aligned to learning standards; the course's standards page."""

from __future__ import annotations

from typing import Any

import pytest

from bench.expectations import expected_requests
from tests.support.client import Caller, problem
from tests.support.courses import add_lesson, add_section, create_course, enroll, publish
from tests.support.quizzes import QUIZZES, create_quiz, questions
from tests.support.quizzes import publish as publish_quiz
from tests.support.standards import CED_A_1, REI_B_3, alignment, case_id
from tests.support.tenant import Tenant


def _aligned_questions(*coding_schemes: str) -> list[dict[str, Any]]:
    """The quiz's questions, the first ones aligned (`assesses`) to the given standards in order."""
    authored = questions()
    for question, scheme in zip(authored, coding_schemes, strict=False):
        question["standards"] = [alignment(scheme, "assesses")]
    return authored


def _aligned_course(instructor: Caller) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """A published course teaching REI.B.3 itself, one lesson teaching it and one teaching CED.A.1."""
    course = create_course(instructor, title="Algebra I", standards=[alignment(REI_B_3, "teaches")])
    section = add_section(instructor, course["id"])
    first = add_lesson(instructor, course["id"], section["id"], "Solving", standards=[alignment(REI_B_3)])
    second = add_lesson(instructor, course["id"], section["id"], "Modeling", standards=[alignment(CED_A_1)])
    publish(instructor, course["id"])
    return course, first, second


def _by_scheme(page: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {s["human_coding_scheme"]: s for s in page["standards"]}


def test_a_course_lists_each_standard_with_the_lessons_that_teach_it_and_the_questions_that_assess_it(
    tenant: Tenant,
) -> None:
    instructor, student = tenant.instructor(), tenant.student()
    course, first, second = _aligned_course(instructor)
    quiz = create_quiz(instructor, course["id"], questions=_aligned_questions(REI_B_3, CED_A_1))
    publish_quiz(instructor, quiz["id"])
    enroll(tenant, course["id"], student)

    answer = student.get(f"/courses/{course['id']}/standards")
    assert answer.status == 200, answer.body
    assert student.last_calls == expected_requests("GET", "/courses/{course_id}/standards")
    page = answer.json()
    assert page["course_id"] == course["id"]
    assert [s["human_coding_scheme"] for s in page["standards"]] == [CED_A_1, REI_B_3]
    rei, ced = _by_scheme(page)[REI_B_3], _by_scheme(page)[CED_A_1]
    assert rei["case_item_id"] == case_id(REI_B_3)
    assert rei["course_alignments"] == ["teaches"]
    assert [(x["lesson_id"], x["position"], x["alignment_type"]) for x in rei["lessons"]] == [
        (first["id"], 1, "teaches")
    ]
    assert [(x["quiz_id"], x["question_id"], x["position"]) for x in rei["questions"]] == [
        (quiz["id"], "single", 1)
    ]
    assert ced["course_alignments"] == []
    assert [x["lesson_id"] for x in ced["lessons"]] == [second["id"]]
    assert [(x["question_id"], x["alignment_type"]) for x in ced["questions"]] == [("multi", "assesses")]
    etag = answer.header("ETag")
    assert student.get(f"/courses/{course['id']}/standards", headers={"If-None-Match": etag}).status == 304


def test_a_draft_quiz_s_questions_are_shown_to_the_course_s_staff_only(tenant: Tenant) -> None:
    instructor, student = tenant.instructor(), tenant.student()
    course, _, _ = _aligned_course(instructor)
    create_quiz(instructor, course["id"], questions=_aligned_questions(REI_B_3))
    staff_view = _by_scheme(instructor.get(f"/courses/{course['id']}/standards").json())
    assert [q["question_id"] for q in staff_view[REI_B_3]["questions"]] == ["single"]
    student_view = _by_scheme(student.get(f"/courses/{course['id']}/standards").json())
    assert student_view[REI_B_3]["questions"] == []


def test_alignments_change_with_the_course_the_lesson_and_the_published_quiz(tenant: Tenant) -> None:
    instructor = tenant.instructor()
    course, first, second = _aligned_course(instructor)
    quiz = create_quiz(instructor, course["id"], questions=_aligned_questions(REI_B_3))
    published = publish_quiz(instructor, quiz["id"])
    path = f"/courses/{course['id']}"

    current = instructor.get(path).json()
    assert instructor.patch(path, {"standards": []}, version=current["version"]).status == 200
    lesson = instructor.get(f"{path}/lessons/{first['id']}").json()
    moved = instructor.patch(
        f"{path}/lessons/{first['id']}", {"standards": [alignment(CED_A_1)]}, version=lesson["version"]
    )
    assert moved.status == 200, moved.body
    assert moved.json()["standards"] == [alignment(CED_A_1)]
    assert instructor.delete(f"{path}/lessons/{second['id']}").status == 204
    unaligned = questions()
    edited = instructor.patch(
        f"{QUIZZES}/{quiz['id']}", {"questions": unaligned}, version=published["version"]
    )
    assert edited.status == 200, edited.body

    page = instructor.get(f"{path}/standards").json()
    assert [s["human_coding_scheme"] for s in page["standards"]] == [CED_A_1]
    assert [x["lesson_id"] for x in page["standards"][0]["lessons"]] == [first["id"]]
    assert page["standards"][0]["questions"] == []
    outline = instructor.get(path).json()
    assert outline["standards"] == []
    assert outline["sections"][0]["lessons"][0]["standards"] == [
        {"case_item_id": case_id(CED_A_1), "alignment_type": "teaches"}
    ]
    aligned = [e["data"] for e in tenant.events() if e["type"].endswith(".StandardsAligned.v1")]
    assert [(e.get("lesson_id"), len(e["standards"])) for e in aligned] == [
        (None, 1),
        (first["id"], 1),
        (second["id"], 1),
        (None, 0),
        (first["id"], 1),
    ]


def test_the_catalog_finds_courses_by_a_standard_s_coding_scheme_or_identifier(tenant: Tenant) -> None:
    instructor, student = tenant.instructor(), tenant.student()
    course, _, _ = _aligned_course(instructor)
    other = create_course(instructor, title="Geometry")
    add_lesson(instructor, other["id"], add_section(instructor, other["id"])["id"])
    publish(instructor, other["id"])
    for wanted in (REI_B_3.lower(), CED_A_1, case_id(CED_A_1).upper()):
        found = student.get("/courses", query={"standard": wanted})
        assert found.status == 200, found.body
        assert [c["id"] for c in found.json()["items"]] == [course["id"]], wanted
    assert student.get("/courses", query={"standard": "CCSS.ELA"}).json()["items"] == []
    problem(student.get("/courses", query={"standard": "no spaces allowed"}), 422, "validation-failed")


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("case_item_id", "not-a-uuid"),
        ("case_item_uri", "ftp://case.example.org/item"),
        ("case_item_uri", "https://" + "x" * 2050),
        ("human_coding_scheme", "has spaces"),
        ("human_coding_scheme", "X" * 101),
        ("framework", ""),
        ("framework", "F" * 201),
        ("alignment_type", "mentions"),
    ],
)
def test_an_invalid_alignment_is_refused_naming_the_field(tenant: Tenant, field: str, value: str) -> None:
    instructor = tenant.instructor()
    body = {"title": "Bad", "category": "mathematics", "level": "beginner", "language": "en"}
    answer = instructor.post("/courses", {**body, "standards": [{**alignment(), field: value}]})
    errors = problem(answer, 422, "validation-failed")["errors"]
    assert any(field in str(e.get("field", e.get("loc", ""))) for e in errors), errors


def test_repeated_or_too_many_alignments_are_refused(tenant: Tenant) -> None:
    instructor = tenant.instructor()
    course = create_course(instructor)
    section = add_section(instructor, course["id"])
    twice = {"section_id": section["id"], "title": "L", "content_type": "text", "content": "x"}
    twice |= {"duration_minutes": 5, "standards": [alignment(), alignment()]}
    problem(instructor.post(f"/courses/{course['id']}/lessons", twice), 422, "validation-failed")
    many = [alignment(f"CCSS.MATH.{n}") for n in range(21)]
    path = f"/courses/{course['id']}"
    problem(instructor.patch(path, {"standards": many}, version=course["version"]), 422, "validation-failed")
    quiz = questions()
    quiz[0]["standards"] = [alignment(), alignment()]
    problem(
        instructor.post(QUIZZES, {"course_id": course["id"], "title": "Q", "questions": quiz}),
        422,
        "validation-failed",
    )


def test_who_may_align_and_who_may_read_the_standards(tenant: Tenant, other_tenant: Tenant) -> None:
    instructor, student = tenant.instructor(), tenant.student()
    course = create_course(instructor, standards=[alignment()])
    path = f"/courses/{course['id']}"
    problem(student.patch(path, {"standards": []}, version=course["version"]), 403, "forbidden")
    problem(student.get(f"{path}/standards"), 404, "course-not-found")  # a draft: its staff only
    outsider = tenant.instructor()
    problem(outsider.get(f"{path}/standards"), 404, "course-not-found")
    assert tenant.admin().get(f"{path}/standards").status == 200
    problem(other_tenant.admin().get(f"{path}/standards"), 404, "course-not-found")
    problem(instructor.get("/courses/no-such-course/standards"), 404, "course-not-found")
    stale = instructor.patch(path, {"standards": []}, version=course["version"] - 1)
    problem(stale, 412, "version-mismatch")
    assert instructor.get(f"{path}/standards").json()["standards"][0]["course_alignments"] == ["teaches"]


def test_a_course_without_alignments_covers_no_standard(tenant: Tenant) -> None:
    instructor = tenant.instructor()
    course = create_course(instructor)
    assert instructor.get(f"/courses/{course['id']}/standards").json() == {
        "course_id": course["id"],
        "standards": [],
    }
