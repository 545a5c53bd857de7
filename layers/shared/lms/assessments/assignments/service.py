"""Use cases of assignments: authorize, apply the domain rules, commit state and events.

Who may do what beyond the role (lms.assessments.policy): the course's instructors and the
institution's admins manage an assignment (checked inside each change's transaction, and by a
read of the course for staff reads); students see published assignments of courses they are
enrolled in, submit only as themselves, and see a grade only once it is released.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Protocol

from pydantic import BaseModel

from lms import authz, clock, idempotency, ids
from lms.assessments import policy
from lms.assessments.assignments import domain
from lms.assessments.assignments.domain import (
    MAX_VERSIONS,
    Assignment,
    AssignmentStatus,
    Extension,
    Grade,
    StudentRecord,
    Submission,
    SubmittedFile,
    Upload,
)
from lms.assessments.assignments.errors import (
    AssignmentAlreadyPublished,
    AssignmentCourseNotFound,
    AssignmentNotFound,
    NotCourseStaff,
    NotEnrolledInCourse,
    NotGraded,
    SubmissionNotFound,
    TooManySubmissions,
    UploadIncomplete,
    UploadNotFound,
)
from lms.assessments.assignments.repository import Loaded, Release
from lms.assessments.assignments.schemas import (
    AssignmentDraft,
    AssignmentPatch,
    AssignmentView,
    ExtensionRequest,
    FileView,
    GradeRequest,
    ReleaseSummary,
    SubmissionRequest,
    SubmissionView,
    UploadRequest,
    UploadView,
)
from lms.assessments.assignments.storage import PresignedPost, StoredObject
from lms.assessments.course_access import CourseCatalog
from lms.auth import Principal, Role
from lms.errors import check_version
from lms.events import DomainEvent
from lms.events.assessments import (
    AssignmentPublished,
    AssignmentSubmitted,
    GradeReleased,
    SubmissionGraded,
)
from lms.idempotency import IdempotentRequest, StoredResponse

UPLOAD_SECONDS = 15 * 60
"""How long a presigned upload can be used."""
DOWNLOAD_SECONDS = 10 * 60
"""How long a presigned download URL can be used."""
RELEASES_PER_TRANSACTION = 25  # 3 items each (submission, student record, outbox): within 100
RELEASES_PER_CALL = 250
"""Releasing every grade of an assignment stops after this many; the answer says to call again."""


class AssignmentRepository(Protocol):
    def get_assignment(self, institution_id: str, assignment_id: str) -> Assignment | None: ...
    def load(
        self,
        institution_id: str,
        assignment_id: str,
        *,
        student_id: str | None = None,
        submission_id: str | None = None,
        upload_ids: list[str] | None = None,
    ) -> Loaded: ...
    def list_assignments(
        self, institution_id: str, course_id: str, published_only: bool, limit: int, cursor: str | None
    ) -> tuple[list[Assignment], str | None]: ...
    def latest_submissions(
        self, institution_id: str, assignment_id: str, limit: int, cursor: str | None
    ) -> tuple[list[tuple[StudentRecord, Submission]], str | None]: ...
    def student_versions(
        self, institution_id: str, assignment_id: str, student_id: str, limit: int, cursor: str | None
    ) -> tuple[list[Submission], str | None]: ...
    def get_record(
        self, institution_id: str, assignment_id: str, student_id: str
    ) -> StudentRecord | None: ...
    def stored_response(self, institution_id: str, user_id: str, key: str) -> StoredResponse | None: ...
    def record_read(self, actor: Principal, assignment_id: str, submission: Submission) -> None: ...
    def record_list_read(self, actor: Principal, assignment_id: str, students: int) -> None: ...
    def save_assignment(
        self,
        institution_id: str,
        assignment: Assignment,
        expected_version: int | None,
        actor: Principal,
        events: list[DomainEvent],
        idempotent: tuple[IdempotentRequest, StoredResponse] | None = None,
    ) -> None: ...
    def put_extension(
        self, institution_id: str, assignment: Assignment, extension: Extension, actor: Principal
    ) -> None: ...
    def delete_extension(
        self, institution_id: str, assignment: Assignment, student_id: str, actor: Principal
    ) -> None: ...
    def add_upload(self, institution_id: str, course_id: str, upload: Upload, actor: Principal) -> None: ...
    def add_submission(
        self,
        institution_id: str,
        submission: Submission,
        record: StudentRecord,
        actor: Principal,
        events: list[DomainEvent],
        idempotent: tuple[IdempotentRequest, StoredResponse] | None = None,
    ) -> None: ...
    def save_grade(
        self,
        institution_id: str,
        course_id: str,
        submission: Submission,
        expected_revision: int,
        actor: Principal,
        events: list[DomainEvent],
    ) -> None: ...
    def release(
        self,
        institution_id: str,
        course_id: str,
        releases: list[Release],
        actor: Principal,
        events: list[DomainEvent],
    ) -> None: ...


class FileStore(Protocol):
    """The files bucket (lms.assessments.assignments.storage)."""

    def presigned_upload(
        self, key: str, content_type: str, size: int, expires_in_seconds: int
    ) -> PresignedPost: ...
    def stored_object(self, key: str) -> StoredObject | None: ...
    def download_url(self, key: str, file_name: str, expires_in_seconds: int) -> str: ...


@dataclass(frozen=True)
class SubmissionRead:
    """A submission with what its view needs: the assignment's points and whether staff read it."""

    submission: Submission
    points: Decimal
    staff: bool


class AssignmentService:
    def __init__(
        self,
        repository: AssignmentRepository,
        courses: CourseCatalog,
        files: FileStore,
        now: Callable[[], datetime] = clock.now,
        new_id: Callable[[], str] = ids.new_id,
    ) -> None:
        self._repo = repository
        self._courses = courses
        self._files = files
        self._now = now
        self._new_id = new_id

    # ------------------------------------------------------------ authoring

    def create_assignment(
        self, principal: Principal, draft: AssignmentDraft, request: IdempotentRequest | None = None
    ) -> Assignment:
        authz.authorize(principal, policy.CREATE_ASSIGNMENT)
        at = self._now()
        assignment = Assignment(
            id=self._new_id(),
            course_id=draft.course_id,
            title=draft.title,
            instructions=draft.instructions,
            due_at=draft.due_at,
            points=draft.points,
            late_policy=draft.late_policy.policy() if draft.late_policy else None,
            rubric=[criterion.criterion() for criterion in draft.rubric] if draft.rubric else None,
            submission_types=list(dict.fromkeys(draft.submission_types)),
            file_content_types=list(dict.fromkeys(draft.file_content_types)),
            max_file_bytes=draft.max_file_bytes,
            gradebook_category=draft.gradebook_category,
            created_by=principal.user_id,
            created_at=at,
            updated_at=at,
        )
        domain.check_assignment(assignment)
        self._save(principal, assignment, None, [], request, lambda: AssignmentView.of(assignment))
        return assignment

    def get_assignment(self, principal: Principal, assignment_id: str) -> Assignment:
        authz.authorize(principal, policy.GET_ASSIGNMENT)
        assignment = self._assignment(principal, assignment_id)
        if self._is_student(principal):
            self._ensure_enrolled(principal, assignment.course_id)
        elif not assignment.published and not principal.is_institution_admin:
            access = self._courses.load(principal.institution_id, assignment.course_id)
            if access is None or not access.teaches(principal):
                raise AssignmentNotFound(f"No assignment {assignment_id!r}.")
        return assignment

    def list_assignments(
        self, principal: Principal, course_id: str, limit: int, cursor: str | None
    ) -> tuple[list[Assignment], str | None]:
        """Staff of the course see drafts too; others see published ones; an unknown course has none."""
        authz.authorize(principal, policy.LIST_ASSIGNMENTS)
        published_only = False
        if not principal.is_institution_admin:
            student = self._is_student(principal)
            access = self._courses.load(
                principal.institution_id, course_id, principal.user_id if student else None
            )
            if access is None:
                return [], None
            if student and not access.student_enrolled:
                raise NotEnrolledInCourse("Only students enrolled in the course see its assignments.")
            published_only = not access.teaches(principal)
        return self._repo.list_assignments(principal.institution_id, course_id, published_only, limit, cursor)

    def update_assignment(
        self, principal: Principal, assignment_id: str, patch: AssignmentPatch, expected_version: int
    ) -> Assignment:
        authz.authorize(principal, policy.UPDATE_ASSIGNMENT)
        assignment = self._assignment(principal, assignment_id)
        check_version(
            "assignment",
            assignment.version,
            expected_version,
            may_change=lambda: self._ensure_teaches(principal, assignment.course_id),
        )
        changes = patch.changes()
        if assignment.published and {"points", "rubric"} & set(changes):
            raise AssignmentAlreadyPublished(
                "points and rubric are fixed once the assignment is published.", field="points"
            )
        if "late_policy" in changes:
            changes["late_policy"] = patch.late_policy.policy() if patch.late_policy else None
        if "rubric" in changes:
            changes["rubric"] = [c.criterion() for c in patch.rubric] if patch.rubric else None
        updated = Assignment.model_validate(
            {
                **assignment.model_dump(),
                **changes,
                "version": assignment.version + 1,
                "updated_at": self._now(),
            }
        )
        domain.check_assignment(updated)
        self._save(principal, updated, assignment.version, [], None, None)
        return updated

    def publish_assignment(self, principal: Principal, assignment_id: str) -> Assignment:
        authz.authorize(principal, policy.PUBLISH_ASSIGNMENT)
        assignment = self._assignment(principal, assignment_id)
        if assignment.published:
            raise AssignmentAlreadyPublished("The assignment is already published.")
        at = self._now()
        published = assignment.model_copy(
            update={
                "status": AssignmentStatus.PUBLISHED,
                "published_at": at,
                "updated_at": at,
                "version": assignment.version + 1,
            }
        )
        event = AssignmentPublished(
            course_id=published.course_id,
            assignment_id=published.id,
            title=published.title,
            points=published.points,
            gradebook_category=published.gradebook_category,
            due_at=published.due_at,
        )
        self._save(principal, published, assignment.version, [event], None, None)
        return published

    def grant_extension(
        self, principal: Principal, assignment_id: str, student_id: str, body: ExtensionRequest
    ) -> Extension:
        authz.authorize(principal, policy.GRANT_EXTENSION)
        assignment = self._assignment(principal, assignment_id)
        domain.check_extension(body.due_at, body.cutoff_at)
        extension = Extension(
            student_id=student_id,
            due_at=body.due_at,
            cutoff_at=body.cutoff_at,
            granted_by=principal.user_id,
            granted_at=self._now(),
        )
        self._repo.put_extension(principal.institution_id, assignment, extension, principal)
        return extension

    def revoke_extension(self, principal: Principal, assignment_id: str, student_id: str) -> None:
        authz.authorize(principal, policy.REVOKE_EXTENSION)
        assignment = self._assignment(principal, assignment_id)
        self._repo.delete_extension(principal.institution_id, assignment, student_id, principal)

    # ------------------------------------------------------------ submitting

    def create_upload(self, principal: Principal, assignment_id: str, body: UploadRequest) -> UploadView:
        """Record the upload (the student must be enrolled, the assignment published) and presign it."""
        authz.authorize(principal, policy.CREATE_SUBMISSION_UPLOAD)
        assignment = self._assignment(principal, assignment_id)
        domain.check_file(assignment, body.content_type, body.size)
        upload_id = self._new_id()
        at = self._now()
        file_name = domain.safe_file_name(body.file_name)
        key = "/".join(
            ("submissions", principal.institution_id, assignment.id, principal.user_id, upload_id, file_name)
        )
        upload = Upload(
            id=upload_id,
            assignment_id=assignment.id,
            student_id=principal.user_id,
            file_name=file_name,
            content_type=body.content_type,
            size=body.size,
            key=key,
            created_at=at,
        )
        self._repo.add_upload(principal.institution_id, assignment.course_id, upload, principal)
        post = self._files.presigned_upload(key, body.content_type, body.size, UPLOAD_SECONDS)
        return UploadView(
            upload_id=upload_id,
            method="POST",
            url=post.url,
            fields=post.fields,
            content_type=body.content_type,
            size=body.size,
            expires_at=at + timedelta(seconds=UPLOAD_SECONDS),
        )

    def submit(
        self,
        principal: Principal,
        assignment_id: str,
        body: SubmissionRequest,
        request: IdempotentRequest | None = None,
    ) -> SubmissionRead:
        authz.authorize(principal, policy.SUBMIT_ASSIGNMENT)
        self._replay_if_seen(principal, request)
        me = principal.user_id
        upload_ids = list(dict.fromkeys(body.upload_ids))
        loaded = self._repo.load(
            principal.institution_id, assignment_id, student_id=me, upload_ids=upload_ids
        )
        assignment = self._visible(principal, loaded.assignment, assignment_id)
        url = str(body.url) if body.url is not None else None
        domain.check_submission_types(assignment, body.text, url, bool(upload_ids))
        files = [
            self._stored_file(assignment, loaded.uploads.get(upload_id), upload_id, me)
            for upload_id in upload_ids
        ]
        at = self._now()
        limits = domain.deadlines(assignment, loaded.extension)
        domain.ensure_open(limits, at)
        record = loaded.record or StudentRecord(student_id=me)
        if record.latest_number >= MAX_VERSIONS:
            raise TooManySubmissions(f"You have submitted {MAX_VERSIONS} versions.", limit=MAX_VERSIONS)
        submission = Submission(
            id=self._new_id(),
            assignment_id=assignment.id,
            course_id=assignment.course_id,
            student_id=me,
            number=record.latest_number + 1,
            text=body.text,
            url=url,
            files=files,
            submitted_at=at,
            due_at=limits.due_at,
            days_late=domain.days_late(at, limits.due_at),
        )
        new_record = record.model_copy(
            update={
                "latest_number": submission.number,
                "latest_submission_id": submission.id,
                "version": record.version + 1,
            }
        )
        event = AssignmentSubmitted(
            course_id=assignment.course_id,
            assignment_id=assignment.id,
            submission_id=submission.id,
            student_id=me,
            version=submission.number,
            submitted_at=at,
            late=submission.days_late > 0,
        )
        idempotent = None
        if request is not None:
            view = self.view(SubmissionRead(submission, assignment.points, staff=False))
            idempotent = (
                request,
                StoredResponse(request.fingerprint, 201, view.model_dump_json()),
            )
        self._repo.add_submission(
            principal.institution_id, submission, new_record, principal, [event], idempotent
        )
        return SubmissionRead(submission, assignment.points, staff=False)

    def _stored_file(
        self, assignment: Assignment, upload: Upload | None, upload_id: str, me: str
    ) -> SubmittedFile:
        """The upload is the student's own, for this assignment, and the bucket holds it as announced."""
        if upload is None or upload.student_id != me:
            raise UploadNotFound(f"No upload {upload_id!r} of yours for this assignment.", field="upload_ids")
        stored = self._files.stored_object(upload.key)
        if stored is None:
            raise UploadIncomplete(
                f"Upload {upload_id!r} has no file yet: POST it first.", upload_id=upload_id
            )
        if stored.size != upload.size or stored.content_type != upload.content_type:
            raise UploadIncomplete(
                f"Upload {upload_id!r} is not the file announced: "
                f"{upload.size} bytes of {upload.content_type}.",
                upload_id=upload_id,
            )
        domain.check_file(assignment, stored.content_type, stored.size)
        return SubmittedFile(
            upload_id=upload.id,
            file_name=upload.file_name,
            content_type=stored.content_type,
            size=stored.size,
            key=upload.key,
        )

    # ------------------------------------------------------------ reading submissions

    def list_submissions(
        self, principal: Principal, assignment_id: str, limit: int, cursor: str | None
    ) -> tuple[list[SubmissionRead], str | None]:
        """Staff: each student's latest version. A student: their own versions, newest first."""
        authz.authorize(principal, policy.LIST_SUBMISSIONS)
        assignment = self._assignment(principal, assignment_id)
        inst = principal.institution_id
        if self._is_student(principal):
            found, next_cursor = self._repo.student_versions(
                inst, assignment.id, principal.user_id, limit, cursor
            )
            return [SubmissionRead(s, assignment.points, staff=False) for s in found], next_cursor
        self._ensure_teaches(principal, assignment.course_id)
        latest, next_cursor = self._repo.latest_submissions(inst, assignment.id, limit, cursor)
        self._repo.record_list_read(principal, assignment.id, len(latest))
        return [SubmissionRead(s, assignment.points, staff=True) for _, s in latest], next_cursor

    def get_submission(self, principal: Principal, assignment_id: str, submission_id: str) -> SubmissionRead:
        authz.authorize(principal, policy.GET_SUBMISSION)
        loaded = self._repo.load(principal.institution_id, assignment_id, submission_id=submission_id)
        assignment = self._visible(principal, loaded.assignment, assignment_id)
        submission = loaded.submission
        student = self._is_student(principal)
        if submission is None or (student and submission.student_id != principal.user_id):
            raise SubmissionNotFound(f"The assignment has no submission {submission_id!r} of yours.")
        if student:
            return SubmissionRead(submission, assignment.points, staff=False)
        self._ensure_teaches(principal, assignment.course_id)
        self._repo.record_read(principal, assignment.id, submission)
        return SubmissionRead(submission, assignment.points, staff=True)

    def view(self, read: SubmissionRead) -> SubmissionView:
        """The answer for a submission: presigned downloads of its files (computed, no request)."""
        files = [
            FileView(
                upload_id=f.upload_id,
                file_name=f.file_name,
                content_type=f.content_type,
                size=f.size,
                download_url=self._files.download_url(f.key, f.file_name, DOWNLOAD_SECONDS),
            )
            for f in read.submission.files
        ]
        return SubmissionView.of(read.submission, read.points, files, staff=read.staff)

    # ------------------------------------------------------------ grading and release

    def grade(
        self,
        principal: Principal,
        assignment_id: str,
        submission_id: str,
        body: GradeRequest,
        expected_revision: int,
    ) -> SubmissionRead:
        authz.authorize(principal, policy.GRADE_SUBMISSION)
        assignment, submission = self._submission(principal, assignment_id, submission_id)
        check_version(
            "submission",
            submission.revision,
            expected_revision,
            may_change=lambda: self._ensure_teaches(principal, assignment.course_id),
        )
        raw = domain.raw_score(assignment, body.score, body.rubric_levels)
        at = self._now()
        grade = Grade(
            raw_score=domain.exact(raw),
            days_late=submission.days_late,
            deduction_percent=domain.exact(
                domain.deduction_percent(assignment.late_policy, submission.days_late)
            ),
            score=domain.final_score(raw, assignment.late_policy, submission.days_late),
            rubric_levels=body.rubric_levels,
            feedback=body.feedback,
            graded_by=principal.user_id,
            graded_at=at,
        )
        graded = submission.model_copy(update={"grade": grade, "revision": submission.revision + 1})
        event = SubmissionGraded(
            course_id=assignment.course_id,
            assignment_id=assignment.id,
            submission_id=submission.id,
            student_id=submission.student_id,
            score=grade.score,
            points=assignment.points,
            graded_at=at,
        )
        self._repo.save_grade(
            principal.institution_id, assignment.course_id, graded, submission.revision, principal, [event]
        )
        return SubmissionRead(graded, assignment.points, staff=True)

    def release_grade(self, principal: Principal, assignment_id: str, submission_id: str) -> SubmissionRead:
        """Show the student their grade; releasing a grade already shown changes nothing."""
        authz.authorize(principal, policy.RELEASE_GRADE)
        assignment, submission = self._submission(principal, assignment_id, submission_id)
        if submission.grade is None:
            raise NotGraded("Grade the submission before releasing it.")
        if not submission.release_pending:
            return SubmissionRead(submission, assignment.points, staff=True)
        inst = principal.institution_id
        record = self._repo.get_record(inst, assignment.id, submission.student_id)
        if record is None:
            raise SubmissionNotFound(f"The assignment has no submission {submission_id!r}.")
        release, event = self._release(assignment, submission, record)
        self._repo.release(inst, assignment.course_id, [release], principal, [event])
        return SubmissionRead(release.submission, assignment.points, staff=True)

    def release_all(self, principal: Principal, assignment_id: str) -> ReleaseSummary:
        """Release every student's latest graded version not yet shown, in transactions of 25."""
        authz.authorize(principal, policy.RELEASE_ASSIGNMENT_GRADES)
        assignment = self._assignment(principal, assignment_id)
        self._ensure_teaches(principal, assignment.course_id)
        inst = principal.institution_id
        released, cursor = 0, None
        while True:
            page, cursor = self._repo.latest_submissions(inst, assignment.id, 100, cursor)
            pending = [(record, s) for record, s in page if s.release_pending]
            for start in range(0, len(pending), RELEASES_PER_TRANSACTION):
                if released >= RELEASES_PER_CALL:
                    return ReleaseSummary(released=released, more=True)
                chunk = pending[start : start + RELEASES_PER_TRANSACTION]
                made = [self._release(assignment, s, record) for record, s in chunk]
                self._repo.release(
                    inst, assignment.course_id, [r for r, _ in made], principal, [e for _, e in made]
                )
                released += len(made)
            if cursor is None:
                return ReleaseSummary(released=released, more=False)

    def _release(
        self, assignment: Assignment, submission: Submission, record: StudentRecord
    ) -> tuple[Release, GradeReleased]:
        assert submission.grade is not None
        at = self._now()
        new_record = record.model_copy(
            update={"release_revision": record.release_revision + 1, "version": record.version + 1}
        )
        released = submission.model_copy(
            update={
                "released_grade": submission.grade,
                "released_at": at,
                "revision": submission.revision + 1,
            }
        )
        event = GradeReleased(
            course_id=assignment.course_id,
            assessment_id=assignment.id,
            kind="assignment",
            student_id=submission.student_id,
            score=submission.grade.score,
            points=assignment.points,
            revision=new_record.release_revision,
            released_at=at,
        )
        return Release(submission=released, record=new_record), event

    # ------------------------------------------------------------ helpers

    @staticmethod
    def _is_student(principal: Principal) -> bool:
        return not principal.has_any({Role.INSTRUCTOR, Role.INSTITUTION_ADMIN})

    def _visible(self, principal: Principal, assignment: Assignment | None, assignment_id: str) -> Assignment:
        """Drafts exist only for staff; another institution's assignments for no one."""
        if assignment is None or (self._is_student(principal) and not assignment.published):
            raise AssignmentNotFound(f"No assignment {assignment_id!r}.")
        return assignment

    def _assignment(self, principal: Principal, assignment_id: str) -> Assignment:
        return self._visible(
            principal, self._repo.get_assignment(principal.institution_id, assignment_id), assignment_id
        )

    def _submission(
        self, principal: Principal, assignment_id: str, submission_id: str
    ) -> tuple[Assignment, Submission]:
        loaded = self._repo.load(principal.institution_id, assignment_id, submission_id=submission_id)
        assignment = self._visible(principal, loaded.assignment, assignment_id)
        if loaded.submission is None:
            raise SubmissionNotFound(f"The assignment has no submission {submission_id!r}.")
        return assignment, loaded.submission

    def _ensure_teaches(self, principal: Principal, course_id: str) -> None:
        """A staff read: admins read every course's work, instructors that of the courses they teach."""
        if principal.is_institution_admin:
            return
        access = self._courses.load(principal.institution_id, course_id)
        if access is None or not access.teaches(principal):
            raise NotCourseStaff(
                "Only the course's instructors and the institution's admins see its submissions."
            )

    def _ensure_enrolled(self, principal: Principal, course_id: str) -> None:
        access = self._courses.load(principal.institution_id, course_id, principal.user_id)
        if access is None or not access.student_enrolled:
            raise NotEnrolledInCourse("Only students enrolled in the course see its assignments.")

    def _replay_if_seen(self, principal: Principal, request: IdempotentRequest | None) -> None:
        if request is not None:
            idempotency.replay(
                self._repo.stored_response(principal.institution_id, principal.user_id, request.key), request
            )

    def _save(
        self,
        principal: Principal,
        assignment: Assignment,
        expected_version: int | None,
        events: list[DomainEvent],
        request: IdempotentRequest | None,
        answer: Callable[[], BaseModel] | None,
    ) -> None:
        idempotent = None
        if request is not None and answer is not None:
            stored = StoredResponse(request.fingerprint, 201, answer().model_dump_json())
            idempotent = (request, stored)
        try:
            self._repo.save_assignment(
                principal.institution_id, assignment, expected_version, principal, events, idempotent
            )
        except NotCourseStaff:
            # The refusal's reason: an unknown course (404) or one the caller does not teach (403).
            if self._courses.load(principal.institution_id, assignment.course_id) is None:
                raise AssignmentCourseNotFound(
                    f"No course {assignment.course_id!r} in your institution.", field="course_id"
                ) from None
            raise
