"""The analytics states as stored: JSON documents inside items (decimals and times as strings)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from lms import clock
from lms.analytics.course import Assessment, CourseCopy, Lifecycle
from lms.analytics.domain import (
    Enrollment,
    LearnerActivity,
    LearnerState,
    LessonMark,
    QuizScore,
    Reason,
    ReleasedGrade,
    Stamp,
    Submission,
    current_grade,
)
from lms.analytics.risk import AtRiskRules


def _time(value: datetime | None) -> str | None:
    return clock.rfc3339(value) if value is not None else None


def _parse(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _stamp(stamp: Stamp | None) -> list[str] | None:
    return [clock.rfc3339(stamp.at), stamp.event_id] if stamp is not None else None


def _parse_stamp(value: list[str] | None) -> Stamp | None:
    return Stamp(datetime.fromisoformat(value[0]), value[1]) if value else None


def current_grade_text(state: LearnerState) -> str | None:
    grade = current_grade(state)
    return str(grade) if grade is not None else None


def reason_document(reason: Reason) -> dict[str, Any]:
    return {"rule": reason.rule, "detail": reason.detail, "assessment_ids": list(reason.assessment_ids)}


def parse_reason(value: dict[str, Any]) -> Reason:
    return Reason(value["rule"], value["detail"], tuple(value.get("assessment_ids", ())))


def learner_document(state: LearnerState) -> dict[str, Any]:
    if state.erased:
        return {"erased": True}
    return {
        "enrollment": state.enrollment.value,
        "enrollment_stamp": _stamp(state.enrollment_stamp),
        "enrolled_at": _time(state.enrolled_at),
        "lessons": {k: [m.done, _stamp(m.stamp)] for k, m in state.lessons.items()},
        "completed_at": _time(state.completed_at),
        "last_activity_at": _time(state.last_activity_at),
        "active_days": sorted(state.active_days),
        "quizzes": {
            k: {"score": str(q.score), "points": str(q.points), "passed": q.passed, "revision": q.revision}
            for k, q in state.quizzes.items()
        },
        "submissions": {
            k: {"version": s.version, "late": s.late, "submitted_at": clock.rfc3339(s.submitted_at)}
            for k, s in state.submissions.items()
        },
        "grades": {
            k: {"score": str(g.score), "points": str(g.points), "revision": g.revision}
            for k, g in state.grades.items()
        },
        "posts": state.posts,
        "as_of": _time(state.as_of),
        "reasons": [reason_document(r) for r in state.reasons],
    }


def parse_learner(student_id: str, document: dict[str, Any], version: int) -> LearnerState:
    lessons: dict[str, LessonMark] = {}
    for lesson_id, (done, stamp) in document.get("lessons", {}).items():
        parsed = _parse_stamp(stamp)
        if parsed is not None:
            lessons[lesson_id] = LessonMark(bool(done), parsed)
    return LearnerState(
        student_id=student_id,
        enrollment=Enrollment(document.get("enrollment", Enrollment.UNKNOWN.value)),
        enrollment_stamp=_parse_stamp(document.get("enrollment_stamp")),
        enrolled_at=_parse(document.get("enrolled_at")),
        lessons=lessons,
        completed_at=_parse(document.get("completed_at")),
        last_activity_at=_parse(document.get("last_activity_at")),
        active_days=frozenset(document.get("active_days", ())),
        quizzes={
            k: QuizScore(Decimal(q["score"]), Decimal(q["points"]), bool(q["passed"]), int(q["revision"]))
            for k, q in document.get("quizzes", {}).items()
        },
        submissions={
            k: Submission(int(s["version"]), bool(s["late"]), datetime.fromisoformat(s["submitted_at"]))
            for k, s in document.get("submissions", {}).items()
        },
        grades={
            k: ReleasedGrade(Decimal(g["score"]), Decimal(g["points"]), int(g["revision"]))
            for k, g in document.get("grades", {}).items()
        },
        posts=int(document.get("posts", 0)),
        as_of=_parse(document.get("as_of")),
        reasons=tuple(parse_reason(r) for r in document.get("reasons", ())),
        erased=bool(document.get("erased", False)),
        version=version,
    )


def course_document(course: CourseCopy) -> dict[str, Any]:
    return {
        "title": course.title,
        "lifecycle": course.lifecycle.value,
        "published_at": _time(course.published_at),
        "lesson_ids": list(course.lesson_ids),
        "order_version": course.order_version,
        "instructor_ids": sorted(course.instructor_ids),
        "instructors_stamp": course.instructors_stamp,
        "assessments": {
            k: {"kind": a.kind, "title": a.title, "points": str(a.points), "due_at": _time(a.due_at)}
            for k, a in course.assessments.items()
        },
    }


def parse_course(course_id: str, document: dict[str, Any], version: int) -> CourseCopy:
    return CourseCopy(
        course_id=course_id,
        title=document.get("title", ""),
        lifecycle=Lifecycle(document.get("lifecycle", Lifecycle.DRAFT.value)),
        published_at=_parse(document.get("published_at")),
        lesson_ids=tuple(document.get("lesson_ids", ())),
        order_version=int(document.get("order_version", -1)),
        instructor_ids=frozenset(document.get("instructor_ids", ())),
        instructors_stamp=document.get("instructors_stamp", ""),
        assessments={
            k: Assessment(a["kind"], a["title"], Decimal(a["points"]), _parse(a.get("due_at")))
            for k, a in document.get("assessments", {}).items()
        },
        version=version,
    )


def activity_document(activity: LearnerActivity) -> dict[str, Any]:
    if activity.erased:
        return {"erased": True}
    return {"last_activity_at": _time(activity.last_activity_at), "active_days": sorted(activity.active_days)}


def parse_activity(student_id: str, document: dict[str, Any], version: int) -> LearnerActivity:
    return LearnerActivity(
        student_id=student_id,
        last_activity_at=_parse(document.get("last_activity_at")),
        active_days=frozenset(document.get("active_days", ())),
        erased=bool(document.get("erased", False)),
        version=version,
    )


def rules_document(rules: AtRiskRules) -> dict[str, Any]:
    return {
        "inactive_days": rules.inactive_days,
        "missed_deadlines": rules.missed_deadlines,
        "passing_grade_percent": str(rules.passing_grade_percent),
        "behind_schedule_points": rules.behind_schedule_points,
    }


def parse_rules(document: dict[str, Any], version: int) -> AtRiskRules:
    return AtRiskRules(
        inactive_days=int(document["inactive_days"]),
        missed_deadlines=int(document["missed_deadlines"]),
        passing_grade_percent=Decimal(document["passing_grade_percent"]),
        behind_schedule_points=int(document["behind_schedule_points"]),
        version=version,
    )
