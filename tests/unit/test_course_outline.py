"""Positions of sections and lessons stay dense and ordered through inserts, moves and deletes."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lms.courses import domain
from lms.courses.domain import ContentType, LessonSummary, Section
from lms.courses.errors import CourseArchived, InvalidPosition, LessonNotFound, SectionNotEmpty
from tests.support.domain import AT, a_course


def a_lesson(lesson_id: str) -> LessonSummary:
    return LessonSummary(id=lesson_id, title=lesson_id, content_type=ContentType.TEXT, duration_minutes=5)


def test_a_lesson_inserted_in_the_middle_pushes_the_rest_down() -> None:
    course = domain.insert_section(a_course(), Section(id="S1", title="One"), None)
    for name in ("A", "B", "C"):
        course, _ = domain.insert_lesson(course, a_lesson(name), "S1", None)
    course, position = domain.insert_lesson(course, a_lesson("X"), "S1", 2)
    assert position == 2
    assert course.lesson_ids() == ["A", "X", "B", "C"]


def test_a_position_past_the_end_is_refused() -> None:
    course = domain.insert_section(a_course(), Section(id="S1", title="One"), None)
    with pytest.raises(InvalidPosition):
        domain.insert_lesson(course, a_lesson("A"), "S1", 3)


def test_moving_a_lesson_to_another_section_keeps_both_dense() -> None:
    course = a_course()
    for sid in ("S1", "S2"):
        course = domain.insert_section(course, Section(id=sid, title=sid), None)
    for name in ("A", "B"):
        course, _ = domain.insert_lesson(course, a_lesson(name), "S1", None)
    course, _ = domain.insert_lesson(course, a_lesson("C"), "S2", None)
    course, position = domain.move_lesson(course, a_lesson("A"), "S2", 1)
    assert position == 1
    assert [[x.id for x in s.lessons] for s in course.sections] == [["B"], ["A", "C"]]


def test_a_section_with_lessons_cannot_be_removed() -> None:
    course = domain.insert_section(a_course(), Section(id="S1", title="One"), None)
    course, _ = domain.insert_lesson(course, a_lesson("A"), "S1", None)
    with pytest.raises(SectionNotEmpty):
        domain.remove_section(course, "S1")


def test_an_archived_course_takes_no_new_lessons() -> None:
    course = domain.insert_section(a_course(), Section(id="S1", title="One"), None)
    archived = domain.archive(course, AT)
    with pytest.raises(CourseArchived):
        domain.insert_lesson(archived, a_lesson("A"), "S1", None)


def test_removing_an_unknown_lesson_is_not_found() -> None:
    with pytest.raises(LessonNotFound):
        domain.remove_lesson(a_course(), "nope")


# Each operation: ("insert", position seed) / ("move", index seed, position seed) / ("remove", index seed)
operations = st.lists(
    st.one_of(
        st.tuples(st.just("insert"), st.integers(0, 50)),
        st.tuples(st.just("move"), st.integers(0, 50), st.integers(0, 50)),
        st.tuples(st.just("remove"), st.integers(0, 50)),
    ),
    max_size=40,
)


@given(operations)
def test_positions_stay_dense_and_match_a_plain_list(ops: list[tuple[object, ...]]) -> None:
    course = domain.insert_section(a_course(), Section(id="S1", title="One"), None)
    model: list[str] = []
    for n, op in enumerate(ops):
        if op[0] == "insert":
            position = int(op[1]) % (len(model) + 1) + 1  # type: ignore[call-overload]
            course, placed = domain.insert_lesson(course, a_lesson(f"L{n}"), "S1", position)
            model.insert(position - 1, f"L{n}")
            assert placed == position
        elif model and op[0] == "move":
            lesson = model[int(op[1]) % len(model)]  # type: ignore[call-overload]
            position = int(op[2]) % len(model) + 1  # type: ignore[call-overload]
            course, placed = domain.move_lesson(course, a_lesson(lesson), None, position)
            model.remove(lesson)
            model.insert(position - 1, lesson)
            assert placed == position
        elif model and op[0] == "remove":
            lesson = model[int(op[1]) % len(model)]  # type: ignore[call-overload]
            course = domain.remove_lesson(course, lesson)
            model.remove(lesson)
        assert course.lesson_ids() == model
        assert [domain.lesson_position(course, x) for x in model] == list(range(1, len(model) + 1))


@given(st.lists(st.integers(0, 20), max_size=20))
def test_sections_stay_dense_after_inserts_and_moves(seeds: list[int]) -> None:
    course = a_course()
    model: list[str] = []
    for n, seed in enumerate(seeds):
        if seed % 3 == 0 and model:
            moved = model[seed % len(model)]
            position = seed % len(model) + 1
            course = domain.change_section(course, moved, None, position)
            model.remove(moved)
            model.insert(position - 1, moved)
        else:
            position = seed % (len(model) + 1) + 1
            course = domain.insert_section(course, Section(id=f"S{n}", title="x"), position)
            model.insert(position - 1, f"S{n}")
        assert [s.id for s in course.sections] == model
