"""The analytics consumer: every context's events become course, learner and institution read models.

Each event is applied in one transaction with its inbox record (lms.analytics.repository), so a
redelivery changes nothing; the states it changes commute (lms.analytics.domain), so the read
models are the same whatever order the events arrive in. Nothing waits for another event: a
grade that arrives before the enrollment is kept, and counts once the enrollment arrives.

A learner's event is also the moment their at-risk status is judged (lms.analytics.risk), at the
event's time: the reasons the learner's state holds change in the same transaction, with a
`LearnerAtRisk` or `LearnerBackOnTrack` event when they do.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

from lms.analytics import course as courses
from lms.analytics import domain
from lms.analytics.course import Assessment, CourseCopy, Lifecycle
from lms.analytics.domain import LearnerState, QuizScore, ReleasedGrade, Stamp, Submission
from lms.analytics.judgement import judged_change
from lms.analytics.repository import CONSUMER, Change, DynamoAnalyticsRepository, StateChanged
from lms.consumer import EventConsumer, actor
from lms.events import EventEnvelope
from lms.events import analytics as analytics_events
from lms.events import assessments as assessment_events
from lms.events import communication as communication_events
from lms.events import courses as course_events
from lms.events import progress as progress_events
from lms.persistence.inbox import record_handled

STUDENT_ROLE = "students"


@cache
def _store() -> DynamoAnalyticsRepository:
    return DynamoAnalyticsRepository()


def _stamp(envelope: EventEnvelope) -> Stamp:
    return Stamp(envelope.occurred_at, envelope.id)


def _commit(change: Change, envelope: EventEnvelope) -> bool:
    if not change.changes_anything:
        return record_handled(CONSUMER, envelope)
    _store().commit(change)
    return True


# ---------------------------------------------------------------- the course


def _course_change(
    envelope: EventEnvelope, course_id: str, apply: Callable[[CourseCopy], CourseCopy]
) -> bool:
    before = _store().course(envelope.institution_id, course_id)
    after = apply(before)
    change = Change(envelope.institution_id, course_id, actor(envelope), envelope, course=(before, after))
    return _commit(change, envelope)


def _instructors_stamp(envelope: EventEnvelope) -> str:
    return f"{envelope.occurred_at.isoformat()}#{envelope.id}"


def _course_created(envelope: EventEnvelope, event: course_events.CourseCreated) -> bool:
    return _course_change(
        envelope,
        event.course_id,
        lambda c: courses.teach(
            courses.advance(c, Lifecycle.DRAFT, envelope.occurred_at, event.title),
            event.instructor_ids,
            _instructors_stamp(envelope),
        ),
    )


def _course_updated(envelope: EventEnvelope, event: course_events.CourseUpdated) -> bool:
    def apply(course: CourseCopy) -> CourseCopy:
        if event.instructor_ids is not None:
            course = courses.teach(course, event.instructor_ids, _instructors_stamp(envelope))
        return courses.arrange(course, event.lesson_ids, event.version)

    return _course_change(envelope, event.course_id, apply)


def _course_published(envelope: EventEnvelope, event: course_events.CoursePublished) -> bool:
    def apply(course: CourseCopy) -> CourseCopy:
        course = courses.advance(course, Lifecycle.PUBLISHED, envelope.occurred_at, event.title)
        if event.instructor_ids:
            course = courses.teach(course, event.instructor_ids, _instructors_stamp(envelope))
        # Events of courses published before they carried a version: the publication's order holds
        # until a versioned change comes.
        return courses.arrange(
            course, event.lesson_ids, event.course_version if event.course_version is not None else 0
        )

    return _course_change(envelope, event.course_id, apply)


def _course_archived(envelope: EventEnvelope, event: course_events.CourseArchived) -> bool:
    return _course_change(
        envelope, event.course_id, lambda c: courses.advance(c, Lifecycle.ARCHIVED, envelope.occurred_at)
    )


def _outline_changed(
    envelope: EventEnvelope,
    event: course_events.LessonAdded | course_events.LessonUpdated | course_events.LessonRemoved,
) -> bool:
    return _course_change(
        envelope, event.course_id, lambda c: courses.arrange(c, event.lesson_ids, event.course_version)
    )


def _quiz_published(envelope: EventEnvelope, event: assessment_events.QuizPublished) -> bool:
    assessment = Assessment("quiz", event.title, event.points, event.due_at)
    return _course_change(
        envelope, event.course_id, lambda c: courses.publish_assessment(c, event.quiz_id, assessment)
    )


def _assignment_published(envelope: EventEnvelope, event: assessment_events.AssignmentPublished) -> bool:
    assessment = Assessment("assignment", event.title, event.points, event.due_at)
    return _course_change(
        envelope, event.course_id, lambda c: courses.publish_assessment(c, event.assignment_id, assessment)
    )


# ---------------------------------------------------------------- a learner


def _learner_change(
    envelope: EventEnvelope,
    course_id: str,
    student_id: str,
    apply: Callable[[LearnerState], LearnerState],
    *,
    activity: bool,
    counted: dict[str, int] | None = None,
) -> bool:
    inst = envelope.institution_id
    states = _store().states(inst, course_id, student_id)
    if states.learner.erased:  # the person was erased: a late event brings nothing back
        return record_handled(CONSUMER, envelope)
    after = apply(states.learner)
    if activity:
        after = domain.act(after, envelope.occurred_at)
    change = judged_change(states, after, envelope.occurred_at, actor(envelope), envelope)
    if activity and not states.activity.erased:
        change.activity = (states.activity, domain.act_in_institution(states.activity, envelope.occurred_at))
    change.counted = dict(counted or {})
    return _commit(change, envelope)


def _student_enrolled(envelope: EventEnvelope, event: course_events.StudentEnrolled) -> bool:
    # Enrolling oneself is something the learner did; being enrolled by staff is not.
    return _learner_change(
        envelope,
        event.course_id,
        event.student_id,
        lambda s: domain.enroll(s, _stamp(envelope)),
        activity=event.enrolled_by == event.student_id,
    )


def _student_dropped(envelope: EventEnvelope, event: course_events.StudentDropped) -> bool:
    if event.was_waitlisted:  # never held a seat
        return record_handled(CONSUMER, envelope)
    return _learner_change(
        envelope,
        event.course_id,
        event.student_id,
        lambda s: domain.drop(s, _stamp(envelope)),
        activity=False,
    )


def _lesson_completed(envelope: EventEnvelope, event: progress_events.LessonCompleted) -> bool:
    return _learner_change(
        envelope,
        event.course_id,
        event.student_id,
        lambda s: domain.mark_lesson(s, event.lesson_id, True, _stamp(envelope)),
        activity=True,
    )


def _completion_undone(envelope: EventEnvelope, event: progress_events.LessonCompletionUndone) -> bool:
    return _learner_change(
        envelope,
        event.course_id,
        event.student_id,
        lambda s: domain.mark_lesson(s, event.lesson_id, False, _stamp(envelope)),
        activity=True,
    )


def _course_completed(envelope: EventEnvelope, event: progress_events.CourseCompleted) -> bool:
    return _learner_change(
        envelope,
        event.course_id,
        event.student_id,
        lambda s: domain.complete_course(s, envelope.occurred_at),
        activity=False,
    )


def _lesson_opened(envelope: EventEnvelope, event: analytics_events.LessonOpened) -> bool:
    return _learner_change(envelope, event.course_id, event.student_id, lambda s: s, activity=True)


def _attempt_submitted(envelope: EventEnvelope, event: assessment_events.QuizAttemptSubmitted) -> bool:
    return _learner_change(
        envelope,
        event.course_id,
        event.student_id,
        lambda s: s,
        activity=True,
        counted={f"quiz:{event.quiz_id}:attempts": 1},
    )


def _quiz_graded(envelope: EventEnvelope, event: assessment_events.QuizGraded) -> bool:
    score = QuizScore(event.score, event.points, event.passed, event.revision)
    return _learner_change(
        envelope,
        event.course_id,
        event.student_id,
        lambda s: domain.grade_quiz(s, event.quiz_id, score),
        activity=False,
    )


def _assignment_submitted(envelope: EventEnvelope, event: assessment_events.AssignmentSubmitted) -> bool:
    submission = Submission(event.version, event.late, event.submitted_at)
    return _learner_change(
        envelope,
        event.course_id,
        event.student_id,
        lambda s: domain.submit(s, event.assignment_id, submission),
        activity=True,
    )


def _grade_released(envelope: EventEnvelope, event: assessment_events.GradeReleased) -> bool:
    if event.kind != "assignment":  # a quiz's grade counts through QuizGraded
        return record_handled(CONSUMER, envelope)
    grade = ReleasedGrade(event.score, event.points, event.revision)
    return _learner_change(
        envelope,
        event.course_id,
        event.student_id,
        lambda s: domain.release_grade(s, event.assessment_id, grade),
        activity=False,
    )


def _topic_created(envelope: EventEnvelope, event: communication_events.DiscussionTopicCreated) -> bool:
    if STUDENT_ROLE not in envelope.actor.roles:  # staff's posts are not a learner's participation
        return record_handled(CONSUMER, envelope)
    return _learner_change(envelope, event.course_id, event.author_id, domain.post, activity=True)


def _reply_posted(envelope: EventEnvelope, event: communication_events.DiscussionReplyPosted) -> bool:
    if event.author_role != "student":
        return record_handled(CONSUMER, envelope)
    return _learner_change(envelope, event.course_id, event.author_id, domain.post, activity=True)


consumer = EventConsumer(
    CONSUMER,
    {
        course_events.CourseCreated: _course_created,
        course_events.CourseUpdated: _course_updated,
        course_events.CoursePublished: _course_published,
        course_events.CourseArchived: _course_archived,
        course_events.LessonAdded: _outline_changed,
        course_events.LessonUpdated: _outline_changed,
        course_events.LessonRemoved: _outline_changed,
        course_events.StudentEnrolled: _student_enrolled,
        course_events.StudentDropped: _student_dropped,
        progress_events.LessonCompleted: _lesson_completed,
        progress_events.LessonCompletionUndone: _completion_undone,
        progress_events.CourseCompleted: _course_completed,
        assessment_events.QuizPublished: _quiz_published,
        assessment_events.AssignmentPublished: _assignment_published,
        assessment_events.QuizAttemptSubmitted: _attempt_submitted,
        assessment_events.QuizGraded: _quiz_graded,
        assessment_events.AssignmentSubmitted: _assignment_submitted,
        assessment_events.GradeReleased: _grade_released,
        communication_events.DiscussionTopicCreated: _topic_created,
        communication_events.DiscussionReplyPosted: _reply_posted,
        analytics_events.LessonOpened: _lesson_opened,
    },
    # Another event changed the same state meanwhile: read it again (then SQS retries the message).
    conflicts=(StateChanged,),
)
