"""In-memory fakes of the services' ports: the domain rules run against them without moto.

Each fake applies a change as the table does (all or nothing, only when the change's conditions
hold), so a unit test exercises the real service and its rules.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from lms.assessments.assignments.domain import (
    Assignment,
    Extension,
    StudentRecord,
    Submission,
    Upload,
)
from lms.assessments.assignments.errors import NotCourseStaff
from lms.assessments.assignments.repository import Loaded, Release
from lms.assessments.course_access import CourseAccess
from lms.assessments.gradebook.domain import DEFAULT_SETTINGS, GradebookRow, GradebookSettings
from lms.assessments.gradebook.repository import GradebookParts, SettingsVersionChanged, StaffCheckFailed
from lms.assessments.quizzes.domain import Attempt, Quiz, QuizKeys, StudentScore
from lms.assessments.quizzes.errors import QuizChangedMeanwhile
from lms.assessments.quizzes.service import Loaded as QuizLoaded
from lms.assessments.quizzes.service import Partition
from lms.auth import Principal, Role
from lms.communication.announcements.domain import Announcement, AnnouncementStatus, Audience
from lms.communication.announcements.errors import AnnouncementChangedMeanwhile
from lms.communication.announcements.repository import DueAnnouncement, Idempotent, Reading
from lms.courses.domain import Course
from lms.courses.enrollment import capacity as capacity_edits
from lms.courses.enrollment.domain import (
    Enrollment,
    EnrollmentStatus,
    Placement,
    Roster,
    RosterAction,
    RosterPlan,
    WaitlistEntry,
)
from lms.courses.enrollment.errors import AlreadyEnrolled
from lms.courses.enrollment.service import (
    DropChange,
    EnrollmentChange,
    Listed,
    RosterChanged,
    RosterQuery,
    Standing,
)
from lms.courses.enrollment.service import EnrollmentStatus as Status
from lms.errors import Conflict, PreconditionFailed
from lms.events import DomainEvent
from lms.idempotency import IdempotentRequest, StoredResponse
from lms.privacy.domain import Erasure, ErasureStatus, ExportJob
from lms.privacy.repository import ErasureRequest, ExportRequest
from lms.users.domain import UserProfile


@dataclass
class InMemoryRoster:
    """One course's roster items, changed all-or-nothing under the same conditions as the table's."""

    course: Course
    roster: Roster | None
    enrollments: dict[str, Enrollment] = field(default_factory=dict)
    waitlist: dict[str, WaitlistEntry] = field(default_factory=dict)  # by ticket

    def get_course(self, institution_id: str, course_id: str) -> Course | None:
        return self.course

    def get_roster(self, institution_id: str, course_id: str) -> Roster | None:
        return self.roster

    def waitlist_head(self, institution_id: str, course_id: str, count: int) -> list[WaitlistEntry]:
        return [self.waitlist[t] for t in sorted(self.waitlist)][:count]

    def waitlist_position(self, institution_id: str, course_id: str, ticket: str) -> int:
        return sorted(self.waitlist).index(ticket) + 1

    def get_standing(
        self, institution_id: str, course_id: str, student_id: str, answer_to: tuple[str, str] | None = None
    ) -> Standing:
        return Standing(self.course, self.enrollments.get(student_id), self.roster)

    def list_roster(
        self, course: Course, institution_id: str, query: RosterQuery
    ) -> tuple[list[Listed], str | None]:
        raise NotImplementedError

    def list_for_student(
        self, institution_id: str, student_id: str, status: Status | None, limit: int, cursor: str | None
    ) -> tuple[list[Enrollment], str | None]:
        raise NotImplementedError

    def enroll(self, change: EnrollmentChange) -> None:
        new = change.enrollment
        current = self.enrollments.get(new.student_id)
        if current is not None and current.status != EnrollmentStatus.DROPPED:
            raise AlreadyEnrolled("already")
        roster = self.roster
        if change.capped:
            assert roster is not None
            full = roster.enrolled >= roster.capacity
            if full != (change.placement == Placement.WAITLIST):
                raise RosterChanged
        self.enrollments[new.student_id] = new
        if change.placement == Placement.WAITLIST:
            assert new.waitlist_ticket is not None
            self.waitlist[new.waitlist_ticket] = WaitlistEntry(
                new.waitlist_ticket, new.student_id, new.enrolled_by, new.requested_at
            )
        if roster is not None:
            seat = change.placement == Placement.SEAT
            self.roster = Roster(roster.capacity, roster.enrolled + seat, roster.waitlisted + (not seat))

    def _promote(self, entries: list[WaitlistEntry] | tuple[WaitlistEntry, ...]) -> None:
        for entry in entries:
            current = self.enrollments[entry.student_id]
            assert entry.ticket in self.waitlist
            assert current.status == EnrollmentStatus.WAITLISTED
            del self.waitlist[entry.ticket]
            self.enrollments[entry.student_id] = current.model_copy(
                update={"status": EnrollmentStatus.ENROLLED, "waitlist_ticket": None, "via_waitlist": True}
            )

    def drop(self, change: DropChange) -> None:
        before, roster = change.before, self.roster
        if self.enrollments[before.student_id].status != before.status or roster != change.roster:
            raise RosterChanged
        if before.waitlist_ticket is not None:
            del self.waitlist[before.waitlist_ticket]
        self.enrollments[before.student_id] = change.after
        self._promote(change.promote)
        if roster is not None:
            was_enrolled = before.status == EnrollmentStatus.ENROLLED
            seated = len(change.promote)
            self.roster = Roster(
                roster.capacity,
                roster.enrolled - was_enrolled + seated,
                roster.waitlisted - (not was_enrolled) - seated,
            )

    def edit_capacity(self, capacity: int) -> None:
        after = self.course.model_copy(update={"capacity": capacity})
        plan = capacity_edits.plan_capacity_change(self, self.course, after)
        self.course = after
        if plan is not None:
            self.apply(plan)

    def apply(self, plan: RosterPlan) -> None:
        assert plan.action == RosterAction.SET_CAPACITY
        assert self.roster is not None
        assert plan.capacity is not None
        self._promote(plan.promote)
        seated = len(plan.promote)
        self.roster = Roster(plan.capacity, self.roster.enrolled + seated, self.roster.waitlisted - seated)


@dataclass
class InMemoryPrivacy:
    """The privacy ports: erasure records with their finished steps, and the user pool's accounts."""

    erasures: dict[tuple[str, str], Erasure] = field(default_factory=dict)
    accounts: set[str] = field(default_factory=set)
    deleted_accounts: list[str] = field(default_factory=list)

    def get_erasure(self, institution_id: str, user_id: str) -> Erasure | None:
        return self.erasures.get((institution_id, user_id))

    def step_done(self, erasure: Erasure, step: str) -> None:
        stored = self.erasures[(erasure.institution_id, erasure.user_id)]
        self.erasures[(erasure.institution_id, erasure.user_id)] = stored.model_copy(
            update={"done": [*stored.done, step]}
        )

    def erasure_complete(self, erasure: Erasure, at: datetime) -> None:
        stored = self.erasures[(erasure.institution_id, erasure.user_id)]
        self.erasures[(erasure.institution_id, erasure.user_id)] = stored.model_copy(
            update={"status": ErasureStatus.COMPLETE, "completed_at": at}
        )

    def delete_account(self, user_id: str) -> None:
        self.accounts.discard(user_id)  # a missing account is already deleted
        self.deleted_accounts.append(user_id)

    def get_user(self, institution_id: str, user_id: str) -> UserProfile | None:
        return None

    def put_document(self, key: str, document: dict[str, Any]) -> None:
        raise NotImplementedError

    def download_url(self, key: str, expires_in_seconds: int) -> str:
        raise NotImplementedError

    def request_export(self, request: ExportRequest) -> None:
        raise NotImplementedError

    def get_export(self, institution_id: str, user_id: str, export_id: str) -> ExportJob | None:
        return None

    def export_ready(self, job: ExportJob, object_key: str, at: datetime) -> None:
        raise NotImplementedError

    def export_failed(self, job: ExportJob, failure: str, at: datetime) -> None:
        raise NotImplementedError

    def erase(self, request: ErasureRequest) -> None:
        raise NotImplementedError


@dataclass
class InMemoryGradebook:
    """The gradebook's ports over one institution's courses: its settings, kept as the table keeps them.

    A settings change commits only when the caller teaches the course (an institution admin: when
    it exists) and the stored settings are at the change's version, as the table's transaction does.
    """

    courses: dict[str, CourseAccess] = field(default_factory=dict)
    stored: dict[str, GradebookSettings] = field(default_factory=dict)
    events: list[DomainEvent] = field(default_factory=list)
    reads: list[tuple[str, str, str | None]] = field(default_factory=list)  # the audit trail's reads

    def load(self, institution_id: str, course_id: str, student_id: str | None = None) -> CourseAccess | None:
        return self.courses.get(course_id)

    def settings(self, institution_id: str, course_id: str) -> tuple[CourseAccess | None, GradebookSettings]:
        return self.courses.get(course_id), self.stored.get(course_id, DEFAULT_SETTINGS)

    def save_settings(
        self, actor: Principal, course_id: str, settings: GradebookSettings, event: DomainEvent
    ) -> GradebookSettings:
        course = self.courses.get(course_id)
        admin = Role.INSTITUTION_ADMIN in actor.roles
        if course is None or not (admin or actor.user_id in course.instructor_ids):
            raise StaffCheckFailed
        if self.stored.get(course_id, DEFAULT_SETTINGS).version != settings.version:
            raise SettingsVersionChanged
        saved = GradebookSettings(settings.categories, settings.letters, settings.version + 1)
        self.stored[course_id] = saved
        self.events.append(event)
        return saved

    def parts(
        self, institution_id: str, course_id: str, student_id: str | None = None, enrolled: str | None = None
    ) -> tuple[CourseAccess | None, GradebookParts]:
        raise NotImplementedError

    def enrolled_rows(
        self, institution_id: str, course_id: str, limit: int | None, cursor: str | None
    ) -> tuple[list[GradebookRow], str | None]:
        raise NotImplementedError

    def every_enrolled_row(self, institution_id: str, course_id: str) -> Iterator[GradebookRow]:
        raise NotImplementedError

    def record_read(self, actor: Principal, action: str, course_id: str, student_id: str | None) -> None:
        self.reads.append((action, course_id, student_id))

    def record_class_read(self, actor: Principal, action: str, course_id: str, students: int) -> None:
        self.reads.append((action, course_id, None))


@dataclass
class InMemoryAnnouncements:
    """The institution boards' announcements and read markers, changed under the table's conditions.

    A change commits only against the version read (a scheduled publication: only while still
    scheduled); a course's board, whose staff the table checks at commit, is not kept here.
    """

    announcements: dict[tuple[str, str | None, str], Announcement] = field(default_factory=dict)
    read_through: dict[tuple[str, str, str | None], datetime] = field(default_factory=dict)
    events: list[DomainEvent] = field(default_factory=list)

    @staticmethod
    def _key(announcement: Announcement) -> tuple[str, str | None, str]:
        return announcement.institution_id, announcement.course_id, announcement.id

    def get(self, institution_id: str, course_id: str | None, announcement_id: str) -> Announcement | None:
        return self.announcements.get((institution_id, course_id, announcement_id))

    def reading(
        self, principal: Principal, course_id: str | None, announcement_id: str | None = None
    ) -> Reading:
        assert course_id is None, "a course's board is not kept here"
        inst = principal.institution_id
        return Reading(
            access=None,
            announcement=self.get(inst, None, announcement_id) if announcement_id is not None else None,
            read_through=self.read_through.get((inst, principal.user_id, None)),
        )

    def mark_read(self, institution_id: str, user_id: str, course_id: str | None, through: datetime) -> None:
        key = (institution_id, user_id, course_id)
        current = self.read_through.get(key)
        if current is None or current <= through:  # a marker never moves back
            self.read_through[key] = through

    def _changing(self, before: Announcement) -> None:
        stored = self.announcements.get(self._key(before))
        if stored is None or stored.version != before.version:
            raise AnnouncementChangedMeanwhile("The announcement changed meanwhile; read it again.")

    def create(
        self,
        announcement: Announcement,
        actor: Principal,
        events: list[DomainEvent],
        idempotent: Idempotent | None,
    ) -> None:
        assert self._key(announcement) not in self.announcements, "ids are never reused"
        self.announcements[self._key(announcement)] = announcement
        self.events += events

    def save(
        self, before: Announcement, after: Announcement, actor: Principal, events: list[DomainEvent]
    ) -> None:
        self._changing(before)
        self.announcements[self._key(after)] = after
        self.events += events

    def delete(self, announcement: Announcement, actor: Principal, events: list[DomainEvent]) -> None:
        self._changing(announcement)
        del self.announcements[self._key(announcement)]
        self.events += events

    def record_publication(
        self, before: Announcement, after: Announcement, actor: Principal, events: list[DomainEvent]
    ) -> None:
        stored = self.announcements.get(self._key(before))
        if stored is None or stored.status is not AnnouncementStatus.SCHEDULED:
            raise AnnouncementChangedMeanwhile("The announcement changed meanwhile.")
        self.save(before, after, actor, events)

    def forget_due(self, due: DueAnnouncement) -> None:
        raise NotImplementedError

    def due(self, shard: int, now: datetime, limit: int) -> list[DueAnnouncement]:
        raise NotImplementedError

    def feed_page(
        self,
        institution_id: str,
        course_id: str | None,
        *,
        visible_by: datetime | None,
        audiences: frozenset[Audience] | None,
        limit: int,
        cursor: str | None,
    ) -> tuple[list[Announcement], str | None]:
        raise NotImplementedError

    def drafts_page(
        self, institution_id: str, course_id: str | None, limit: int, cursor: str | None
    ) -> tuple[list[Announcement], str | None]:
        raise NotImplementedError

    def count_unread(
        self,
        institution_id: str,
        course_id: str | None,
        *,
        read_through: datetime | None,
        now: datetime,
        audiences: frozenset[Audience] | None,
    ) -> tuple[int, bool]:
        raise NotImplementedError


@dataclass
class InMemoryCourseCatalog:
    """The assessments' view of the catalog: the courses by id, students enrolled in none."""

    courses: dict[str, CourseAccess] = field(default_factory=dict)

    def load(self, institution_id: str, course_id: str, student_id: str | None = None) -> CourseAccess | None:
        return self.courses.get(course_id)


def _teaches(course: CourseAccess | None, actor: Principal) -> bool:
    """The table's staff check at commit: the course exists and lists the actor (an admin: exists)."""
    return course is not None and (
        Role.INSTITUTION_ADMIN in actor.roles or actor.user_id in course.instructor_ids
    )


@dataclass
class InMemoryAssignments:
    """Assignments of one institution's courses, created and changed under the table's conditions.

    A save commits only when the actor teaches the course; a create only when the id is new, a
    change only at the version read. Submissions, grades and extensions are not kept here.
    """

    courses: dict[str, CourseAccess] = field(default_factory=dict)
    assignments: dict[str, Assignment] = field(default_factory=dict)
    events: list[DomainEvent] = field(default_factory=list)

    def load(
        self,
        institution_id: str,
        assignment_id: str,
        *,
        student_id: str | None = None,
        submission_id: str | None = None,
        upload_ids: list[str] | None = None,
    ) -> Loaded:
        if student_id is not None or submission_id is not None or upload_ids:
            raise NotImplementedError  # records, submissions and uploads are not kept here
        return Loaded(assignment=self.assignments.get(assignment_id))

    def get_assignment(self, institution_id: str, assignment_id: str) -> Assignment | None:
        return self.assignments.get(assignment_id)

    def stored_response(self, institution_id: str, user_id: str, key: str) -> StoredResponse | None:
        return None

    def save_assignment(
        self,
        institution_id: str,
        assignment: Assignment,
        expected_version: int | None,
        actor: Principal,
        events: list[DomainEvent],
        idempotent: tuple[IdempotentRequest, StoredResponse] | None = None,
    ) -> None:
        if not _teaches(self.courses.get(assignment.course_id), actor):
            raise NotCourseStaff(
                "Only the course's instructors and the institution's admins manage its assignments."
            )
        stored = self.assignments.get(assignment.id)
        if expected_version is None and stored is not None:
            raise Conflict("An assignment with this id exists.")
        if expected_version is not None and (stored is None or stored.version != expected_version):
            raise PreconditionFailed("The assignment changed meanwhile; read it again.")
        self.assignments[assignment.id] = assignment
        self.events += events

    def list_assignments(
        self, institution_id: str, course_id: str, published_only: bool, limit: int, cursor: str | None
    ) -> tuple[list[Assignment], str | None]:
        raise NotImplementedError

    def latest_submissions(
        self, institution_id: str, assignment_id: str, limit: int, cursor: str | None
    ) -> tuple[list[tuple[StudentRecord, Submission]], str | None]:
        raise NotImplementedError

    def student_versions(
        self, institution_id: str, assignment_id: str, student_id: str, limit: int, cursor: str | None
    ) -> tuple[list[Submission], str | None]:
        raise NotImplementedError

    def get_record(self, institution_id: str, assignment_id: str, student_id: str) -> StudentRecord | None:
        raise NotImplementedError

    def record_read(self, actor: Principal, assignment_id: str, submission: Submission) -> None:
        raise NotImplementedError

    def record_list_read(self, actor: Principal, assignment_id: str, students: int) -> None:
        raise NotImplementedError

    def put_extension(
        self, institution_id: str, assignment: Assignment, extension: Extension, actor: Principal
    ) -> None:
        raise NotImplementedError

    def delete_extension(
        self, institution_id: str, assignment: Assignment, student_id: str, actor: Principal
    ) -> None:
        raise NotImplementedError

    def add_upload(self, institution_id: str, course_id: str, upload: Upload, actor: Principal) -> None:
        raise NotImplementedError

    def add_submission(
        self,
        institution_id: str,
        submission: Submission,
        record: StudentRecord,
        actor: Principal,
        events: list[DomainEvent],
        idempotent: tuple[IdempotentRequest, StoredResponse] | None = None,
    ) -> None:
        raise NotImplementedError

    def save_grade(
        self,
        institution_id: str,
        course_id: str,
        submission: Submission,
        expected_revision: int,
        actor: Principal,
        events: list[DomainEvent],
    ) -> None:
        raise NotImplementedError

    def release(
        self,
        institution_id: str,
        course_id: str,
        releases: list[Release],
        actor: Principal,
        events: list[DomainEvent],
    ) -> None:
        raise NotImplementedError


@dataclass
class InMemoryQuizzes:
    """Quizzes and their keys, created and changed under the table's conditions: a create only when
    the quiz is new, a change only at the versions read, both only by the course's staff.
    Attempts and standings are not kept here."""

    courses: dict[str, CourseAccess] = field(default_factory=dict)
    quizzes: dict[str, Quiz] = field(default_factory=dict)
    keys: dict[str, QuizKeys] = field(default_factory=dict)
    events: list[DomainEvent] = field(default_factory=list)

    def read(
        self,
        institution_id: str,
        quiz_id: str,
        *,
        with_keys: bool = False,
        attempt_id: str | None = None,
        student_id: str | None = None,
        answer_to: tuple[str, str] | None = None,
    ) -> QuizLoaded:
        if attempt_id is not None or student_id is not None:
            raise NotImplementedError  # attempts and standings are not kept here
        quiz = self.quizzes.get(quiz_id)  # no first answers are kept: `answer` stays None
        return QuizLoaded(
            quiz=quiz,
            quiz_version=quiz.version if quiz is not None else 0,
            keys=self.keys.get(quiz_id) if with_keys else None,
        )

    def save_quiz(
        self,
        actor: Principal,
        quiz: Quiz,
        quiz_keys: QuizKeys,
        *,
        expected: tuple[int, int] | None,
        events: list[DomainEvent],
        refusal: Exception,
        lesson_refusal: Exception | None = None,
        request: IdempotentRequest | None = None,
        response: StoredResponse | None = None,
    ) -> None:
        if not _teaches(self.courses.get(quiz.course_id), actor):
            raise refusal
        stored, stored_keys = self.quizzes.get(quiz.id), self.keys.get(quiz.id)
        changed = QuizChangedMeanwhile("The quiz changed meanwhile; read it again and retry.")
        if expected is None and (stored is not None or stored_keys is not None):
            raise changed
        if expected is not None:
            quiz_version, key_version = expected
            if stored is None or stored.version != quiz_version:
                raise changed
            if quiz_keys.version != key_version and (
                stored_keys is None or stored_keys.version != key_version
            ):
                raise changed
        self.quizzes[quiz.id] = quiz
        self.keys[quiz.id] = quiz_keys
        self.events += events

    def stored_response(self, institution_id: str, user_id: str, key: str) -> StoredResponse | None:
        return None

    def partition(self, institution_id: str, quiz_id: str) -> Partition:
        raise NotImplementedError

    def list_course_quizzes(
        self, institution_id: str, course_id: str, status: str | None, limit: int, cursor: str | None
    ) -> tuple[list[Quiz], str | None]:
        raise NotImplementedError

    def list_attempts(
        self, institution_id: str, quiz_id: str, limit: int, cursor: str | None
    ) -> tuple[list[Attempt], str | None]:
        raise NotImplementedError

    def student_attempts(self, institution_id: str, quiz_id: str, student_id: str) -> list[Attempt]:
        raise NotImplementedError

    def submitted_attempts(self, institution_id: str, quiz_id: str, cap: int) -> Iterator[Attempt]:
        raise NotImplementedError

    def record_read(self, actor: Principal, attempt: Attempt) -> None:
        raise NotImplementedError

    def record_list_read(self, actor: Principal, quiz_id: str, students: int) -> None:
        raise NotImplementedError

    def start_attempt(
        self,
        actor: Principal,
        quiz: Quiz,
        attempt: Attempt,
        standing: StudentScore,
        standing_version: int,
        request: IdempotentRequest | None,
        response: StoredResponse | None,
    ) -> None:
        raise NotImplementedError

    def save_answers(self, institution_id: str, attempt: Attempt) -> None:
        raise NotImplementedError

    def submit_attempt(
        self,
        actor: Principal,
        quiz: Quiz,
        attempt: Attempt,
        standing: StudentScore,
        standing_version: int,
        key_version: int,
        events: list[DomainEvent],
        request: IdempotentRequest | None,
        response: StoredResponse | None,
    ) -> None:
        raise NotImplementedError

    def apply_regrade(
        self,
        actor: Principal,
        institution_id: str,
        attempts: list[Attempt],
        standings: list[tuple[StudentScore, int]],
        events: list[DomainEvent],
    ) -> None:
        raise NotImplementedError
