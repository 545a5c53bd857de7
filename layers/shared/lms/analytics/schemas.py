"""Request and response models of the analytics API."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from pydantic import ConfigDict, Field

from lms.lazy_model import LazyModel


class _View(LazyModel):
    model_config = ConfigDict(frozen=True)


class Freshness(_View):
    as_of: datetime = Field(
        description="The latest change the read model applied to what this answer reads (the time of"
        " the read when nothing has changed yet): events before it are counted."
    )


class Bucket(_View):
    from_percent: int
    to_percent: int = Field(description="Inclusive.")
    students: int


class DayActivity(_View):
    day: str = Field(description="yyyy-mm-dd (UTC).")
    active: int = Field(description="Learners who did something that day.")
    enrollments: int
    completions: int
    drops: int


class StudentCounts(_View):
    enrolled: int
    active_7d: int = Field(description="Enrolled learners active in the last 7 days (today included).")
    active_30d: int
    completed: int
    dropped: int
    at_risk: int


class ProgressDistribution(_View):
    median_percent: int | None = Field(description="null for a class of nobody.")
    buckets: list[Bucket]


class TimeToComplete(_View):
    completed: int
    median_days: int | None
    mean_days: Decimal | None


class Participation(_View):
    posts: int = Field(description="Topics and replies posted by the course's learners.")
    participants: int = Field(description="Enrolled learners who posted at least once.")


class CourseOverview(Freshness):
    course_id: str
    title: str
    status: str = Field(description="`draft`, `published` or `archived`.")
    students: StudentCounts
    progress: ProgressDistribution
    time_to_complete: TimeToComplete
    discussion: Participation
    at_risk_by_rule: dict[str, int]
    daily: list[DayActivity] = Field(description="The last `days` days, oldest first.")


class FunnelStep(_View):
    position: int = Field(description="1-based, in outline order.")
    lesson_id: str
    completed: int = Field(description="Enrolled learners who have completed the lesson.")
    percent_of_enrolled: int
    drop_off: int = Field(description="Learners who completed the lesson before and not this one.")


class LessonFunnel(Freshness):
    course_id: str
    enrolled: int
    lessons: list[FunnelStep]


class QuizScoreStatistics(_View):
    quiz_id: str
    title: str
    points: Decimal
    due_at: datetime | None
    attempts: int
    graded: int = Field(description="Enrolled learners with a score.")
    passed: int
    pass_rate: int | None = Field(description="Percent of those graded who passed.")
    histogram: list[Bucket] = Field(description="Learners by score, in ten buckets of ten percent.")
    per_question: str = Field(
        description="Where the per-question difficulty is: quiz events carry a learner's score, not their"
        " answers, so the assessments context answers it from the attempts."
    )


class AssignmentWorkStatistics(_View):
    assignment_id: str
    title: str
    points: Decimal
    due_at: datetime | None
    on_time: int
    late: int
    missing: int | None = Field(
        description="Enrolled learners with no submission once it is due; null before."
    )


class AssessmentStatistics(Freshness):
    course_id: str
    enrolled: int
    quizzes: list[QuizScoreStatistics]
    assignments: list[AssignmentWorkStatistics]


class ReasonView(_View):
    rule: str
    detail: str
    assessment_ids: list[str]


class CourseLearnerRow(_View):
    student_id: str
    display_name: str | None = None
    lessons_done: int
    percent: int
    last_activity_at: datetime | None = Field(description="Their last activity, or enrollment if none.")
    current_grade: Decimal | None
    at_risk: bool
    reasons: list[str] = Field(description="The at-risk rules that hold.")


class CourseLearnerPage(Freshness):
    course_id: str
    items: list[CourseLearnerRow]
    next_cursor: str | None


class MissedDeadline(_View):
    assessment_id: str
    title: str
    due_at: datetime | None


class LearnerAnalytics(Freshness):
    course_id: str
    student_id: str
    enrollment: str = Field(description="`enrolled`, `dropped`, or `unknown` (events before the enrollment).")
    enrolled_at: datetime | None
    completed_at: datetime | None
    last_activity_at: datetime | None
    lessons_done: int
    percent: int
    current_grade: Decimal | None
    missed_deadlines: list[MissedDeadline]
    at_risk: bool
    reasons: list[ReasonView]


class InstitutionOverview(Freshness):
    daily_active: int
    weekly_active: int
    monthly_active: int
    enrolled: int = Field(description="Enrollments held now, over every course.")
    completions: int
    drops: int
    courses_published: int
    daily: list[DayActivity]


class AtRiskRulesBody(LazyModel):
    model_config = ConfigDict(extra="forbid")

    inactive_days: int = Field(ge=0, le=30, description="0 switches the rule off.")
    missed_deadlines: int = Field(ge=0, le=50)
    passing_grade_percent: Decimal = Field(ge=0, le=100, decimal_places=1)
    behind_schedule_points: int = Field(ge=0, le=100)


class AtRiskRulesView(AtRiskRulesBody):
    model_config = ConfigDict(frozen=True)

    version: int = Field(description="0 while the defaults apply.")
