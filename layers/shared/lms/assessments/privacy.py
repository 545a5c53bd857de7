"""The assessments context's personal data, one section per part (see lms.privacy).

Quizzes: a student's attempts and their quiz scores item are also in the student's GSI1 partition
(keys.student_quizzes_pk), so the export is one Query per page of it. Erasure removes the answers
of every attempt (short-text answers are the student's own words); the scores, per-question
results and attempt counters stay under the student's id (a pseudonym once the profile is erased),
so the gradebook's quiz grades and the statistics' scores stay consistent.
"""

from __future__ import annotations

from typing import Any

from lms.assessments.course_access import CatalogCourse
from lms.assessments.quizzes.repository import (
    ATTEMPT_ENTITY,
    SCORE_ENTITY,
    AttemptItem,
    DynamoQuizRepository,
    QuizScoreItem,
)
from lms.auth import Principal
from lms.privacy import Contributor, ExportSections


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


# ---------------------------------------------------------------- the context


def export(institution_id: str, user_id: str) -> ExportSections:
    return {**_quizzes_export(institution_id, user_id)}


def erase(institution_id: str, user_id: str, actor: Principal) -> None:
    _quizzes_erase(institution_id, user_id)


CONTRIBUTOR = Contributor(
    name="assessments",
    exported=(AttemptItem, QuizScoreItem),
    not_personal={
        CatalogCourse: "a read-only view of the courses context's course item, which that context declares",
    },
    export=export,
    erase=erase,
)
