"""The analytics read model's rules: order-free learner states, counters from states, at-risk judgements."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from functools import reduce

from hypothesis import given
from hypothesis import strategies as st

from lms.analytics import domain, risk
from lms.analytics.course import Assessment, CourseCopy, Lifecycle, advance, arrange, publish_assessment
from lms.analytics.domain import LearnerState, QuizScore, ReleasedGrade, Stamp, Submission
from lms.analytics.risk import DEFAULT_RULES, AtRiskRules, judge

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
Change = Callable[[LearnerState], LearnerState]


def _changes() -> list[Change]:
    """A learner's history: enrollments and a drop, completions and an undo, grades, submissions."""
    at = [T0 + timedelta(hours=h) for h in range(40)]
    return [
        lambda s: domain.enroll(s, Stamp(at[0], "e1")),
        lambda s: domain.drop(s, Stamp(at[5], "e2")),
        lambda s: domain.enroll(s, Stamp(at[6], "e3")),
        lambda s: domain.act(domain.mark_lesson(s, "l1", True, Stamp(at[7], "e4")), at[7]),
        lambda s: domain.act(domain.mark_lesson(s, "l2", True, Stamp(at[30], "e5")), at[30]),
        lambda s: domain.act(domain.mark_lesson(s, "l1", False, Stamp(at[8], "e6")), at[8]),
        lambda s: domain.act(domain.mark_lesson(s, "l1", True, Stamp(at[9], "e7")), at[9]),
        lambda s: domain.grade_quiz(s, "q", QuizScore(Decimal(4), Decimal(10), False, 1)),
        lambda s: domain.grade_quiz(s, "q", QuizScore(Decimal(8), Decimal(10), True, 2)),
        lambda s: domain.act(domain.submit(s, "a", Submission(1, True, at[12])), at[12]),
        lambda s: domain.act(domain.submit(s, "a", Submission(2, False, at[13])), at[13]),
        lambda s: domain.release_grade(s, "a", ReleasedGrade(Decimal(70), Decimal(100), 1)),
        lambda s: domain.complete_course(s, at[31]),
        lambda s: domain.act(s, at[25]),
    ]


def _unscheduled() -> CourseCopy:
    course = advance(CourseCopy("c", version=1), Lifecycle.PUBLISHED, T0, "Optics")
    return arrange(course, ["l1", "l2", "l3"], 2)


def _course() -> CourseCopy:
    course = _unscheduled()
    due = T0 + timedelta(days=2)
    return publish_assessment(course, "a", Assessment("assignment", "Essay", Decimal(100), due))


def _fold(changes: list[Change]) -> LearnerState:
    return reduce(lambda state, change: change(state), changes, LearnerState("s"))


@given(st.permutations(_changes()))
def test_a_learners_state_is_the_same_whatever_order_its_events_arrive_in(order: list[Change]) -> None:
    assert _fold(order) == _fold(_changes())


@given(st.permutations(_changes()), st.sampled_from([T0, T0 + timedelta(days=9)]))
def test_judgements_made_along_any_order_end_at_the_same_reasons(
    order: list[Change], swept: datetime
) -> None:
    course = _course()

    def judged(changes: list[Change]) -> LearnerState:
        state = LearnerState("s")
        for change in changes:
            state = judge(change(state), course, DEFAULT_RULES, T0)
        return judge(state, course, DEFAULT_RULES, swept)

    assert judged(order) == judged(_changes())


@given(st.lists(st.sampled_from(_changes()), max_size=12))
def test_counters_are_the_sum_of_the_differences_of_every_change(changes: list[Change]) -> None:
    """Adding each change's difference to the counters gives what the final state contributes."""
    state, counters = LearnerState("s"), Counter[str]()
    for change in changes:
        after = change(state)
        counters.update(domain.difference(state, after))
        state = after
    assert +counters == +domain.contributions(state)


def test_a_repeated_change_changes_no_counter() -> None:
    state = _fold(_changes())
    for change in _changes():
        if change(state) == state:
            assert domain.difference(state, change(state)) == {}


def test_an_enrolled_learner_contributes_their_lessons_scores_and_activity() -> None:
    state = _fold(_changes())
    counts = domain.contributions(state)
    assert counts["enrolled"] == 1
    assert counts["lesson:l1"] == counts["lesson:l2"] == 1
    assert counts["lessons_done:2"] == 1
    assert counts["quiz:q:bucket:8"] == counts["quiz:q:passed"] == 1
    assert counts["assignment:a:on_time"] == 1
    assert counts["completed"] == 1
    assert counts["day:2026-03-02:active"] == counts["day:2026-03-03:active"] == 1
    assert counts["days_to_complete:1"] == 1  # enrolled again at hour 6, completed at hour 31


def test_a_dropped_learner_counts_as_dropped_only() -> None:
    state = domain.drop(
        domain.enroll(LearnerState("s"), Stamp(T0, "e1")), Stamp(T0 + timedelta(hours=1), "e2")
    )
    assert domain.contributions(state) == Counter({"dropped": 1, "day:2026-03-02:drops": 1})


# ---------------------------------------------------------------- at-risk rules


def _enrolled(at: datetime = T0) -> LearnerState:
    return domain.enroll(LearnerState("s"), Stamp(at, "e"))


def _rules(
    state: LearnerState, course: CourseCopy, at: datetime, rules: AtRiskRules = DEFAULT_RULES
) -> list[str]:
    return [r.rule for r in risk.reasons(state, course, rules, at)]


def test_seven_days_without_activity_is_inactive_six_are_not() -> None:
    course, state = _unscheduled(), _enrolled()
    assert _rules(state, course, T0 + timedelta(days=6, hours=23)) == []
    assert "inactive" in _rules(state, course, T0 + timedelta(days=7))
    active = domain.act(state, T0 + timedelta(days=7))
    assert "inactive" not in _rules(active, course, T0 + timedelta(days=7))


def test_two_missed_deadlines_are_a_reason_naming_both() -> None:
    course = _course()
    course = publish_assessment(
        course, "q", Assessment("quiz", "Quiz 1", Decimal(10), T0 + timedelta(days=1))
    )
    state = domain.submit(_enrolled(), "a", Submission(1, True, T0 + timedelta(days=3)))
    found = risk.reasons(state, course, DEFAULT_RULES, T0 + timedelta(days=3))
    missed = next(r for r in found if r.rule == "missed_deadlines")
    assert missed.assessment_ids == ("a", "q")
    on_time = domain.submit(state, "a", Submission(2, False, T0 + timedelta(days=1)))
    assert "missed_deadlines" not in _rules(on_time, course, T0 + timedelta(days=3))


def test_a_deadline_before_the_enrollment_is_not_missed() -> None:
    course = _course()
    late_joiner = _enrolled(T0 + timedelta(days=5))
    assert risk.missed_deadlines(late_joiner, course, T0 + timedelta(days=6)) == []


def test_a_grade_under_the_passing_threshold_is_a_reason() -> None:
    course = _unscheduled()
    failing = domain.grade_quiz(_enrolled(), "q", QuizScore(Decimal(5), Decimal(10), False, 1))
    assert _rules(failing, course, T0) == ["failing_grade"]
    assert _rules(failing, course, T0, AtRiskRules(passing_grade_percent=Decimal(50))) == []


def test_progress_far_behind_the_schedule_is_a_reason() -> None:
    course = _course()  # published at T0, its last deadline two days later
    state = domain.act(_enrolled(), T0 + timedelta(days=1, hours=12))
    assert "behind_schedule" in _rules(state, course, T0 + timedelta(days=1, hours=12))
    ahead = domain.mark_lesson(
        domain.mark_lesson(state, "l1", True, Stamp(T0, "x")), "l2", True, Stamp(T0, "y")
    )
    assert "behind_schedule" not in _rules(ahead, course, T0 + timedelta(days=1, hours=12))


def test_nobody_is_at_risk_in_an_archived_course_or_after_completing_it() -> None:
    course = _course()
    idle = T0 + timedelta(days=30)
    assert _rules(domain.complete_course(_enrolled(), T0), course, idle) == []
    assert _rules(_enrolled(), advance(course, Lifecycle.ARCHIVED, T0), idle) == []


def test_a_threshold_of_zero_switches_its_rule_off() -> None:
    rules = AtRiskRules(
        inactive_days=0, missed_deadlines=0, passing_grade_percent=Decimal(0), behind_schedule_points=0
    )
    failing = domain.grade_quiz(_enrolled(), "q", QuizScore(Decimal(0), Decimal(10), False, 1))
    assert _rules(failing, _course(), T0 + timedelta(days=60), rules) == []


def test_a_judgement_never_goes_back_in_time() -> None:
    course = _course()
    swept = judge(_enrolled(), course, DEFAULT_RULES, T0 + timedelta(days=8))
    late_event = judge(swept, course, DEFAULT_RULES, T0 + timedelta(days=1))
    assert late_event.as_of == T0 + timedelta(days=8)
    assert "inactive" in [r.rule for r in late_event.reasons]
