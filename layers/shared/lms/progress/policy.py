"""Who may attempt each progress operation (resource checks follow in the service)."""

from __future__ import annotations

from lms.auth import STAFF, Role
from lms.authz import operation

LEARNERS = frozenset({Role.STUDENT})

COMPLETE_LESSON = operation("CompleteLesson", LEARNERS, "mark lessons complete")
UNDO_LESSON_COMPLETION = operation("UndoLessonCompletion", LEARNERS, "undo lesson completions")
GET_MY_PROGRESS = operation("GetMyProgress", LEARNERS, "read their own progress")
LIST_COURSE_PROGRESS = operation("ListCourseProgress", STAFF, "read a course's progress")
GET_STUDENT_PROGRESS = operation("GetStudentProgress", STAFF, "read a student's progress")
LIST_MY_ACHIEVEMENTS = operation("ListMyAchievements", LEARNERS, "list their own achievements")
