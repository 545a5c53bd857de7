"""The answers computed from a course's copy and its counters; pure (no AWS, no HTTP)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

from lms.analytics.course import CourseCopy
from lms.analytics.domain import QUIZ_BUCKETS, LearnerState, current_grade
from lms.analytics.risk import missed_deadlines, progress_percent
from lms.analytics.schemas import (
    AssessmentStatistics,
    AssignmentWorkStatistics,
    Bucket,
    CourseOverview,
    DayActivity,
    FunnelStep,
    LearnerAnalytics,
    LessonFunnel,
    MissedDeadline,
    Participation,
    ProgressDistribution,
    QuizScoreStatistics,
    ReasonView,
    StudentCounts,
    TimeToComplete,
)

DECILES = 10


def _numbered(totals: dict[str, int], prefix: str) -> dict[int, int]:
    """Counters named `<prefix><n>` by n (a histogram)."""
    return {int(name.removeprefix(prefix)): n for name, n in totals.items() if name.startswith(prefix) and n}


def median(histogram: dict[int, int]) -> int | None:
    """The lower median of the values a histogram counts."""
    total = sum(histogram.values())
    if total == 0:
        return None
    seen = 0
    for value in sorted(histogram):
        seen += histogram[value]
        if seen * 2 >= total:
            return value
    return None


def percent_of(done: int, lessons: int) -> int:
    return min(100, done * 100 // lessons) if lessons else 0


def days_back(today: date, days: int) -> list[str]:
    return [(today - timedelta(days=back)).isoformat() for back in range(days - 1, -1, -1)]


def active_within(totals: dict[str, int], today: date, days: int) -> int:
    """Learners whose last activity was in the last `days` days (today included)."""
    return sum(totals.get(f"last_seen:{day}", 0) for day in days_back(today, days))


def daily_series(days: dict[str, dict[str, int]], today: date, count: int) -> list[DayActivity]:
    series = []
    for day in days_back(today, count):
        metrics = days.get(day, {})
        series.append(
            DayActivity(
                day=day,
                active=metrics.get("active", 0),
                enrollments=metrics.get("enrollments", 0),
                completions=metrics.get("completions", 0),
                drops=metrics.get("drops", 0),
            )
        )
    return series


def course_overview(
    course: CourseCopy,
    totals: dict[str, int],
    days: dict[str, dict[str, int]],
    today: date,
    count: int,
    as_of: datetime,
) -> CourseOverview:
    lessons = len(course.lesson_ids)
    done = _numbered(totals, "lessons_done:")
    by_percent: dict[int, int] = {}
    for n, students in done.items():
        key = percent_of(n, lessons)
        by_percent[key] = by_percent.get(key, 0) + students
    buckets = [
        Bucket(
            from_percent=d * 10,
            to_percent=100 if d == DECILES - 1 else d * 10 + 9,
            students=sum(s for p, s in by_percent.items() if min(p // 10, DECILES - 1) == d),
        )
        for d in range(DECILES)
    ]
    completion_days = _numbered(totals, "days_to_complete:")
    completed = sum(completion_days.values())
    mean = (
        (Decimal(sum(d * n for d, n in completion_days.items())) / completed).quantize(Decimal("0.1"))
        if completed
        else None
    )
    return CourseOverview(
        as_of=as_of,
        course_id=course.course_id,
        title=course.title,
        status=course.lifecycle.value,
        students=StudentCounts(
            enrolled=totals.get("enrolled", 0),
            active_7d=active_within(totals, today, 7),
            active_30d=active_within(totals, today, 30),
            completed=totals.get("completed", 0),
            dropped=totals.get("dropped", 0),
            at_risk=totals.get("at_risk", 0),
        ),
        progress=ProgressDistribution(median_percent=median(by_percent), buckets=buckets),
        time_to_complete=TimeToComplete(
            completed=completed, median_days=median(completion_days), mean_days=mean
        ),
        discussion=Participation(
            posts=totals.get("discussion_posts", 0), participants=totals.get("discussion_participants", 0)
        ),
        at_risk_by_rule={
            name.removeprefix("at_risk:"): n
            for name, n in sorted(totals.items())
            if name.startswith("at_risk:") and n
        },
        daily=daily_series(days, today, count),
    )


def lesson_funnel(course: CourseCopy, totals: dict[str, int], as_of: datetime) -> LessonFunnel:
    enrolled = totals.get("enrolled", 0)
    steps = []
    previous = enrolled
    for position, lesson_id in enumerate(course.lesson_ids, start=1):
        completed = totals.get(f"lesson:{lesson_id}", 0)
        steps.append(
            FunnelStep(
                position=position,
                lesson_id=lesson_id,
                completed=completed,
                percent_of_enrolled=completed * 100 // enrolled if enrolled else 0,
                drop_off=max(0, previous - completed),
            )
        )
        previous = completed
    return LessonFunnel(as_of=as_of, course_id=course.course_id, enrolled=enrolled, lessons=steps)


def assessment_statistics(
    course: CourseCopy, totals: dict[str, int], now: datetime, as_of: datetime
) -> AssessmentStatistics:
    enrolled = totals.get("enrolled", 0)
    quizzes, assignments = [], []
    for assessment_id, a in sorted(course.assessments.items()):
        if a.kind == "quiz":
            graded = totals.get(f"quiz:{assessment_id}:graded", 0)
            passed = totals.get(f"quiz:{assessment_id}:passed", 0)
            histogram = [
                Bucket(
                    from_percent=b * 10,
                    to_percent=100 if b == QUIZ_BUCKETS - 1 else b * 10 + 9,
                    students=totals.get(f"quiz:{assessment_id}:bucket:{b}", 0),
                )
                for b in range(QUIZ_BUCKETS)
            ]
            quizzes.append(
                QuizScoreStatistics(
                    quiz_id=assessment_id,
                    title=a.title,
                    points=a.points,
                    due_at=a.due_at,
                    attempts=totals.get(f"quiz:{assessment_id}:attempts", 0),
                    graded=graded,
                    passed=passed,
                    pass_rate=passed * 100 // graded if graded else None,
                    histogram=histogram,
                    per_question=f"/assessments/quizzes/{assessment_id}/statistics",
                )
            )
            continue
        on_time = totals.get(f"assignment:{assessment_id}:on_time", 0)
        late = totals.get(f"assignment:{assessment_id}:late", 0)
        due = a.due_at is not None and a.due_at <= now
        assignments.append(
            AssignmentWorkStatistics(
                assignment_id=assessment_id,
                title=a.title,
                points=a.points,
                due_at=a.due_at,
                on_time=on_time,
                late=late,
                missing=max(0, enrolled - on_time - late) if due else None,
            )
        )
    return AssessmentStatistics(
        as_of=as_of, course_id=course.course_id, enrolled=enrolled, quizzes=quizzes, assignments=assignments
    )


def learner_analytics(course: CourseCopy, state: LearnerState, now: datetime) -> LearnerAnalytics:
    missed = missed_deadlines(state, course, now) if state.enrolled else []
    return LearnerAnalytics(
        as_of=state.as_of or now,
        course_id=course.course_id,
        student_id=state.student_id,
        enrollment=state.enrollment.value,
        enrolled_at=state.enrolled_at,
        completed_at=state.completed_at,
        last_activity_at=state.last_activity_at,
        lessons_done=state.lessons_done,
        percent=progress_percent(state, course),
        current_grade=current_grade(state),
        missed_deadlines=[
            MissedDeadline(
                assessment_id=a, title=course.assessments[a].title, due_at=course.assessments[a].due_at
            )
            for a in missed
        ],
        at_risk=state.at_risk,
        reasons=[
            ReasonView(rule=r.rule, detail=r.detail, assessment_ids=list(r.assessment_ids))
            for r in state.reasons
        ],
    )
