"""Learning progress rules; pure: no AWS, no persistence, no HTTP.

Events reach the progress context at least once and in any order, so every rule here is either
order-free (sets, maxima) or last-writer-wins on the time the change was committed, and the
state it builds converges to the same result whatever the delivery order.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field

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


class Earned(BaseModel):
    """An achievement just earned; per course for `course-completed`."""

    model_config = ConfigDict(frozen=True)

    achievement: Achievement
    course_id: str | None = None

    @property
    def key(self) -> str:
        return f"{self.achievement}#{self.course_id}" if self.course_id else str(self.achievement)


# ---------------------------------------------------------------- the course, as progress sees it


class OutlineLesson(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str
    section_id: str | None = None
    position: int | None = None  # 1-based in its section when it was added
    added_at: datetime | None = None


class CourseOutline(BaseModel):
    """The lessons that count for progress, in outline order, learned from catalog events."""

    course_id: str
    title: str = ""
    published_at: datetime | None = None
    archived_at: datetime | None = None
    lessons: list[OutlineLesson] = Field(default_factory=list)
    removed: list[str] = Field(default_factory=list)  # lesson ids never reused: removal is final
    instructor_ids: list[str] = Field(default_factory=list)
    instructors_at: datetime | None = None
    version: int = 0  # 0: not stored yet

    def lesson_ids(self) -> list[str]:
        return [lesson.id for lesson in self.lessons]

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


def publish(
    outline: CourseOutline, title: str, lesson_ids: list[str], instructor_ids: list[str] | None, at: datetime
) -> CourseOutline:
    """The publication fixes the order; lessons added after it (seen early) keep their place."""
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
    outline: CourseOutline, lesson_id: str, section_id: str, position: int, at: datetime
) -> CourseOutline:
    """A lesson counts once added, unless it was removed, or removed before publication."""
    lesson = OutlineLesson(id=lesson_id, section_id=section_id, position=position, added_at=at)
    if lesson_id in outline.removed:
        return outline
    if lesson_id in outline.lesson_ids():
        # Known from the publication: learn its section for later insertions, keep its place.
        lessons = [lesson if x.id == lesson_id else x for x in outline.lessons]
        return outline.model_copy(update={"lessons": lessons})
    if outline.published_at is not None and at <= outline.published_at:
        return outline  # added before publication but not published: removed meanwhile
    return outline.model_copy(update={"lessons": _insert(outline.lessons, lesson)})


def remove_lesson(outline: CourseOutline, lesson_id: str) -> CourseOutline:
    """A removed lesson stops counting for everyone, for good."""
    return outline.model_copy(
        update={
            "lessons": [x for x in outline.lessons if x.id != lesson_id],
            "removed": sorted({*outline.removed, lesson_id}),
        }
    )


def archive(outline: CourseOutline, at: datetime) -> CourseOutline:
    return outline.model_copy(update={"archived_at": at})


def change_instructors(outline: CourseOutline, instructor_ids: list[str], at: datetime) -> CourseOutline:
    return outline.model_copy(update=_change_instructors(outline, instructor_ids, at))


# ---------------------------------------------------------------- one student in one course


class LessonMark(BaseModel):
    """The latest completion or undo of one lesson: (at, event_id) orders the changes."""

    model_config = ConfigDict(frozen=True)

    done: bool
    at: datetime
    event_id: str


class LearnerProgress(BaseModel):
    student_id: str
    course_id: str
    enrollment: Enrollment | None = None
    enrollment_at: datetime | None = None
    marks: dict[str, LessonMark] = Field(default_factory=dict)
    last_activity_at: datetime | None = None
    completed_at: datetime | None = None  # set once, never cleared: the course counts as completed
    version: int = 0  # 0: not stored yet

    def done_lessons(self) -> set[str]:
        return {lesson for lesson, mark in self.marks.items() if mark.done}


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


def percent(done: set[str], counted: list[str]) -> int:
    """Whole percent of the counted lessons done; 100 only when every one is."""
    if not counted:
        return 0
    return sum(1 for lesson in counted if lesson in done) * 100 // len(counted)


def next_lesson(done: set[str], counted: list[str]) -> str | None:
    """The first lesson in outline order that is not done."""
    return next((lesson for lesson in counted if lesson not in done), None)


def completes(progress: LearnerProgress, outline: CourseOutline) -> bool:
    """Whether the course becomes completed now: every counted lesson done, not completed before."""
    counted = outline.lesson_ids()
    return (
        progress.completed_at is None
        and outline.published
        and bool(counted)
        and set(counted) <= progress.done_lessons()
    )


def complete(progress: LearnerProgress, at: datetime) -> LearnerProgress:
    return progress.model_copy(update={"completed_at": at})


# ---------------------------------------------------------------- achievements


class LearningActivity(BaseModel):
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


class Learned(BaseModel):
    """The state after one completion, undo or outline change, and what it earned."""

    progress: LearnerProgress
    activity: LearningActivity
    earned: list[Earned] = Field(default_factory=list)
    course_completed: bool = False


def settle(
    progress: LearnerProgress, outline: CourseOutline, activity: LearningActivity, at: datetime
) -> Learned:
    """Complete the course if every counted lesson is done (once: a completed course stays so)."""
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
