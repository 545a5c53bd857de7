"""Analytics use cases: who may read what, and the answers from the read models.

Every read costs the same requests whatever the class size: the course's copy (who teaches it,
its outline and assessments) and its counters, or one page of a sorted class list.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Protocol

from lms import authz, clock
from lms.analytics import policy, views
from lms.analytics.course import CourseCopy
from lms.analytics.course_access import LessonAccess
from lms.analytics.domain import Enrollment, LearnerState
from lms.analytics.errors import CourseNotFound, LearnerNotFound, LessonNotFound, NotCourseStaff, NotEnrolled
from lms.analytics.repository import Counted, Daily, RowItem, StateChanged
from lms.analytics.risk import AtRiskRules
from lms.analytics.schemas import (
    AssessmentStatistics,
    AtRiskRulesBody,
    AtRiskRulesView,
    CourseLearnerPage,
    CourseLearnerRow,
    CourseOverview,
    InstitutionOverview,
    LearnerAnalytics,
    LessonFunnel,
)
from lms.auth import Principal, Role
from lms.errors import PreconditionFailed, PreconditionRequired
from lms.events.analytics import LessonOpened

SORTS = {"progress": "PROGRESS", "last_activity": "ACTIVITY"}


class AnalyticsReads(Protocol):
    def course(self, institution_id: str, course_id: str) -> CourseCopy: ...

    def course_and_learner(
        self, institution_id: str, course_id: str, student_id: str
    ) -> tuple[CourseCopy, LearnerState | None]: ...

    def counters(self, institution_id: str, course_id: str | None) -> Counted: ...

    def daily(self, institution_id: str, course_id: str | None, first_day: str, last_day: str) -> Daily: ...

    def rows(
        self,
        institution_id: str,
        course_id: str,
        order: str,
        descending: bool,
        limit: int,
        cursor: str | None,
    ) -> tuple[list[RowItem], str | None]: ...

    def rules(self, institution_id: str) -> AtRiskRules: ...

    def save_rules(self, institution_id: str, rules: AtRiskRules, read_version: int) -> AtRiskRules: ...

    def record_lesson_opened(self, principal: Principal, event: LessonOpened) -> None: ...

    def record_read(self, actor: Principal, course_id: str, student_id: str) -> None: ...

    def record_class_read(self, actor: Principal, course_id: str, students: int) -> None: ...


class CatalogAccess(Protocol):
    def lesson_access(
        self, institution_id: str, course_id: str, lesson_id: str, student_id: str
    ) -> LessonAccess: ...


def _rules_view(rules: AtRiskRules) -> AtRiskRulesView:
    return AtRiskRulesView(
        inactive_days=rules.inactive_days,
        missed_deadlines=rules.missed_deadlines,
        passing_grade_percent=rules.passing_grade_percent,
        behind_schedule_points=rules.behind_schedule_points,
        version=rules.version,
    )


class AnalyticsService:
    def __init__(
        self, reads: AnalyticsReads, catalog: CatalogAccess, now: Callable[[], datetime] = clock.now
    ) -> None:
        self._reads = reads
        self._catalog = catalog
        self._now = now

    # ------------------------------------------------------------ course views (its staff)

    def _staff_course(self, principal: Principal, op: authz.Operation, course_id: str) -> CourseCopy:
        authz.authorize(principal, op)
        course = self._reads.course(principal.institution_id, course_id)
        if not course.known:
            raise CourseNotFound(f"No course {course_id!r}.")
        teaches = Role.INSTRUCTOR in principal.roles and principal.user_id in course.instructor_ids
        if not (principal.is_institution_admin or teaches):
            raise NotCourseStaff("Only the course's instructors and institution admins read its analytics.")
        return course

    def _as_of(self, *read: Counted | Daily) -> datetime:
        moments = [r.updated_at for r in read if r.updated_at is not None]
        return datetime.fromisoformat(max(moments)) if moments else self._now()

    def course_overview(self, principal: Principal, course_id: str, days: int) -> CourseOverview:
        course = self._staff_course(principal, policy.GET_COURSE_OVERVIEW, course_id)
        now = self._now()
        counted = self._reads.counters(principal.institution_id, course_id)
        first = (now - timedelta(days=days - 1)).date().isoformat()
        daily = self._reads.daily(principal.institution_id, course_id, first, now.date().isoformat())
        return views.course_overview(
            course, counted.totals, daily.days, now.date(), days, self._as_of(counted, daily)
        )

    def lesson_funnel(self, principal: Principal, course_id: str) -> LessonFunnel:
        course = self._staff_course(principal, policy.GET_LESSON_FUNNEL, course_id)
        counted = self._reads.counters(principal.institution_id, course_id)
        return views.lesson_funnel(course, counted.totals, self._as_of(counted))

    def assessment_statistics(self, principal: Principal, course_id: str) -> AssessmentStatistics:
        course = self._staff_course(principal, policy.GET_ASSESSMENT_STATISTICS, course_id)
        counted = self._reads.counters(principal.institution_id, course_id)
        return views.assessment_statistics(course, counted.totals, self._now(), self._as_of(counted))

    def learners(
        self,
        principal: Principal,
        course_id: str,
        *,
        sort: str,
        descending: bool,
        at_risk: bool,
        limit: int,
        cursor: str | None,
    ) -> CourseLearnerPage:
        course = self._staff_course(principal, policy.LIST_COURSE_LEARNERS, course_id)
        order = ("ATRISK-" if at_risk else "") + SORTS[sort]
        rows, next_cursor = self._reads.rows(
            principal.institution_id, course_id, order, descending, limit, cursor
        )
        items = [
            CourseLearnerRow(
                student_id=row.student_id,
                lessons_done=int(row.lessons_done),
                percent=views.percent_of(int(row.lessons_done), len(course.lesson_ids)),
                last_activity_at=datetime.fromisoformat(row.last_seen) if row.last_seen else None,
                current_grade=row.grade,
                at_risk=bool(row.reasons),
                reasons=list(row.reasons or []),
            )
            for row in rows
        ]
        self._reads.record_class_read(principal, course_id, len(items))
        moments = [row.updated_at for row in rows if row.updated_at]
        as_of = datetime.fromisoformat(max(moments)) if moments else self._now()
        return CourseLearnerPage(as_of=as_of, course_id=course_id, items=items, next_cursor=next_cursor)

    def learner(self, principal: Principal, course_id: str, student_id: str) -> LearnerAnalytics:
        authz.authorize(principal, policy.GET_LEARNER_ANALYTICS)
        course, state = self._reads.course_and_learner(principal.institution_id, course_id, student_id)
        if not course.known:
            raise CourseNotFound(f"No course {course_id!r}.")
        teaches = Role.INSTRUCTOR in principal.roles and principal.user_id in course.instructor_ids
        if not (principal.is_institution_admin or teaches):
            raise NotCourseStaff("Only the course's instructors and institution admins read its analytics.")
        view = self._learner_view(course, state, student_id)
        self._reads.record_read(principal, course_id, student_id)
        return view

    def my_analytics(self, principal: Principal, course_id: str) -> LearnerAnalytics:
        authz.authorize(principal, policy.GET_MY_ANALYTICS)
        course, state = self._reads.course_and_learner(principal.institution_id, course_id, principal.user_id)
        if not course.known:
            raise CourseNotFound(f"No course {course_id!r}.")
        return self._learner_view(course, state, principal.user_id)

    def _learner_view(
        self, course: CourseCopy, state: LearnerState | None, student_id: str
    ) -> LearnerAnalytics:
        if state is None or state.erased or state.enrollment is Enrollment.UNKNOWN:
            raise LearnerNotFound(f"No learner {student_id!r} in course {course.course_id!r}.")
        return views.learner_analytics(course, state, self._now())

    def record_lesson_opened(self, principal: Principal, course_id: str, lesson_id: str) -> None:
        authz.authorize(principal, policy.RECORD_LESSON_OPENED)
        access = self._catalog.lesson_access(
            principal.institution_id, course_id, lesson_id, principal.user_id
        )
        if not access.course_exists:
            raise CourseNotFound(f"No course {course_id!r}.")
        if not access.enrolled:
            raise NotEnrolled(f"You are not enrolled in course {course_id!r}.")
        if not access.lesson_exists:
            raise LessonNotFound(f"Course {course_id!r} has no lesson {lesson_id!r}.")
        event = LessonOpened(course_id=course_id, student_id=principal.user_id, lesson_id=lesson_id)
        self._reads.record_lesson_opened(principal, event)

    # ------------------------------------------------------------ the institution (its admins)

    def institution_overview(self, principal: Principal, days: int) -> InstitutionOverview:
        authz.authorize(principal, policy.GET_INSTITUTION_OVERVIEW)
        now = self._now()
        counted = self._reads.counters(principal.institution_id, None)
        first = (now - timedelta(days=max(days, 30) - 1)).date().isoformat()
        daily = self._reads.daily(principal.institution_id, None, first, now.date().isoformat())
        totals, today = counted.totals, now.date()
        return InstitutionOverview(
            as_of=self._as_of(counted, daily),
            daily_active=daily.days.get(today.isoformat(), {}).get("active", 0),
            weekly_active=views.active_within(totals, today, 7),
            monthly_active=views.active_within(totals, today, 30),
            enrolled=totals.get("enrolled", 0),
            completions=totals.get("completed", 0),
            drops=totals.get("dropped", 0),
            courses_published=totals.get("courses_published", 0),
            daily=views.daily_series(daily.days, today, days),
        )

    def rules(self, principal: Principal) -> AtRiskRulesView:
        authz.authorize(principal, policy.GET_AT_RISK_RULES)
        return _rules_view(self._reads.rules(principal.institution_id))

    def change_rules(
        self, principal: Principal, body: AtRiskRulesBody, expected: int | None
    ) -> AtRiskRulesView:
        """Replace the rules; `expected` is If-Match (None only while the defaults apply)."""
        authz.authorize(principal, policy.UPDATE_AT_RISK_RULES)
        wanted = AtRiskRules(
            body.inactive_days, body.missed_deadlines, body.passing_grade_percent, body.behind_schedule_points
        )
        try:
            saved = self._reads.save_rules(principal.institution_id, wanted, expected or 0)
        except StateChanged:
            current = self._reads.rules(principal.institution_id).version
            if expected is None:
                raise PreconditionRequired(
                    f"The rules are at version {current}: send If-Match with the version you read."
                ) from None
            raise PreconditionFailed(f"The rules are at version {current}, not {expected}.") from None
        return _rules_view(saved)
