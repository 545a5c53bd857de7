"""Notification fan-out at two audience sizes: an announcement to a course of 100 and of 10,000
students, from the event to every inbox entry and mail message; and the due-soon reminder of an
assignment to a course of 100 and of 1,000 students, from the scheduled run to every reminder.

The course and its enrollment items are written with batch writes through the courses
repository's item mapping (what enrolling would have stored). The consumer handles the event
(`lms.notifications.consumer.consumer.handle`), then every chunk it put on the fan-out queue is
handled as the fan-out function would (`deliver_chunk`), one message after another. Requests are
counted per AWS operation; the wall time is the local one (moto's clock, not DynamoDB's). The
reminder's due marker is written through the assessments context's own mapping (what publishing
the assignment would have stored); the reminders' run takes the consumer's place.
"""

from __future__ import annotations

import contextlib
import io
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import boto3

from bench.invoke import EmulatedAws
from bench.seed import Seeder
from infra.instrument import AwsCallRecorder
from lms import clock, ids
from lms.assessments import due_index
from lms.courses.domain import Course, CourseStatus
from lms.courses.enrollment.domain import Enrollment, EnrollmentStatus

# The repositories' item mappings are private to them; the benchmark needs them to seed at scale.
from lms.courses.enrollment.repository import EnrollmentItem, _enrollment_item
from lms.events import EventEnvelope
from lms.events.communication import AnnouncementPublished
from lms.events.envelope import Actor
from lms.notifications.assessments_access import TableDueIndex
from lms.notifications.consumer import consumer, deliver_chunk, fanout
from lms.notifications.reminder_passes import DynamoReminderPasses
from lms.notifications.reminders import DueReminders
from lms.persistence.transactions import Transaction
from lms.settings import get_settings

SIZES = (100, 10_000)
REMINDER_SIZES = (100, 1_000)
REMINDER = "due-soon reminder"
INSTITUTION = "bench-fanout"
INSTRUCTOR = "bench-fanout-instructor"


@dataclass
class FanoutRow:
    """What telling one course's students of one announcement cost."""

    students: int
    notification: str = "announcement"
    told: int = 0
    chunks: int = 0
    consumer_calls: Counter[str] = field(default_factory=Counter)
    chunk_calls: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0

    @property
    def calls(self) -> Counter[str]:
        return self.consumer_calls + self.chunk_calls

    @property
    def label(self) -> str:
        """The row's first cell: the class size, and what was told unless an announcement."""
        size = f"{self.students:,}"
        return size if self.notification == "announcement" else f"{size} ({self.notification})"


def _record(recorder: AwsCallRecorder) -> Counter[str]:
    return Counter({f"{service}:{op}": n for (service, op), n in recorder.calls.items()})


def _enroll(course: Course, students: int) -> None:
    at = clock.now()
    with EnrollmentItem.batch_write() as batch:
        for serial in range(students):
            student_id = f"bench-fanout-student-{course.id[-6:]}-{serial:05d}"
            enrollment = Enrollment(
                course_id=course.id,
                student_id=student_id,
                course_title=course.title,
                status=EnrollmentStatus.ENROLLED,
                enrolled_by=student_id,
                requested_at=at,
                enrolled_at=at,
            )
            batch.save(_enrollment_item(INSTITUTION, enrollment))


def _announcement(course: Course) -> EventEnvelope:
    event = AnnouncementPublished(
        announcement_id=ids.new_id(),
        course_id=course.id,
        audience="everyone",
        title="Exam moved",
        preview="The exam is on Friday.",
        pinned=False,
        published_at=clock.now(),
    )
    return EventEnvelope(
        id=ids.new_id(),
        type=event.type_name(),
        occurred_at=clock.now(),
        institution_id=INSTITUTION,
        actor=Actor(user_id=INSTRUCTOR, roles=["instructors"]),
        data=event.model_dump(mode="json"),
    )


def _due_marker(course: Course, due_at: datetime) -> None:
    tx = Transaction()
    due_index.follow(
        tx,
        INSTITUTION,
        due_index.ASSIGNMENT,
        course_id=course.id,
        assessment_id=ids.new_id(),
        title="Essay on light",
        due_at=due_at,
        published=True,
    )
    tx.commit()


def _measure(row: FanoutRow, tell: Callable[[], object]) -> FanoutRow:
    """`tell()` recorded as the first invocation, then every chunk it queued, one after another."""
    settings = get_settings()
    sqs = boto3.client("sqs", region_name=settings.region)
    started = time.perf_counter()
    with contextlib.redirect_stdout(io.StringIO()):
        recorder = AwsCallRecorder()
        with recorder.recording():
            tell()
        row.consumer_calls = _record(recorder)
        while True:
            answer = sqs.receive_message(
                QueueUrl=settings.notification_fanout_queue_url, MaxNumberOfMessages=10
            )
            messages = answer.get("Messages", [])
            if not messages:
                break
            for message in messages:
                chunk = AwsCallRecorder()
                with chunk.recording():
                    row.told += len(deliver_chunk(message["Body"]))
                row.chunk_calls += _record(chunk)
                row.chunks += 1
                sqs.delete_message(
                    QueueUrl=settings.notification_fanout_queue_url, ReceiptHandle=message["ReceiptHandle"]
                )
    row.seconds = time.perf_counter() - started
    if row.chunks == 0:
        row.told = row.students
    return row


def _course_of(aws: EmulatedAws, students: int) -> tuple[Course, Course]:
    """A fresh stack with a warm-up course of one student and a course of `students`."""
    aws.fresh()
    seeder = Seeder(INSTITUTION, INSTRUCTOR)
    warm_up = seeder.course(status=CourseStatus.PUBLISHED)
    _enroll(warm_up, 1)
    course = seeder.course(status=CourseStatus.PUBLISHED)
    _enroll(course, students)
    return warm_up, course


def measure_fanout(aws: EmulatedAws, students: int) -> FanoutRow:
    """One announcement to a fresh course of `students`: the consumer, then each chunk in turn."""
    warm_up, course = _course_of(aws, students)
    with contextlib.redirect_stdout(io.StringIO()):
        # Unmeasured: a new stack's first answers, and each item type's connection (a warm container).
        consumer.handle(_announcement(warm_up))
    return _measure(FanoutRow(students=students), lambda: consumer.handle(_announcement(course)))


def measure_reminders(aws: EmulatedAws, students: int) -> FanoutRow:
    """An assignment of a fresh course of `students` comes due: one run of the reminders, then each chunk."""
    warm_up, course = _course_of(aws, students)
    now = clock.now()
    _due_marker(warm_up, now + timedelta(hours=1))
    _due_marker(course, now + timedelta(hours=30))
    reminders = DueReminders(TableDueIndex(), DynamoReminderPasses(), fanout())
    with contextlib.redirect_stdout(io.StringIO()):
        reminders.send_due(now)  # unmeasured: the warm-up course's assignment only
    row = FanoutRow(students=students, notification=REMINDER)
    return _measure(row, lambda: reminders.send_due(now + timedelta(hours=7)))


def run_fanout(
    aws: EmulatedAws, sizes: tuple[int, ...] = SIZES, reminder_sizes: tuple[int, ...] = REMINDER_SIZES
) -> list[FanoutRow]:
    announcements = [measure_fanout(aws, size) for size in sizes]
    return announcements + [measure_reminders(aws, size) for size in reminder_sizes]
