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

SUBMITTERS = frozenset({Role.STUDENT})
ASSIGNMENT_READERS = STAFF | SUBMITTERS

CREATE_ASSIGNMENT = operation("CreateAssignment", STAFF, "create assignments")
GET_ASSIGNMENT = operation("GetAssignment", ASSIGNMENT_READERS, "read assignments")
LIST_ASSIGNMENTS = operation("ListAssignments", ASSIGNMENT_READERS, "list a course's assignments")
UPDATE_ASSIGNMENT = operation("UpdateAssignment", STAFF, "edit assignments")
PUBLISH_ASSIGNMENT = operation("PublishAssignment", STAFF, "publish assignments")
GRANT_EXTENSION = operation("GrantExtension", STAFF, "grant due-date extensions")
REVOKE_EXTENSION = operation("RevokeExtension", STAFF, "revoke due-date extensions")
CREATE_SUBMISSION_UPLOAD = operation("CreateSubmissionUpload", SUBMITTERS, "upload submission files")
SUBMIT_ASSIGNMENT = operation("SubmitAssignment", SUBMITTERS, "submit assignments")
LIST_SUBMISSIONS = operation("ListSubmissions", ASSIGNMENT_READERS, "list submissions")
GET_SUBMISSION = operation("GetSubmission", ASSIGNMENT_READERS, "read submissions")
GRADE_SUBMISSION = operation("GradeSubmission", STAFF, "grade submissions")
RELEASE_GRADE = operation("ReleaseGrade", STAFF, "release grades")
RELEASE_ASSIGNMENT_GRADES = operation("ReleaseAssignmentGrades", STAFF, "release grades")

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
