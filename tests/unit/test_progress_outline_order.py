"""Progress rules for what completes a course beyond its lessons: the catalog's lesson order at its
latest version, quizzes required for completion, their grades by revision, and the percent."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from lms.progress import domain
from lms.progress.domain import CatalogOrder, CourseOutline, Enrollment, LearnerProgress, LearningActivity

T0 = datetime(2026, 3, 2, 9, tzinfo=UTC)

# The catalog's order after each of its changes: added, added, moved, section moved, removed.
ORDERS = [
    CatalogOrder(course_version=2, lesson_ids=["L1"]),
    CatalogOrder(course_version=3, lesson_ids=["L1", "L2"]),
    CatalogOrder(course_version=4, lesson_ids=["L2", "L1"]),
    CatalogOrder(course_version=5, lesson_ids=["L3", "L2", "L1"]),
    CatalogOrder(course_version=6, lesson_ids=["L3", "L1"]),
]


@given(delivery=st.permutations(ORDERS), repeats=st.lists(st.sampled_from(ORDERS), max_size=4))
def test_the_outline_holds_the_order_of_the_latest_course_version_in_any_order(
    delivery: list[CatalogOrder], repeats: list[CatalogOrder]
) -> None:
    outline = CourseOutline(course_id="C")
    for order in [*delivery, *repeats]:
        outline = domain.arrange(outline, order)
    assert outline.lesson_ids() == ["L3", "L1"]
    assert outline.order_version == 6


def test_a_removed_lesson_stays_out_of_any_later_order() -> None:
    outline = domain.remove_lesson(CourseOutline(course_id="C"), "L2", ORDERS[4])
    outline = domain.arrange(outline, CatalogOrder(course_version=9, lesson_ids=["L2", "L3"]))
    assert outline.lesson_ids() == ["L3"]
    assert outline.knows("L2")


def test_an_event_without_an_order_is_older_than_one_with_it_and_changes_no_order() -> None:
    outline = domain.arrange(CourseOutline(course_id="C"), ORDERS[3])
    outline = domain.add_lesson(outline, "L0", "S1", 1, T0)
    outline = domain.publish(outline, "Optics", ["L0", "L1"], ["T"], T0)
    assert outline.lesson_ids() == ["L3", "L2", "L1"]
    assert outline.published


def test_a_versioned_publication_keeps_a_later_order_seen_before_it() -> None:
    outline = domain.add_lesson(CourseOutline(course_id="C"), "L9", "S1", 1, T0, ORDERS[4])
    outline = domain.publish(outline, "Optics", ["L1"], ["T"], T0 - timedelta(minutes=1), 3)
    assert (outline.lesson_ids(), outline.title, outline.published) == (["L3", "L1"], "Optics", True)


# ---------------------------------------------------------------- required quizzes


def test_requiring_a_quiz_again_changes_nothing_and_quizzes_keep_publication_order() -> None:
    outline = CourseOutline(course_id="C")
    outline = domain.require_quiz(outline, "Q2", "Second", None, T0 + timedelta(minutes=2))
    outline = domain.require_quiz(outline, "Q1", "First", "L1", T0)
    assert domain.require_quiz(outline, "Q1", "First", "L1", T0 + timedelta(hours=1)) == outline
    assert outline.required_quiz_ids() == ["Q1", "Q2"]


@given(revisions=st.permutations([(1, False), (2, True), (3, False), (4, True), (5, False)]))
def test_the_quiz_grade_of_the_highest_revision_wins_in_any_order(revisions: list[tuple[int, bool]]) -> None:
    progress = LearnerProgress(student_id="S", course_id="C")
    for revision, passed in [*revisions, *revisions]:
        progress = domain.grade_quiz(progress, "Q", passed, revision, T0 + timedelta(minutes=revision))
    assert progress.quizzes["Q"] == domain.QuizMark(passed=False, revision=5)
    assert progress.last_activity_at == T0 + timedelta(minutes=5)


def _course(*quizzes: str) -> CourseOutline:
    outline = domain.publish(CourseOutline(course_id="C"), "Optics", ["L1", "L2"], ["T"], T0, 3)
    for quiz in quizzes:
        outline = domain.require_quiz(outline, quiz, quiz, None, T0)
    return outline


def _enrolled(*done: str) -> LearnerProgress:
    progress = domain.change_enrollment(
        LearnerProgress(student_id="S", course_id="C"), Enrollment.ENROLLED, T0
    )
    for lesson in done:
        progress = domain.mark_lesson(progress, lesson, True, T0, f"done-{lesson}")
    return progress


def test_every_lesson_done_does_not_complete_a_course_with_a_required_quiz_not_passed() -> None:
    outline, activity = _course("Q"), LearningActivity(student_id="S")
    failed = domain.learn_quiz(
        _enrolled("L1", "L2"), outline, activity, quiz_id="Q", passed=False, revision=1, at=T0
    )
    assert not failed.course_completed
    passed = domain.learn_quiz(
        failed.progress, outline, activity, quiz_id="Q", passed=True, revision=2, at=T0
    )
    assert passed.course_completed
    assert passed.progress.completed_at == T0
    assert [e.key for e in passed.earned] == ["course-completed#C"]


def test_passing_the_quiz_before_the_last_lesson_completes_the_course_with_that_lesson() -> None:
    outline, activity = _course("Q"), LearningActivity(student_id="S")
    graded = domain.learn_quiz(
        _enrolled("L1"), outline, activity, quiz_id="Q", passed=True, revision=1, at=T0
    )
    assert not graded.course_completed
    learned = domain.learn(
        graded.progress, outline, activity, lesson_id="L2", done=True, at=T0, event_id="done-L2"
    )
    assert learned.course_completed


def test_a_regrade_that_fails_the_quiz_leaves_a_completed_course_completed() -> None:
    outline, activity = _course("Q"), LearningActivity(student_id="S")
    completed = domain.learn_quiz(
        _enrolled("L1", "L2"), outline, activity, quiz_id="Q", passed=True, revision=1, at=T0
    )
    regraded = domain.learn_quiz(
        completed.progress, outline, completed.activity, quiz_id="Q", passed=False, revision=2, at=T0
    )
    assert not regraded.course_completed
    assert regraded.progress.completed_at == T0
    assert regraded.progress.passed_quizzes() == set()


def test_the_percent_counts_lessons_and_required_quizzes_alike() -> None:
    outline = _course("Q1", "Q2")
    assert domain.course_percent(outline, {"L1", "L2"}, set()) == 50
    assert domain.course_percent(outline, {"L1"}, {"Q1", "Q9"}) == 50
    assert domain.course_percent(outline, {"L1", "L2"}, {"Q1"}) == 75
    assert domain.course_percent(outline, {"L1", "L2"}, {"Q1", "Q2"}) == 100
    assert domain.course_percent(CourseOutline(course_id="C"), {"L1"}, {"Q1"}) == 0


@given(
    done=st.sets(st.sampled_from(["L1", "L2", "L9"])),
    passed=st.sets(st.sampled_from(["Q1", "Q2", "Q9"])),
)
def test_the_percent_is_100_exactly_when_everything_that_completes_the_course_is_done(
    done: set[str], passed: set[str]
) -> None:
    outline = _course("Q1", "Q2")
    value = domain.course_percent(outline, done, passed)
    assert 0 <= value <= 100
    assert (value == 100) == ({"L1", "L2"} <= done and {"Q1", "Q2"} <= passed)
