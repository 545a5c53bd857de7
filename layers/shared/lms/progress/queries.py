"""What the progress context answers for other contexts, from its own read model.

The courses context's `GET /enrollments` shows each course's progress percent: it asks here, and
this module reads the progress context's own items, so no other context touches them.
"""

from __future__ import annotations

from lms import keys
from lms.progress.domain import course_percent
from lms.progress.repository import OutlineItem, SummaryItem, course_outline, learner_progress


def percent_by_course(institution_id: str, student_id: str, course_ids: list[str]) -> dict[str, int]:
    """Whole percent done per course the progress context knows of; two batch reads per page."""
    if not course_ids:
        return {}
    unique = list(dict.fromkeys(course_ids))
    summaries = {
        item.course_id: learner_progress(item)
        for item in SummaryItem.batch_get(
            [
                (keys.course_progress_pk(institution_id, student_id, c), keys.PROGRESS_SUMMARY_SK)
                for c in unique
            ]
        )
    }
    if not summaries:
        return {}
    outlines = {
        item.course_id: course_outline(item)
        for item in OutlineItem.batch_get(
            [(keys.progress_outline_pk(institution_id, c), keys.PROGRESS_OUTLINE_SK) for c in summaries]
        )
    }
    return {
        course_id: course_percent(outlines[course_id], progress.done_lessons(), progress.passed_quizzes())
        for course_id, progress in summaries.items()
        if course_id in outlines
    }
