"""Tenant key builders: every key of the table starts with the caller's institution.

Only these functions build keys, and they take the institution from the verified principal.
"""

from __future__ import annotations

import hashlib
import re
import zlib

from lms.errors import NotFound

SAFE_PART_PATTERN = r"^[A-Za-z0-9_.:-]{1,64}$"
"""What an id, key part or Idempotency-Key may look like."""
_SAFE = re.compile(SAFE_PART_PATTERN)


# Handlers check path ids first (lms.http.path_id); this is the guarantee for every other input
# that reaches a key (a query parameter, an id in a body), so none can answer 500.
class UnsafeKeyPart(NotFound):
    """No such resource: the id cannot name one."""


def _part(value: str) -> str:
    if not _SAFE.match(value):
        raise UnsafeKeyPart(f"No resource is named {value[:64]!r}.")
    return value


def tenant(institution_id: str) -> str:
    return f"INST#{_part(institution_id)}"


def course_pk(institution_id: str, course_id: str) -> str:
    return f"{tenant(institution_id)}#COURSE#{_part(course_id)}"


COURSE_SK = "COURSE"


def institution_courses_pk(institution_id: str) -> str:
    """GSI1 partition of every course of an institution (GSI1SK: the course id): the catalog's rebuild."""
    return f"{tenant(institution_id)}#COURSES"


def lesson_sk(lesson_id: str) -> str:
    return f"LESSON#{_part(lesson_id)}"


def catalog_index_pk(institution_id: str) -> str:
    """One institution's catalog index: its shards of course entries and their version counters."""
    return f"{tenant(institution_id)}#CATALOG-INDEX"


CATALOG_VERSION_SK = "VERSION"


def catalog_shard_sk(shard: int) -> str:
    return f"SHARD#{shard:02d}"


def enrollment_sk(student_id: str) -> str:
    """A student's place on a course's roster (or waitlist), under the course's partition."""
    return f"ENROLLMENT#{_part(student_id)}"


ROSTER_SK = "ROSTER"
"""A capped course's seat counter (capacity, enrolled, waitlisted); uncapped courses have none."""


def waitlist_sk(ticket: str) -> str:
    """A place on a course's waitlist; tickets are ULIDs, so the sort order is first come, first served."""
    return f"WAITLIST#{_part(ticket)}"


WAITLIST_PREFIX = "WAITLIST#"


def student_enrollments_pk(institution_id: str, student_id: str) -> str:
    """GSI1 partition: one student's enrollments across courses."""
    return f"{tenant(institution_id)}#STUDENT#{_part(student_id)}#ENROLLMENTS"


def student_enrollments_sk(requested_at: str, course_id: str) -> str:
    """A student's enrollment in their GSI1 partition: by request time, then course."""
    return f"{requested_at}#{course_id}"


def course_progress_pk(institution_id: str, student_id: str, course_id: str) -> str:
    """One student's progress in one course: lesson completions and a summary item."""
    return f"{tenant(institution_id)}#PROGRESS#{_part(student_id)}#COURSE#{_part(course_id)}"


PROGRESS_SUMMARY_SK = "SUMMARY"
"""The progress summary; `completed_at` on it means the course is complete (a prerequisite met)."""


def completion_sk(lesson_id: str) -> str:
    """A lesson the student marked complete, under their course progress partition."""
    return f"LESSON#{_part(lesson_id)}"


def course_learners_pk(institution_id: str, course_id: str) -> str:
    """GSI1 partition: the progress summaries of a course's enrolled students, by student id."""
    return f"{tenant(institution_id)}#PROGRESS#LEARNERS#{_part(course_id)}"


def progress_outline_pk(institution_id: str, course_id: str) -> str:
    """The progress context's copy of a course: its counted lessons in order, its instructors."""
    return f"{tenant(institution_id)}#PROGRESS#OUTLINE#{_part(course_id)}"


PROGRESS_OUTLINE_SK = "OUTLINE"


def achievements_pk(institution_id: str, student_id: str) -> str:
    """One student's achievements and the learning activity they are earned from."""
    return f"{tenant(institution_id)}#ACHIEVEMENTS#{_part(student_id)}"


ACHIEVEMENT_SK_PREFIX = "ACHIEVEMENT#"
LEARNING_ACTIVITY_SK = "ACTIVITY"


def achievement_sk(achievement: str, course_id: str | None = None) -> str:
    suffix = f"#{_part(course_id)}" if course_id else ""
    return f"{ACHIEVEMENT_SK_PREFIX}{_part(achievement)}{suffix}"


def quiz_pk(institution_id: str, quiz_id: str) -> str:
    """A quiz: its questions, its answer keys, its attempts and each student's quiz score."""
    return f"{tenant(institution_id)}#QUIZ#{_part(quiz_id)}"


QUIZ_SK = "QUIZ"
"""The quiz as students may read it (no answer keys)."""
QUIZ_KEY_SK = "KEY"
"""The quiz's answer keys: read by staff views and grading only, never by a student's request."""
QUIZ_ATTEMPT_PREFIX = "ATTEMPT#"


def quiz_attempt_sk(attempt_id: str) -> str:
    return f"{QUIZ_ATTEMPT_PREFIX}{_part(attempt_id)}"


def quiz_score_sk(student_id: str) -> str:
    """One student's attempt counter and scores in the quiz."""
    return f"SCORE#{_part(student_id)}"


def course_quizzes_pk(institution_id: str, course_id: str) -> str:
    """GSI1 partition: a course's quizzes, by status then creation."""
    return f"{tenant(institution_id)}#COURSE#{_part(course_id)}#QUIZZES"


def course_quizzes_sk(status: str, created_at: str, quiz_id: str) -> str:
    return f"{_part(status)}#{created_at}#{_part(quiz_id)}"


def course_quizzes_prefix(status: str) -> str:
    """The sort-key prefix of a course's quizzes in one status."""
    return f"{status}#"


def student_quizzes_pk(institution_id: str, student_id: str) -> str:
    """GSI1 partition: one student's quiz attempts and scores across quizzes (their own list, privacy)."""
    return f"{tenant(institution_id)}#STUDENT#{_part(student_id)}#QUIZZES"


def student_quiz_sk(quiz_id: str, item: str) -> str:
    """`<quiz>#ATTEMPT#<attempt>` or `<quiz>#SCORE`: a student's items of one quiz sort together."""
    return f"{_part(quiz_id)}#{item}"


def outbox_pk(institution_id: str, event_id: str) -> str:
    return f"{tenant(institution_id)}#OUTBOX#{_part(event_id)}"


OUTBOX_SK = "EVENT"

UNPUBLISHED_OUTBOX_SHARDS = 8
"""GSI1 partitions of unpublished outbox items: spread so a burst of events has no hot key."""


def unpublished_outbox_pk(event_id: str) -> str:
    """GSI1 partition of an outbox item until PutEvents accepts it (the outbox sweeper's sparse index)."""
    return unpublished_outbox_shard_pk(zlib.crc32(_part(event_id).encode()) % UNPUBLISHED_OUTBOX_SHARDS)


def unpublished_outbox_shard_pk(shard: int) -> str:
    return f"{PLATFORM}#OUTBOX#UNPUBLISHED#{shard}"


def unpublished_outbox_sk(occurred_at: str, event_id: str) -> str:
    """Oldest first: the sweeper reads each partition up to the end of the grace period."""
    return f"{occurred_at}#{_part(event_id)}"


def idempotency_pk(institution_id: str, user_id: str, key: str) -> str:
    """One caller's key; a platform admin belongs to no tenant, so theirs are under PLATFORM#."""
    scope = tenant(institution_id) if institution_id else PLATFORM
    return f"{scope}#IDEMPOTENCY#{_part(user_id)}#{_part(key)}"


IDEMPOTENCY_SK = "RESPONSE"


def inbox_pk(institution_id: str, consumer: str, event_id: str) -> str:
    """A consumer's record that it has handled one event (idempotency by event id)."""
    return f"{tenant(institution_id)}#INBOX#{_part(consumer)}#{_part(event_id)}"


INBOX_SK = "HANDLED"


def institution_pk(institution_id: str) -> str:
    """The institution's own item (name, slug, timezone, locale)."""
    return f"{tenant(institution_id)}#INSTITUTION"


INSTITUTION_SK = "INSTITUTION"

PLATFORM = "PLATFORM"
"""Prefix of the only keys that belong to no tenant: the directory of institutions, their slugs, the
Idempotency-Key answers of platform admins, and the outbox sweeper's index of unpublished events.

A tenant key always starts with `INST#`, so no tenant can build one of these; only platform-admin
operations address them.
"""


def institutions_directory_pk() -> str:
    """GSI1 partition listing every institution, by slug."""
    return f"{PLATFORM}#INSTITUTIONS"


def slug_pk(slug: str) -> str:
    """A claim on an institution slug: one item per slug makes the slug unique (a Put condition)."""
    return f"{PLATFORM}#SLUG#{_part(slug)}"


SLUG_SK = "SLUG"


def user_pk(institution_id: str, user_id: str) -> str:
    """A person of the institution: their profile (status and role included)."""
    return f"{tenant(institution_id)}#USER#{_part(user_id)}"


PROFILE_SK = "PROFILE"


USER_EXPORT_PREFIX = "EXPORT#"


def user_export_sk(export_id: str) -> str:
    """A privacy export of the person, under their own partition (user_pk), in id (request) order."""
    return f"{USER_EXPORT_PREFIX}{_part(export_id)}"


ERASURE_SK = "ERASURE"
"""The record of the person's erasure, under their own partition: one per person, never replaced."""


def people_pk(institution_id: str) -> str:
    """GSI1 partition listing the institution's people by role, then name."""
    return f"{tenant(institution_id)}#PEOPLE"


def people_sk(role: str, sort_name: str, user_id: str) -> str:
    return f"{role}#{sort_name}#{user_id}"


def people_prefix(role: str) -> str:
    """The sort-key prefix of the institution's people in one role."""
    return f"{role}#"


def email_pk(institution_id: str, email_digest: str) -> str:
    """A claim on an email address within an institution (the digest keeps the address out of keys)."""
    return f"{tenant(institution_id)}#EMAIL#{_part(email_digest)}"


EMAIL_SK = "EMAIL"


def import_job_pk(institution_id: str, job_id: str) -> str:
    """A roster import: the job, its rows in chunks and one outcome item per processed row."""
    return f"{tenant(institution_id)}#IMPORT#{_part(job_id)}"


IMPORT_JOB_SK = "JOB"


def import_chunk_sk(chunk: int) -> str:
    """Up to 25 submitted rows; zero-padded so the chunks sort in roster order."""
    return f"CHUNK#{chunk:03d}"


def import_row_sk(row: int) -> str:
    """The outcome of one row (its position in the roster, from 1)."""
    return f"ROW#{row:04d}"


def person_import_rows_pk(institution_id: str, user_id: str) -> str:
    """GSI1 partition: the roster rows that name one person (created or found there), for privacy."""
    return f"{tenant(institution_id)}#USER#{_part(user_id)}#IMPORT-ROWS"


def person_import_row_sk(job_id: str, row: int) -> str:
    return f"{_part(job_id)}#{import_row_sk(row)}"


def audit_pk(institution_id: str) -> str:
    """The institution's audit trail: one partition, entries sorted by their ULID (time)."""
    return f"{tenant(institution_id)}#AUDIT"


def audit_sk(entry_id: str) -> str:
    return f"ENTRY#{_part(entry_id)}"


def subject_audit_pk(institution_id: str, user_id: str) -> str:
    """GSI1 partition: the audit entries about one person (their `subject_user_id`), by entry id."""
    return f"{tenant(institution_id)}#AUDIT#SUBJECT#{_part(user_id)}"


def gradebook_pk(institution_id: str, course_id: str) -> str:
    """A course's gradebook: its settings, its columns and one row per student."""
    return f"{tenant(institution_id)}#COURSE#{_part(course_id)}#GRADEBOOK"


def quiz_standards_pk(institution_id: str, course_id: str) -> str:
    """The standards a course's quiz questions are aligned to, one item per quiz (assessments owns them)."""
    return f"{tenant(institution_id)}#COURSE#{_part(course_id)}#QUIZ-STANDARDS"


def quiz_standards_sk(quiz_id: str) -> str:
    return f"QUIZ#{_part(quiz_id)}"


GRADEBOOK_SETTINGS_SK = "SETTINGS"
GRADEBOOK_COLUMNS_SK = "COLUMNS"
GRADEBOOK_ROW_PREFIX = "ROW#"


def gradebook_row_sk(student_id: str) -> str:
    """One student's row of a course's gradebook (their counted scores, enrollment status)."""
    return f"{GRADEBOOK_ROW_PREFIX}{_part(student_id)}"


def student_grades_pk(institution_id: str, student_id: str) -> str:
    """GSI1 partition: one student's gradebook rows across courses, by course id (privacy export)."""
    return f"{tenant(institution_id)}#STUDENT#{_part(student_id)}#GRADES"


def assignment_pk(institution_id: str, assignment_id: str) -> str:
    """An assignment with its students' records, extensions, uploads and submissions."""
    return f"{tenant(institution_id)}#ASSIGNMENT#{_part(assignment_id)}"


ASSIGNMENT_SK = "ASSIGNMENT"
ASSIGNMENT_STUDENT_PREFIX = "STUDENT#"


def assignment_student_sk(student_id: str) -> str:
    """A student's record on an assignment: their latest version and how often a grade was released."""
    return f"{ASSIGNMENT_STUDENT_PREFIX}{_part(student_id)}"


def assignment_extension_sk(student_id: str) -> str:
    return f"EXTENSION#{_part(student_id)}"


def assignment_upload_sk(upload_id: str) -> str:
    return f"UPLOAD#{_part(upload_id)}"


def submission_sk(submission_id: str) -> str:
    return f"SUBMISSION#{_part(submission_id)}"


ASSESSMENT_DUE_SK = "DUE"
"""The due marker of a published assignment or quiz with a due date, beside it (its partition)."""


def assessment_due_sk(student_id: str | None = None) -> str:
    """The due marker of the assessment, or of one student's extension of it."""
    return ASSESSMENT_DUE_SK if student_id is None else f"{ASSESSMENT_DUE_SK}#{_part(student_id)}"


DUE_ASSESSMENT_SHARDS = 4
"""GSI1 partitions of due markers, read by the due-soon reminders."""


def due_assessments_pk(shard: int) -> str:
    """GSI1 partition of the due markers of every institution: the reminders' sparse index."""
    return f"{PLATFORM}#ASSESSMENTS#DUE#{shard}"


def due_assessment_shard(assessment_id: str) -> int:
    return sum(_part(assessment_id).encode()) % DUE_ASSESSMENT_SHARDS


def due_assessment_sk(due_at: str, assessment_id: str, student_id: str | None = None) -> str:
    """Earliest first: the reminders read each partition from now to a day ahead."""
    suffix = "" if student_id is None else f"#{_part(student_id)}"
    return f"{due_at}#{_part(assessment_id)}{suffix}"


def due_assessments_between(start: str, end: str) -> tuple[str, str]:
    """GSI1SK bounds of every marker due after `start` and at `end` or before."""
    return f"{start}#~", f"{end}#~"


def course_assignments_pk(institution_id: str, course_id: str) -> str:
    """GSI1 partition: a course's assignments, by `<status>#<assignment>`."""
    return f"{tenant(institution_id)}#COURSE#{_part(course_id)}#ASSIGNMENTS"


def course_assignments_sk(status: str, assignment_id: str) -> str:
    return f"{status}#{assignment_id}"


def course_assignments_prefix(status: str) -> str:
    """The sort-key prefix of a course's assignments in one status."""
    return f"{status}#"


def student_assignment_work_pk(institution_id: str, student_id: str) -> str:
    """GSI1 partition: everything a student has on assignments (records, extensions, uploads, versions)."""
    return f"{tenant(institution_id)}#STUDENT#{_part(student_id)}#ASSIGNMENT-WORK"


def student_assignment_work_sk(assignment_id: str, kind: str) -> str:
    """`<assignment>#<kind>`: a student's items of one assignment sort together."""
    return f"{assignment_id}#{kind}"


def student_submission_sk(assignment_id: str, number: int) -> str:
    """A submitted version in the student's GSI1 partition, in the order submitted."""
    return student_assignment_work_sk(assignment_id, f"SUBMISSION#{number:04d}")


def student_submissions_prefix(assignment_id: str) -> str:
    """The sort-key prefix of a student's versions of one assignment."""
    return student_assignment_work_sk(assignment_id, "SUBMISSION#")


def course_discussions_pk(institution_id: str, course_id: str) -> str:
    """A course's discussion settings and its moderation queue (reported posts)."""
    return f"{tenant(institution_id)}#COURSE#{_part(course_id)}#DISCUSSIONS"


DISCUSSION_SETTINGS_SK = "SETTINGS"
REPORTED_POST_PREFIX = "REPORTED#"


def reported_post_sk(post_id: str) -> str:
    return f"{REPORTED_POST_PREFIX}{_part(post_id)}"


def course_topics_pk(institution_id: str, course_id: str) -> str:
    """GSI1 partition: a course's discussion topics, `<pinned 1|0>#<topic>` (pinned, then newest first)."""
    return f"{tenant(institution_id)}#COURSE#{_part(course_id)}#TOPICS"


def course_topics_sk(pinned: bool, topic_id: str) -> str:
    return f"{1 if pinned else 0}#{_part(topic_id)}"


def topic_pk(institution_id: str, topic_id: str) -> str:
    """A discussion topic with its posts, their like counters, likes, memberships and reports."""
    return f"{tenant(institution_id)}#TOPIC#{_part(topic_id)}"


TOPIC_SK = "TOPIC"
POST_PREFIX = "POST#"


def post_sk(post_id: str) -> str:
    return f"{POST_PREFIX}{_part(post_id)}"


def like_counter_sk(post_id: str, shard: int) -> str:
    """One of a post's like counters; it sorts right after the post (`#` before any id character)."""
    return f"{post_sk(post_id)}#LIKES#{shard}"


def like_sk(post_id: str, user_id: str) -> str:
    return f"LIKE#{_part(post_id)}#{_part(user_id)}"


def topic_member_sk(user_id: str) -> str:
    """A person's membership of a topic: subscription, whether they posted, replies read."""
    return f"MEMBER#{_part(user_id)}"


TOPIC_MEMBER_PREFIX = "MEMBER#"


def post_report_sk(post_id: str, user_id: str) -> str:
    return f"REPORT#{_part(post_id)}#{_part(user_id)}"


def person_discussions_pk(institution_id: str, user_id: str) -> str:
    """GSI1 partition: everything of one person in discussions (posts, likes, memberships, reports)."""
    return f"{tenant(institution_id)}#DISCUSSIONS#PERSON#{_part(user_id)}"


def person_discussions_sk(kind: str, topic_id: str, post_id: str | None = None) -> str:
    """`<KIND>#<topic>[#<post>]`, for the person's index (kind: POST, LIKE, MEMBER, REPORT)."""
    suffix = f"#{_part(post_id)}" if post_id else ""
    return f"{kind}#{_part(topic_id)}{suffix}"


def is_safe_part(value: str) -> bool:
    return bool(_SAFE.match(value))


# ---------------------------------------------------------------- communication: announcements


def announcements_pk(institution_id: str, course_id: str | None) -> str:
    """A board of announcements: a course's, or the institution's (course_id None)."""
    if course_id is None:
        return f"{tenant(institution_id)}#ANNOUNCEMENTS"
    return f"{course_pk(institution_id, course_id)}#ANNOUNCEMENTS"


def announcement_sk(announcement_id: str) -> str:
    return f"ANNOUNCEMENT#{_part(announcement_id)}"


def announcement_feed_pk(institution_id: str, course_id: str | None) -> str:
    """GSI1 partition of a board's published and scheduled announcements."""
    return f"{announcements_pk(institution_id, course_id)}#FEED"


def announcement_feed_sk(pinned: bool, visible_from: str, announcement_id: str) -> str:
    """Read backwards: pinned ones first, then newest first (scheduled ones by their time)."""
    return f"{1 if pinned else 0}#{visible_from}#{_part(announcement_id)}"


def announcement_feed_after(visible_after: str | None) -> tuple[str, str]:
    """GSI1SK bounds from unpinned ones visible after `visible_after` to the last pinned one."""
    return f"0#{visible_after or ''}", "1#~"  # "~" sorts after every time and id character


def announcement_drafts_pk(institution_id: str, course_id: str | None) -> str:
    """GSI1 partition of a board's drafts."""
    return f"{announcements_pk(institution_id, course_id)}#DRAFTS"


def announcement_draft_sk(created_at: str, announcement_id: str) -> str:
    return f"{created_at}#{_part(announcement_id)}"


def announcement_due_sk(announcement_id: str) -> str:
    """The marker of a scheduled announcement, beside it, until its publication is announced."""
    return f"DUE#{_part(announcement_id)}"


DUE_ANNOUNCEMENT_SHARDS = 4
"""GSI1 partitions of scheduled announcements, read by the announcement scheduler."""


def due_announcements_pk(shard: int) -> str:
    """GSI1 partition of scheduled announcements of every institution: the scheduler's sparse index."""
    return f"{PLATFORM}#ANNOUNCEMENTS#DUE#{shard}"


def due_announcement_shard(announcement_id: str) -> int:
    return sum(_part(announcement_id).encode()) % DUE_ANNOUNCEMENT_SHARDS


def due_announcement_sk(publish_at: str, announcement_id: str) -> str:
    """Earliest first: the scheduler reads each partition up to the time it runs for."""
    return f"{publish_at}#{_part(announcement_id)}"


def due_announcements_until(moment: str) -> str:
    """The GSI1SK bound of every marker due at `moment` or before."""
    return f"{moment}#~"


def announcement_reads_pk(institution_id: str, user_id: str) -> str:
    """One person's read state of every board: how far they have read each."""
    return f"{tenant(institution_id)}#USER#{_part(user_id)}#ANNOUNCEMENT-READS"


def announcement_board_sk(course_id: str | None) -> str:
    return "INSTITUTION" if course_id is None else f"COURSE#{_part(course_id)}"


def authored_announcements_pk(institution_id: str, user_id: str) -> str:
    """The announcements one person wrote (privacy export and erasure)."""
    return f"{tenant(institution_id)}#USER#{_part(user_id)}#ANNOUNCEMENTS"


# ---------------------------------------------------------------- communication: direct messages


def conversation_pk(institution_id: str, conversation_id: str) -> str:
    """A conversation: who is in it, and its messages in the order they were sent."""
    return f"{tenant(institution_id)}#CONVERSATION#{_part(conversation_id)}"


CONVERSATION_SK = "CONVERSATION"
MESSAGE_PREFIX = "MESSAGE#"


def message_sk(message_id: str) -> str:
    """A message; ids are ULIDs, so the key order is the order sent."""
    return f"{MESSAGE_PREFIX}{_part(message_id)}"


def sent_messages_pk(institution_id: str, user_id: str) -> str:
    """GSI1 partition: the messages one person wrote, by message id (privacy export and erasure)."""
    return f"{tenant(institution_id)}#USER#{_part(user_id)}#MESSAGES"


def mailbox_pk(institution_id: str, user_id: str) -> str:
    """One person's mailbox: their copy of each conversation, and their hourly sending counters."""
    return f"{tenant(institution_id)}#MAILBOX#{_part(user_id)}"


MAILBOX_ENTRY_PREFIX = "CONVERSATION#"


def mailbox_entry_sk(conversation_id: str) -> str:
    return f"{MAILBOX_ENTRY_PREFIX}{_part(conversation_id)}"


def mailbox_folder_pk(institution_id: str, user_id: str, folder: str) -> str:
    """GSI1 partition: one folder of a mailbox (`UNREAD`, `READ`, `ARCHIVED`), by last message."""
    return f"{mailbox_pk(institution_id, user_id)}#{_part(folder)}"


def mailbox_folder_sk(last_message_id: str, conversation_id: str) -> str:
    """Newest last message last: a folder read backwards lists the latest conversations first."""
    return f"{_part(last_message_id)}#{_part(conversation_id)}"


def message_rate_sk(window: str) -> str:
    """The person's count of conversations started and messages sent within one hour (`YYYYMMDDHH`)."""
    return f"RATE#{_part(window)}"


# ---------------------------------------------------------------- notifications


def notifications_pk(institution_id: str, user_id: str) -> str:
    """One person's notifications: their inbox entries, preferences and read mark."""
    return f"{tenant(institution_id)}#USER#{_part(user_id)}#NOTIFICATIONS"


NOTIFICATION_PREFIX = "NOTIFICATION#"
NOTIFICATION_PREFERENCES_SK = "PREFERENCES"
NOTIFICATIONS_READ_MARK_SK = "READ-MARK"
"""The time up to which the person marked every notification read ("mark all read")."""


def notification_sk(notification_id: str) -> str:
    """An inbox entry; notification ids are ULIDs, so the partition reads newest last."""
    return f"{NOTIFICATION_PREFIX}{_part(notification_id)}"


def unread_notifications_pk(institution_id: str, user_id: str) -> str:
    """GSI1 partition: one person's unread inbox entries, by notification id (a sparse index)."""
    return f"{notifications_pk(institution_id, user_id)}#UNREAD"


def due_reminder_sk(assessment_id: str) -> str:
    """Claims the due-soon reminder of one assessment for the person: it is sent once, whatever repeats."""
    return f"REMINDED#{_part(assessment_id)}"


def due_reminder_passes_pk(institution_id: str) -> str:
    """The due-soon reminders' record of the markers they have handled (one item per marker and due date)."""
    return f"{tenant(institution_id)}#DUE-REMINDERS"


def due_reminder_pass_sk(assessment_id: str, due_at: str, student_id: str | None = None) -> str:
    suffix = "" if student_id is None else f"#{_part(student_id)}"
    return f"{_part(assessment_id)}#{due_at}{suffix}"


def notification_defaults_pk(institution_id: str) -> str:
    """The institution's default notification preferences, which its admins set."""
    return f"{tenant(institution_id)}#NOTIFICATION-DEFAULTS"


NOTIFICATION_DEFAULTS_SK = "DEFAULTS"


def lti_tools_pk(institution_id: str) -> str:
    """The institution's LTI tool registrations, one partition (an institution registers a few)."""
    return f"{tenant(institution_id)}#LTI#TOOLS"


LTI_TOOL_PREFIX = "TOOL#"


def lti_tool_sk(tool_id: str) -> str:
    return f"{LTI_TOOL_PREFIX}{_part(tool_id)}"


def lti_nonce_pk(institution_id: str, tool_id: str, nonce_digest: str) -> str:
    """A nonce a tool sent with a launch, once used (TTL): the same nonce is refused as a replay."""
    return f"{tenant(institution_id)}#LTI#TOOL#{_part(tool_id)}#NONCE#{_part(nonce_digest)}"


def lti_hint_pk(institution_id: str, hint_id: str) -> str:
    """A launch hint the platform signed, once used (TTL): a hint starts one launch only."""
    return f"{tenant(institution_id)}#LTI#HINT#{_part(hint_id)}"


LTI_USED_SK = "USED"


def lti_launches_pk(institution_id: str, user_id: str) -> str:
    """One person's LTI launches (privacy export and erasure)."""
    return f"{tenant(institution_id)}#USER#{_part(user_id)}#LTI-LAUNCHES"


def lti_launch_sk(launch_id: str) -> str:
    return f"LAUNCH#{_part(launch_id)}"


# ---------------------------------------------------------------- analytics


def analytics_course_pk(institution_id: str, course_id: str) -> str:
    """A course's analytics: its copy of the course, one state per student, their list rows, counters."""
    return f"{tenant(institution_id)}#ANALYTICS#COURSE#{_part(course_id)}"


ANALYTICS_COURSE_SK = "COURSE"
ANALYTICS_STUDENT_PREFIX = "STUDENT#"


def analytics_student_sk(student_id: str) -> str:
    """One student's state in a course (enrollment, lessons, scores, activity, at-risk reasons)."""
    return f"{ANALYTICS_STUDENT_PREFIX}{_part(student_id)}"


def analytics_institution_pk(institution_id: str) -> str:
    """An institution's analytics: its at-risk rules, one activity state per learner, counters."""
    return f"{tenant(institution_id)}#ANALYTICS#INSTITUTION"


ANALYTICS_RULES_SK = "RULES"


def analytics_learner_sk(student_id: str) -> str:
    """A learner's activity across the institution's courses (daily, weekly, monthly actives)."""
    return f"LEARNER#{_part(student_id)}"


def analytics_student_courses_pk(institution_id: str, student_id: str) -> str:
    """GSI1 partition: one student's analytics states across courses (privacy export and erasure)."""
    return f"{tenant(institution_id)}#ANALYTICS#STUDENT#{_part(student_id)}"


def analytics_counters_pk(institution_id: str, course_id: str | None) -> str:
    """A course's counters (the institution's: `course_id` None), apart from its states and rows:
    a read of the counters reads nothing else, and the class's writes spread over two partitions."""
    owner = (
        analytics_institution_pk(institution_id)
        if course_id is None
        else analytics_course_pk(institution_id, course_id)
    )
    return f"{owner}#COUNTERS"


ANALYTICS_COUNT_PREFIX = "COUNT#"
ANALYTICS_DAY_PREFIX = "DAY#"
ANALYTICS_COUNTER_SHARDS = 4
"""Each counter is spread over this many items (by student), so a class acting at once has no hot item."""


def analytics_counter_sk(name: str, shard: int) -> str:
    """A counter of a course or an institution (`COUNT#<name>#<shard>`), summed over its shards."""
    return f"{ANALYTICS_COUNT_PREFIX}{name}#{shard}"


def analytics_day_counter_sk(day: str, metric: str, shard: int) -> str:
    """A daily counter (`DAY#<yyyy-mm-dd>#<metric>#<shard>`): a date range is one Query."""
    return f"{ANALYTICS_DAY_PREFIX}{day}#{metric}#{shard}"


def analytics_counter_shard(student_id: str) -> int:
    return zlib.crc32(_part(student_id).encode()) % ANALYTICS_COUNTER_SHARDS


ANALYTICS_ROW_ORDERS = ("PROGRESS", "ACTIVITY", "ATRISK-PROGRESS", "ATRISK-ACTIVITY")
"""The class lists a course's analytics keeps sorted: every student by progress or last activity,
and (sparse) the students at risk by the same two."""


def analytics_row_prefix(order: str) -> str:
    if order not in ANALYTICS_ROW_ORDERS:
        raise UnsafeKeyPart(f"No list is named {order[:64]!r}.")
    return f"ROW#{order}#"


def analytics_row_sk(order: str, position: str, student_id: str) -> str:
    """A student's row in one sorted class list: `ROW#<order>#<position>#<student>`."""
    return f"{analytics_row_prefix(order)}{position}#{_part(student_id)}"


ANALYTICS_IDLE_SHARDS = 4
"""GSI1 partitions per day of the sweep's index of learners not yet judged inactive."""


def analytics_idle_pk(day: str, shard: int) -> str:
    """GSI1 partition: enrolled learners whose last activity was on `day` (the inactivity sweep's index).

    It spans institutions (a `PLATFORM#` key): only the sweep reads it, and its IAM policy allows
    nothing else.
    """
    return f"{PLATFORM}#ANALYTICS#IDLE#{day}#{shard}"


def analytics_idle_shard(student_id: str) -> int:
    return zlib.crc32(_part(student_id).encode()) % ANALYTICS_IDLE_SHARDS


def analytics_idle_sk(institution_id: str, course_id: str, student_id: str) -> str:
    return f"{tenant(institution_id)}#{_part(course_id)}#{_part(student_id)}"


def lti_assertion_pk(institution_id: str, tool_id: str, jti_digest: str) -> str:
    """A client assertion a tool sent to the token endpoint, once used (TTL): it is never accepted twice."""
    return f"{tenant(institution_id)}#LTI#TOOL#{_part(tool_id)}#ASSERTION#{_part(jti_digest)}"


def lti_tool_course_pk(institution_id: str, tool_id: str, course_id: str) -> str:
    """A course a tool was launched from: the course whose roster its services may read."""
    return f"{tenant(institution_id)}#LTI#TOOL#{_part(tool_id)}#COURSE#{_part(course_id)}"


LTI_LAUNCHED_SK = "LAUNCHED"


LTI_LINE_ITEM_PREFIX = "LINEITEM#"


def lti_line_item_sk(line_item_id: str) -> str:
    """A line item of the course a tool keeps its grades in, beside the course's launched mark."""
    return f"{LTI_LINE_ITEM_PREFIX}{_part(line_item_id)}"


def lti_results_pk(institution_id: str, tool_id: str, course_id: str, line_item_id: str) -> str:
    """A line item's results: the latest score of each student (the results service, one Query)."""
    return (
        f"{tenant(institution_id)}#LTI#TOOL#{_part(tool_id)}#COURSE#{_part(course_id)}"
        f"#LINEITEM#{_part(line_item_id)}"
    )


def lti_result_sk(user_id: str) -> str:
    return f"RESULT#{_part(user_id)}"


def lti_scores_of_user_pk(institution_id: str, user_id: str) -> str:
    """GSI1 partition: one person's LTI scores in every course (privacy export and erasure)."""
    return f"{tenant(institution_id)}#USER#{_part(user_id)}#LTI-SCORES"


# ---------------------------------------------------------------- notifications: e-mail


def email_deliveries_pk(institution_id: str, user_id: str) -> str:
    """One person's e-mail: sent markers, digest entries and schedule, digest periods, suppressions."""
    return f"{tenant(institution_id)}#USER#{_part(user_id)}#EMAIL"


def email_sent_sk(notification_id: str) -> str:
    """Claims the e-mail of one notification to the person: a second claim is a duplicate delivery."""
    return f"SENT#{_part(notification_id)}"


def digest_entry_prefix(frequency: str) -> str:
    return f"DIGEST#{_part(frequency)}#"


def digest_entry_sk(frequency: str, occurred_at: str, notification_id: str) -> str:
    """Oldest first: a digest lists what happened in order."""
    return f"{digest_entry_prefix(frequency)}{_part(occurred_at)}#{_part(notification_id)}"


def digest_schedule_sk(frequency: str) -> str:
    """The person's pending digest of one frequency; in the due index while it has entries."""
    return f"SCHEDULE#{_part(frequency)}"


def digest_period_sk(frequency: str, period: str) -> str:
    """Claims the digest of one period (its due time): a second run for it sends nothing."""
    return f"PERIOD#{_part(frequency)}#{_part(period)}"


def email_suppression_sk(address: str) -> str:
    """An address of the person that bounced or complained, by its digest: no address is in a key."""
    digest = hashlib.sha256(address.strip().lower().encode()).hexdigest()
    return f"SUPPRESSED#{digest}"


DUE_DIGEST_SHARDS = 4
"""GSI1 partitions of pending digests, read by the digest function."""


def due_digests_pk(shard: int) -> str:
    """GSI1 partition of pending digests of every institution: the digest function's sparse index."""
    return f"{PLATFORM}#EMAIL-DIGESTS#DUE#{shard}"


def due_digest_shard(user_id: str) -> int:
    return sum(_part(user_id).encode()) % DUE_DIGEST_SHARDS


def due_digest_sk(due_at: str, institution_id: str, user_id: str, frequency: str) -> str:
    """Earliest first: the digest function reads each partition up to the time it runs for."""
    return f"{_part(due_at)}#{_part(institution_id)}#{_part(user_id)}#{_part(frequency)}"


def due_digests_until(moment: str) -> str:
    """The GSI1SK bound of every pending digest due at `moment` or before."""
    return f"{moment}#~"


def catalog_signals_sk(shard: int) -> str:
    """A shard of the catalog's signals (review counts and star totals) beside its entries."""
    return f"SIGNALS#{shard:02d}"


def review_sk(author_id: str) -> str:
    """A student's review, in the course's partition: one per student and course."""
    return f"REVIEW#{_part(author_id)}"


def rating_sk(shard: int) -> str:
    """One of a course's rating counters (count, total, one count per star)."""
    return f"RATINGS#{shard}"


RATINGS_PREFIX = "RATINGS#"


def review_report_sk(author_id: str, reporter_id: str) -> str:
    return f"REVIEW-REPORT#{_part(author_id)}#{_part(reporter_id)}"


def course_reviews_pk(institution_id: str, course_id: str, status: str) -> str:
    """GSI1 partition: a course's reviews in one status (visible, hidden), newest last."""
    return f"{tenant(institution_id)}#COURSE#{_part(course_id)}#REVIEWS#{_part(status)}"


def course_reviews_sk(created_at: str, author_id: str) -> str:
    return f"{created_at}#{_part(author_id)}"


def reporter_reports_pk(institution_id: str, reporter_id: str) -> str:
    """GSI1 partition: the reviews a person reported (privacy export and erasure)."""
    return f"{tenant(institution_id)}#USER#{_part(reporter_id)}#REVIEW-REPORTS"


def entitlement_sk(student_id: str) -> str:
    """A student's right to enroll themself in a paid course, under the course's partition."""
    return f"ENTITLEMENT#{_part(student_id)}"


def order_pk(institution_id: str, order_id: str) -> str:
    """A commerce order the institution's store sent, by the store's own order id."""
    return f"{tenant(institution_id)}#ORDER#{_part(order_id)}"


ORDER_SK = "ORDER"


def student_orders_pk(institution_id: str, student_id: str) -> str:
    """GSI1 partition: the commerce orders of a student (privacy export and erasure)."""
    return f"{tenant(institution_id)}#STUDENT#{_part(student_id)}#ORDERS"


def student_entitlements_pk(institution_id: str, student_id: str) -> str:
    """GSI1 partition: a student's entitlements (privacy export)."""
    return f"{tenant(institution_id)}#STUDENT#{_part(student_id)}#ENTITLEMENTS"
