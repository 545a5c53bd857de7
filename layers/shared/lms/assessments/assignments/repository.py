"""The assignment part's items in the single table (access patterns: docs/data-model.md).

An assignment's partition holds the assignment, one record per student who submitted (their
latest version, how many releases), extensions, uploads and every submission version, so one
BatchGetItem reads what a request needs. Every item about a student is also in the student's
GSI1 partition (keys.student_assignment_work_pk), for their own versions and for privacy.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, TypeVar

from pynamodb.attributes import JSONAttribute, NumberAttribute, UnicodeAttribute
from pynamodb.expressions.condition import Condition

from lms import audit, keys
from lms.assessments import course_access, due_index
from lms.assessments.assignments.domain import (
    Assignment,
    AssignmentStatus,
    Extension,
    StudentRecord,
    Submission,
    Upload,
)
from lms.assessments.assignments.errors import (
    AssignmentNotPublished,
    ConcurrentSubmission,
    ExtensionNotFound,
    NotCourseStaff,
    NotEnrolledInCourse,
)
from lms.auth import Principal
from lms.errors import Conflict, PreconditionFailed
from lms.events import DomainEvent
from lms.idempotency import IdempotentRequest, StoredResponse
from lms.pagination import decode_cursor, encode_cursor
from lms.persistence.idempotency import find_response, remember_answer
from lms.persistence.outbox import outbox_item
from lms.persistence.table import GSI1, Item, VersionedItem, table_connection
from lms.persistence.transactions import Transaction

ASSIGNMENT_ENTITY = "assignment"
STUDENT_RECORD_ENTITY = "assignment-student"
EXTENSION_ENTITY = "assignment-extension"
UPLOAD_ENTITY = "assignment-upload"
SUBMISSION_ENTITY = "assignment-submission"


class AssignmentItem(VersionedItem):
    GSI1PK = UnicodeAttribute()
    GSI1SK = UnicodeAttribute()
    by_course = GSI1()

    assignment_id = UnicodeAttribute()
    course_id = UnicodeAttribute()
    status = UnicodeAttribute()
    created_by = UnicodeAttribute()
    document = JSONAttribute()  # Assignment


class StudentRecordItem(Item):
    GSI1PK = UnicodeAttribute()  # every item about a student is in their GSI1 partition too
    GSI1SK = UnicodeAttribute()
    by_student = GSI1()

    assignment_id = UnicodeAttribute()
    student_id = UnicodeAttribute()
    version = NumberAttribute(default=1)
    latest_number = NumberAttribute()
    latest_submission_id = UnicodeAttribute()
    release_revision = NumberAttribute()


class ExtensionItem(Item):
    GSI1PK = UnicodeAttribute()  # every item about a student is in their GSI1 partition too
    GSI1SK = UnicodeAttribute()
    by_student = GSI1()

    assignment_id = UnicodeAttribute()
    student_id = UnicodeAttribute()
    document = JSONAttribute()  # Extension


class UploadItem(Item):
    GSI1PK = UnicodeAttribute()  # every item about a student is in their GSI1 partition too
    GSI1SK = UnicodeAttribute()
    by_student = GSI1()

    assignment_id = UnicodeAttribute()
    student_id = UnicodeAttribute()
    upload_id = UnicodeAttribute()
    key = UnicodeAttribute()  # the object's key in the files bucket
    document = JSONAttribute()  # Upload


class SubmissionItem(Item):
    GSI1PK = UnicodeAttribute()  # every item about a student is in their GSI1 partition too
    GSI1SK = UnicodeAttribute()
    by_student = GSI1()

    assignment_id = UnicodeAttribute()
    student_id = UnicodeAttribute()
    version = NumberAttribute(default=1)  # the submission's revision (grades, releases)
    submission_id = UnicodeAttribute()
    number = NumberAttribute()
    document = JSONAttribute()  # Submission


_W = TypeVar("_W", StudentRecordItem, ExtensionItem, UploadItem, SubmissionItem)


def _work(item: _W, institution_id: str, student_id: str, assignment_id: str, work_sk: str) -> _W:
    """The item, also listed in the student's GSI1 partition under `work_sk`."""
    item.GSI1PK = keys.student_assignment_work_pk(institution_id, student_id)
    item.GSI1SK = work_sk
    item.assignment_id = assignment_id
    item.student_id = student_id
    return item


def _assignment_item(institution_id: str, assignment: Assignment) -> AssignmentItem:
    return AssignmentItem(
        keys.assignment_pk(institution_id, assignment.id),
        keys.ASSIGNMENT_SK,
        entity=ASSIGNMENT_ENTITY,
        GSI1PK=keys.course_assignments_pk(institution_id, assignment.course_id),
        GSI1SK=keys.course_assignments_sk(assignment.status, assignment.id),
        version=assignment.version,
        assignment_id=assignment.id,
        course_id=assignment.course_id,
        status=assignment.status.value,
        created_by=assignment.created_by,
        document=assignment.model_dump(mode="json"),
    )


def _record_item(institution_id: str, assignment_id: str, record: StudentRecord) -> StudentRecordItem:
    return _work(
        StudentRecordItem(
            keys.assignment_pk(institution_id, assignment_id),
            keys.assignment_student_sk(record.student_id),
            entity=STUDENT_RECORD_ENTITY,
            version=record.version,
            latest_number=record.latest_number,
            latest_submission_id=record.latest_submission_id,
            release_revision=record.release_revision,
        ),
        institution_id,
        record.student_id,
        assignment_id,
        keys.student_assignment_work_sk(assignment_id, "RECORD"),
    )


def _extension_item(institution_id: str, assignment_id: str, extension: Extension) -> ExtensionItem:
    return _work(
        ExtensionItem(
            keys.assignment_pk(institution_id, assignment_id),
            keys.assignment_extension_sk(extension.student_id),
            entity=EXTENSION_ENTITY,
            document=extension.model_dump(mode="json"),
        ),
        institution_id,
        extension.student_id,
        assignment_id,
        keys.student_assignment_work_sk(assignment_id, "EXTENSION"),
    )


def _upload_item(institution_id: str, upload: Upload) -> UploadItem:
    return _work(
        UploadItem(
            keys.assignment_pk(institution_id, upload.assignment_id),
            keys.assignment_upload_sk(upload.id),
            entity=UPLOAD_ENTITY,
            upload_id=upload.id,
            key=upload.key,
            document=upload.model_dump(mode="json"),
        ),
        institution_id,
        upload.student_id,
        upload.assignment_id,
        keys.student_assignment_work_sk(upload.assignment_id, f"UPLOAD#{upload.id}"),
    )


def _submission_item(institution_id: str, submission: Submission) -> SubmissionItem:
    return _work(
        SubmissionItem(
            keys.assignment_pk(institution_id, submission.assignment_id),
            keys.submission_sk(submission.id),
            entity=SUBMISSION_ENTITY,
            version=submission.revision,
            submission_id=submission.id,
            number=submission.number,
            document=submission.model_dump(mode="json"),
        ),
        institution_id,
        submission.student_id,
        submission.assignment_id,
        keys.student_submission_sk(submission.assignment_id, submission.number),
    )


def _submission(item: SubmissionItem) -> Submission:
    return Submission.model_validate({**item.document, "revision": int(item.version)})


def _record(item: StudentRecordItem) -> StudentRecord:
    return StudentRecord(
        student_id=item.student_id,
        latest_number=int(item.latest_number),
        latest_submission_id=item.latest_submission_id,
        release_revision=int(item.release_revision),
        version=int(item.version),
    )


@dataclass
class Loaded:
    """What one BatchGetItem of an assignment's partition found."""

    assignment: Assignment | None = None
    record: StudentRecord | None = None
    extension: Extension | None = None
    submission: Submission | None = None
    uploads: dict[str, Upload] = field(default_factory=dict)


@dataclass
class Release:
    """One grade to release: the submission as read, and the student's record as read."""

    submission: Submission
    record: StudentRecord


def _batch_get(pk: str, sort_keys: list[str]) -> list[dict[str, Any]]:
    """Consistent BatchGetItem of items of one partition (retrying unprocessed keys)."""
    connection = table_connection()
    table = connection.table_name
    wanted: list[Any] = [{"PK": {"S": pk}, "SK": {"S": sk}} for sk in dict.fromkeys(sort_keys)]
    found: list[dict[str, Any]] = []
    while wanted:
        answer = connection.batch_get_item(wanted, consistent_read=True)
        found.extend(answer.get("Responses", {}).get(table, []))
        wanted = answer.get("UnprocessedKeys", {}).get(table, {}).get("Keys", [])
    return found


def _entity(raw: dict[str, Any]) -> str:
    return str(raw.get("entity", {}).get("S", ""))


class DynamoAssignmentRepository:
    """Reads are one GetItem, BatchGetItem or Query; every change is one TransactWriteItems."""

    # ------------------------------------------------------------ reads

    def get_assignment(self, institution_id: str, assignment_id: str) -> Assignment | None:
        try:
            item = AssignmentItem.get(
                keys.assignment_pk(institution_id, assignment_id), keys.ASSIGNMENT_SK, consistent_read=True
            )
        except AssignmentItem.DoesNotExist:
            return None
        return Assignment.model_validate({**item.document, "version": int(item.version)})

    def load(
        self,
        institution_id: str,
        assignment_id: str,
        *,
        student_id: str | None = None,
        submission_id: str | None = None,
        upload_ids: list[str] | None = None,
    ) -> Loaded:
        """The assignment with, as asked, a student's record and extension, a submission, uploads."""
        sort_keys = [keys.ASSIGNMENT_SK]
        if student_id is not None:
            sort_keys += [keys.assignment_student_sk(student_id), keys.assignment_extension_sk(student_id)]
        if submission_id is not None:
            sort_keys.append(keys.submission_sk(submission_id))
        sort_keys += [keys.assignment_upload_sk(upload_id) for upload_id in upload_ids or ()]
        loaded = Loaded()
        for raw in _batch_get(keys.assignment_pk(institution_id, assignment_id), sort_keys):
            entity = _entity(raw)
            if entity == ASSIGNMENT_ENTITY:
                item = AssignmentItem.from_raw_data(raw)
                loaded.assignment = Assignment.model_validate({**item.document, "version": int(item.version)})
            elif entity == STUDENT_RECORD_ENTITY:
                loaded.record = _record(StudentRecordItem.from_raw_data(raw))
            elif entity == EXTENSION_ENTITY:
                loaded.extension = Extension.model_validate(ExtensionItem.from_raw_data(raw).document)
            elif entity == SUBMISSION_ENTITY:
                loaded.submission = _submission(SubmissionItem.from_raw_data(raw))
            elif entity == UPLOAD_ENTITY:
                upload = Upload.model_validate(UploadItem.from_raw_data(raw).document)
                loaded.uploads[upload.id] = upload
        return loaded

    def list_assignments(
        self, institution_id: str, course_id: str, published_only: bool, limit: int, cursor: str | None
    ) -> tuple[list[Assignment], str | None]:
        partition = keys.course_assignments_pk(institution_id, course_id)
        start = decode_cursor(cursor, partition_attr="GSI1PK", partition=partition)
        condition = (
            AssignmentItem.GSI1SK.startswith(keys.course_assignments_prefix(AssignmentStatus.PUBLISHED))
            if published_only
            else None
        )
        results = AssignmentItem.by_course.query(
            partition, range_key_condition=condition, last_evaluated_key=start, page_size=limit, limit=limit
        )
        page = next(results.page_iter)
        found = []
        for raw in page.get("Items", []):
            item = AssignmentItem.from_raw_data(raw)
            found.append(Assignment.model_validate({**item.document, "version": int(item.version)}))
        return found, encode_cursor(page.get("LastEvaluatedKey"))

    def latest_submissions(
        self, institution_id: str, assignment_id: str, limit: int, cursor: str | None
    ) -> tuple[list[tuple[StudentRecord, Submission]], str | None]:
        """One page of students' records (one Query), then their latest versions (one BatchGetItem)."""
        partition = keys.assignment_pk(institution_id, assignment_id)
        start = decode_cursor(cursor, partition_attr="PK", partition=partition)
        results = StudentRecordItem.query(
            partition,
            StudentRecordItem.SK.startswith(keys.ASSIGNMENT_STUDENT_PREFIX),
            last_evaluated_key=start,
            page_size=limit,
            limit=limit,
        )
        page = next(results.page_iter)
        records = [_record(StudentRecordItem.from_raw_data(raw)) for raw in page.get("Items", [])]
        next_cursor = encode_cursor(page.get("LastEvaluatedKey"))
        if not records:
            return [], next_cursor
        raws = _batch_get(partition, [keys.submission_sk(str(r.latest_submission_id)) for r in records])
        by_id = {s.id: s for s in (_submission(SubmissionItem.from_raw_data(raw)) for raw in raws)}
        pairs = [(r, by_id[r.latest_submission_id]) for r in records if r.latest_submission_id in by_id]
        return pairs, next_cursor

    def get_record(self, institution_id: str, assignment_id: str, student_id: str) -> StudentRecord | None:
        try:
            item = StudentRecordItem.get(
                keys.assignment_pk(institution_id, assignment_id),
                keys.assignment_student_sk(student_id),
                consistent_read=True,
            )
        except StudentRecordItem.DoesNotExist:
            return None
        return _record(item)

    def student_versions(
        self, institution_id: str, assignment_id: str, student_id: str, limit: int, cursor: str | None
    ) -> tuple[list[Submission], str | None]:
        """A student's versions of one assignment, newest first: one Query of their GSI1 partition."""
        partition = keys.student_assignment_work_pk(institution_id, student_id)
        start = decode_cursor(cursor, partition_attr="GSI1PK", partition=partition)
        results = SubmissionItem.by_student.query(
            partition,
            SubmissionItem.GSI1SK.startswith(keys.student_submissions_prefix(assignment_id)),
            scan_index_forward=False,
            last_evaluated_key=start,
            page_size=limit,
            limit=limit,
        )
        page = next(results.page_iter)
        found = [_submission(SubmissionItem.from_raw_data(raw)) for raw in page.get("Items", [])]
        return found, encode_cursor(page.get("LastEvaluatedKey"))

    def student_work(self, institution_id: str, student_id: str) -> Iterator[dict[str, Any]]:
        """Every item about the student, raw, page by page (privacy export and erasure)."""
        partition = keys.student_assignment_work_pk(institution_id, student_id)
        for page in StudentRecordItem.by_student.query(partition).page_iter:
            yield from page.get("Items", [])

    def record_read(self, actor: Principal, assignment_id: str, submission: Submission) -> None:
        """Staff reading a student's submission (and its grade) leave an entry in the audit trail."""
        audit.record_read(
            actor,
            "GetSubmission",
            f"assessments/assignments/{assignment_id}/submissions/{submission.id}",
            subject_user_id=submission.student_id,
        )

    def record_list_read(self, actor: Principal, assignment_id: str, students: int) -> None:
        """Staff reading a page of an assignment's submissions leave one entry in the audit trail."""
        audit.record_class_read(
            actor,
            "ListSubmissions",
            f"assessments/assignments/{assignment_id}/submissions",
            students=students,
        )

    def stored_response(self, institution_id: str, user_id: str, key: str) -> StoredResponse | None:
        item = find_response(institution_id, user_id, key)
        if item is None:
            return None
        return StoredResponse(fingerprint=item.fingerprint, status=int(item.status), body=item.body)

    # ------------------------------------------------------------ writes

    def save_assignment(
        self,
        institution_id: str,
        assignment: Assignment,
        expected_version: int | None,
        actor: Principal,
        events: list[DomainEvent],
        idempotent: tuple[IdempotentRequest, StoredResponse] | None = None,
    ) -> None:
        """Create (expected_version None) or replace the assignment; the caller must teach its course."""
        tx = Transaction()
        course_access.check_teaches(
            tx,
            institution_id,
            assignment.course_id,
            actor,
            NotCourseStaff(
                "Only the course's instructors and the institution's admins manage its assignments."
            ),
        )
        condition: Condition
        if expected_version is None:
            condition = AssignmentItem.PK.does_not_exist()
            refusal: Exception = Conflict("An assignment with this id exists.")
        else:
            condition = AssignmentItem.version == expected_version
            refusal = PreconditionFailed("The assignment changed meanwhile; read it again.")
        tx.put(_assignment_item(institution_id, assignment), condition, refusal)
        due_index.follow(
            tx,
            institution_id,
            due_index.ASSIGNMENT,
            course_id=assignment.course_id,
            assessment_id=assignment.id,
            title=assignment.title,
            due_at=assignment.due_at,
            published=assignment.status is AssignmentStatus.PUBLISHED,
        )
        self._finish(tx, institution_id, actor, events, idempotent)

    def put_extension(
        self, institution_id: str, assignment: Assignment, extension: Extension, actor: Principal
    ) -> None:
        tx = Transaction()
        course_access.check_teaches(
            tx, institution_id, assignment.course_id, actor, NotCourseStaff("You do not teach this course.")
        )
        course_access.check_enrolled(
            tx,
            institution_id,
            assignment.course_id,
            extension.student_id,
            NotEnrolledInCourse("The student is not enrolled in the course.", field="student_id"),
        )
        tx.put(_extension_item(institution_id, assignment.id, extension))
        # The student's own due date: their reminder follows it (a draft's too, sent once published).
        due_index.follow(
            tx,
            institution_id,
            due_index.ASSIGNMENT,
            course_id=assignment.course_id,
            assessment_id=assignment.id,
            title=assignment.title,
            due_at=extension.due_at,
            published=True,
            student_id=extension.student_id,
        )
        tx.commit()

    def delete_extension(
        self, institution_id: str, assignment: Assignment, student_id: str, actor: Principal
    ) -> None:
        tx = Transaction()
        course_access.check_teaches(
            tx, institution_id, assignment.course_id, actor, NotCourseStaff("You do not teach this course.")
        )
        tx.delete(
            ExtensionItem(
                keys.assignment_pk(institution_id, assignment.id), keys.assignment_extension_sk(student_id)
            ),
            ExtensionItem.PK.exists(),
            ExtensionNotFound(f"The student {student_id!r} has no extension on this assignment."),
        )
        due_index.follow(
            tx,
            institution_id,
            due_index.ASSIGNMENT,
            course_id=assignment.course_id,
            assessment_id=assignment.id,
            title=assignment.title,
            due_at=None,
            published=False,
            student_id=student_id,
        )
        tx.commit()

    def add_upload(self, institution_id: str, course_id: str, upload: Upload, actor: Principal) -> None:
        tx = Transaction()
        self._check_can_submit(tx, institution_id, course_id, upload.assignment_id, actor)
        tx.put(
            _upload_item(institution_id, upload), UploadItem.PK.does_not_exist(), Conflict("Upload id taken.")
        )
        tx.commit()

    def add_submission(
        self,
        institution_id: str,
        submission: Submission,
        record: StudentRecord,
        actor: Principal,
        events: list[DomainEvent],
        idempotent: tuple[IdempotentRequest, StoredResponse] | None = None,
    ) -> None:
        """The new version and the student's record (conditional on the record read), atomically."""
        tx = Transaction()
        self._check_can_submit(tx, institution_id, submission.course_id, submission.assignment_id, actor)
        tx.put(
            _submission_item(institution_id, submission),
            SubmissionItem.PK.does_not_exist(),
            Conflict("Id taken."),
        )
        self._put_record(tx, institution_id, submission.assignment_id, record)
        self._finish(tx, institution_id, actor, events, idempotent)

    def save_grade(
        self,
        institution_id: str,
        course_id: str,
        submission: Submission,
        expected_revision: int,
        actor: Principal,
        events: list[DomainEvent],
    ) -> None:
        tx = Transaction()
        course_access.check_teaches(
            tx, institution_id, course_id, actor, NotCourseStaff("You do not teach this course.")
        )
        tx.put(
            _submission_item(institution_id, submission),
            SubmissionItem.version == expected_revision,
            PreconditionFailed(
                "The submission changed meanwhile (another grade or release).",
                current_version=expected_revision,
            ),
        )
        self._finish(tx, institution_id, actor, events, None)

    def release(
        self,
        institution_id: str,
        course_id: str,
        releases: list[Release],
        actor: Principal,
        events: list[DomainEvent],
    ) -> None:
        """Release grades: each submission and student record conditional on what was read."""
        tx = Transaction()
        course_access.check_teaches(
            tx, institution_id, course_id, actor, NotCourseStaff("You do not teach this course.")
        )
        for release in releases:
            submission = release.submission
            tx.put(
                _submission_item(institution_id, submission),
                SubmissionItem.version == submission.revision - 1,
                ConcurrentSubmission("The submission changed meanwhile; read it again."),
            )
            self._put_record(tx, institution_id, submission.assignment_id, release.record)
        self._finish(tx, institution_id, actor, events, None)

    # ------------------------------------------------------------ helpers

    def _check_can_submit(
        self, tx: Transaction, institution_id: str, course_id: str, assignment_id: str, actor: Principal
    ) -> None:
        course_access.check_enrolled(
            tx,
            institution_id,
            course_id,
            actor.user_id,
            NotEnrolledInCourse("Only students enrolled in the course may submit."),
        )
        tx.check(
            AssignmentItem,
            keys.assignment_pk(institution_id, assignment_id),
            keys.ASSIGNMENT_SK,
            AssignmentItem.status == AssignmentStatus.PUBLISHED.value,
            AssignmentNotPublished("The assignment is not published."),
        )

    def _put_record(
        self, tx: Transaction, institution_id: str, assignment_id: str, record: StudentRecord
    ) -> None:
        """`record.version` is the new version: 1 creates the record, n replaces version n - 1."""
        item = _record_item(institution_id, assignment_id, record)
        condition: Condition
        if record.version == 1:
            condition = StudentRecordItem.PK.does_not_exist()
        else:
            condition = StudentRecordItem.version == record.version - 1
        tx.put(
            item, condition, ConcurrentSubmission("Another change for this student committed first; retry.")
        )

    def _finish(
        self,
        tx: Transaction,
        institution_id: str,
        actor: Principal,
        events: list[DomainEvent],
        idempotent: tuple[IdempotentRequest, StoredResponse] | None,
    ) -> None:
        for event in events:
            tx.put(outbox_item(event, institution_id, actor))
        if idempotent is not None:
            request, response = idempotent
            remember_answer(tx, institution_id, actor.user_id, request, response)
        tx.commit()
