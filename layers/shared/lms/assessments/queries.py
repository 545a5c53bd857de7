"""What the assessments context answers for other contexts, from its own items.

A course's standards page (courses context) shows the quiz questions that assess each standard:
it asks here, and this module reads the alignments the quizzes keep beside their course
(lms.assessments.quizzes.standards), so no other context touches them.
"""

from __future__ import annotations

from lms import keys
from lms.assessments.quizzes.domain import QuizStatus
from lms.assessments.quizzes.standards import QuizStandardsItem
from lms.standards import Alignment, QuestionAlignment


def question_alignments(institution_id: str, course_id: str, with_drafts: bool) -> list[QuestionAlignment]:
    """Every aligned question of the course's quizzes (published quizzes only unless `with_drafts`).

    One Query: one item per quiz with an aligned question, each far below a page's 1 MB.
    """
    found: list[QuestionAlignment] = []
    for quiz in QuizStandardsItem.query(keys.quiz_standards_pk(institution_id, course_id)):
        if quiz.status != QuizStatus.PUBLISHED and not with_drafts:
            continue
        for question in quiz.questions:
            found.extend(
                QuestionAlignment(
                    quiz_id=quiz.quiz_id,
                    quiz_title=quiz.title,
                    question_id=question["question_id"],
                    position=int(question["position"]),
                    alignment=Alignment.model_validate(raw),
                )
                for raw in question["standards"]
            )
    return found
