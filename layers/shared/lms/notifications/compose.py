"""Domain events become notifications: what each recipient is told, and who is told.

One row per event type the notifications consumer handles (`TOLD`): the notification type, its
title, text and link as templates over the event's fields (`str.format` of its JSON form), the
fields its data carries, and its audience. The notification's id is the event's, so a repeated
event makes the same notification.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from lms.events import DomainEvent, EventEnvelope
from lms.events.analytics import LearnerAtRisk, LearnerBackOnTrack
from lms.events.assessments import GradeReleased, SubmissionGraded
from lms.events.communication import (
    AnnouncementPublished,
    ConversationStarted,
    DiscussionReplyPosted,
    MessageSent,
    PostReported,
)
from lms.events.courses import StudentEnrolled, StudentWaitlisted
from lms.events.progress import AchievementEarned, CourseCompleted
from lms.events.users import RosterImportFinished, UserExportReady
from lms.notifications import catalog
from lms.notifications.audience import (
    Addressed,
    CourseInstructors,
    CourseStudents,
    InstitutionMembers,
    People,
    TopicSubscribers,
)
from lms.notifications.catalog import NotificationType
from lms.notifications.domain import Notification

Composed = tuple[Notification, Addressed]
Text = str | Callable[[Any], str]
"""A template over the event's JSON fields, or a function of the event where a template will not do."""

# An institution-wide announcement's `audience`, as the people index names roles.
_ANNOUNCEMENT_ROLES = {
    "students": "student",
    "instructors": "instructor",
    "institution-admins": "institution-admin",
}


@dataclass(frozen=True)
class Told:
    """How one kind of event becomes a notification."""

    type: NotificationType
    title: Text
    body: Text
    link: Text
    data: tuple[str, ...]
    audience: Callable[[EventEnvelope, Any], Addressed]


# Audiences. Never the person who caused the event, unless it is an award or the outcome of their
# own request; never anyone else the event names as its cause (a post's author).


def _the_student(envelope: EventEnvelope, event: Any) -> Addressed:
    return Addressed(People((event.student_id,)), frozenset({envelope.actor.user_id}))


def _awarded(envelope: EventEnvelope, event: Any) -> Addressed:
    return Addressed(People((event.student_id,)))


def _recipients(envelope: EventEnvelope, event: ConversationStarted | MessageSent) -> Addressed:
    return Addressed(People(tuple(event.recipient_ids)), frozenset({envelope.actor.user_id}))


def _course_people(envelope: EventEnvelope, event: AnnouncementPublished) -> Addressed:
    assert event.course_id is not None
    return Addressed(CourseStudents(event.course_id, with_staff=True), frozenset({envelope.actor.user_id}))


def _institution_people(envelope: EventEnvelope, event: AnnouncementPublished) -> Addressed:
    audience = InstitutionMembers(_ANNOUNCEMENT_ROLES.get(event.audience))
    return Addressed(audience, frozenset({envelope.actor.user_id}))


def _followers(envelope: EventEnvelope, event: DiscussionReplyPosted) -> Addressed:
    excluded = frozenset({envelope.actor.user_id, event.author_id})
    return Addressed(TopicSubscribers(event.topic_id), excluded)


def _moderators(envelope: EventEnvelope, event: PostReported) -> Addressed:
    excluded = frozenset({envelope.actor.user_id, event.author_id})
    return Addressed(CourseInstructors(event.course_id), excluded)


def _teachers(envelope: EventEnvelope, event: LearnerAtRisk | LearnerBackOnTrack) -> Addressed:
    # For the course's staff only: the student is never told they were flagged.
    excluded = frozenset({envelope.actor.user_id, event.student_id})
    return Addressed(People(tuple(event.instructor_ids)), excluded)


def _requester(envelope: EventEnvelope, event: RosterImportFinished) -> Addressed:
    return Addressed(People((event.requested_by,)))


def _subject(envelope: EventEnvelope, event: UserExportReady) -> Addressed:
    return Addressed(People((event.user_id,)))


_COURSE_ANNOUNCEMENT = Told(
    catalog.ANNOUNCEMENT_PUBLISHED,
    "{title}",
    "{preview}",
    "/communication/courses/{course_id}/announcements/{announcement_id}",
    ("announcement_id", "course_id", "pinned"),
    _course_people,
)
_INSTITUTION_ANNOUNCEMENT = Told(
    catalog.ANNOUNCEMENT_PUBLISHED,
    "{title}",
    "{preview}",
    "/communication/announcements/{announcement_id}",
    ("announcement_id", "course_id", "pinned"),
    _institution_people,
)
_MESSAGE = Told(
    catalog.DIRECT_MESSAGE_RECEIVED,
    "New message",
    "{preview}",
    "/communication/conversations/{conversation_id}",
    ("conversation_id", "message_id"),
    _recipients,
)
_ENROLLED = Told(
    catalog.ENROLLED,
    "You were enrolled in a course",
    "You were enrolled in a course.",
    "/courses/{course_id}",
    ("course_id",),
    _the_student,
)
_PROMOTED = Told(
    catalog.PROMOTED_FROM_WAITLIST,
    "A seat became free: you are enrolled",
    "A seat became free: you are enrolled.",
    "/courses/{course_id}",
    ("course_id",),
    _the_student,
)
_LEARNER_LINK = "/analytics/courses/{course_id}/students/{student_id}"

TOLD: dict[type[DomainEvent], Told | Callable[[Any], Told]] = {
    AnnouncementPublished: lambda e: (
        _INSTITUTION_ANNOUNCEMENT if e.course_id is None else _COURSE_ANNOUNCEMENT
    ),
    DiscussionReplyPosted: Told(
        catalog.DISCUSSION_REPLY,
        "New reply in a discussion you follow",
        "{preview}",
        "/communication/courses/{course_id}/topics/{topic_id}",
        ("course_id", "topic_id", "post_id"),
        _followers,
    ),
    ConversationStarted: _MESSAGE,
    MessageSent: _MESSAGE,
    PostReported: Told(
        catalog.POST_REPORTED,
        "A discussion post was reported",
        "{preview}",
        "/communication/courses/{course_id}/reported-posts",
        ("course_id", "topic_id", "post_id", "reason"),
        _moderators,
    ),
    GradeReleased: Told(
        catalog.GRADE_RELEASED,
        "Your {kind} grade was released",
        "You scored {score} of {points}.",
        "/assessments/gradebook/courses/{course_id}/me",
        ("course_id", "assessment_id", "kind", "score", "points"),
        _the_student,
    ),
    # The score stays out: the student sees it once the grade is released.
    SubmissionGraded: Told(
        catalog.SUBMISSION_GRADED,
        "Your submission was graded",
        "Your instructor graded your submission; the grade shows once it is released.",
        "/assessments/assignments/{assignment_id}",
        ("course_id", "assignment_id", "submission_id"),
        _the_student,
    ),
    StudentEnrolled: lambda e: _PROMOTED if e.via_waitlist else _ENROLLED,
    StudentWaitlisted: Told(
        catalog.WAITLISTED,
        "You are on a course's waitlist",
        "The course is full; you are number {position} on its waitlist.",
        "/courses/{course_id}",
        ("course_id", "position"),
        _the_student,
    ),
    # Awards: the student is told even though their own progress caused them.
    CourseCompleted: Told(
        catalog.COURSE_COMPLETED,
        "You completed a course",
        "Congratulations: you completed every lesson of the course.",
        "/progress/courses/{course_id}",
        ("course_id",),
        _awarded,
    ),
    AchievementEarned: Told(
        catalog.ACHIEVEMENT_EARNED,
        "You earned an achievement",
        "Achievement earned: {achievement}.",
        "/progress/achievements",
        ("achievement", "course_id"),
        _awarded,
    ),
    LearnerAtRisk: Told(
        catalog.LEARNER_AT_RISK,
        "A student may need your help",
        lambda e: " ".join(reason.detail for reason in e.reasons),
        _LEARNER_LINK,
        ("course_id", "student_id", "reasons"),
        _teachers,
    ),
    LearnerBackOnTrack: Told(
        catalog.LEARNER_BACK_ON_TRACK,
        "A student is back on track",
        "A student you were told of no longer meets any at-risk rule.",
        _LEARNER_LINK,
        ("course_id", "student_id", "resolved"),
        _teachers,
    ),
    # Outcomes of a person's own request: they are told though they caused it.
    UserExportReady: Told(
        catalog.PRIVACY_EXPORT_READY,
        "Your data export is ready",
        "The export of your data is ready to download for a few days.",
        "/users/{user_id}/exports/{export_id}",
        ("export_id",),
        _subject,
    ),
    RosterImportFinished: Told(
        catalog.ROSTER_IMPORT_FINISHED,
        "Your roster import finished",
        "Of {rows} rows: {created} invited, {skipped} already members, {failed} failed.",
        "/users/imports/{job_id}",
        ("job_id", "rows", "created", "skipped", "failed"),
        _requester,
    ),
}
"""The events that notify someone, and how."""


def _text(text: Text, event: DomainEvent, fields: dict[str, Any]) -> str:
    return text(event) if callable(text) else text.format(**fields)


def compose(envelope: EventEnvelope, event: DomainEvent) -> Composed:
    """The notification an event makes (its id is the event's) and who is told of it."""
    row = TOLD[type(event)]
    told = row if isinstance(row, Told) else row(event)
    fields = event.model_dump(mode="json")
    notification = Notification(
        notification_id=envelope.id,
        type=told.type,
        institution_id=envelope.institution_id,
        occurred_at=envelope.occurred_at,
        actor_id=envelope.actor.user_id,
        title=_text(told.title, event, fields),
        body_text=_text(told.body, event, fields),
        link=_text(told.link, event, fields),
        data={name: fields[name] for name in told.data},
    )
    return notification, told.audience(envelope, event)
