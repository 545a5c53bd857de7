"""Who may attempt each assessments operation (resource checks follow in the services)."""

from __future__ import annotations

from lms.auth import STAFF, Role
from lms.authz import operation

# ---------------------------------------------------------------- quizzes

QUIZ_TAKERS = frozenset({Role.STUDENT})
QUIZ_READERS = STAFF | QUIZ_TAKERS

CREATE_QUIZ = operation("CreateQuiz", STAFF, "author quizzes")
LIST_QUIZZES = operation("ListQuizzes", QUIZ_READERS, "list a course's quizzes")
GET_QUIZ = operation("GetQuiz", QUIZ_READERS, "read quizzes")
UPDATE_QUIZ = operation("UpdateQuiz", STAFF, "edit quizzes")
PUBLISH_QUIZ = operation("PublishQuiz", STAFF, "publish quizzes")
START_QUIZ_ATTEMPT = operation("StartQuizAttempt", QUIZ_TAKERS, "attempt quizzes")
SAVE_QUIZ_ANSWERS = operation("SaveQuizAnswers", QUIZ_TAKERS, "answer quizzes")
SUBMIT_QUIZ_ATTEMPT = operation("SubmitQuizAttempt", QUIZ_TAKERS, "submit quiz attempts")
GET_QUIZ_ATTEMPT = operation("GetQuizAttempt", QUIZ_READERS, "read quiz attempts")
LIST_QUIZ_ATTEMPTS = operation("ListQuizAttempts", QUIZ_READERS, "list quiz attempts")
GET_QUIZ_STATISTICS = operation("GetQuizStatistics", STAFF, "read quiz statistics")
REGRADE_QUIZ = operation("RegradeQuiz", STAFF, "regrade quizzes")


# ---------------------------------------------------------------- assignments

# ---------------------------------------------------------------- gradebook

GRADEBOOK_READERS = frozenset({Role.STUDENT})

GET_GRADEBOOK_SETTINGS = operation("GetGradebookSettings", STAFF, "read a course's gradebook settings")
UPDATE_GRADEBOOK_SETTINGS = operation(
    "UpdateGradebookSettings", STAFF, "change a course's gradebook settings"
)
GET_MY_GRADES = operation("GetMyGrades", GRADEBOOK_READERS, "read their own grades")
LIST_COURSE_GRADES = operation("ListCourseGrades", STAFF, "read a course's grades")
GET_STUDENT_GRADES = operation("GetStudentGrades", STAFF, "read a student's grades")
EXPORT_GRADEBOOK = operation("ExportGradebook", STAFF, "export a course's gradebook")
