"""The role x operation matrix, generated from the code's own declarations and checked by calling.

Every operation of the API document (every context) is called as each role, as a user of another
institution, as a suspended user and without a token; the answer must be what `lms.authz.OPERATIONS`
declares: 2xx for an allowed role, 403 for any other role and for a suspended account, 404 for
another institution's resource (a collection answers 2xx in the caller's own institution), 401
without a token. Every call also carries an `X-Institution-Id` header naming another institution,
which must change nothing.

ADDING AN OPERATION: declare it (`lms.authz.operation` in the context's policy.py), then add one
entry to EXAMPLES below: a valid request for it. The suite fails until both exist.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import boto3
import pytest

from infra import docs
from infra.gateway import ApiGateway
from infra.provision import Stack
from infra.pump import EventPump
from infra.template import load_template
from lms.auth import Role
from lms.authz import OPERATIONS
from tests.support.client import Caller, InProcess
from tests.support.courses import enroll
from tests.support.notifications import deliver
from tests.support.tenant import PASSWORD, Tenant

_DOCUMENT = docs.openapi_document(docs.api_functions(load_template()), docs.project_version())
ROUTES = docs.operation_routes(_DOCUMENT)
PROTECTED = sorted(set(ROUTES) - docs.public_operations(_DOCUMENT))

MEMBER_ROLES = (Role.INSTITUTION_ADMIN, Role.INSTRUCTOR, Role.STUDENT)
ROLE_CALLERS = tuple(role.value for role in Role)
OTHER_INSTITUTION, SUSPENDED, ANONYMOUS = "another institution", "suspended", "no token"
CALLERS = (*ROLE_CALLERS, OTHER_INSTITUTION, SUSPENDED, ANONYMOUS)

CONVERSATIONS = "/communication/conversations"
COURSE = {
    "title": "Matrix",
    "category": "testing",
    "level": "beginner",
    "language": "en",
    "learning_objectives": ["Check every cell"],
}

LTI_TOOL = {
    "name": "Matrix lab",
    "jwks_url": "https://tool.example/jwks",
    "oidc_login_url": "https://tool.example/login",
    "redirect_uris": ["https://tool.example/launch"],
    "target_link_uri": "https://tool.example/launch",
}


@dataclass(frozen=True)
class Call:
    """One request: the operation's own method, this path, body and headers."""

    path: str
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def ok(response: Any) -> Any:
    assert 200 <= response.status < 300, response.body
    return response.json()


class World:
    """One institution with people of every role, a published course and a person to manage.

    `fresh` asks for a resource of its own where the call would change a shared one (a call
    expected to succeed); a call expected to be refused reuses the shared ones.
    """

    def __init__(self, stack: Stack, gateway: ApiGateway) -> None:
        self.stack = stack
        self.gateway = gateway
        tenant = Tenant(stack, gateway)
        self.platform = tenant.platform_admin()
        self.institution = ok(self.platform.post("/institutions", institution_body()))["id"]
        tenant.institution_id = self.institution
        self.tenant = tenant
        self.other_tenant = Tenant(stack, gateway)
        self._others: dict[Role, Caller] = {}
        self._suspended_callers: dict[Role, Caller] = {}
        self._conversations: dict[tuple[str, bool], str] = {}

    @cached_property
    def admin(self) -> Caller:
        return self.tenant.admin()

    @cached_property
    def instructor(self) -> Caller:
        return self.tenant.instructor()

    @cached_property
    def student(self) -> Caller:
        return self.tenant.student()

    def caller(self, kind: str, operation: str) -> Caller:
        member_role = next((r for r in MEMBER_ROLES if r in OPERATIONS[operation].allowed), Role.STUDENT)
        if kind == Role.PLATFORM_ADMIN.value:
            return self.platform
        if kind == OTHER_INSTITUTION:
            return self._other(member_role)
        if kind == SUSPENDED:
            return self._suspended(member_role)
        if kind == ANONYMOUS:
            return Caller(InProcess(self.gateway), None, "", "", "")
        return {
            Role.INSTITUTION_ADMIN.value: self.admin,
            Role.INSTRUCTOR.value: self.instructor,
            Role.STUDENT.value: self.student,
        }[kind]

    def _other(self, role: Role) -> Caller:
        if role not in self._others:
            self._others[role] = self.other_tenant.user(role.value)
        return self._others[role]

    def _suspended(self, role: Role) -> Caller:
        if role not in self._suspended_callers:
            api_role = {Role.INSTITUTION_ADMIN: "institution-admin", Role.INSTRUCTOR: "instructor"}
            person = self.tenant.invited(self.admin, api_role.get(role, "student"))
            ok(self.admin.post(f"/users/{person.user_id}/suspend"))
            self._suspended_callers[role] = person
        return self._suspended_callers[role]

    # ------------------------------------------------------------ courses

    def new_course(self, *, sections: int = 0, lessons: int = 0, published: bool = False) -> dict[str, str]:
        """A course the world's instructor teaches: ids of the course, its first section and lesson."""
        made = {"course": ok(self.instructor.post("/courses", COURSE))["id"]}
        for n in range(max(sections, 1 if lessons else 0)):
            section = ok(self.instructor.post(f"/courses/{made['course']}/sections", {"title": f"S{n}"}))
            made.setdefault("section", section["id"])
        for n in range(lessons):
            lesson = ok(
                self.instructor.post(f"/courses/{made['course']}/lessons", lesson_body(made["section"], n))
            )
            made.setdefault("lesson", lesson["id"])
        if published:
            ok(self.instructor.post(f"/courses/{made['course']}/publish"))
        return made

    @cached_property
    def course(self) -> dict[str, str]:
        return self.new_course(lessons=1, published=True)

    def course_to_change(self, fresh: bool, **shape: Any) -> dict[str, str]:
        return self.new_course(**shape) if fresh else self.course

    @cached_property
    def progress(self) -> dict[str, str]:
        """A course of two lessons, the world's student enrolled and one completed, as progress knows it."""
        made = self.new_course(lessons=2, published=True)
        enroll(self.tenant, made["course"], self.student)
        ok(self.student.request("PUT", f"/progress/courses/{made['course']}/lessons/{made['lesson']}"))
        assert EventPump(self.stack).drain(max_rounds=50).settled
        return made

    # ------------------------------------------------------------ discussions

    @cached_property
    def discussions(self) -> str:
        """The progress course's discussions (its student is enrolled), open to students' topics."""
        path = f"/communication/courses/{self.progress['course']}"
        allow = {"students_may_create_topics": True}
        ok(
            self.instructor.request(
                "PUT", f"{path}/discussion-settings", json_body=allow, headers=if_match(0)
            )
        )
        return path

    def new_topic(self, author: Caller | None = None) -> str:
        body = {"title": "Matrix topic", "body": "<p>Checked by the matrix.</p>"}
        topic: str = ok((author or self.instructor).post(f"{self.discussions}/topics", body))["id"]
        return f"{self.discussions}/topics/{topic}"

    @cached_property
    def topic(self) -> str:
        return self.new_topic()

    def new_post(self, author: Caller | None = None) -> str:
        post: str = ok((author or self.instructor).post(f"{self.topic}/posts", {"body": "<p>A post.</p>"}))[
            "id"
        ]
        return f"{self.topic}/posts/{post}"

    @cached_property
    def post(self) -> str:
        return self.new_post()

    # ------------------------------------------------------------ people and institutions

    def new_person(self, *, suspended: bool = False) -> str:
        email = f"{unique('person')}@matrix.example"
        body = {"email": email, "given_name": "Pat", "family_name": "Person", "role": "student"}
        person: str = ok(self.admin.post("/users", body))["id"]
        if suspended:
            ok(self.admin.post(f"/users/{person}/suspend"))
        return person

    @cached_property
    def person(self) -> str:
        return self.new_person()

    def person_to_change(self, fresh: bool, *, suspended: bool = False) -> str:
        return self.new_person(suspended=suspended) if fresh else self.person

    def institution_to_change(self, fresh: bool) -> str:
        if not fresh:
            return str(self.institution)
        created: str = ok(self.platform.post("/institutions", institution_body()))["id"]
        return created

    @cached_property
    def import_job(self) -> str:
        job: str = ok(self.admin.post("/users/imports", {"rows": [_invitation()]}))["id"]
        return job

    def export_of(self, caller: Caller, person: str | None = None) -> str:
        """An export of `person` (the caller themself by default), requested by the caller."""
        subject = person or caller.user_id
        export: str = ok(caller.post(f"/users/{subject}/exports"))["export_id"]
        return export

    @cached_property
    def erased_person(self) -> str:
        person = self.new_person()
        ok(self.admin.delete(f"/users/{person}"))
        return person

    @cached_property
    def person_export(self) -> str:
        return self.export_of(self.admin, self.person)

    # ------------------------------------------------------------ LTI tools

    def new_lti_tool(self) -> str:
        tool: str = ok(self.admin.post("/lti/tools", LTI_TOOL))["id"]
        return tool

    @cached_property
    def lti_tool(self) -> str:
        return self.new_lti_tool()

    def lti_tool_to_change(self, fresh: bool) -> str:
        return self.new_lti_tool() if fresh else self.lti_tool

    @cached_property
    def lti_lesson(self) -> dict[str, str]:
        """A published course with an lti lesson, taught by the world's instructor, its student enrolled."""
        made = self.new_course(sections=1)
        link = {"tool_id": self.lti_tool}
        body = {**lesson_body(made["section"]), "content_type": "lti", "content": None, "lti": link}
        made["lesson"] = ok(self.instructor.post(f"/courses/{made['course']}/lessons", body))["id"]
        ok(self.instructor.post(f"/courses/{made['course']}/publish"))
        enroll(self.tenant, made["course"], self.student)
        return made

    # ------------------------------------------------------------ direct messages

    @cached_property
    def classmate(self) -> Caller:
        """A second student of the progress course, so its student and instructor can form a group."""
        mate = self.tenant.student()
        enroll(self.tenant, self.progress["course"], mate)
        return mate

    def conversation_body(self, caller: Caller, *, group: bool = False) -> dict[str, Any]:
        """A first message the caller may send (the world's student's for callers to be refused)."""
        if caller is self.admin:
            to = [self.person, self.new_person()] if group else [self.person]
        elif caller is self.instructor:
            to = [self.student.user_id, self.classmate.user_id][: 2 if group else 1]
        else:
            to = [self.instructor.user_id, self.classmate.user_id][: 2 if group else 1]
        return {"recipient_ids": to, "course_id": self.progress["course"], "body": "<p>Matrix</p>"}

    def conversation(self, caller: Caller, fresh: bool = False, *, group: bool = False) -> str:
        """A conversation the caller started: a new one when `fresh`, else one kept per caller."""
        starter = caller if caller in (self.admin, self.instructor) else self.student
        key = (starter.user_id, group)
        if fresh or key not in self._conversations:
            made: str = ok(starter.post(CONVERSATIONS, self.conversation_body(starter, group=group)))["id"]
            if fresh:
                return made
            self._conversations[key] = made
        return self._conversations[key]

    def notification(self, caller: Caller) -> str:
        """A notification in the caller's inbox (in the world's student's, for another institution's)."""
        members = (self.admin, self.instructor, self.student)
        recipient = caller if caller in members else self.student
        return deliver(self.institution, [recipient.user_id]).notification_id

    def profile_version(self, caller: Caller) -> str:
        me = caller.get("/users/me")
        return f'"{me.json()["version"]}"' if me.status == 200 else '"0"'


def institution_body() -> dict[str, str]:
    return {"name": "Matrix U", "slug": unique("matrix"), "timezone": "UTC", "default_locale": "en"}


def lesson_body(section_id: str, n: int = 0) -> dict[str, Any]:
    return {
        "section_id": section_id,
        "title": f"Lesson {n}",
        "content_type": "text",
        "content": "Text.",
        "duration_minutes": 5,
    }


def if_match(version: int | str) -> dict[str, str]:
    return {"If-Match": f'"{version}"'}


# An example builds a valid request for its operation: (world, caller, fresh) -> Call.
Example = Callable[[World, Caller, bool], Call]


def _update_section(w: World, c: Caller, fresh: bool) -> Call:
    made = w.course_to_change(fresh, sections=1)
    return Call(f"/courses/{made['course']}/sections/{made['section']}", {"title": "X"}, if_match(1))


def _remove_section(w: World, c: Caller, fresh: bool) -> Call:
    made = w.course_to_change(fresh, sections=1)
    return Call(f"/courses/{made['course']}/sections/{made['section']}")


def _update_lesson(w: World, c: Caller, fresh: bool) -> Call:
    made = w.course_to_change(fresh, lessons=1)
    return Call(f"/courses/{made['course']}/lessons/{made['lesson']}", {"title": "X"}, if_match(1))


def _remove_lesson(w: World, c: Caller, fresh: bool) -> Call:
    made = w.course_to_change(fresh, lessons=1)
    return Call(f"/courses/{made['course']}/lessons/{made['lesson']}")


def _enrolled(w: World, c: Caller, fresh: bool) -> tuple[str, str]:
    """A course and a student on its roster: the caller themself when a student, else one staff enrolled."""
    course = w.new_course(lessons=1, published=True)["course"] if fresh else w.course["course"]
    if c is w.student or not fresh:
        w.student.post(f"/courses/{course}/enrollments", {})  # already enrolled is fine too
        return course, w.student.user_id
    student = unique("student")
    ok(w.admin.post(f"/courses/{course}/enrollments", {"student_id": student}))
    return course, student


def _enroll(w: World, c: Caller, fresh: bool) -> Call:
    course = w.new_course(lessons=1, published=True)["course"] if fresh else w.course["course"]
    return Call(f"/courses/{course}/enrollments", {} if c is w.student else {"student_id": unique("student")})


def _enrollment(w: World, c: Caller, fresh: bool) -> Call:
    course, student = _enrolled(w, c, fresh)
    return Call(f"/courses/{course}/enrollments/{student}")


def _review(w: World, fresh: bool, author: Caller | None = None) -> str:
    """The path of a review: by the world's student of its shared course, or a new one when fresh."""
    writer = author or w.student
    course = w.new_course(lessons=1, published=True)["course"] if fresh else w.course["course"]
    writer.post(f"/courses/{course}/enrollments", {})  # already enrolled is fine too
    writer.post(f"/courses/{course}/reviews", {"rating": 4})  # already reviewed is fine too
    return f"/courses/{course}/reviews/{writer.user_id}"


def _hidden_review(w: World, fresh: bool) -> str:
    path = _review(w, fresh)
    w.instructor.post(f"{path}/hide", {"reason": "Off topic"})  # already hidden is fine too
    return path


def _paid_course(w: World) -> str:
    course: str = ok(w.instructor.post("/courses", {**COURSE, "price": {"amount": "10", "currency": "EUR"}}))[
        "id"
    ]
    return course


def _new_review_path(w: World) -> str:
    """A published course the world's student is enrolled in and has not reviewed."""
    course = w.new_course(lessons=1, published=True)["course"]
    ok(w.student.post(f"/courses/{course}/enrollments", {}))
    return f"/courses/{course}/reviews"


def _report(w: World, c: Caller, fresh: bool) -> Call:
    """A classmate's review: its author may not report it, a student enrolled beside them may."""
    path = _review(w, fresh, w.tenant.student() if fresh else None)
    w.student.post(f"{path.split('/reviews/')[0]}/enrollments", {})
    return Call(f"{path}/reports", {"reason": "Off topic"})


def _invitation(role: str = "student") -> dict[str, str]:
    return {"email": f"{unique('new')}@matrix.example", "given_name": "N", "family_name": "New", "role": role}


QUIZZES = "/assessments/quizzes"


def _quiz_body(w: World) -> dict[str, Any]:
    return {
        "course_id": w.course["course"],
        "title": "Matrix quiz",
        "max_attempts": 100,
        "questions": [
            {
                "id": "q1",
                "type": "true_false",
                "prompt": "Is every cell checked?",
                "points": "1",
                "key": {"correct": True},
            }
        ],
    }


def _new_quiz(w: World, *, published: bool = True) -> str:
    """A quiz of the world's course (its student enrolled), published unless asked."""
    w.student.post(f"/courses/{w.course['course']}/enrollments", {})  # already enrolled is fine too
    made: str = ok(w.instructor.post(QUIZZES, _quiz_body(w)))["id"]
    if published:
        ok(w.instructor.post(f"{QUIZZES}/{made}/publish"))
    return made


def _quiz(w: World, fresh: bool = False, *, published: bool = True) -> str:
    if fresh or not published:
        return _new_quiz(w, published=published)
    if "_quiz" not in w.__dict__:
        w.__dict__["_quiz"] = _new_quiz(w)
    shared: str = w.__dict__["_quiz"]
    return shared


def _quiz_attempt(w: World, fresh: bool = False, *, submitted: bool = False) -> str:
    """The path of an attempt of the world's student at the shared quiz (a new one when fresh)."""
    name = "_quiz_attempt_submitted" if submitted else "_quiz_attempt"
    if not fresh and name in w.__dict__:
        found: str = w.__dict__[name]
        return found
    quiz = _quiz(w)
    attempt = ok(w.student.post(f"{QUIZZES}/{quiz}/attempts"))["id"]
    path = f"{QUIZZES}/{quiz}/attempts/{attempt}"
    if submitted:
        ok(w.student.post(f"{path}/submit"))
    if not fresh:
        w.__dict__[name] = path
    return path


def _gradebook(course_id: str) -> str:
    """A course's gradebook; the progress course's gradebook has a row for the world's student
    (the pump that built its progress delivered the enrollment to the gradebook too)."""
    return f"/assessments/gradebook/courses/{course_id}"


GRADEBOOK_SETTINGS = {
    "categories": [{"name": "quizzes", "weight": "100"}],
    "letters": [{"letter": "P", "min_percent": "50"}, {"letter": "F", "min_percent": "0"}],
}


ASSIGNMENTS = "/assessments/assignments"


def _assignment_body(w: World) -> dict[str, Any]:
    return {
        "course_id": w.course["course"],
        "title": "Matrix essay",
        "due_at": "2099-01-01T00:00:00Z",
        "points": "10",
        "submission_types": ["text", "file"],
        "file_content_types": ["application/pdf"],
    }


def _new_assignment(w: World, *, published: bool = True) -> str:
    """An assignment of the world's course (its student enrolled), published unless asked."""
    w.student.post(f"/courses/{w.course['course']}/enrollments", {})  # already enrolled is fine too
    made: str = ok(w.instructor.post(ASSIGNMENTS, _assignment_body(w)))["id"]
    if published:
        ok(w.instructor.post(f"{ASSIGNMENTS}/{made}/publish"))
    return made


def _assignment(w: World, fresh: bool = False, *, published: bool = True) -> str:
    if fresh:
        return _new_assignment(w, published=published)
    if "_assignment" not in w.__dict__:
        w.__dict__["_assignment"] = _new_assignment(w)
    shared: str = w.__dict__["_assignment"]
    return shared


def _submission(w: World, fresh: bool = False, *, graded: bool = False) -> tuple[str, str]:
    """The world's student's submission to the shared assignment (a new one when fresh)."""
    if not fresh and "_submission" in w.__dict__:
        found: tuple[str, str] = w.__dict__["_submission"]
        return found
    assignment = _assignment(w)
    made = ok(w.student.post(f"{ASSIGNMENTS}/{assignment}/submissions", {"text": "Matrix."}))
    if graded:
        path = f"{ASSIGNMENTS}/{assignment}/submissions/{made['id']}/grade"
        ok(w.instructor.request("PUT", path, json_body={"score": "5"}, headers=if_match(made["revision"])))
    if not fresh:
        w.__dict__["_submission"] = (assignment, made["id"])
    return assignment, made["id"]


def _extension(w: World, fresh: bool) -> str:
    assignment = _assignment(w, fresh)
    path = f"{ASSIGNMENTS}/{assignment}/extensions/{w.student.user_id}"
    if fresh:
        ok(w.instructor.request("PUT", path, json_body={"due_at": "2099-02-01T00:00:00Z"}))
    return path


def _submission_path(w: World, fresh: bool, suffix: str = "", *, graded: bool = False) -> str:
    assignment, submission = _submission(w, fresh, graded=graded)
    return f"{ASSIGNMENTS}/{assignment}/submissions/{submission}{suffix}"


def _course_board(w: World) -> str:
    """The announcements of the world's course, its student enrolled."""
    w.student.post(f"/courses/{w.course['course']}/enrollments", {})  # already enrolled is fine too
    return f"/communication/courses/{w.course['course']}/announcements"


def _course_reads(w: World) -> str:
    _course_board(w)
    return f"/communication/courses/{w.course['course']}/announcement-reads"


def _course_announcement(w: World, fresh: bool = False) -> str:
    """The path of a published announcement of the world's course (a new one when fresh)."""
    if not fresh and "_course_announcement" in w.__dict__:
        found: str = w.__dict__["_course_announcement"]
        return found
    made = ok(w.instructor.post(_course_board(w), {"title": "Matrix", "body": "<p>Every cell.</p>"}))
    path = f"{_course_board(w)}/{made['id']}"
    if not fresh:
        w.__dict__["_course_announcement"] = path
    return path


def _institution_announcement(w: World, fresh: bool = False) -> str:
    """The path of an institution-wide announcement to everyone (a new one when fresh)."""
    if not fresh and "_institution_announcement" in w.__dict__:
        found: str = w.__dict__["_institution_announcement"]
        return found
    made = ok(w.admin.post("/communication/announcements", {"title": "Matrix", "body": "<p>All.</p>"}))
    path = f"/communication/announcements/{made['id']}"
    if not fresh:
        w.__dict__["_institution_announcement"] = path
    return path


def _settings_version(w: World) -> dict[str, str]:
    return {"If-Match": w.instructor.get(f"{w.discussions}/discussion-settings").header("ETag") or '"0"'}


EXAMPLES: dict[str, Example] = {
    # ---------------------------------------------------------------- LTI tools
    "RegisterLtiTool": lambda w, c, fresh: Call("/lti/tools", LTI_TOOL),
    "ListLtiTools": lambda w, c, fresh: Call("/lti/tools"),
    "GetLtiTool": lambda w, c, fresh: Call(f"/lti/tools/{w.lti_tool}"),
    "UpdateLtiTool": lambda w, c, fresh: Call(
        f"/lti/tools/{w.lti_tool_to_change(fresh)}", {"name": "Renamed lab"}, if_match(1)
    ),
    "StartLtiLaunch": lambda w, c, fresh: Call(
        "/lti/launches", {"course_id": w.lti_lesson["course"], "lesson_id": w.lti_lesson["lesson"]}
    ),
    "StartLtiDeepLink": lambda w, c, fresh: Call(
        "/lti/deep-links",
        {"course_id": w.lti_lesson["course"], "section_id": w.lti_lesson["section"], "tool_id": w.lti_tool},
    ),
    # ---------------------------------------------------------------- courses
    "ListCourses": lambda w, c, fresh: Call("/courses"),
    "CreateCourse": lambda w, c, fresh: Call("/courses", COURSE),
    "GetCourse": lambda w, c, fresh: Call(f"/courses/{w.course['course']}"),
    "GetCourseStandards": lambda w, c, fresh: Call(f"/courses/{w.course['course']}/standards"),
    "UpdateCourse": lambda w, c, fresh: Call(
        f"/courses/{w.course_to_change(fresh)['course']}", {"title": "Renamed"}, if_match(1)
    ),
    "PublishCourse": lambda w, c, fresh: Call(
        f"/courses/{w.course_to_change(fresh, lessons=1)['course']}/publish"
    ),
    "ArchiveCourse": lambda w, c, fresh: Call(f"/courses/{w.course_to_change(fresh)['course']}/archive"),
    "AddSection": lambda w, c, fresh: Call(f"/courses/{w.course['course']}/sections", {"title": "More"}),
    "UpdateSection": _update_section,
    "RemoveSection": _remove_section,
    "AddLesson": lambda w, c, fresh: Call(
        f"/courses/{w.course['course']}/lessons", lesson_body(w.course["section"])
    ),
    "GetLesson": lambda w, c, fresh: Call(f"/courses/{w.course['course']}/lessons/{w.course['lesson']}"),
    "UpdateLesson": _update_lesson,
    "RemoveLesson": _remove_lesson,
    "EnrollStudent": _enroll,
    "ListEnrollments": lambda w, c, fresh: Call(f"/courses/{w.course['course']}/enrollments"),
    "GetEnrollment": _enrollment,
    "DropEnrollment": _enrollment,
    "ListMyEnrollments": lambda w, c, fresh: Call("/enrollments"),
    "GrantEntitlement": lambda w, c, fresh: Call(
        f"/courses/{_paid_course(w)}/entitlements", {"student_id": unique("student")}
    ),
    "ListReviews": lambda w, c, fresh: Call(f"/courses/{w.course['course']}/reviews"),
    "PostReview": lambda w, c, fresh: Call(
        _new_review_path(w) if fresh else f"/courses/{w.course['course']}/reviews", {"rating": 5}
    ),
    "GetReview": lambda w, c, fresh: Call(_review(w, False)),
    "EditReview": lambda w, c, fresh: Call(_review(w, fresh), {"rating": 3}, if_match(1)),
    "DeleteReview": lambda w, c, fresh: Call(_review(w, fresh)),
    "ReplyToReview": lambda w, c, fresh: Call(f"{_review(w, fresh)}/reply", {"text": "Thanks"}),
    "ReportReview": _report,
    "HideReview": lambda w, c, fresh: Call(f"{_review(w, fresh)}/hide", {"reason": "Off topic"}),
    "RestoreReview": lambda w, c, fresh: Call(f"{_hidden_review(w, fresh)}/restore"),
    # ---------------------------------------------------------------- institutions
    "CreateInstitution": lambda w, c, fresh: Call("/institutions", institution_body()),
    "ListInstitutions": lambda w, c, fresh: Call("/institutions"),
    "GetInstitution": lambda w, c, fresh: Call(f"/institutions/{w.institution}"),
    "UpdateInstitution": lambda w, c, fresh: Call(
        f"/institutions/{w.institution_to_change(fresh)}", {"name": "Renamed"}, if_match(1)
    ),
    "AddInstitutionAdmin": lambda w, c, fresh: Call(
        f"/institutions/{w.institution}/admins",
        {"email": f"{unique('admin')}@matrix.example", "given_name": "A", "family_name": "Admin"},
    ),
    "ListAuditEvents": lambda w, c, fresh: Call(f"/institutions/{w.institution}/audit-events"),
    # ---------------------------------------------------------------- people
    "InviteUser": lambda w, c, fresh: Call("/users", _invitation()),
    "ListUsers": lambda w, c, fresh: Call("/users"),
    "GetUser": lambda w, c, fresh: Call(f"/users/{w.person}"),
    "ChangeUserRole": lambda w, c, fresh: Call(
        f"/users/{w.person_to_change(fresh)}/role", {"role": "instructor"}, if_match(1)
    ),
    "SuspendUser": lambda w, c, fresh: Call(f"/users/{w.person_to_change(fresh)}/suspend"),
    "ReactivateUser": lambda w, c, fresh: Call(
        f"/users/{w.person_to_change(fresh, suspended=True)}/reactivate"
    ),
    "ImportRoster": lambda w, c, fresh: Call("/users/imports", {"rows": [_invitation()]}),
    "GetImportJob": lambda w, c, fresh: Call(f"/users/imports/{w.import_job}"),
    # ---------------------------------------------------------------- privacy
    "RequestUserExport": lambda w, c, fresh: Call(f"/users/{c.user_id if fresh else w.person}/exports"),
    "GetUserExport": lambda w, c, fresh: Call(
        f"/users/{c.user_id}/exports/{w.export_of(c)}"
        if fresh
        else f"/users/{w.person}/exports/{w.person_export}"
    ),
    "ListUserExports": lambda w, c, fresh: Call(f"/users/{c.user_id if fresh else w.person}/exports"),
    "GetUserErasure": lambda w, c, fresh: Call(
        f"/users/{w.erased_person}/erasure?institution_id={w.institution}"
    ),
    "EraseUser": lambda w, c, fresh: Call(
        f"/users/{w.person_to_change(fresh)}?institution_id={w.institution}"
    ),
    # ---------------------------------------------------------------- quizzes
    "CreateQuiz": lambda w, c, fresh: Call(QUIZZES, _quiz_body(w)),
    "ListQuizzes": lambda w, c, fresh: Call(f"{QUIZZES}?course_id={w.course['course']}"),
    "GetQuiz": lambda w, c, fresh: Call(f"{QUIZZES}/{_quiz(w)}"),
    "UpdateQuiz": lambda w, c, fresh: Call(
        f"{QUIZZES}/{_quiz(w, fresh, published=False)}", {"title": "Renamed"}, if_match(1)
    ),
    "PublishQuiz": lambda w, c, fresh: Call(f"{QUIZZES}/{_quiz(w, fresh, published=False)}/publish"),
    "StartQuizAttempt": lambda w, c, fresh: Call(f"{QUIZZES}/{_quiz(w)}/attempts"),
    "ListQuizAttempts": lambda w, c, fresh: Call(f"{QUIZZES}/{_quiz(w)}/attempts"),
    "GetQuizAttempt": lambda w, c, fresh: Call(_quiz_attempt(w, submitted=True)),
    "SaveQuizAnswers": lambda w, c, fresh: Call(f"{_quiz_attempt(w)}/answers", {"answers": {"q1": True}}),
    "SubmitQuizAttempt": lambda w, c, fresh: Call(f"{_quiz_attempt(w, fresh)}/submit"),
    "GetQuizStatistics": lambda w, c, fresh: Call(f"{QUIZZES}/{_quiz(w)}/statistics"),
    "RegradeQuiz": lambda w, c, fresh: Call(f"{QUIZZES}/{_quiz(w)}/regrade"),
    # ---------------------------------------------------------------- direct messages
    "StartConversation": lambda w, c, fresh: Call(CONVERSATIONS, w.conversation_body(c)),
    "ListConversations": lambda w, c, fresh: Call(CONVERSATIONS),
    "CountUnreadConversations": lambda w, c, fresh: Call(f"{CONVERSATIONS}/unread-count"),
    "GetConversation": lambda w, c, fresh: Call(f"{CONVERSATIONS}/{w.conversation(c)}"),
    "UpdateConversation": lambda w, c, fresh: Call(f"{CONVERSATIONS}/{w.conversation(c)}", {"starred": True}),
    "DeleteConversation": lambda w, c, fresh: Call(f"{CONVERSATIONS}/{w.conversation(c, fresh)}"),
    "LeaveConversation": lambda w, c, fresh: Call(
        f"{CONVERSATIONS}/{w.conversation(c, fresh, group=True)}/leave"
    ),
    "ListMessages": lambda w, c, fresh: Call(f"{CONVERSATIONS}/{w.conversation(c)}/messages"),
    "SendMessage": lambda w, c, fresh: Call(
        f"{CONVERSATIONS}/{w.conversation(c)}/messages", {"body": "<p>Hi</p>"}
    ),
    "ListCoursePeople": lambda w, c, fresh: Call(f"/communication/courses/{w.progress['course']}/people"),
    # ---------------------------------------------------------------- progress
    "CompleteLesson": lambda w, c, fresh: Call(
        f"/progress/courses/{w.progress['course']}/lessons/{w.progress['lesson']}"
    ),
    "UndoLessonCompletion": lambda w, c, fresh: Call(
        f"/progress/courses/{w.progress['course']}/lessons/{w.progress['lesson']}"
    ),
    "GetMyProgress": lambda w, c, fresh: Call(f"/progress/courses/{w.progress['course']}"),
    "ListCourseProgress": lambda w, c, fresh: Call(f"/progress/courses/{w.progress['course']}/students"),
    "GetStudentProgress": lambda w, c, fresh: Call(
        f"/progress/courses/{w.progress['course']}/students/{w.student.user_id}"
    ),
    "ListMyAchievements": lambda w, c, fresh: Call("/progress/achievements"),
    # ---------------------------------------------------------------- gradebook
    "GetGradebookSettings": lambda w, c, fresh: Call(f"{_gradebook(w.course['course'])}/settings"),
    "UpdateGradebookSettings": lambda w, c, fresh: Call(
        f"{_gradebook(w.course_to_change(fresh)['course'])}/settings", GRADEBOOK_SETTINGS
    ),
    "GetMyGrades": lambda w, c, fresh: Call(f"{_gradebook(w.progress['course'])}/me"),
    "ListCourseGrades": lambda w, c, fresh: Call(f"{_gradebook(w.course['course'])}/students"),
    "GetStudentGrades": lambda w, c, fresh: Call(
        f"{_gradebook(w.progress['course'])}/students/{w.student.user_id}"
    ),
    "ExportGradebook": lambda w, c, fresh: Call(f"{_gradebook(w.course['course'])}/export"),
    # ---------------------------------------------------------------- assignments
    "CreateAssignment": lambda w, c, fresh: Call(ASSIGNMENTS, _assignment_body(w)),
    "ListAssignments": lambda w, c, fresh: Call(f"{ASSIGNMENTS}?course_id={w.course['course']}"),
    "GetAssignment": lambda w, c, fresh: Call(f"{ASSIGNMENTS}/{_assignment(w)}"),
    "UpdateAssignment": lambda w, c, fresh: Call(
        f"{ASSIGNMENTS}/{_assignment(w, fresh, published=False)}", {"title": "Renamed"}, if_match(1)
    ),
    "PublishAssignment": lambda w, c, fresh: Call(
        f"{ASSIGNMENTS}/{_assignment(w, fresh, published=False)}/publish"
    ),
    "GrantExtension": lambda w, c, fresh: Call(
        f"{ASSIGNMENTS}/{_assignment(w)}/extensions/{w.student.user_id}", {"due_at": "2099-02-01T00:00:00Z"}
    ),
    "RevokeExtension": lambda w, c, fresh: Call(_extension(w, fresh)),
    "CreateSubmissionUpload": lambda w, c, fresh: Call(
        f"{ASSIGNMENTS}/{_assignment(w)}/uploads",
        {"file_name": "essay.pdf", "content_type": "application/pdf", "size": 100},
    ),
    "SubmitAssignment": lambda w, c, fresh: Call(
        f"{ASSIGNMENTS}/{_assignment(w)}/submissions", {"text": "Mine."}
    ),
    "ListSubmissions": lambda w, c, fresh: Call(f"{ASSIGNMENTS}/{_assignment(w)}/submissions"),
    "GetSubmission": lambda w, c, fresh: Call(_submission_path(w, False)),
    "GradeSubmission": lambda w, c, fresh: Call(
        _submission_path(w, fresh, "/grade"), {"score": "7"}, if_match(1)
    ),
    "ReleaseGrade": lambda w, c, fresh: Call(_submission_path(w, fresh, "/release", graded=True)),
    "ReleaseAssignmentGrades": lambda w, c, fresh: Call(f"{ASSIGNMENTS}/{_assignment(w)}/release"),
    # ---------------------------------------------------------------- discussions
    "GetDiscussionSettings": lambda w, c, fresh: Call(f"{w.discussions}/discussion-settings"),
    "UpdateDiscussionSettings": lambda w, c, fresh: Call(
        f"{w.discussions}/discussion-settings",
        {"students_may_create_topics": True},
        _settings_version(w) if fresh else if_match(0),
    ),
    "CreateTopic": lambda w, c, fresh: Call(
        f"{w.discussions}/topics", {"title": "Asked by the matrix", "body": "<p>Why?</p>"}
    ),
    "ListTopics": lambda w, c, fresh: Call(f"{w.discussions}/topics"),
    "GetTopic": lambda w, c, fresh: Call(w.topic),
    "UpdateTopic": lambda w, c, fresh: Call(
        w.new_topic(c) if fresh else w.topic, {"title": "Renamed"}, if_match(1)
    ),
    "MarkTopicRead": lambda w, c, fresh: Call(f"{w.topic}/read"),
    "SetTopicSubscription": lambda w, c, fresh: Call(f"{w.topic}/subscription", {"subscribed": True}),
    "ListPosts": lambda w, c, fresh: Call(f"{w.topic}/posts"),
    "CreatePost": lambda w, c, fresh: Call(f"{w.topic}/posts", {"body": "<p>A reply.</p>"}),
    "UpdatePost": lambda w, c, fresh: Call(
        w.new_post(c) if fresh else w.post, {"body": "<p>Edited.</p>"}, if_match(1)
    ),
    "DeletePost": lambda w, c, fresh: Call(w.new_post(c) if fresh else w.post),
    "ReactToPost": lambda w, c, fresh: Call(f"{w.post}/reaction", {"liked": True}),
    "ReportPost": lambda w, c, fresh: Call(
        f"{w.new_post() if fresh else w.post}/reports", {"reason": "spam"}
    ),
    "SetPostVisibility": lambda w, c, fresh: Call(f"{w.post}/visibility", {"hidden": False}),
    "ListReportedPosts": lambda w, c, fresh: Call(f"{w.discussions}/reported-posts"),
    "GetMyProfile": lambda w, c, fresh: Call("/users/me"),
    "UpdateMyProfile": lambda w, c, fresh: Call(
        "/users/me", {"bio": "Checked by the matrix."}, {"If-Match": w.profile_version(c)}
    ),
    # ---------------------------------------------------------------- analytics
    "GetCourseOverview": lambda w, c, fresh: Call(f"/analytics/courses/{w.progress['course']}"),
    "GetLessonFunnel": lambda w, c, fresh: Call(f"/analytics/courses/{w.progress['course']}/funnel"),
    "GetAssessmentStatistics": lambda w, c, fresh: Call(
        f"/analytics/courses/{w.progress['course']}/assessments"
    ),
    "ListCourseLearners": lambda w, c, fresh: Call(f"/analytics/courses/{w.progress['course']}/students"),
    "GetLearnerAnalytics": lambda w, c, fresh: Call(
        f"/analytics/courses/{w.progress['course']}/students/{w.student.user_id}"
    ),
    "GetMyCourseAnalytics": lambda w, c, fresh: Call(f"/analytics/courses/{w.progress['course']}/me"),
    "RecordLessonOpened": lambda w, c, fresh: Call(
        f"/analytics/courses/{w.progress['course']}/lessons/{w.progress['lesson']}/opened"
    ),
    "GetInstitutionOverview": lambda w, c, fresh: Call("/analytics/institution"),
    "GetAtRiskRules": lambda w, c, fresh: Call("/analytics/at-risk-rules"),
    "UpdateAtRiskRules": lambda w, c, fresh: Call(
        "/analytics/at-risk-rules",
        {
            "inactive_days": 7,
            "missed_deadlines": 2,
            "passing_grade_percent": "60",
            "behind_schedule_points": 30,
        },
    ),
    # ---------------------------------------------------------------- announcements
    "CreateCourseAnnouncement": lambda w, c, fresh: Call(
        _course_board(w), {"title": "T", "body": "<p>B</p>"}
    ),
    "ListCourseAnnouncements": lambda w, c, fresh: Call(_course_board(w)),
    "GetCourseAnnouncement": lambda w, c, fresh: Call(_course_announcement(w)),
    "UpdateCourseAnnouncement": lambda w, c, fresh: Call(
        _course_announcement(w, fresh), {"title": "Renamed"}, if_match(1)
    ),
    "DeleteCourseAnnouncement": lambda w, c, fresh: Call(_course_announcement(w, fresh)),
    "GetCourseAnnouncementReads": lambda w, c, fresh: Call(_course_reads(w)),
    "MarkCourseAnnouncementsRead": lambda w, c, fresh: Call(_course_reads(w)),
    "CreateInstitutionAnnouncement": lambda w, c, fresh: Call(
        "/communication/announcements", {"title": "T", "body": "<p>B</p>"}
    ),
    "ListInstitutionAnnouncements": lambda w, c, fresh: Call("/communication/announcements"),
    "GetInstitutionAnnouncement": lambda w, c, fresh: Call(_institution_announcement(w)),
    "UpdateInstitutionAnnouncement": lambda w, c, fresh: Call(
        _institution_announcement(w, fresh), {"title": "Renamed"}, if_match(1)
    ),
    "DeleteInstitutionAnnouncement": lambda w, c, fresh: Call(_institution_announcement(w, fresh)),
    "GetInstitutionAnnouncementReads": lambda w, c, fresh: Call("/communication/announcement-reads"),
    "MarkInstitutionAnnouncementsRead": lambda w, c, fresh: Call("/communication/announcement-reads"),
    # ---------------------------------------------------------------- notifications
    "ListNotifications": lambda w, c, fresh: Call("/notifications?unread=true"),
    "CountUnreadNotifications": lambda w, c, fresh: Call("/notifications/unread-count"),
    "MarkAllNotificationsRead": lambda w, c, fresh: Call("/notifications/read-all"),
    "MarkNotificationRead": lambda w, c, fresh: Call(f"/notifications/{w.notification(c)}/read"),
    "DeleteNotification": lambda w, c, fresh: Call(f"/notifications/{w.notification(c)}"),
    "GetNotificationPreferences": lambda w, c, fresh: Call("/users/me/notification-preferences"),
    "UpdateNotificationPreferences": lambda w, c, fresh: Call(
        "/users/me/notification-preferences", {"categories": {"grades": {"email": "daily"}}}
    ),
    "GetNotificationDefaults": lambda w, c, fresh: Call(
        f"/institutions/{w.institution}/notification-defaults"
    ),
    "UpdateNotificationDefaults": lambda w, c, fresh: Call(
        f"/institutions/{w.institution}/notification-defaults", {"categories": {"progress": {"email": "off"}}}
    ),
}


NAMES_A_RESOURCE_IN_ITS_BODY = frozenset(
    {
        "CreateAssignment",
        "CreateQuiz",
        "ListQuizzes",
        "StartConversation",
        "StartLtiLaunch",
        "StartLtiDeepLink",
    }
)
"""Collection operations whose body (or query) names a resource of the institution (a course):
another institution's caller names one that is not theirs, which is not found (404)."""


def expected(operation: str, kind: str) -> str:
    """`2xx`, `401`, `403` or `404`: what the declarations say this caller gets."""
    if kind == ANONYMOUS:
        return "401"
    if kind == SUSPENDED:
        return "403"
    allowed = OPERATIONS[operation].allowed
    if kind == OTHER_INSTITUTION:
        if not allowed & set(MEMBER_ROLES):
            return "403"
        addresses_a_resource = "{" in ROUTES[operation][1] or operation in NAMES_A_RESOURCE_IN_ITS_BODY
        return "404" if addresses_a_resource else "2xx"
    return "2xx" if Role(kind) in allowed else "403"


def outcome(status: int) -> str:
    return "2xx" if 200 <= status < 300 else str(status)


@pytest.fixture(scope="module")
def world(stack: Stack, gateway: ApiGateway) -> World:
    return World(stack, gateway)


def test_every_operation_is_declared_and_has_an_example() -> None:
    undeclared = sorted(set(PROTECTED) - set(OPERATIONS))
    assert not undeclared, f"operations without an lms.authz.operation declaration: {undeclared}"
    missing = sorted(set(PROTECTED) - set(EXAMPLES))
    assert not missing, f"add a request for each of these to EXAMPLES in {__name__}: {missing}"
    stale = sorted(set(EXAMPLES) - set(PROTECTED))
    assert not stale, f"EXAMPLES names operations the API no longer has: {stale}"


@pytest.mark.parametrize("kind", CALLERS)
@pytest.mark.parametrize("operation", PROTECTED)
def test_the_answer_is_what_the_declaration_says(world: World, operation: str, kind: str) -> None:
    if operation not in EXAMPLES:
        pytest.fail(f"{operation} has no example request: add one to EXAMPLES")
    want = expected(operation, kind)
    caller = world.caller(kind, operation)
    call = EXAMPLES[operation](world, caller, want == "2xx")
    method = ROUTES[operation][0]
    headers = {"X-Institution-Id": world.other_tenant.institution_id, **call.headers}
    response = caller.request(method, call.path, json_body=call.body, headers=headers)
    assert outcome(response.status) == want, f"{kind} {method} {call.path}: {response.status} {response.body}"
    if want != "2xx" and response.status != 401:
        assert response.header("Content-Type") == "application/problem+json"
    if kind == SUSPENDED:
        assert response.json()["type"] == "urn:lms:problem:account-suspended"


def test_a_suspended_account_cannot_sign_in_again(world: World) -> None:
    suspended = world.caller(SUSPENDED, "ListCourses")
    client = boto3.client("cognito-idp", region_name=world.stack.region)
    with pytest.raises(client.exceptions.NotAuthorizedException):
        client.admin_initiate_auth(
            UserPoolId=world.stack.user_pool_id,
            ClientId=world.stack.user_pool_client_id,
            AuthFlow="ADMIN_USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": suspended.user_id, "PASSWORD": PASSWORD},
        )
