"""The documented query over the last seven days (docs/analytics-sql.md), on a history dated from
now, through the real pipeline (bus, archive rule, Firehose, the archive function, bucket)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from infra.provision import Stack
from infra.sql import archive_connection
from lms.events import DomainEvent, EventEnvelope
from lms.events.courses import StudentEnrolled
from lms.events.progress import LessonCompleted
from tests.support.archive import documented_queries
from tests.support.events import envelope, put_on_bus, quiz_graded, quiz_published

INSTITUTION = "demo-university"  # the one the documented queries name


def by_student(event: DomainEvent, student: str, days_ago: float) -> EventEnvelope:
    occurred_at = datetime.now(UTC) - timedelta(days=days_ago)
    return envelope(event, INSTITUTION, actor=student, roles=["students"], occurred_at=occurred_at)


def lesson_done(student: str, days_ago: float) -> EventEnvelope:
    return by_student(LessonCompleted(student_id=student, course_id="c1", lesson_id="l1"), student, days_ago)


def test_active_learners_in_the_last_7_days_are_the_students_who_did_something_since(stack: Stack) -> None:
    # Days are UTC days, today included: a day's events are in or out whatever time it is now.
    put_on_bus(
        stack,
        by_student(StudentEnrolled(course_id="c1", student_id="s1", enrolled_by="s1"), "s1", 1),
        lesson_done("s1", 2),  # the same learner again
        lesson_done("s2", 5.5),
        lesson_done("s3", 7.5),  # too long ago
        lesson_done("s4", 30),
        by_student(quiz_graded("c1", "q1", "s5", "4"), "s5", 1),  # graded: not something s5 did
        envelope(
            StudentEnrolled(course_id="c1", student_id="s6", enrolled_by="teacher"),
            INSTITUTION,
            actor="teacher",
        ),
        envelope(quiz_published("c1", "q2"), "other-college", actor="s7", roles=["students"]),
    )

    with archive_connection(database=stack.outputs["ArchiveDatabaseName"]) as connection:
        answer = connection.sql(documented_queries()["Active learners in the last 7 days"]).fetchall()

    assert answer == [(2,)]  # s1 and s2
