"""Who may attempt each analytics operation (resource checks follow in the service)."""

from __future__ import annotations

from lms.auth import STAFF, Role
from lms.authz import operation

LEARNERS = frozenset({Role.STUDENT})
ADMINS = frozenset({Role.INSTITUTION_ADMIN})

GET_COURSE_OVERVIEW = operation("GetCourseOverview", STAFF, "read a course's analytics")
GET_LESSON_FUNNEL = operation("GetLessonFunnel", STAFF, "read a course's lesson funnel")
GET_ASSESSMENT_STATISTICS = operation(
    "GetAssessmentStatistics", STAFF, "read a course's assessment statistics"
)
LIST_COURSE_LEARNERS = operation("ListCourseLearners", STAFF, "list a course's learners with their analytics")
GET_LEARNER_ANALYTICS = operation("GetLearnerAnalytics", STAFF, "read a learner's analytics")
GET_MY_ANALYTICS = operation("GetMyCourseAnalytics", LEARNERS, "read their own analytics")
RECORD_LESSON_OPENED = operation("RecordLessonOpened", LEARNERS, "record opening a lesson")
GET_INSTITUTION_OVERVIEW = operation("GetInstitutionOverview", ADMINS, "read the institution's analytics")
GET_AT_RISK_RULES = operation("GetAtRiskRules", ADMINS, "read the at-risk rules")
UPDATE_AT_RISK_RULES = operation("UpdateAtRiskRules", ADMINS, "change the at-risk rules")
