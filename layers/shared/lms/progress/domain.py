"""Learning progress rules; pure: no AWS, no persistence, no HTTP.

Events reach the progress context at least once and in any order, so every rule here is either
order-free (sets, maxima) or last-writer-wins on the time the change was committed or on a
number the producer orders its changes by (the course's version, a quiz grade's revision), and
the state it builds converges to the same result whatever the delivery order.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import ConfigDict, Field

from lms.lazy_model import LazyModel

DEFAULT_TIMEZONE = "UTC"
KEPT_ACTIVITY_DAYS = 400
"""Days of learning remembered per student: enough for the longest streak achievement."""


class Enrollment(StrEnum):
    ENROLLED = "enrolled"
    DROPPED = "dropped"


class Achievement(StrEnum):
    FIRST_LESSON = "first-lesson-completed"
    COURSE_COMPLETED = "course-completed"
    SEVEN_DAY_STREAK = "seven-day-streak"
    THIRTY_DAY_STREAK = "thirty-day-streak"
    FIVE_COURSES = "five-courses-completed"


STREAKS: dict[Achievement, int] = {Achievement.SEVEN_DAY_STREAK: 7, Achievement.THIRTY_DAY_STREAK: 30}
COURSES_FOR_FIVE_COURSES = 5


class Earned(LazyModel):
    """An achievement just earned; per course for `course-completed`."""

    model_config = ConfigDict(frozen=True)

    achievement: Achievement
    course_id: str | None = None

    @property
    def key(self) -> str:
        return f"{self.achievement}#{self.course_id}" if self.course_id else str(self.achievement)


# ---------------------------------------------------------------- the course, as progress sees it


class OutlineLesson(LazyModel):
    model_config = ConfigDict(frozen=True)

    id: str
    section_id: str | None = None
    position: int | None = None  # 1-based in its section when it was added
    added_at: datetime | None = None


class RequiredQuiz(LazyModel):
    """A quiz published as required for completion: passing it is part of completing the course."""

    model_config = ConfigDict(frozen=True)

    id: str
    title: str = ""
    lesson_id: str | None = None
    published_at: datetime


class CatalogOrder(LazyModel):
    """The catalog's lesson order (every section, in order) at one version of the course."""

    model_config = ConfigDict(frozen=True)

    course_version: int
    lesson_ids: list[str]


class CourseOutline(LazyModel):
    """What completes a course, learned from events: its lessons in outline order (catalog) and the
    quizzes required for completion (assessments)."""

    course_id: str
    title: str = ""
    published_at: datetime | None = None
    archived_at: datetime | None = None
    lessons: list[OutlineLesson] = Field(default_factory=list)
    removed: list[str] = Field(default_factory=list)  # lesson ids never reused: removal is final
    instructor_ids: list[str] = Field(default_factory=list)
    instructors_at: datetime | None = None
    required_quizzes: list[RequiredQuiz] = Field(default_factory=list)  # in publication order
    # The course version whose lesson order the outline holds; 0 while it is built from events that
    # carry no order (published before catalog events carried one).
    order_version: int = 0
    version: int = 0  # 0: not stored yet

    def lesson_ids(self) -> list[str]:
        return [lesson.id for lesson in self.lessons]

    def required_quiz_ids(self) -> list[str]:
        return [quiz.id for quiz in self.required_quizzes]

    def knows(self, lesson_id: str) -> bool:
        return lesson_id in self.removed or any(lesson.id == lesson_id for lesson in self.lessons)

    @property
    def published(self) -> bool:
        return self.published_at is not None


def _insert(lessons: list[OutlineLesson], new: OutlineLesson) -> list[OutlineLesson]:
    """Place a lesson at its position among the lessons of its section (the end when unknown)."""
    same = [i for i, lesson in enumerate(lessons) if lesson.section_id == new.section_id]
    placed = list(lessons)
    if not same:
        placed.append(new)
        return placed
    slot = (new.position or len(same) + 1) - 1
    placed.insert(same[slot] if slot < len(same) else same[-1] + 1, new)
    return placed


def _change_instructors(
    outline: CourseOutline, instructor_ids: list[str] | None, at: datetime
) -> dict[str, Any]:
    if instructor_ids is None or (outline.instructors_at is not None and outline.instructors_at >= at):
        return {}
    return {"instructor_ids": list(instructor_ids), "instructors_at": at}


def arrange(outline: CourseOutline, order: CatalogOrder | None) -> CourseOutline:
    """The catalog's lesson order at its version, unless the outline holds the order of a later one.

    Each catalog change of the outline carries the whole order after it, so the latest version
    wins whatever order the events arrive in, and a repeat changes nothing. Removed lessons stay out.
    """
    if order is None or order.course_version <= outline.order_version:
        return outline
    known = {lesson.id: lesson for lesson in outline.lessons}
    lessons = [
        known.get(lid, OutlineLesson(id=lid)) for lid in order.lesson_ids if lid not in outline.removed
    ]
    return outline.model_copy(update={"lessons": lessons, "order_version": order.course_version})


def publish(
    outline: CourseOutline,
    title: str,
    lesson_ids: list[str],
    instructor_ids: list[str] | None,
    at: datetime,
    course_version: int | None = None,
) -> CourseOutline:
    """The publication fixes the order; lessons added after it (seen early) keep their place."""
    if course_version is not None or outline.order_version:
        published = outline.model_copy(
            update={
                "title": title,
                "published_at": at,
                **_change_instructors(outline, instructor_ids or None, at),
            }
        )
        if course_version is None:
            return published  # an older publication: the outline holds a later order
        return arrange(published, CatalogOrder(course_version=course_version, lesson_ids=lesson_ids))
    known = {lesson.id: lesson for lesson in outline.lessons}
    lessons = [known.get(lid, OutlineLesson(id=lid)) for lid in lesson_ids if lid not in outline.removed]
    for later in outline.lessons:
        if later.id not in lesson_ids and later.added_at is not None and later.added_at > at:
            lessons = _insert(lessons, later)
    return outline.model_copy(
        update={
            "title": title,
            "published_at": at,
            "lessons": lessons,
            **_change_instructors(outline, instructor_ids or None, at),
        }
    )


def add_lesson(
    outline: CourseOutline,
    lesson_id: str,
    section_id: str,
    position: int,
    at: datetime,
    order: CatalogOrder | None = None,
) -> CourseOutline:
    """A lesson counts once added, unless it was removed, or removed before publication."""
    lesson = OutlineLesson(id=lesson_id, section_id=section_id, position=position, added_at=at)
    if lesson_id in outline.removed:
        return outline
    if order is not None or outline.order_version:
        # An event without an order is older than any with one: the later order already holds it.
        return arrange(outline, order)
    if lesson_id in outline.lesson_ids():
        # Known from the publication: learn its section for later insertions, keep its place.
        lessons = [lesson if x.id == lesson_id else x for x in outline.lessons]
        return outline.model_copy(update={"lessons": lessons})
    if outline.published_at is not None and at <= outline.published_at:
        return outline  # added before publication but not published: removed meanwhile
    return outline.model_copy(update={"lessons": _insert(outline.lessons, lesson)})


def remove_lesson(outline: CourseOutline, lesson_id: str, order: CatalogOrder | None = None) -> CourseOutline:
    """A removed lesson stops counting for everyone, for good."""
    removed = outline.model_copy(
        update={
            "lessons": [x for x in outline.lessons if x.id != lesson_id],
            "removed": sorted({*outline.removed, lesson_id}),
        }
    )
    return arrange(removed, order)


def require_quiz(
    outline: CourseOutline, quiz_id: str, title: str, lesson_id: str | None, at: datetime
) -> CourseOutline:
    """A quiz published as required for completion joins what completes the course; requirements
    only grow (nothing unpublishes a quiz), so a repeat or a late delivery changes nothing."""
    if quiz_id in outline.required_quiz_ids():
        return outline
    quiz = RequiredQuiz(id=quiz_id, title=title, lesson_id=lesson_id, published_at=at)
    quizzes = sorted([*outline.required_quizzes, quiz], key=lambda q: (q.published_at, q.id))
    return outline.model_copy(update={"required_quizzes": quizzes})


def archive(outline: CourseOutline, at: datetime) -> CourseOutline:
    return outline.model_copy(update={"archived_at": at})


def change_instructors(outline: CourseOutline, instructor_ids: list[str], at: datetime) -> CourseOutline:
    return outline.model_copy(update=_change_instructors(outline, instructor_ids, at))


# ---------------------------------------------------------------- one student in one course


class LessonMark(LazyModel):
    """The latest completion or undo of one lesson: (at, event_id) orders the changes."""

    model_config = ConfigDict(frozen=True)

    done: bool
    at: datetime
    event_id: str


class QuizMark(LazyModel):
    """The student's best-known pass state of a required quiz, at the quiz's grade `revision`."""

    model_config = ConfigDict(frozen=True)

    passed: bool
    revision: int


class LearnerProgress(LazyModel):
    student_id: str
    course_id: str
    enrollment: Enrollment | None = None
    enrollment_at: datetime | None = None
    marks: dict[str, LessonMark] = Field(default_factory=dict)
    quizzes: dict[str, QuizMark] = Field(default_factory=dict)  # required quizzes graded
    last_activity_at: datetime | None = None
    completed_at: datetime | None = None  # set once, never cleared: the course counts as completed
    version: int = 0  # 0: not stored yet

    def done_lessons(self) -> set[str]:
        return {lesson for lesson, mark in self.marks.items() if mark.done}

    def passed_quizzes(self) -> set[str]:
        return {quiz for quiz, mark in self.quizzes.items() if mark.passed}


def change_enrollment(progress: LearnerProgress, status: Enrollment, at: datetime) -> LearnerProgress:
    """The latest enrollment change wins, whatever the order they arrive in."""
    if progress.enrollment_at is not None and progress.enrollment_at >= at:
        return progress
    return progress.model_copy(update={"enrollment": status, "enrollment_at": at})


def mark_lesson(
    progress: LearnerProgress, lesson_id: str, done: bool, at: datetime, event_id: str
) -> LearnerProgress:
    """Record a completion or an undo, unless a later change of the same lesson is known."""
    current = progress.marks.get(lesson_id)
    last_activity = max(at, progress.last_activity_at) if progress.last_activity_at else at
    if current is not None and (current.at, current.event_id) >= (at, event_id):
        return progress.model_copy(update={"last_activity_at": last_activity})
    marks = {**progress.marks, lesson_id: LessonMark(done=done, at=at, event_id=event_id)}
    return progress.model_copy(update={"marks": marks, "last_activity_at": last_activity})


def grade_quiz(
    progress: LearnerProgress, quiz_id: str, passed: bool, revision: int, at: datetime
) -> LearnerProgress:
    """Record a quiz's pass state, unless a later revision of its grade is known (a regrade may
    turn a pass into a fail, and back)."""
    current = progress.quizzes.get(quiz_id)
    last_activity = max(at, progress.last_activity_at) if progress.last_activity_at else at
    if current is not None and current.revision >= revision:
        return progress.model_copy(update={"last_activity_at": last_activity})
    quizzes = {**progress.quizzes, quiz_id: QuizMark(passed=passed, revision=revision)}
    return progress.model_copy(update={"quizzes": quizzes, "last_activity_at": last_activity})


def course_percent(outline: CourseOutline, done_lessons: set[str], passed_quizzes: set[str]) -> int:
    """Whole percent of what completes the course: its lessons and its required quizzes, each
    counting one; 100 only when every one is done or passed."""
    lessons, quizzes = outline.lesson_ids(), outline.required_quiz_ids()
    total = len(lessons) + len(quizzes)
    if not total:
        return 0
    achieved = sum(1 for x in lessons if x in done_lessons) + sum(1 for q in quizzes if q in passed_quizzes)
    return achieved * 100 // total


def next_lesson(done: set[str], counted: list[str]) -> str | None:
    """The first lesson in outline order that is not done."""
    return next((lesson for lesson in counted if lesson not in done), None)


def completes(progress: LearnerProgress, outline: CourseOutline) -> bool:
    """Whether the course becomes completed now: every counted lesson done and every required quiz
    passed, not completed before.

    Completion is judged on what progress knows when the deciding event arrives and is never taken
    back: a regrade that fails a quiz, a lesson added or a quiz required later leave a completed
    course completed (CourseCompleted is emitted once; other courses may already require it).
    """
    counted = outline.lesson_ids()
    return (
        progress.completed_at is None
        and outline.published
        and bool(counted)
        and set(counted) <= progress.done_lessons()
        and set(outline.required_quiz_ids()) <= progress.passed_quizzes()
    )


def complete(progress: LearnerProgress, at: datetime) -> LearnerProgress:
    return progress.model_copy(update={"completed_at": at})


# ---------------------------------------------------------------- achievements


class LearningActivity(LazyModel):
    """What achievements are earned from: the days a student learned, the courses they completed."""

    student_id: str
    days: list[date] = Field(default_factory=list)  # local days with a lesson completed, ascending
    courses_completed: list[str] = Field(default_factory=list)
    earned: list[str] = Field(default_factory=list)  # Earned.key of each achievement held
    version: int = 0  # 0: not stored yet


def zone(name: str | None) -> ZoneInfo:
    """The named IANA time zone; UTC when none is named or the name is unknown."""
    try:
        return ZoneInfo(name or DEFAULT_TIMEZONE)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(DEFAULT_TIMEZONE)


def timezone_name(name: str | None) -> str:
    """A time zone name progress can use: the given one when it is known, else UTC."""
    return zone(name).key


def local_day(at: datetime, timezone: str) -> date:
    return at.astimezone(zone(timezone)).date()


def longest_streak(days: list[date]) -> int:
    """The most consecutive days in the list (in any order, with repeats)."""
    best = run = 0
    previous: date | None = None
    for day in sorted(set(days)):
        run = run + 1 if previous is not None and day - previous == timedelta(days=1) else 1
        best = max(best, run)
        previous = day
    return best


def _earn(activity: LearningActivity, found: list[Earned]) -> tuple[LearningActivity, list[Earned]]:
    new = [e for e in dict.fromkeys(found) if e.key not in activity.earned]
    if not new:
        return activity, []
    return activity.model_copy(update={"earned": [*activity.earned, *(e.key for e in new)]}), new


def record_lesson_done(
    activity: LearningActivity, at: datetime, timezone: str
) -> tuple[LearningActivity, list[Earned]]:
    """A lesson completed at `at`: the day counts in the student's time zone."""
    days = sorted({*activity.days, local_day(at, timezone)})[-KEPT_ACTIVITY_DAYS:]
    updated = activity.model_copy(update={"days": days})
    found = [Earned(achievement=Achievement.FIRST_LESSON)]
    streak = longest_streak(days)
    found += [Earned(achievement=a) for a, length in STREAKS.items() if streak >= length]
    return _earn(updated, found)


def record_course_completed(
    activity: LearningActivity, course_id: str
) -> tuple[LearningActivity, list[Earned]]:
    courses = sorted({*activity.courses_completed, course_id})
    updated = activity.model_copy(update={"courses_completed": courses})
    found = [Earned(achievement=Achievement.COURSE_COMPLETED, course_id=course_id)]
    if len(courses) >= COURSES_FOR_FIVE_COURSES:
        found.append(Earned(achievement=Achievement.FIVE_COURSES))
    return _earn(updated, found)


# ---------------------------------------------------------------- what one event teaches


class Learned(LazyModel):
    """The state after one completion, undo, quiz grade or outline change, and what it earned."""

    progress: LearnerProgress
    activity: LearningActivity
    earned: list[Earned] = Field(default_factory=list)
    course_completed: bool = False


def settle(
    progress: LearnerProgress, outline: CourseOutline, activity: LearningActivity, at: datetime
) -> Learned:
    """Complete the course if every counted lesson is done and every required quiz passed (once: a
    completed course stays so)."""
    if not completes(progress, outline):
        return Learned(progress=progress, activity=activity)
    recorded, earned = record_course_completed(activity, outline.course_id)
    return Learned(progress=complete(progress, at), activity=recorded, earned=earned, course_completed=True)


def learn(
    progress: LearnerProgress,
    outline: CourseOutline,
    activity: LearningActivity,
    *,
    lesson_id: str,
    done: bool,
    at: datetime,
    event_id: str,
    timezone: str = DEFAULT_TIMEZONE,
) -> Learned:
    """A completion (or undo) of a lesson the outline knows, by a student whose enrollment is known."""
    marked = mark_lesson(progress, lesson_id, done, at, event_id)
    earned: list[Earned] = []
    if done:
        activity, earned = record_lesson_done(activity, at, timezone)
    settled = settle(marked, outline, activity, at)
    return settled.model_copy(update={"earned": [*earned, *settled.earned]})


def learn_quiz(
    progress: LearnerProgress,
    outline: CourseOutline,
    activity: LearningActivity,
    *,
    quiz_id: str,
    passed: bool,
    revision: int,
    at: datetime,
) -> Learned:
    """A grade of a required quiz, for a student whose enrollment is known."""
    return settle(grade_quiz(progress, quiz_id, passed, revision, at), outline, activity, at)
