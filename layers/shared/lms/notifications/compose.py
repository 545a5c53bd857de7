"""Domain events become notifications: what each recipient is told, and who is told.

One function per event type the notifications consumer handles; each returns the notification
(its id is the event's, so a repeated event makes the same notification) and its audience.
"""

from __future__ import annotations

from collections.abc import Callable
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

# An institution-wide announcement's `audience`, as the people index names roles.
_ANNOUNCEMENT_ROLES = {
    "students": "student",
    "instructors": "instructor",
    "institution-admins": "institution-admin",
}


def _notification(
    envelope: EventEnvelope, of_type: NotificationType, title: str, body: str, link: str, **data: Any
) -> Notification:
    return Notification(
        notification_id=envelope.id,
        type=of_type,
        institution_id=envelope.institution_id,
        occurred_at=envelope.occurred_at,
        actor_id=envelope.actor.user_id,
        title=title,
        body_text=body,
        link=link,
        data=data,
    )


def _not_the_actor(envelope: EventEnvelope, audience: Any, *others: str | None) -> Addressed:
    return Addressed(audience, frozenset({envelope.actor.user_id, *(o for o in others if o)}))


def announcement_published(envelope: EventEnvelope, event: AnnouncementPublished) -> Composed:
    if event.course_id is None:
        link = f"/communication/announcements/{event.announcement_id}"
        audience: Any = InstitutionMembers(_ANNOUNCEMENT_ROLES.get(event.audience))
    else:
        link = f"/communication/courses/{event.course_id}/announcements/{event.announcement_id}"
        audience = CourseStudents(event.course_id, with_staff=True)
    notification = _notification(
        envelope,
        catalog.ANNOUNCEMENT_PUBLISHED,
        event.title,
        event.preview,
        link,
        announcement_id=event.announcement_id,
        course_id=event.course_id,
        pinned=event.pinned,
    )
    return notification, _not_the_actor(envelope, audience)


def reply_posted(envelope: EventEnvelope, event: DiscussionReplyPosted) -> Composed:
    notification = _notification(
        envelope,
        catalog.DISCUSSION_REPLY,
        "New reply in a discussion you follow",
        event.preview,
        f"/communication/courses/{event.course_id}/topics/{event.topic_id}",
        course_id=event.course_id,
        topic_id=event.topic_id,
        post_id=event.post_id,
    )
    return notification, _not_the_actor(envelope, TopicSubscribers(event.topic_id), event.author_id)


def message_received(envelope: EventEnvelope, event: ConversationStarted | MessageSent) -> Composed:
    notification = _notification(
        envelope,
        catalog.DIRECT_MESSAGE_RECEIVED,
        "New message",
        event.preview,
        f"/communication/conversations/{event.conversation_id}",
        conversation_id=event.conversation_id,
        message_id=event.message_id,
    )
    return notification, _not_the_actor(envelope, People(tuple(event.recipient_ids)))


def post_reported(envelope: EventEnvelope, event: PostReported) -> Composed:
    notification = _notification(
        envelope,
        catalog.POST_REPORTED,
        "A discussion post was reported",
        event.preview,
        f"/communication/courses/{event.course_id}/reported-posts",
        course_id=event.course_id,
        topic_id=event.topic_id,
        post_id=event.post_id,
        reason=event.reason,
    )
    return notification, _not_the_actor(envelope, CourseInstructors(event.course_id), event.author_id)


def grade_released(envelope: EventEnvelope, event: GradeReleased) -> Composed:
    what = "quiz" if event.kind == "quiz" else "assignment"
    notification = _notification(
        envelope,
        catalog.GRADE_RELEASED,
        f"Your {what} grade was released",
        f"You scored {event.score} of {event.points}.",
        f"/assessments/gradebook/courses/{event.course_id}/me",
        course_id=event.course_id,
        assessment_id=event.assessment_id,
        kind=str(event.kind),
        score=str(event.score),
        points=str(event.points),
    )
    return notification, _not_the_actor(envelope, People((event.student_id,)))


def submission_graded(envelope: EventEnvelope, event: SubmissionGraded) -> Composed:
    # The score stays out: the student sees it once the grade is released.
    notification = _notification(
        envelope,
        catalog.SUBMISSION_GRADED,
        "Your submission was graded",
        "Your instructor graded your submission; the grade shows once it is released.",
        f"/assessments/assignments/{event.assignment_id}",
        course_id=event.course_id,
        assignment_id=event.assignment_id,
        submission_id=event.submission_id,
    )
    return notification, _not_the_actor(envelope, People((event.student_id,)))


def student_enrolled(envelope: EventEnvelope, event: StudentEnrolled) -> Composed:
    if event.via_waitlist:
        of_type, title = catalog.PROMOTED_FROM_WAITLIST, "A seat became free: you are enrolled"
    else:
        of_type, title = catalog.ENROLLED, "You were enrolled in a course"
    notification = _notification(
        envelope, of_type, title, title + ".", f"/courses/{event.course_id}", course_id=event.course_id
    )
    return notification, _not_the_actor(envelope, People((event.student_id,)))


def student_waitlisted(envelope: EventEnvelope, event: StudentWaitlisted) -> Composed:
    notification = _notification(
        envelope,
        catalog.WAITLISTED,
        "You are on a course's waitlist",
        f"The course is full; you are number {event.position} on its waitlist.",
        f"/courses/{event.course_id}",
        course_id=event.course_id,
        position=event.position,
    )
    return notification, _not_the_actor(envelope, People((event.student_id,)))


def course_completed(envelope: EventEnvelope, event: CourseCompleted) -> Composed:
    # An award: the student is told even though their own completion caused it.
    notification = _notification(
        envelope,
        catalog.COURSE_COMPLETED,
        "You completed a course",
        "Congratulations: you completed every lesson of the course.",
        f"/progress/courses/{event.course_id}",
        course_id=event.course_id,
    )
    return notification, Addressed(People((event.student_id,)))


def achievement_earned(envelope: EventEnvelope, event: AchievementEarned) -> Composed:
    notification = _notification(
        envelope,
        catalog.ACHIEVEMENT_EARNED,
        "You earned an achievement",
        f"Achievement earned: {event.achievement}.",
        "/progress/achievements",
        achievement=event.achievement,
        course_id=event.course_id,
    )
    return notification, Addressed(People((event.student_id,)))


def learner_at_risk(envelope: EventEnvelope, event: LearnerAtRisk) -> Composed:
    # For the course's staff only: the student is never told they were flagged.
    notification = _notification(
        envelope,
        catalog.LEARNER_AT_RISK,
        "A student may need your help",
        " ".join(reason.detail for reason in event.reasons),
        f"/analytics/courses/{event.course_id}/students/{event.student_id}",
        course_id=event.course_id,
        student_id=event.student_id,
        rules=[reason.rule for reason in event.reasons],
    )
    return notification, _not_the_actor(envelope, People(tuple(event.instructor_ids)), event.student_id)


def learner_back_on_track(envelope: EventEnvelope, event: LearnerBackOnTrack) -> Composed:
    notification = _notification(
        envelope,
        catalog.LEARNER_BACK_ON_TRACK,
        "A student is back on track",
        "A student you were told of no longer meets any at-risk rule.",
        f"/analytics/courses/{event.course_id}/students/{event.student_id}",
        course_id=event.course_id,
        student_id=event.student_id,
        rules=list(event.resolved),
    )
    return notification, _not_the_actor(envelope, People(tuple(event.instructor_ids)), event.student_id)


def export_ready(envelope: EventEnvelope, event: UserExportReady) -> Composed:
    # The outcome of a request: the person is told even when they asked for it themself.
    notification = _notification(
        envelope,
        catalog.PRIVACY_EXPORT_READY,
        "Your data export is ready",
        "The export of your data is ready to download for a few days.",
        f"/users/{event.user_id}/exports/{event.export_id}",
        export_id=event.export_id,
    )
    return notification, Addressed(People((event.user_id,)))


def import_finished(envelope: EventEnvelope, event: RosterImportFinished) -> Composed:
    # The outcome of the admin's own request: they are told though they caused it.
    notification = _notification(
        envelope,
        catalog.ROSTER_IMPORT_FINISHED,
        "Your roster import finished",
        f"Of {event.rows} rows: {event.created} invited, {event.skipped} already members, "
        f"{event.failed} failed.",
        f"/users/imports/{event.job_id}",
        job_id=event.job_id,
        rows=event.rows,
        created=event.created,
        skipped=event.skipped,
        failed=event.failed,
    )
    return notification, Addressed(People((event.requested_by,)))


COMPOSERS: dict[type[DomainEvent], Callable[[EventEnvelope, Any], Composed]] = {
    AnnouncementPublished: announcement_published,
    DiscussionReplyPosted: reply_posted,
    ConversationStarted: message_received,
    MessageSent: message_received,
    PostReported: post_reported,
    GradeReleased: grade_released,
    SubmissionGraded: submission_graded,
    StudentEnrolled: student_enrolled,
    StudentWaitlisted: student_waitlisted,
    CourseCompleted: course_completed,
    AchievementEarned: achievement_earned,
    UserExportReady: export_ready,
    LearnerAtRisk: learner_at_risk,
    LearnerBackOnTrack: learner_back_on_track,
    RosterImportFinished: import_finished,
}
"""The events that notify someone, and how."""
