"""One scenario per API operation of the template (and a few variants), grouped by function.

A new operation in template.yaml stops the benchmark until it has a scenario here and its
expected requests in bench/expectations.py.
"""

from __future__ import annotations

from bench.scenarios.analytics import ANALYTICS_SCENARIOS
from bench.scenarios.announcements import ANNOUNCEMENT_SCENARIOS
from bench.scenarios.assignments import ASSIGNMENT_SCENARIOS
from bench.scenarios.base import Scenario
from bench.scenarios.commerce import COMMERCE_SCENARIOS
from bench.scenarios.courses import COURSES
from bench.scenarios.discussions import DISCUSSION_SCENARIOS
from bench.scenarios.enrollment import ENROLLMENT_SCENARIOS
from bench.scenarios.gradebook import GRADEBOOK_SCENARIOS
from bench.scenarios.lti import LTI_SCENARIOS
from bench.scenarios.lti_grades import LTI_GRADE_SCENARIOS
from bench.scenarios.mail import MAIL_SCENARIOS
from bench.scenarios.messages import MESSAGE_SCENARIOS
from bench.scenarios.notifications import NOTIFICATION_SCENARIOS
from bench.scenarios.progress import PROGRESS
from bench.scenarios.quizzes import QUIZ_SCENARIOS
from bench.scenarios.reviews import REVIEW_SCENARIOS
from bench.scenarios.users import USERS

SCENARIOS: tuple[type[Scenario], ...] = (
    *COURSES,
    *ENROLLMENT_SCENARIOS,
    *REVIEW_SCENARIOS,
    *COMMERCE_SCENARIOS,
    *PROGRESS,
    *USERS,
    *QUIZ_SCENARIOS,
    *GRADEBOOK_SCENARIOS,
    *ASSIGNMENT_SCENARIOS,
    *ANNOUNCEMENT_SCENARIOS,
    *DISCUSSION_SCENARIOS,
    *MESSAGE_SCENARIOS,
    *LTI_SCENARIOS,
    *LTI_GRADE_SCENARIOS,
    *NOTIFICATION_SCENARIOS,
    *ANALYTICS_SCENARIOS,
    *MAIL_SCENARIOS,
)

__all__ = ["SCENARIOS", "Scenario"]
