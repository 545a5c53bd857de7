"""Use cases of the progress API: authorize, apply the rules, commit completions with their events."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from lms import authz, clock
from lms.auth import Principal, Role
from lms.errors import Forbidden
from lms.events.progress import LessonCompleted, LessonCompletionUndone
from lms.progress import domain, policy
from lms.progress.domain import CourseOutline, Earned, LearnerProgress
from lms.progress.errors import CourseNotFound, ProgressNotFound
from lms.progress.schemas import (
    AchievementView,
    CourseProgressView,
    LearnerProgressView,
    RequiredAssessmentView,
)


@dataclass(frozen=True)
class LessonCompletion:
    student_id: str
    course_id: str
    lesson_id: str
    completed_at: datetime


@dataclass(frozen=True)
class StudentCourse:
    """Everything stored for one student in one course: their completions and the summary."""

    completions: list[LessonCompletion] = field(default_factory=list)
    summary: LearnerProgress | None = None


@dataclass(frozen=True)
class EarnedAchievement:
    earned: Earned
    earned_at: datetime


class ProgressRepository(Protocol):
    def complete_lesson(
        self, actor: Principal, completion: LessonCompletion, event: LessonCompleted
    ) -> tuple[LessonCompletion, bool]: ...
    def undo_completion(self, actor: Principal, event: LessonCompletionUndone) -> bool: ...
    def get_outline(self, institution_id: str, course_id: str) -> CourseOutline | None: ...
    def student_course(self, institution_id: str, student_id: str, course_id: str) -> StudentCourse: ...
    def list_learners(
        self, institution_id: str, course_id: str, limit: int, cursor: str | None
    ) -> tuple[list[LearnerProgress], str | None]: ...
    def list_achievements(
        self, institution_id: str, student_id: str, limit: int, cursor: str | None
    ) -> tuple[list[EarnedAchievement], str | None]: ...
    def record_read(self, actor: Principal, course_id: str, student_id: str) -> None: ...
    def record_class_read(self, actor: Principal, course_id: str, students: int) -> None: ...


class ProgressService:
    def __init__(self, repository: ProgressRepository, now: Callable[[], datetime] = clock.now) -> None:
        self._repo = repository
        self._now = now

    # ------------------------------------------------------------ completions

    def complete_lesson(
        self, principal: Principal, course_id: str, lesson_id: str, timezone: str | None
    ) -> tuple[LessonCompletion, bool]:
        """Mark a lesson complete; repeating it answers the first completion (False: nothing new)."""
        authz.authorize(principal, policy.COMPLETE_LESSON)
        completion = LessonCompletion(principal.user_id, course_id, lesson_id, self._now())
        event = LessonCompleted(
            student_id=principal.user_id,
            course_id=course_id,
            lesson_id=lesson_id,
            timezone=domain.timezone_name(timezone),
        )
        return self._repo.complete_lesson(principal, completion, event)

    def undo_completion(self, principal: Principal, course_id: str, lesson_id: str) -> bool:
        """Take a completion back; False when there was none (nothing changes)."""
        authz.authorize(principal, policy.UNDO_LESSON_COMPLETION)
        event = LessonCompletionUndone(student_id=principal.user_id, course_id=course_id, lesson_id=lesson_id)
        return self._repo.undo_completion(principal, event)

    # ------------------------------------------------------------ reads

    def _outline(self, principal: Principal, course_id: str) -> CourseOutline:
        outline = self._repo.get_outline(principal.institution_id, course_id)
        if outline is None or not outline.published:
            raise CourseNotFound(f"No course {course_id!r}.")
        return outline

    def _staff_outline(self, principal: Principal, course_id: str) -> CourseOutline:
        outline = self._outline(principal, course_id)
        teaches = Role.INSTRUCTOR in principal.roles and principal.user_id in outline.instructor_ids
        if not (principal.is_institution_admin or teaches):
            raise Forbidden(
                "Only the course's instructors and institution admins see its students' progress."
            )
        return outline

    def _progress(self, principal: Principal, outline: CourseOutline, student_id: str) -> CourseProgressView:
        stored = self._repo.student_course(principal.institution_id, student_id, outline.course_id)
        if stored.summary is None and not stored.completions:
            raise ProgressNotFound(f"No progress of {student_id!r} in course {outline.course_id!r}.")
        return progress_view(outline, student_id, stored)

    def my_progress(self, principal: Principal, course_id: str) -> CourseProgressView:
        authz.authorize(principal, policy.GET_MY_PROGRESS)
        return self._progress(principal, self._outline(principal, course_id), principal.user_id)

    def student_progress(self, principal: Principal, course_id: str, student_id: str) -> CourseProgressView:
        authz.authorize(principal, policy.GET_STUDENT_PROGRESS)
        view = self._progress(principal, self._staff_outline(principal, course_id), student_id)
        self._repo.record_read(principal, course_id, student_id)
        return view

    def course_progress(
        self, principal: Principal, course_id: str, limit: int, cursor: str | None
    ) -> tuple[list[LearnerProgressView], str | None]:
        authz.authorize(principal, policy.LIST_COURSE_PROGRESS)
        outline = self._staff_outline(principal, course_id)
        learners, next_cursor = self._repo.list_learners(principal.institution_id, course_id, limit, cursor)
        views = [learner_view(outline, learner) for learner in learners]
        self._repo.record_class_read(principal, course_id, len(views))
        return views, next_cursor

    def my_achievements(
        self, principal: Principal, limit: int, cursor: str | None
    ) -> tuple[list[AchievementView], str | None]:
        authz.authorize(principal, policy.LIST_MY_ACHIEVEMENTS)
        found, next_cursor = self._repo.list_achievements(
            principal.institution_id, principal.user_id, limit, cursor
        )
        views = [
            AchievementView(
                achievement=a.earned.achievement, course_id=a.earned.course_id, earned_at=a.earned_at
            )
            for a in found
        ]
        return views, next_cursor


def progress_view(outline: CourseOutline, student_id: str, stored: StudentCourse) -> CourseProgressView:
    """The student's own completions answer at once; completion, enrollment and quiz grades come
    from the summary (the consumer's)."""
    done = {c.lesson_id for c in stored.completions}
    counted = outline.lesson_ids()
    moments = [c.completed_at for c in stored.completions]
    summary = stored.summary
    passed = summary.passed_quizzes() if summary else set()
    if summary is not None and summary.last_activity_at is not None:
        moments.append(summary.last_activity_at)
    return CourseProgressView(
        course_id=outline.course_id,
        student_id=student_id,
        title=outline.title,
        enrollment=summary.enrollment if summary else None,
        completed_lessons=[lesson for lesson in counted if lesson in done],
        lesson_count=len(counted),
        required_assessments=[
            RequiredAssessmentView(assessment_id=q.id, kind="quiz", title=q.title, lesson_id=q.lesson_id)
            for q in outline.required_quizzes
        ],
        passed_assessments=[q for q in outline.required_quiz_ids() if q in passed],
        percent=domain.course_percent(outline, done, passed),
        next_lesson_id=domain.next_lesson(done, counted),
        last_activity_at=max(moments) if moments else None,
        completed_at=summary.completed_at if summary else None,
    )


def learner_view(outline: CourseOutline, learner: LearnerProgress) -> LearnerProgressView:
    done, passed = learner.done_lessons(), learner.passed_quizzes()
    counted, required = outline.lesson_ids(), outline.required_quiz_ids()
    return LearnerProgressView(
        student_id=learner.student_id,
        completed_lesson_count=sum(1 for lesson in counted if lesson in done),
        lesson_count=len(counted),
        passed_assessment_count=sum(1 for quiz in required if quiz in passed),
        required_assessment_count=len(required),
        percent=domain.course_percent(outline, done, passed),
        last_activity_at=learner.last_activity_at,
        completed_at=learner.completed_at,
    )
