"""Progress rules: percent, the outline progress counts against, streaks in the student's time zone."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from lms.progress import domain
from lms.progress.domain import Achievement, CourseOutline, LearningActivity, OutlineLesson

T0 = datetime(2026, 3, 2, 9, tzinfo=UTC)
lesson_ids = st.lists(st.sampled_from([f"L{i}" for i in range(12)]), unique=True)


@given(done=st.sets(st.sampled_from([f"L{i}" for i in range(15)])), counted=lesson_ids)
def test_percent_is_a_whole_number_from_0_to_100_and_100_only_when_all_are_done(
    done: set[str], counted: list[str]
) -> None:
    outline = CourseOutline(course_id="C", lessons=[OutlineLesson(id=lesson) for lesson in counted])
    value = domain.course_percent(outline, done, set())
    assert 0 <= value <= 100
    assert (value == 100) == (bool(counted) and set(counted) <= done)


@given(counted=lesson_ids, done=st.sets(st.sampled_from([f"L{i}" for i in range(12)])))
def test_the_next_lesson_is_the_first_not_done_in_outline_order(counted: list[str], done: set[str]) -> None:
    following = domain.next_lesson(done, counted)
    if following is None:
        assert set(counted) <= done
    else:
        assert following not in done
        assert all(lesson in done for lesson in counted[: counted.index(following)])


def published(*lessons: str) -> CourseOutline:
    return domain.publish(CourseOutline(course_id="C"), "Optics", list(lessons), ["T"], T0)


@given(removed=st.sets(st.sampled_from(["L1", "L2", "L3", "L4"])))
def test_removed_lessons_stop_counting_for_good(removed: set[str]) -> None:
    outline = published("L1", "L2", "L3", "L4")
    for lesson in sorted(removed):
        outline = domain.remove_lesson(outline, lesson)
    for lesson in sorted(removed):  # a late LessonAdded of a removed lesson
        outline = domain.add_lesson(outline, lesson, "S1", 1, T0 + timedelta(hours=1))
    assert outline.lesson_ids() == [x for x in ["L1", "L2", "L3", "L4"] if x not in removed]
    done = {"L1", "L2", "L3", "L4"} - {"L1"}
    expected = 100 if "L1" in removed and removed != {"L1", "L2", "L3", "L4"} else None
    if expected is not None:
        assert domain.course_percent(outline, done, set()) == expected
    assert all(outline.knows(lesson) for lesson in removed)


def test_a_lesson_added_after_publication_takes_its_position_in_its_section() -> None:
    outline = CourseOutline(course_id="C")
    for position, lesson in enumerate(["A1", "A2"], start=1):
        outline = domain.add_lesson(outline, lesson, "A", position, T0 - timedelta(minutes=10 - position))
    outline = domain.add_lesson(outline, "B1", "B", 1, T0 - timedelta(minutes=5))
    outline = domain.publish(outline, "Optics", ["A1", "A2", "B1"], ["T"], T0)
    outline = domain.add_lesson(outline, "A3", "A", 2, T0 + timedelta(minutes=1))
    outline = domain.add_lesson(outline, "B2", "B", 9, T0 + timedelta(minutes=2))
    assert outline.lesson_ids() == ["A1", "A3", "A2", "B1", "B2"]


def test_a_lesson_added_before_publication_but_not_published_was_removed_meanwhile() -> None:
    outline = published("L1")
    outline = domain.add_lesson(outline, "L0", "S1", 1, T0 - timedelta(minutes=1))
    assert outline.lesson_ids() == ["L1"]


def test_a_lesson_added_after_publication_but_seen_before_it_keeps_its_place() -> None:
    outline = domain.add_lesson(CourseOutline(course_id="C"), "L1", "S1", 1, T0 - timedelta(minutes=2))
    outline = domain.add_lesson(outline, "L9", "S1", 1, T0 + timedelta(minutes=2))
    outline = domain.publish(outline, "Optics", ["L1"], ["T"], T0)
    assert outline.lesson_ids() == ["L9", "L1"]


# ---------------------------------------------------------------- streaks and time zones


def test_the_same_moment_is_a_different_day_in_different_time_zones() -> None:
    moment = datetime(2026, 3, 2, 11, 30, tzinfo=UTC)
    assert domain.local_day(moment, "UTC") == date(2026, 3, 2)
    assert domain.local_day(moment, "Pacific/Auckland") == date(2026, 3, 3)
    assert domain.local_day(moment, "America/Los_Angeles") == date(2026, 3, 2)
    assert domain.local_day(datetime(2026, 3, 2, 5, tzinfo=UTC), "America/Los_Angeles") == date(2026, 3, 1)


def test_an_unknown_time_zone_counts_in_utc() -> None:
    assert domain.timezone_name("Mars/Olympus_Mons") == "UTC"
    assert domain.timezone_name("../../etc/passwd") == "UTC"
    assert domain.timezone_name(None) == "UTC"
    assert domain.timezone_name("Europe/Lisbon") == "Europe/Lisbon"


def _learn_at(moments: list[datetime], timezone: str) -> list[Achievement]:
    activity, earned = LearningActivity(student_id="S"), []
    for at in moments:
        activity, new = domain.record_lesson_done(activity, at, timezone)
        earned += [e.achievement for e in new]
    return earned


# Late evening in Los Angeles is the next day in UTC: seven local evenings are seven local days.
EVENINGS_IN_LOS_ANGELES = [datetime(2026, 3, 3, 6, 30, tzinfo=UTC) + timedelta(days=d) for d in range(7)]
EVENINGS_IN_LOS_ANGELES[3] = EVENINGS_IN_LOS_ANGELES[3].replace(hour=7, minute=59)


@given(order=st.permutations(EVENINGS_IN_LOS_ANGELES))
def test_seven_local_days_in_a_row_earn_the_streak_once_in_any_order(order: list[datetime]) -> None:
    earned = _learn_at([*order, *order], "America/Los_Angeles")
    assert earned.count(Achievement.SEVEN_DAY_STREAK) == 1
    assert earned.count(Achievement.FIRST_LESSON) == 1


def test_a_gap_in_local_days_breaks_the_streak() -> None:
    # Midnight-crossing completions: in Auckland 00:30 and 23:30 (UTC+13) of one UTC day are two days.
    moments = [datetime(2026, 3, 2, 11, 30, tzinfo=UTC) + timedelta(days=d) for d in (0, 1, 2, 4, 5, 6, 7)]
    assert Achievement.SEVEN_DAY_STREAK not in _learn_at(moments, "Pacific/Auckland")
    assert Achievement.SEVEN_DAY_STREAK not in _learn_at(moments, "UTC")


def test_two_completions_on_one_utc_day_can_be_two_local_days() -> None:
    start = datetime(2026, 3, 2, 10, 30, tzinfo=UTC)  # 23:30 in Auckland, then 01:30 the next day
    moments = [start, start + timedelta(hours=2)]
    moments += [start + timedelta(hours=2, days=d) for d in range(1, 6)]
    assert Achievement.SEVEN_DAY_STREAK in _learn_at(moments, "Pacific/Auckland")
    assert Achievement.SEVEN_DAY_STREAK not in _learn_at(moments, "UTC")


@given(days=st.lists(st.dates(min_value=date(2026, 1, 1), max_value=date(2026, 3, 1)), max_size=40))
def test_the_longest_streak_does_not_depend_on_order_or_repeats(days: list[date]) -> None:
    assert domain.longest_streak(days) == domain.longest_streak(sorted(days, reverse=True) + days)
    assert domain.longest_streak(days) <= len(set(days))


def test_five_completed_courses_earn_an_achievement_once() -> None:
    activity, earned = LearningActivity(student_id="S"), []
    for course in ["C1", "C2", "C3", "C4", "C5", "C5", "C6"]:
        activity, new = domain.record_course_completed(activity, course)
        earned += [e.key for e in new]
    assert earned.count("five-courses-completed") == 1
    assert earned.count("course-completed#C5") == 1
    assert len([k for k in earned if k.startswith("course-completed#")]) == 6
