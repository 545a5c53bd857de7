"""The catalog of notification types: what a person can be told, in which category, and whether
they may switch it off.

Preferences are chosen per category and channel (lms.notifications.preferences); the e-mail
templates are named after the type (`template`). docs/notifications.md is generated from here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum


class Category(StrEnum):
    """What a person chooses a frequency for, per channel."""

    ANNOUNCEMENTS = "announcements"
    DISCUSSIONS = "discussions"
    MESSAGES = "messages"
    MODERATION = "moderation"
    GRADES = "grades"
    ENROLLMENT = "enrollment"
    PROGRESS = "progress"
    REMINDERS = "reminders"
    LEARNERS = "learners"
    ACCOUNT = "account"


LOCKED_CATEGORIES = frozenset({Category.ACCOUNT})
"""Categories of account and security notices: nobody may switch them off."""


@dataclass(frozen=True)
class NotificationType:
    name: str
    category: Category
    audience: str
    description: str
    once_per_person: bool = False
    """Claimed per person and subject before it is told (a reminder): sent once, however often it is made."""

    @property
    def switchable(self) -> bool:
        """Whether a person may turn this type off (through its category's preferences)."""
        return self.category not in LOCKED_CATEGORIES

    @property
    def template(self) -> str:
        """The name of the e-mail templates of this type: the type name in snake_case."""
        return re.sub(r"(?<!^)(?=[A-Z])", "_", self.name).lower()


def _type(
    name: str, category: Category, audience: str, description: str, *, once_per_person: bool = False
) -> NotificationType:
    return NotificationType(
        name=name,
        category=category,
        audience=audience,
        description=description,
        once_per_person=once_per_person,
    )


ANNOUNCEMENT_PUBLISHED = _type(
    "AnnouncementPublished",
    Category.ANNOUNCEMENTS,
    "the course's enrolled students, or everyone of the institution",
    "An announcement was published (at once or at its scheduled time).",
)
DISCUSSION_REPLY = _type(
    "DiscussionReply",
    Category.DISCUSSIONS,
    "the topic's subscribers",
    "Someone replied in a discussion topic the person follows.",
)
DIRECT_MESSAGE_RECEIVED = _type(
    "DirectMessageReceived",
    Category.MESSAGES,
    "the conversation's other participants",
    "A conversation was started with the person, or a message was sent in one of theirs.",
)
POST_REPORTED = _type(
    "PostReported",
    Category.MODERATION,
    "the course's instructors",
    "A discussion post was reported and waits for moderation.",
)
GRADE_RELEASED = _type(
    "GradeReleased",
    Category.GRADES,
    "the student",
    "A grade of a quiz or an assignment was released to the student.",
)
SUBMISSION_GRADED = _type(
    "SubmissionGraded",
    Category.GRADES,
    "the student",
    "The student's assignment submission was graded.",
)
ENROLLED = _type("Enrolled", Category.ENROLLMENT, "the student", "The student was enrolled in a course.")
WAITLISTED = _type(
    "Waitlisted", Category.ENROLLMENT, "the student", "The course was full: the student is on its waitlist."
)
PROMOTED_FROM_WAITLIST = _type(
    "PromotedFromWaitlist",
    Category.ENROLLMENT,
    "the student",
    "A seat became free: the student moved from the waitlist onto the roster.",
)
COURSE_COMPLETED = _type(
    "CourseCompleted", Category.PROGRESS, "the student", "The student completed a course."
)
ACHIEVEMENT_EARNED = _type(
    "AchievementEarned", Category.PROGRESS, "the student", "The student earned an achievement."
)
ASSIGNMENT_DUE_SOON = _type(
    "AssignmentDueSoon",
    Category.REMINDERS,
    "the course's enrolled students who have not submitted (with an extension: by their own due date)",
    "An assignment is due within 24 hours (once per student and assignment, even when the due date moves).",
    once_per_person=True,
)
QUIZ_DUE_SOON = _type(
    "QuizDueSoon",
    Category.REMINDERS,
    "the course's enrolled students who have not submitted an attempt",
    "A quiz is due within 24 hours (once per student and quiz, even when the due date moves).",
    once_per_person=True,
)
LEARNER_AT_RISK = _type(
    "LearnerAtRisk",
    Category.LEARNERS,
    "the course's instructors (never the student)",
    "A student of the course became at risk, or the reasons they are at risk changed.",
)
LEARNER_BACK_ON_TRACK = _type(
    "LearnerBackOnTrack",
    Category.LEARNERS,
    "the course's instructors (never the student)",
    "A student of the course at risk no longer meets any at-risk rule.",
)
ROSTER_IMPORT_FINISHED = _type(
    "RosterImportFinished",
    Category.ACCOUNT,
    "the administrator who submitted the roster",
    "Every row of a roster import has its outcome: the counts of invited, skipped and failed rows.",
)
PRIVACY_EXPORT_READY = _type(
    "PrivacyExportReady",
    Category.ACCOUNT,
    "the person the export is about",
    "A privacy export of the person's data is ready to download.",
)

CATALOG: dict[str, NotificationType] = {
    t.name: t
    for t in (
        ANNOUNCEMENT_PUBLISHED,
        DISCUSSION_REPLY,
        DIRECT_MESSAGE_RECEIVED,
        POST_REPORTED,
        GRADE_RELEASED,
        SUBMISSION_GRADED,
        ENROLLED,
        WAITLISTED,
        PROMOTED_FROM_WAITLIST,
        COURSE_COMPLETED,
        ACHIEVEMENT_EARNED,
        ASSIGNMENT_DUE_SOON,
        QUIZ_DUE_SOON,
        LEARNER_AT_RISK,
        LEARNER_BACK_ON_TRACK,
        ROSTER_IMPORT_FINISHED,
        PRIVACY_EXPORT_READY,
    )
}
"""Every notification type, by name."""
