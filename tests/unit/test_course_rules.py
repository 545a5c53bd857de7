"""Course business rules: prerequisites, cycles, publication and who may edit."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lms.auth import Principal, Role
from lms.courses import domain
from lms.courses.domain import ContentType, CourseStatus, LessonSummary, Level, Section
from lms.courses.errors import (
    CourseNotFound,
    CourseNotPublishable,
    InvalidLessonContent,
    InvalidPrerequisites,
    InvalidStatusTransition,
)
from lms.errors import Forbidden
from tests.support.domain import AT, a_course


def who(user_id: str, *roles: Role) -> Principal:
    return Principal(user_id=user_id, institution_id="I1", roles=frozenset(roles))


def test_an_advanced_course_needs_a_prerequisite() -> None:
    with pytest.raises(InvalidPrerequisites, match="advanced"):
        domain.check_prerequisites("C1", Level.ADVANCED, [])
    domain.check_prerequisites("C1", Level.ADVANCED, ["C0"])


def test_a_course_cannot_require_itself_or_repeat_a_prerequisite() -> None:
    with pytest.raises(InvalidPrerequisites, match="itself"):
        domain.check_prerequisites("C1", Level.BEGINNER, ["C1"])
    with pytest.raises(InvalidPrerequisites, match="twice"):
        domain.check_prerequisites("C1", Level.BEGINNER, ["C2", "C2"])


def test_a_cycle_through_the_prerequisite_graph_is_found() -> None:
    graph = {"B": ["C"], "C": ["A"]}
    assert domain.find_cycle("A", graph, ["B"]) == ["B", "C", "A"]
    assert domain.find_cycle("A", {"B": ["C"], "C": []}, ["B"]) is None


@given(
    st.dictionaries(st.sampled_from("BCDEFG"), st.lists(st.sampled_from("ABCDEFG"), max_size=3), max_size=6)
)
def test_find_cycle_agrees_with_reachability(graph: dict[str, list[str]]) -> None:
    start = ["B"]
    reachable: set[str] = set()
    frontier = list(start)
    while frontier:
        node = frontier.pop()
        if node in reachable:
            continue
        reachable.add(node)
        frontier.extend(graph.get(node, []))
    path = domain.find_cycle("A", graph, start)
    assert (path is not None) == ("A" in reachable)
    if path:
        assert path[0] in start
        assert path[-1] == "A"
        assert all(b in graph.get(a, []) for a, b in itertools.pairwise(path))


def test_publishing_needs_an_objective_and_a_lesson() -> None:
    with pytest.raises(CourseNotPublishable) as refused:
        domain.publish(a_course(learning_objectives=[]), AT)
    assert refused.value.extensions["missing"] == ["learning_objectives", "lessons"]


def test_a_published_course_cannot_be_published_again() -> None:
    course = domain.insert_section(a_course(), Section(id="S1", title="S"), None)
    lesson = LessonSummary(id="L1", title="L", content_type=ContentType.TEXT, duration_minutes=1)
    course, _ = domain.insert_lesson(course, lesson, "S1", None)
    published = domain.publish(course, AT)
    assert published.status == CourseStatus.PUBLISHED
    with pytest.raises(InvalidStatusTransition):
        domain.publish(published, AT)
    assert domain.archive(published, AT).status == CourseStatus.ARCHIVED


def test_drafts_are_invisible_to_students_and_other_instructors() -> None:
    draft = a_course()
    with pytest.raises(CourseNotFound):
        domain.ensure_visible(who("S1", Role.STUDENT), draft)
    with pytest.raises(CourseNotFound):
        domain.ensure_visible(who("T2", Role.INSTRUCTOR), draft)
    domain.ensure_visible(who("T1", Role.INSTRUCTOR), draft)
    domain.ensure_visible(who("A1", Role.INSTITUTION_ADMIN), draft)


def test_only_teaching_instructors_and_admins_edit_a_published_course() -> None:
    published = a_course(status="published")
    with pytest.raises(Forbidden):
        domain.ensure_can_edit(who("T2", Role.INSTRUCTOR), published)
    with pytest.raises(Forbidden):
        domain.ensure_can_edit(who("S1", Role.STUDENT), published)
    domain.ensure_can_edit(who("T1", Role.INSTRUCTOR), published)
    domain.ensure_can_edit(who("A1", Role.INSTITUTION_ADMIN), published)


@pytest.mark.parametrize(
    ("content_type", "content", "url", "field"),
    [
        (ContentType.TEXT, None, None, "content"),
        (ContentType.TEXT, "words", "https://x.example/a", "content_url"),
        (ContentType.VIDEO, None, None, "content_url"),
        (ContentType.FILE, "inline", "https://x.example/f.pdf", "content"),
    ],
)
def test_lesson_content_must_match_its_type(
    content_type: ContentType, content: str | None, url: str | None, field: str
) -> None:
    with pytest.raises(InvalidLessonContent) as refused:
        domain.check_lesson_content(content_type, content, url)
    assert refused.value.extensions["field"] == field
