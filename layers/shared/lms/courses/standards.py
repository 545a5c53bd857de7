"""A course's standards page: every standard the course covers, with what teaches and assesses it; pure."""

from __future__ import annotations

from lms.courses.domain import Course
from lms.courses.schemas import (
    CourseStandardsView,
    CoveredStandardView,
    LessonAlignmentView,
    QuestionAlignmentView,
)
from lms.standards import AlignmentType, QuestionAlignment, Standard


def standards_page(course: Course, questions: list[QuestionAlignment]) -> CourseStandardsView:
    """The course's own alignments, its lessons' (outline order) and its questions', by standard."""
    details: dict[str, Standard] = {a.case_item_id: a.standard() for a in course.standards}
    own: dict[str, list[AlignmentType]] = {}
    for alignment in course.standards:
        own.setdefault(alignment.case_item_id, []).append(alignment.alignment_type)
    lessons: dict[str, list[LessonAlignmentView]] = {}
    for section in course.sections:
        for position, lesson in enumerate(section.lessons, start=1):
            for ref in lesson.standards:
                standard = course.lesson_standards.get(ref.case_item_id)
                if standard is None:
                    continue
                details.setdefault(ref.case_item_id, standard)
                lessons.setdefault(ref.case_item_id, []).append(
                    LessonAlignmentView(
                        lesson_id=lesson.id,
                        title=lesson.title,
                        section_id=section.id,
                        position=position,
                        alignment_type=ref.alignment_type,
                    )
                )
    assessed: dict[str, list[QuestionAlignmentView]] = {}
    for question in sorted(questions, key=lambda q: (q.quiz_title, q.quiz_id, q.position)):
        item_id = question.alignment.case_item_id
        details.setdefault(item_id, question.alignment.standard())
        assessed.setdefault(item_id, []).append(
            QuestionAlignmentView(
                quiz_id=question.quiz_id,
                quiz_title=question.quiz_title,
                question_id=question.question_id,
                position=question.position,
                alignment_type=question.alignment.alignment_type,
            )
        )
    covered = [
        CoveredStandardView(
            **standard.model_dump(),
            course_alignments=own.get(item_id, []),
            lessons=lessons.get(item_id, []),
            questions=assessed.get(item_id, []),
        )
        for item_id, standard in sorted(
            details.items(), key=lambda pair: (pair[1].human_coding_scheme.lower(), pair[0])
        )
    ]
    return CourseStandardsView(course_id=course.id, standards=covered)
