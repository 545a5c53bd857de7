"""The assessments context's personal data, one section per part (see lms.privacy).

Quizzes: a student's attempts and their quiz scores item are also in the student's GSI1 partition
(keys.student_quizzes_pk), so the export is one Query per page of it. Erasure removes the answers
of every attempt (short-text answers are the student's own words); the scores, per-question
results and attempt counters stay under the student's id (a pseudonym once the profile is erased),
so the gradebook's quiz grades and the statistics' scores stay consistent.

Gradebook: a student's rows (one per course: counted scores, enrollment status) are indexed under
the student (GSI1, keys.student_grades_pk), so the export is one Query per page of that index.
Erasure turns each row into a tombstone: status `erased`, no scores. A row is nothing but the
person's grades, and no stored aggregate is built from it (class percents, averages and exports
are computed from the rows at read time), so once the scores are gone every class view simply
leaves the student out and stays consistent. The tombstone, rather than a deleted row, keeps a
late grade event (a regrade delivered after the erasure) from creating the row again: the
consumer changes nothing on an erased row.

Assignments: every item about a student (their record per assignment, extensions, uploads,
submission versions) is also in the student's GSI1 partition (keys.student_assignment_work_pk),
so the export is one Query per page of it. Erasure deletes the student's uploaded files from the
files bucket (every upload handed out, submitted or not) and the upload items, and strips each
submission of what the student wrote (text, url, file names) and of the grader's feedback about
it; scores, lateness and release revisions stay under the student's id (a pseudonym once the
profile is erased), so released grades the gradebook counted stay consistent.
"""

from __future__ import annotations

from typing import Any

from lms.assessments.assignments import storage as assignment_files
from lms.assessments.assignments.repository import (
    EXTENSION_ENTITY,
    STUDENT_RECORD_ENTITY,
    SUBMISSION_ENTITY,
    UPLOAD_ENTITY,
    AssignmentItem,
    DynamoAssignmentRepository,
    ExtensionItem,
    StudentRecordItem,
    SubmissionItem,
    UploadItem,
)
from lms.assessments.course_access import CatalogCourse
from lms.assessments.due_index import DueMarkerItem
from lms.assessments.gradebook import domain as gradebook_domain
from lms.assessments.gradebook.repository import (
    DynamoGradebookRepository,
    GradebookRowItem,
    StateChanged,
)
from lms.assessments.quizzes.repository import (
    ATTEMPT_ENTITY,
    SCORE_ENTITY,
    AttemptItem,
    DynamoQuizRepository,
    QuizScoreItem,
)
from lms.auth import Principal
from lms.clock import rfc3339
from lms.privacy import Contributor, ExportRecord, ExportSections


def _entity(raw: dict[str, Any]) -> str:
    return str(raw.get("entity", {}).get("S", ""))


# ---------------------------------------------------------------- quizzes


def _quizzes_export(institution_id: str, user_id: str) -> ExportSections:
    sections: ExportSections = {"quiz_attempts": [], "quiz_scores": []}
    for raw in DynamoQuizRepository().student_items(institution_id, user_id):
        entity = _entity(raw)
        if entity == ATTEMPT_ENTITY:
            sections["quiz_attempts"].append(dict(AttemptItem.from_raw_data(raw).document))
        elif entity == SCORE_ENTITY:
            sections["quiz_scores"].append(dict(QuizScoreItem.from_raw_data(raw).document))
    return sections


def _quizzes_erase(institution_id: str, user_id: str) -> None:
    """Remove the answers of every attempt; an attempt without answers is left as it is."""
    for raw in DynamoQuizRepository().student_items(institution_id, user_id):
        if _entity(raw) != ATTEMPT_ENTITY:
            continue
        item = AttemptItem.from_raw_data(raw)
        if item.document.get("answers"):
            item.document = {**item.document, "answers": {}}
            item.save(condition=AttemptItem.version == item.version)


# ---------------------------------------------------------------- gradebook

_GRADEBOOK_ERASE_ATTEMPTS = 3


def _gradebook_export(institution_id: str, user_id: str) -> ExportSections:
    rows: list[ExportRecord] = []
    for course_id, row in DynamoGradebookRepository().rows_of_student(institution_id, user_id):
        rows.append(
            {
                "course_id": course_id,
                "status": row.status.value,
                "scores": [
                    {
                        "assessment_id": assessment_id,
                        "kind": score.kind,
                        "score": str(score.score),
                        "points": str(score.points),
                        "counted_at": rfc3339(score.counted_at),
                    }
                    for assessment_id, score in sorted(row.scores.items())
                ],
            }
        )
    return {"gradebook_rows": rows}


def _gradebook_erase(institution_id: str, user_id: str) -> None:
    """Every row of the student becomes a tombstone; an erased row is left as it is."""
    store = DynamoGradebookRepository()
    for course_id, _ in store.rows_of_student(institution_id, user_id):
        for attempt in range(_GRADEBOOK_ERASE_ATTEMPTS):
            row = store.row(institution_id, course_id, user_id)
            erased = gradebook_domain.erase(row)
            if erased == row:
                break
            try:
                store.commit_row(institution_id, course_id, erased, None)
                break
            except StateChanged:
                if attempt == _GRADEBOOK_ERASE_ATTEMPTS - 1:
                    raise  # the privacy worker runs the erasure again


# ---------------------------------------------------------------- assignments


def _assignments_export(institution_id: str, user_id: str) -> ExportSections:
    sections: ExportSections = {
        "assignment_records": [],
        "assignment_extensions": [],
        "assignment_uploads": [],
        "assignment_submissions": [],
    }
    for raw in DynamoAssignmentRepository().student_work(institution_id, user_id):
        entity = _entity(raw)
        if entity == STUDENT_RECORD_ENTITY:
            record = StudentRecordItem.from_raw_data(raw)
            sections["assignment_records"].append(
                {
                    "assignment_id": record.assignment_id,
                    "latest_version": int(record.latest_number),
                    "grades_released": int(record.release_revision),
                }
            )
        elif entity == EXTENSION_ENTITY:
            extension = ExtensionItem.from_raw_data(raw)
            sections["assignment_extensions"].append(
                {"assignment_id": extension.assignment_id, **extension.document}
            )
        elif entity == UPLOAD_ENTITY:
            upload = UploadItem.from_raw_data(raw)
            sections["assignment_uploads"].append(dict(upload.document))
        elif entity == SUBMISSION_ENTITY:
            submission = SubmissionItem.from_raw_data(raw)
            sections["assignment_submissions"].append(dict(submission.document))
    return sections


def _assignments_erase(institution_id: str, user_id: str) -> None:
    """Delete the student's files and uploads; strip their submissions of text and feedback."""
    raws = list(DynamoAssignmentRepository().student_work(institution_id, user_id))
    uploads = [UploadItem.from_raw_data(raw) for raw in raws if _entity(raw) == UPLOAD_ENTITY]
    assignment_files.delete_objects([upload.key for upload in uploads])
    for upload in uploads:
        upload.delete()
    for raw in raws:
        if _entity(raw) != SUBMISSION_ENTITY:
            continue
        item = SubmissionItem.from_raw_data(raw)
        stripped = _stripped(item.document)
        if stripped != item.document:
            item.document = stripped
            item.save(condition=SubmissionItem.version == item.version)


def _stripped(document: dict[str, Any]) -> dict[str, Any]:
    """The submission without what the student wrote or uploaded, and without feedback on it."""
    grades = {
        name: {**grade, "feedback": ""} if isinstance(grade, dict) else grade
        for name, grade in ((n, document.get(n)) for n in ("grade", "released_grade"))
    }
    return {**document, "text": None, "url": None, "files": [], **grades}


# ---------------------------------------------------------------- the context


def export(institution_id: str, user_id: str) -> ExportSections:
    return {
        **_quizzes_export(institution_id, user_id),
        **_gradebook_export(institution_id, user_id),
        **_assignments_export(institution_id, user_id),
    }


def erase(institution_id: str, user_id: str, actor: Principal) -> None:
    _quizzes_erase(institution_id, user_id)
    _gradebook_erase(institution_id, user_id)
    _assignments_erase(institution_id, user_id)


CONTRIBUTOR = Contributor(
    name="assessments",
    exported=(
        AttemptItem,
        QuizScoreItem,
        GradebookRowItem,
        StudentRecordItem,
        ExtensionItem,
        UploadItem,
        SubmissionItem,
    ),
    not_personal={
        AssignmentItem: "`created_by` names the staff member who wrote the assignment for the course",
        CatalogCourse: "a read-only view of the courses context's course item, which that context declares",
        DueMarkerItem: "an extension's due date (exported as assignment_extensions), kept like the extension",
    },
    export=export,
    erase=erase,
)
