"""The event archive through the real pipeline (bus, archive rule, Firehose, the archive function,
bucket), and the documented SQL over a known history (docs/analytics-sql.md) with DuckDB."""

from __future__ import annotations

import base64
import json
import re
from datetime import UTC, date, datetime
from typing import Any

import boto3
import pytest

from infra.provision import Stack
from infra.sql import archive_connection
from lms.events import DomainEvent, EventEnvelope
from lms.events.communication import MessageSent
from lms.events.courses import StudentEnrolled
from lms.events.progress import CourseCompleted, LessonCompleted
from tests.support.archive import archived_objects, documented_queries
from tests.support.events import envelope, put_on_bus, quiz_graded, quiz_published

INSTITUTION = "demo-university"  # the one the documented queries name
ALGEBRA, BIOLOGY, QUIZ = "course-algebra", "course-biology", "quiz-1"


def at(day: int, hour: int = 10, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=UTC)


def by_student(
    event: DomainEvent, student: str, when: datetime, institution: str = INSTITUTION
) -> EventEnvelope:
    return envelope(event, institution, actor=student, roles=["students"], occurred_at=when)


def enrolled(course: str, student: str, when: datetime, institution: str = INSTITUTION) -> EventEnvelope:
    event = StudentEnrolled(course_id=course, student_id=student, enrolled_by=student)
    return by_student(event, student, when, institution)


def graded(student: str, score: str, revision: int, when: datetime) -> EventEnvelope:
    return by_student(quiz_graded(ALGEBRA, QUIZ, student, score, revision=revision), student, when)


# Weeks start on Monday: 2 November, 9 November and 16 November 2026.
HISTORY = [
    envelope(quiz_published(ALGEBRA, QUIZ), INSTITUTION, actor="teacher", occurred_at=at(2, 8)),
    enrolled(ALGEBRA, "s1", at(2, 9)),
    enrolled(ALGEBRA, "s2", at(3)),
    enrolled(ALGEBRA, "s3", at(8, 23, 30)),  # Sunday: still the first week
    by_student(LessonCompleted(student_id="s1", course_id=ALGEBRA, lesson_id="l1"), "s1", at(4)),
    by_student(LessonCompleted(student_id="s2", course_id=ALGEBRA, lesson_id="l1"), "s2", at(5)),
    graded("s1", "4", 1, at(4, 11)),
    graded("s1", "9", 2, at(5, 11)),  # a better attempt: the score the gradebook counts
    graded("s2", "10", 1, at(5, 12)),
    graded("s3", "7.5", 1, at(6)),
    enrolled(ALGEBRA, "s4", at(9, 0, 10)),
    enrolled(ALGEBRA, "s5", at(11)),
    enrolled(BIOLOGY, "s2", at(10)),
    by_student(LessonCompleted(student_id="s1", course_id=ALGEBRA, lesson_id="l2"), "s1", at(10)),
    graded("s4", "7", 1, at(12)),
    graded("s5", "3", 1, at(12, 11)),
    # A course is completed by completing its last lesson.
    by_student(LessonCompleted(student_id="s1", course_id=ALGEBRA, lesson_id="l3"), "s1", at(16)),
    by_student(CourseCompleted(student_id="s1", course_id=ALGEBRA), "s1", at(16)),
    by_student(LessonCompleted(student_id="s3", course_id=ALGEBRA, lesson_id="l2"), "s3", at(17)),
    by_student(LessonCompleted(student_id="s2", course_id=ALGEBRA, lesson_id="l3"), "s2", at(18)),
    by_student(CourseCompleted(student_id="s2", course_id=ALGEBRA), "s2", at(18)),
    by_student(LessonCompleted(student_id="s4", course_id=ALGEBRA, lesson_id="l3"), "s4", at(20)),
    by_student(CourseCompleted(student_id="s4", course_id=ALGEBRA), "s4", at(20)),
    # Not something a learner did: their grade (s6 did nothing else), a staff enrollment.
    graded("s6", "5", 1, at(19)),
    envelope(
        StudentEnrolled(course_id=BIOLOGY, student_id="s7", enrolled_by="teacher"),
        INSTITUTION,
        actor="teacher",
        occurred_at=at(19),
    ),
    enrolled(ALGEBRA, "x1", at(2), institution="other-college"),  # never in demo-university's answers
]
REPEATED = [HISTORY[1], HISTORY[14]]  # delivered twice (at least once): counted once


EXPECTED = {
    "Weekly active learners": [
        (date(2026, 11, 2), 3),  # s1, s2, s3 (the teacher is not a learner)
        (date(2026, 11, 9), 4),  # s4, s5 enrolled; s1 completed a lesson; s2 enrolled in biology
        (date(2026, 11, 16), 4),  # s1, s2, s4 completed their last lesson; s3 a lesson (s6 was graded)
    ],
    "Completion by cohort": [
        (ALGEBRA, date(2026, 11, 2), 3, 2, 66.7),  # s1, s2 of s1, s2, s3
        (ALGEBRA, date(2026, 11, 9), 2, 1, 50.0),  # s4 of s4, s5
        (BIOLOGY, date(2026, 11, 9), 1, 0, 0.0),
        (BIOLOGY, date(2026, 11, 16), 1, 0, 0.0),  # s7, enrolled by the teacher
    ],
    "Score distributions": [
        (QUIZ, 30, 1),  # s5: 3/10
        (QUIZ, 50, 1),  # s6: 5/10
        (QUIZ, 70, 2),  # s3: 7.5/10, s4: 7/10
        (QUIZ, 90, 2),  # s1: 9/10 (its second revision), s2: 10/10
    ],
}


@pytest.fixture(scope="module")
def history(stack: Stack) -> list[EventEnvelope]:
    put_on_bus(stack, *HISTORY, *REPEATED)
    return HISTORY


def sql(stack: Stack, query: str) -> list[tuple[Any, ...]]:
    with archive_connection(database=stack.outputs["ArchiveDatabaseName"]) as connection:
        return connection.sql(query).fetchall()


def test_every_documented_query_is_checked() -> None:
    # The one over the last seven days has a history of its own: test_event_archive_recent.py.
    assert set(documented_queries()) == {*EXPECTED, "Active learners in the last 7 days"}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_a_documented_query_answers_the_hand_computed_numbers(
    stack: Stack, history: list[EventEnvelope], name: str
) -> None:
    assert sql(stack, documented_queries()[name]) == EXPECTED[name]


def test_each_event_is_filed_under_its_institution_and_the_day_it_occurred(
    stack: Stack, history: list[EventEnvelope]
) -> None:
    objects = archived_objects(stack, "events/")

    name = re.compile(
        r"events/institution=(?P<institution>[^/]+)/day=(?P<day>\d{4}-\d{2}-\d{2})/"
        rf"lms-{stack.stage}-event-archive-1-\d{{4}}(-\d{{2}}){{5}}-[0-9a-f-]{{36}}\.json\.gz"
    )
    filed: dict[str, tuple[str, str]] = {}
    for archived in objects:
        match = name.fullmatch(archived.key)
        assert match is not None, archived.key
        assert archived.body[:2] == b"\x1f\x8b"  # GZIP
        for record in archived.records:
            filed[record["id"]] = (match["institution"], match["day"])
    assert filed == {e.id: (e.institution_id, e.occurred_at.date().isoformat()) for e in history}


def test_an_archived_record_is_the_envelope_with_its_data_as_json_text(
    stack: Stack, history: list[EventEnvelope]
) -> None:
    sent = history[6]  # s1's first quiz grade
    records = [r for o in archived_objects(stack, "events/") for r in o.records if r["id"] == sent.id]

    assert len(records) == 1
    assert records[0] == {
        "id": sent.id,
        "type": "lms.assessments.QuizGraded.v1",
        "occurred_at": "2026-11-04T11:00:00Z",
        "institution_id": INSTITUTION,
        "actor": {"user_id": "s1", "roles": ["students"]},
        "correlation_id": None,
        "data": json.dumps(sent.data, separators=(",", ":"), sort_keys=True),
    }


def test_the_local_view_has_the_glue_tables_columns(stack: Stack, history: list[EventEnvelope]) -> None:
    glue = boto3.client("glue", region_name=stack.region)
    table = glue.get_table(DatabaseName=stack.outputs["ArchiveDatabaseName"], Name="events")["Table"]
    declared = [c["Name"] for c in table["StorageDescriptor"]["Columns"]]
    declared += [p["Name"] for p in table["PartitionKeys"]]

    described = sql(stack, "DESCRIBE events")

    assert [row[0] for row in described] == declared
    assert dict((row[0], row[1]) for row in described)["actor"] == "STRUCT(user_id VARCHAR, roles VARCHAR[])"


def test_what_a_person_wrote_is_not_archived(stack: Stack) -> None:
    message = MessageSent(
        conversation_id="c1",
        message_id="m1",
        recipient_ids=["teacher"],
        preview="Hello, this is Sam Example, sam@example.org",
    )
    sent = by_student(message, "s1", at(23))

    put_on_bus(stack, sent)

    records = [r for o in archived_objects(stack, "events/") for r in o.records if r["id"] == sent.id]
    assert [json.loads(r["data"]) for r in records] == [
        {key: value for key, value in sent.data.items() if key != "preview"}
    ]
    assert not [o.key for o in archived_objects(stack) if b"Sam Example" in o.text.encode()]


def test_an_event_of_a_type_this_code_does_not_know_keeps_its_envelope_without_data(stack: Stack) -> None:
    unknown = {
        "id": "01UNKNOWN",
        "type": "lms.courses.SomethingNew.v1",
        "occurred_at": "2026-11-24T10:00:00Z",
        "institution_id": "other-college",
        "actor": {"user_id": "s1", "roles": ["students"]},
        "data": {"note": "free text of a kind nobody declared"},
    }

    put_on_bus(stack, unknown)

    records = [r for o in archived_objects(stack, "events/") for r in o.records if r["id"] == "01UNKNOWN"]
    assert [(r["type"], r["data"]) for r in records] == [("lms.courses.SomethingNew.v1", None)]


def test_a_record_that_is_not_an_event_is_filed_under_the_error_prefix(stack: Stack) -> None:
    firehose = boto3.client("firehose", region_name=stack.region)
    stream = f"lms-{stack.stage}-event-archive"

    firehose.put_record(DeliveryStreamName=stream, Record={"Data": b"not an event"})

    failed = archived_objects(stack, "errors/processing-failed/")
    assert [base64.b64decode(r["rawData"]) for o in failed for r in o.records] == [b"not an event"]
    assert all(o.key.endswith(".json.gz") for o in failed)
