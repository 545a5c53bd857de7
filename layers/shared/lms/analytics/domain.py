"""A learner's state in a course and the counters built from it; pure: no AWS, no HTTP.

Events arrive at least once and in any order, so a learner's state is built only from rules that
commute: last writer wins on (time, event id) for the enrollment and each lesson, the highest
revision or version for scores and submissions, the earliest completion, the latest activity and
sets of active days. Every counter of a course is the sum over its learners of what each state
contributes (`contributions`), and a change adds the difference between the state after and
before it: so the counters are exactly what the states say, whatever the delivery order, and a
state that does not change changes no counter.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

PERCENT = Decimal(100)
QUIZ_BUCKETS = 10
"""A quiz's score histogram: ten buckets of ten percent (a full score in the last)."""
MAX_COUNTED_DAYS = 366
"""Times to complete are counted in whole days up to a year (longer ones in the last bucket)."""


class Enrollment(StrEnum):
    UNKNOWN = "unknown"  # events of the student arrived before their enrollment did
    ENROLLED = "enrolled"
    DROPPED = "dropped"


@dataclass(frozen=True, order=True)
class Stamp:
    """When a change was committed and by which event: orders two changes of one thing."""

    at: datetime
    event_id: str


@dataclass(frozen=True)
class LessonMark:
    done: bool
    stamp: Stamp


@dataclass(frozen=True)
class QuizScore:
    score: Decimal
    points: Decimal
    passed: bool
    revision: int


@dataclass(frozen=True)
class Submission:
    version: int
    late: bool
    submitted_at: datetime


@dataclass(frozen=True)
class ReleasedGrade:
    score: Decimal
    points: Decimal
    revision: int


@dataclass(frozen=True)
class LearnerState:
    """One student in one course, as the analytics read model knows them."""

    student_id: str
    enrollment: Enrollment = Enrollment.UNKNOWN
    enrollment_stamp: Stamp | None = None
    enrolled_at: datetime | None = None
    lessons: dict[str, LessonMark] = field(default_factory=dict)
    completed_at: datetime | None = None
    last_activity_at: datetime | None = None
    active_days: frozenset[str] = frozenset()
    quizzes: dict[str, QuizScore] = field(default_factory=dict)
    submissions: dict[str, Submission] = field(default_factory=dict)
    grades: dict[str, ReleasedGrade] = field(default_factory=dict)
    posts: int = 0
    as_of: datetime | None = None
    reasons: tuple[Reason, ...] = ()
    erased: bool = False  # a tombstone: the person was erased; nothing changes it again
    version: int = 0

    @property
    def enrolled(self) -> bool:
        return self.enrollment is Enrollment.ENROLLED

    @property
    def lessons_done(self) -> int:
        return sum(1 for mark in self.lessons.values() if mark.done)

    def done_lessons(self) -> set[str]:
        return {lesson_id for lesson_id, mark in self.lessons.items() if mark.done}

    @property
    def last_seen(self) -> datetime | None:
        """The learner's last activity, or their enrollment when they have done nothing yet."""
        return self.last_activity_at or self.enrolled_at

    @property
    def at_risk(self) -> bool:
        return bool(self.reasons)


@dataclass(frozen=True)
class Reason:
    """Why a learner is at risk: the rule, what it found, the assessments concerned."""

    rule: str
    detail: str
    assessment_ids: tuple[str, ...] = ()


# ---------------------------------------------------------------- changes a learner's events make


def enroll(state: LearnerState, stamp: Stamp) -> LearnerState:
    if state.enrollment_stamp is not None and stamp <= state.enrollment_stamp:
        return state
    return replace(state, enrollment=Enrollment.ENROLLED, enrollment_stamp=stamp, enrolled_at=stamp.at)


def drop(state: LearnerState, stamp: Stamp) -> LearnerState:
    if state.enrollment_stamp is not None and stamp <= state.enrollment_stamp:
        return state
    return replace(state, enrollment=Enrollment.DROPPED, enrollment_stamp=stamp)


def mark_lesson(state: LearnerState, lesson_id: str, done: bool, stamp: Stamp) -> LearnerState:
    """A completion (or its undoing); the later of two marks of one lesson wins."""
    current = state.lessons.get(lesson_id)
    if current is not None and stamp <= current.stamp:
        return state
    return replace(state, lessons={**state.lessons, lesson_id: LessonMark(done, stamp)})


def complete_course(state: LearnerState, at: datetime) -> LearnerState:
    if state.completed_at is not None and state.completed_at <= at:
        return state
    return replace(state, completed_at=at)


def act(state: LearnerState, at: datetime) -> LearnerState:
    """Something the learner did: their last activity and the days they were active."""
    last = at if state.last_activity_at is None else max(state.last_activity_at, at)
    return replace(state, last_activity_at=last, active_days=state.active_days | {at.date().isoformat()})


def grade_quiz(state: LearnerState, quiz_id: str, score: QuizScore) -> LearnerState:
    current = state.quizzes.get(quiz_id)
    if current is not None and score.revision <= current.revision:
        return state
    return replace(state, quizzes={**state.quizzes, quiz_id: score})


def submit(state: LearnerState, assignment_id: str, submission: Submission) -> LearnerState:
    current = state.submissions.get(assignment_id)
    if current is not None and submission.version <= current.version:
        return state
    return replace(state, submissions={**state.submissions, assignment_id: submission})


def release_grade(state: LearnerState, assignment_id: str, grade: ReleasedGrade) -> LearnerState:
    current = state.grades.get(assignment_id)
    if current is not None and grade.revision <= current.revision:
        return state
    return replace(state, grades={**state.grades, assignment_id: grade})


def post(state: LearnerState) -> LearnerState:
    """A topic or reply the learner posted (each event once: the consumer's inbox)."""
    return replace(state, posts=state.posts + 1)


def current_grade(state: LearnerState) -> Decimal | None:
    """Points earned over the points of what was graded (quizzes) or released (assignments), in percent.

    Unweighted: the gradebook owns categories and weights; this is the early-warning signal.
    """
    scores = [(q.score, q.points) for q in state.quizzes.values()]
    scores += [(g.score, g.points) for g in state.grades.values()]
    points = sum((p for _, p in scores), Decimal(0))
    if points <= 0:
        return None
    return (sum((s for s, _ in scores), Decimal(0)) * PERCENT / points).quantize(Decimal("0.1"))


# ---------------------------------------------------------------- counters


def _day(moment: datetime) -> str:
    return moment.date().isoformat()


def quiz_bucket(score: QuizScore) -> int:
    if score.points <= 0:
        return QUIZ_BUCKETS - 1
    percent = score.score * PERCENT / score.points
    return max(0, min(QUIZ_BUCKETS - 1, int(percent // (PERCENT / QUIZ_BUCKETS))))


def contributions(state: LearnerState) -> Counter[str]:
    """What this learner adds to their course's counters (names: docs/data-model.md, Analytics).

    Names starting `day:<date>:` are the daily series; every other name is a course total.
    """
    counts: Counter[str] = Counter()
    for day in state.active_days:
        counts[f"day:{day}:active"] += 1
    if state.enrollment is Enrollment.DROPPED and state.enrollment_stamp is not None:
        counts["dropped"] += 1
        counts[f"day:{_day(state.enrollment_stamp.at)}:drops"] += 1
    if not state.enrolled:
        return counts
    counts["enrolled"] += 1
    if state.enrolled_at is not None:
        counts[f"day:{_day(state.enrolled_at)}:enrollments"] += 1
    if state.last_seen is not None:
        counts[f"last_seen:{_day(state.last_seen)}"] += 1
    counts[f"lessons_done:{state.lessons_done}"] += 1
    for lesson_id in state.done_lessons():
        counts[f"lesson:{lesson_id}"] += 1
    if state.completed_at is not None:
        counts["completed"] += 1
        counts[f"day:{_day(state.completed_at)}:completions"] += 1
        if state.enrolled_at is not None:
            days = max(0, min(MAX_COUNTED_DAYS, (state.completed_at - state.enrolled_at).days))
            counts[f"days_to_complete:{days}"] += 1
    for quiz_id, score in state.quizzes.items():
        counts[f"quiz:{quiz_id}:graded"] += 1
        counts[f"quiz:{quiz_id}:bucket:{quiz_bucket(score)}"] += 1
        if score.passed:
            counts[f"quiz:{quiz_id}:passed"] += 1
    for assignment_id, submission in state.submissions.items():
        counts[f"assignment:{assignment_id}:{'late' if submission.late else 'on_time'}"] += 1
    if state.posts:
        counts["discussion_participants"] += 1
        counts["discussion_posts"] += state.posts
    if state.reasons:
        counts["at_risk"] += 1
        for reason in state.reasons:
            counts[f"at_risk:{reason.rule}"] += 1
    return counts


def erase(state: LearnerState) -> LearnerState:
    """The tombstone of an erased person's state: nothing personal, and no event changes it again.

    The counters keep what the state contributed (counts stay, anonymous): a tombstone is never
    compared with a live state, so its erasure moves no counter.
    """
    return LearnerState(state.student_id, erased=True, version=state.version)


def difference(before: LearnerState, after: LearnerState) -> dict[str, int]:
    """The counter changes that take the course from `before` to `after` (zeros left out)."""
    delta = Counter(contributions(after))
    delta.subtract(contributions(before))
    return {name: n for name, n in delta.items() if n}


INSTITUTION_COUNTERS = ("enrolled", "completed", "dropped")
INSTITUTION_DAILY = ("enrollments", "completions", "drops")


def institution_share(course_delta: dict[str, int]) -> dict[str, int]:
    """The part of a course's counter change an institution's totals take."""
    return {
        name: n
        for name, n in course_delta.items()
        if name in INSTITUTION_COUNTERS
        or (name.startswith("day:") and name.rsplit(":", 1)[1] in INSTITUTION_DAILY)
    }


@dataclass(frozen=True)
class LearnerActivity:
    """A learner's activity across an institution's courses: daily, weekly and monthly actives."""

    student_id: str
    last_activity_at: datetime | None = None
    active_days: frozenset[str] = frozenset()
    erased: bool = False
    version: int = 0


def act_in_institution(activity: LearnerActivity, at: datetime) -> LearnerActivity:
    last = at if activity.last_activity_at is None else max(activity.last_activity_at, at)
    return replace(activity, last_activity_at=last, active_days=activity.active_days | {_day(at)})


def activity_contributions(activity: LearnerActivity) -> Counter[str]:
    counts: Counter[str] = Counter(f"day:{day}:active" for day in activity.active_days)
    if activity.last_activity_at is not None:
        counts[f"last_seen:{_day(activity.last_activity_at)}"] += 1
    return counts


def activity_difference(before: LearnerActivity, after: LearnerActivity) -> dict[str, int]:
    delta = Counter(activity_contributions(after))
    delta.subtract(activity_contributions(before))
    return {name: n for name, n in delta.items() if n}
