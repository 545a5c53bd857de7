"""The standards a quiz's questions are aligned to, kept beside the course for the course's standards page.

One item per quiz (`INST#i#COURSE#<c>#QUIZ-STANDARDS`, `QUIZ#<q>`), owned by assessments and written
in the quiz's own transaction: put while a question is aligned, deleted when none is. The courses
context reads the partition with one Query (lms.courses.assessments_access), so a course's
standards page costs the same however many quizzes it has.
"""

from __future__ import annotations

from pynamodb.attributes import JSONAttribute, UnicodeAttribute

from lms import keys
from lms.assessments.quizzes.domain import Quiz
from lms.persistence.table import Item
from lms.persistence.transactions import Transaction

QUIZ_STANDARDS_ENTITY = "quiz-standards"


class QuizStandardsItem(Item):
    quiz_id = UnicodeAttribute()
    title = UnicodeAttribute()
    status = UnicodeAttribute()
    questions = JSONAttribute()  # [{question_id, position, standards: [alignment]}], aligned questions only


def align_questions(tx: Transaction, quiz: Quiz) -> None:
    """Keep the quiz's question alignments beside its course, inside the quiz's transaction."""
    item = QuizStandardsItem(
        keys.quiz_standards_pk(quiz.institution_id, quiz.course_id), keys.quiz_standards_sk(quiz.id)
    )
    aligned = [
        {
            "question_id": question.id,
            "position": position,
            "standards": [a.model_dump(mode="json") for a in question.standards],
        }
        for position, question in enumerate(quiz.questions, start=1)
        if question.standards
    ]
    if not aligned:
        tx.delete(item)
        return
    item.entity = QUIZ_STANDARDS_ENTITY
    item.quiz_id = quiz.id
    item.title = quiz.title
    item.status = str(quiz.status)
    item.questions = aligned
    tx.put(item)
