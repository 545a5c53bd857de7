"""What the progress context answers for other contexts, from its own read model.

The courses context's `GET /enrollments` shows each course's progress percent: it asks here, and
this module reads the progress context's own items, so no other context touches them.
"""

from __future__ import annotations

from lms import keys
from lms.persistence.table import batch_get
from lms.progress.domain import CourseOutline, LearnerProgress, course_percent
from lms.progress.repository import OutlineItem, SummaryItem, course_outline, learner_progress


def percent_by_course(institution_id: str, student_id: str, course_ids: list[str]) -> dict[str, int]:
    """Whole percent done per course the progress context knows of.

    Every key is known from the course ids, so the student's summaries and the courses' outlines
    come in one batch read (two for a page of more than 50 courses).
    """
    if not course_ids:
        return {}
    unique = list(dict.fromkeys(course_ids))
    summaries: dict[str, LearnerProgress] = {}
    outlines: dict[str, CourseOutline] = {}
    wanted = [
        (keys.course_progress_pk(institution_id, student_id, c), keys.PROGRESS_SUMMARY_SK) for c in unique
    ]
    wanted += [(keys.progress_outline_pk(institution_id, c), keys.PROGRESS_OUTLINE_SK) for c in unique]
    for raw in batch_get(wanted, consistent=False):
        if raw["SK"]["S"] == keys.PROGRESS_SUMMARY_SK:
            summary = SummaryItem.from_raw_data(raw)
            summaries[summary.course_id] = learner_progress(summary)
        else:
            outline = OutlineItem.from_raw_data(raw)
            outlines[outline.course_id] = course_outline(outline)
    return {
        course_id: course_percent(outlines[course_id], progress.done_lessons(), progress.passed_quizzes())
        for course_id, progress in summaries.items()
        if course_id in outlines
    }
