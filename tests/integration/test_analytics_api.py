"""The analytics API through the real handler: answers from the read models, refusals, request counts.

The read models are fed by handing events to the analytics consumer (as its queue would), naming
the tenant's real people, so each test controls exactly what analytics has heard.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest

from bench.expectations import expected_requests
from infra.gateway import ApiGateway
from infra.provision import Stack
from lms import clock, ids
from lms.analytics.consumer import consumer
from lms.events import DomainEvent
from lms.events.assessments import AssignmentSubmitted, QuizAttemptSubmitted
from lms.events.courses import CoursePublished, StudentDropped, StudentEnrolled
from lms.events.progress import CourseCompleted, LessonCompleted
from tests.support.client import problem
from tests.support.courses import course_with_lessons, enroll
from tests.support.events import assignment_published, drained, envelope, quiz_graded, quiz_published
from tests.support.tenant import Tenant

RULES = {
    "inactive_days": 7,
    "missed_deadlines": 2,
    "passing_grade_percent": "60",
    "behind_schedule_points": 30,
}


class Class:
    """A course of three lessons, a quiz and an assignment, taught by an instructor of the tenant."""

    def __init__(self, tenant: Tenant, students: int = 3) -> None:
        self.tenant = tenant
        self.instructor = tenant.instructor()
        self.students = [tenant.student() for _ in range(students)]
        self.course_id = ids.new_id()
        self.lessons = [ids.new_id() for _ in range(3)]
        self.quiz_id, self.essay_id = ids.new_id(), ids.new_id()
        self.now = clock.now()
        self.hear(
            CoursePublished(
                course_id=self.course_id,
                title="Optics",
                lesson_ids=self.lessons,
                instructor_ids=[self.instructor.user_id],
                course_version=4,
            ),
            quiz_published(self.course_id, self.quiz_id, title="Lenses", points="10"),
            assignment_published(self.course_id, self.essay_id, title="Essay").model_copy(
                update={"due_at": self.now + timedelta(days=30)}
            ),
        )

    def hear(self, *events: DomainEvent, at: datetime | None = None) -> None:
        for event in events:
            assert consumer.handle(envelope(event, self.tenant.institution_id, occurred_at=at or self.now))

    def path(self, tail: str = "") -> str:
        return f"/analytics/courses/{self.course_id}{tail}"


def _journey(course: Class) -> None:
    """ann: everything, 9/10, essay on time, completed; bob: two lessons, 3/10; cy: enrolled, then dropped."""
    ann, bob, cy = course.students
    c, q, a = course.course_id, course.quiz_id, course.essay_id
    for student in (ann, bob, cy):
        course.hear(StudentEnrolled(course_id=c, student_id=student.user_id, enrolled_by=student.user_id))
    for lesson in course.lessons:
        course.hear(LessonCompleted(student_id=ann.user_id, course_id=c, lesson_id=lesson))
    for lesson in course.lessons[:2]:
        course.hear(LessonCompleted(student_id=bob.user_id, course_id=c, lesson_id=lesson))
    for student, score, passed in ((ann, "9", True), (bob, "3", False)):
        attempt = QuizAttemptSubmitted(
            course_id=c,
            quiz_id=q,
            attempt_id=ids.new_id(),
            student_id=student.user_id,
            attempt_number=1,
            submitted_at=course.now,
        )
        course.hear(attempt, quiz_graded(c, q, student.user_id, score, passed=passed))
    course.hear(
        AssignmentSubmitted(
            course_id=c,
            assignment_id=a,
            submission_id=ids.new_id(),
            student_id=ann.user_id,
            version=1,
            submitted_at=course.now,
            late=False,
        ),
        CourseCompleted(student_id=ann.user_id, course_id=c),
        StudentDropped(course_id=c, student_id=cy.user_id, dropped_by=cy.user_id),
    )


@pytest.fixture(scope="module")
def course(stack: Stack, gateway: ApiGateway) -> Class:
    """One class for the module's reads (they change nothing), in an institution of its own."""
    made = Class(Tenant(stack, gateway))
    _journey(made)
    return made


def test_the_course_overview_counts_the_class(course: Class) -> None:
    response = course.instructor.get(course.path())

    assert response.status == 200, response.body
    assert course.instructor.last_calls == expected_requests("GET", "/analytics/courses/{course_id}")
    body = response.json()
    assert body["students"] == {
        "enrolled": 2,
        "active_7d": 2,
        "active_30d": 2,
        "completed": 1,
        "dropped": 1,
        "at_risk": 1,  # bob: 30 % is under the passing 60 %
    }
    assert body["at_risk_by_rule"] == {"failing_grade": 1}
    assert body["progress"]["median_percent"] == 66  # bob 2/3, ann 3/3: the lower median
    assert [b["students"] for b in body["progress"]["buckets"]] == [0, 0, 0, 0, 0, 0, 1, 0, 0, 1]
    assert body["time_to_complete"] == {"completed": 1, "median_days": 0, "mean_days": "0.0"}
    today = body["daily"][-1]
    assert today == {
        "day": course.now.date().isoformat(),
        "active": 3,
        "enrollments": 2,
        "completions": 1,
        "drops": 1,
    }
    assert len(body["daily"]) == 30
    assert datetime.fromisoformat(body["as_of"]) <= clock.now()


def test_the_funnel_follows_the_outline(course: Class) -> None:
    body = course.instructor.get(course.path("/funnel")).json()
    assert course.instructor.last_calls == expected_requests("GET", "/analytics/courses/{course_id}/funnel")
    assert [
        (s["position"], s["lesson_id"], s["completed"], s["percent_of_enrolled"], s["drop_off"])
        for s in body["lessons"]
    ] == [
        (1, course.lessons[0], 2, 100, 0),
        (2, course.lessons[1], 2, 100, 0),
        (3, course.lessons[2], 1, 50, 1),
    ]


def test_quiz_histograms_and_assignment_work(course: Class) -> None:
    body = course.instructor.get(course.path("/assessments")).json()
    assert course.instructor.last_calls == expected_requests(
        "GET", "/analytics/courses/{course_id}/assessments"
    )
    [quiz] = body["quizzes"]
    assert (quiz["attempts"], quiz["graded"], quiz["passed"], quiz["pass_rate"]) == (2, 2, 1, 50)
    assert [b["students"] for b in quiz["histogram"]] == [0, 0, 0, 1, 0, 0, 0, 0, 0, 1]
    assert quiz["per_question"] == f"/assessments/quizzes/{course.quiz_id}/statistics"
    [essay] = body["assignments"]
    assert (essay["on_time"], essay["late"], essay["missing"]) == (1, 0, None)  # not due yet


def test_learners_sorted_by_progress_and_activity_page_by_page(course: Class) -> None:
    ann, bob, _ = course.students
    by_progress = course.instructor.get(course.path("/students"), query={"sort": "progress"}).json()
    assert course.instructor.last_calls == expected_requests("GET", "/analytics/courses/{course_id}/students")
    assert [(r["student_id"], r["percent"]) for r in by_progress["items"]] == [
        (bob.user_id, 66),
        (ann.user_id, 100),
    ]
    first = course.instructor.get(
        course.path("/students"), query={"sort": "progress", "order": "desc", "limit": "1"}
    ).json()
    assert [r["student_id"] for r in first["items"]] == [ann.user_id]
    second = course.instructor.get(
        course.path("/students"),
        query={"sort": "progress", "order": "desc", "limit": "1", "cursor": first["next_cursor"]},
    ).json()
    assert [r["student_id"] for r in second["items"]] == [bob.user_id]
    at_risk = course.instructor.get(course.path("/students"), query={"at_risk": "true"}).json()
    assert [(r["student_id"], r["reasons"]) for r in at_risk["items"]] == [(bob.user_id, ["failing_grade"])]
    by_activity = course.instructor.get(course.path("/students"), query={"sort": "last_activity"}).json()
    assert {r["student_id"] for r in by_activity["items"]} == {ann.user_id, bob.user_id}


def test_a_cursor_of_another_list_is_refused(course: Class) -> None:
    first = course.instructor.get(course.path("/students"), query={"sort": "progress", "limit": "1"}).json()
    other = course.instructor.get(
        course.path("/students"), query={"sort": "last_activity", "cursor": first["next_cursor"]}
    )
    problem(other, 400, "invalid-cursor")
    problem(
        course.instructor.get(course.path("/students"), query={"cursor": "forged"}), 400, "invalid-cursor"
    )


def test_a_learner_and_their_own_view_give_the_reasons(course: Class) -> None:
    _, bob, _ = course.students
    staff = course.instructor.get(course.path(f"/students/{bob.user_id}"))
    assert staff.status == 200, staff.body
    assert course.instructor.last_calls == expected_requests(
        "GET", "/analytics/courses/{course_id}/students/{student_id}"
    )
    own = bob.get(course.path("/me"))
    assert bob.last_calls == expected_requests("GET", "/analytics/courses/{course_id}/me")
    assert own.json() == staff.json()
    view = own.json()
    assert (view["lessons_done"], view["percent"], view["current_grade"], view["at_risk"]) == (
        2,
        66,
        "30.0",
        True,
    )
    assert [r["rule"] for r in view["reasons"]] == ["failing_grade"]
    audited = [
        i for i in course.tenant.items() if i["entity"] == "audit" and i["action"] == "GetLearnerAnalytics"
    ]
    assert [(i["actor_id"], i["subject_user_id"]) for i in audited] == [
        (course.instructor.user_id, bob.user_id)
    ]


def test_the_institution_overview_counts_its_courses(course: Class) -> None:
    admin = course.tenant.admin()
    response = admin.get("/analytics/institution", query={"days": "7"})
    assert response.status == 200, response.body
    assert admin.last_calls == expected_requests("GET", "/analytics/institution")
    body = response.json()
    assert (body["daily_active"], body["weekly_active"], body["monthly_active"]) == (3, 3, 3)
    assert (body["enrolled"], body["completions"], body["drops"], body["courses_published"]) == (2, 1, 1, 1)
    assert len(body["daily"]) == 7


# ---------------------------------------------------------------- refusals


def test_only_the_course_s_staff_read_its_analytics(course: Class) -> None:
    tenant = course.tenant
    problem(course.students[0].get(course.path()), 403, "forbidden")
    problem(tenant.instructor().get(course.path("/funnel")), 403, "not-course-staff")
    assert tenant.admin().get(course.path("/assessments")).status == 200
    problem(course.students[0].get("/analytics/institution"), 403, "forbidden")
    problem(course.instructor.get("/analytics/institution"), 403, "forbidden")


def test_another_institution_and_unknown_ids_are_not_found(other_tenant: Tenant, course: Class) -> None:
    stranger = other_tenant.admin()
    problem(stranger.get(course.path()), 404, "course-not-found")
    problem(other_tenant.student().get(course.path("/me")), 404, "course-not-found")
    problem(course.instructor.get(f"/analytics/courses/{ids.new_id()}/funnel"), 404, "course-not-found")
    problem(course.instructor.get(course.path(f"/students/{ids.new_id()}")), 404, "learner-not-found")
    problem(course.instructor.get(course.path("/students/bad%20id")), 404, "not-found")
    problem(course.tenant.student().get(course.path("/me")), 404, "learner-not-found")


def test_invalid_queries_are_refused(course: Class) -> None:
    for query in ({"sort": "name"}, {"order": "up"}, {"limit": "0"}, {"limit": "101"}, {"at_risk": "maybe"}):
        problem(course.instructor.get(course.path("/students"), query=query), 422, "validation-failed")
    problem(course.instructor.get(course.path(), query={"days": "91"}), 422, "validation-failed")


def test_the_at_risk_rules_are_versioned(tenant: Tenant) -> None:
    admin = tenant.admin()
    defaults = admin.get("/analytics/at-risk-rules")
    assert defaults.json() == {**RULES, "version": 0}
    saved = admin.request("PUT", "/analytics/at-risk-rules", json_body={**RULES, "inactive_days": 10})
    assert saved.status == 200, saved.body
    assert admin.last_calls == expected_requests("PUT", "/analytics/at-risk-rules")
    assert (saved.json()["inactive_days"], saved.header("ETag")) == (10, '"1"')
    problem(admin.request("PUT", "/analytics/at-risk-rules", json_body=RULES), 428, "if-match-required")
    stale = admin.request("PUT", "/analytics/at-risk-rules", json_body=RULES, headers={"If-Match": '"0"'})
    problem(stale, 412, "version-mismatch")
    again = admin.request("PUT", "/analytics/at-risk-rules", json_body=RULES, headers={"If-Match": '"1"'})
    assert again.json()["version"] == 2
    retried = admin.request("PUT", "/analytics/at-risk-rules", json_body=RULES, headers={"If-Match": '"1"'})
    problem(retried, 412, "version-mismatch")  # a retry of a change that committed names an old version
    problem(tenant.instructor().request("PUT", "/analytics/at-risk-rules", json_body=RULES), 403, "forbidden")


@pytest.mark.parametrize(
    "body",
    [
        {},
        {**RULES, "inactive_days": 31},
        {**RULES, "missed_deadlines": -1},
        {**RULES, "passing_grade_percent": "101"},
        {**RULES, "behind_schedule_points": "many"},
        {**RULES, "colour": "red"},
    ],
)
def test_invalid_rules_are_refused(tenant: Tenant, body: dict[str, Any]) -> None:
    problem(
        tenant.admin().request("PUT", "/analytics/at-risk-rules", json_body=body), 422, "validation-failed"
    )


# ---------------------------------------------------------------- a lesson opened


def test_opening_a_lesson_is_recorded_as_activity(stack: Stack, tenant: Tenant) -> None:
    instructor, student = tenant.instructor(), tenant.student()
    course_id, lessons = course_with_lessons(instructor, 2)
    enroll(tenant, course_id, student)
    opened = f"/analytics/courses/{course_id}/lessons/{lessons[1]}/opened"

    response = student.post(opened)

    assert response.status == 204, response.body
    assert student.last_calls == expected_requests(
        "POST", "/analytics/courses/{course_id}/lessons/{lesson_id}/opened"
    )
    assert student.post(opened).status == 204  # again: one more activity, harmless
    assert tenant.event_types().count("LessonOpened") == 2
    drained(stack)
    view = student.get(f"/analytics/courses/{course_id}/me").json()
    assert view["last_activity_at"] is not None
    problem(
        student.post(f"/analytics/courses/{course_id}/lessons/{ids.new_id()}/opened"), 404, "lesson-not-found"
    )
    problem(tenant.student().post(opened), 403, "not-enrolled")
    problem(
        student.post(f"/analytics/courses/{ids.new_id()}/lessons/{lessons[0]}/opened"),
        404,
        "course-not-found",
    )
    problem(instructor.post(opened), 403, "forbidden")
