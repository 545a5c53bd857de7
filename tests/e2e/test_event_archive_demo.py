"""The running local stack archives the demo's history, and every query of docs/analytics-sql.md
answers over it, through `python -m infra.sql` as a developer runs it (`make sql`).

Other e2e tests share the stack and its institution, so the answers are read for the demo course,
its quiz and the demo students, which only the demo touches."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb
import pytest

from infra import sql
from infra.local_stack import LocalStack
from tests.support.archive import archived_objects, documented_queries
from tests.support.local import demo, eventually, signed_in

# What the demo students do in the demo course (infra/demo_courses.py): each enrolls; one completes
# the course; their quiz scores are 3, 1 and 2 of its 3 points.
DEMO_STUDENTS = 3


@dataclass(frozen=True)
class DemoCourse:
    course_id: str
    quiz_id: str
    students: frozenset[str]


@pytest.fixture(scope="module")
def course(local: LocalStack) -> DemoCourse:
    """The demo course, once the pipeline has archived the demo's last step (its quiz grades)."""
    instructor = signed_in(local, demo(local, "instructors"))
    status, found = instructor.call("GET", "/courses?search=introduction")
    assert status == 200, found
    [listed] = found["items"]
    status, quizzes = instructor.call("GET", f"/assessments/quizzes?course_id={listed['id']}")
    assert status == 200, quizzes
    [quiz] = quizzes["items"]

    def graded() -> list[dict[str, Any]]:
        objects = archived_objects(local.stack, "events/institution=demo-university/")
        records = [record for archived in objects for record in archived.records]
        return [
            r for r in records if r["type"] == "lms.assessments.QuizGraded.v1" and quiz["id"] in r["data"]
        ]

    assert eventually(lambda: len(graded()) == DEMO_STUDENTS, seconds=30), "the demo's grades never came"
    students = frozenset(user.user_id for user in local.users if user.role == "students")
    return DemoCourse(listed["id"], quiz["id"], students)


@pytest.fixture
def connection(state_file: Path, course: DemoCourse) -> Iterator[duckdb.DuckDBPyConnection]:
    state = json.loads(state_file.read_text())
    with sql.archive_connection(
        database=state["archive_database"], endpoint_url=state["aws_endpoint_url"], region=state["region"]
    ) as opened:
        yield opened


def test_weekly_active_learners_are_the_students_who_did_something_each_week(
    connection: duckdb.DuckDBPyConnection,
) -> None:
    rows = connection.sql(documented_queries()["Weekly active learners"]).fetchall()

    # The same count worked out here from the same snapshot of the archive.
    by_week: dict[str, set[str]] = {}
    for occurred_at, user_id in connection.sql(
        "SELECT occurred_at, actor.user_id FROM events "
        "WHERE institution = 'demo-university' AND contains(actor.roles, 'students')"
    ).fetchall():
        moment = datetime.fromisoformat(occurred_at)
        monday = moment.date().fromordinal(moment.date().toordinal() - moment.weekday())
        by_week.setdefault(monday.isoformat(), set()).add(user_id)
    assert [(week.isoformat(), count) for week, count in rows] == sorted(
        (week, len(people)) for week, people in by_week.items()
    )


def test_the_demo_students_are_active_in_the_last_7_days(
    connection: duckdb.DuckDBPyConnection, course: DemoCourse
) -> None:
    [(active,)] = connection.sql(documented_queries()["Active learners in the last 7 days"]).fetchall()

    assert active >= DEMO_STUDENTS


def test_completion_and_scores_of_the_demo_course(
    connection: duckdb.DuckDBPyConnection, course: DemoCourse
) -> None:
    cohorts = connection.sql(documented_queries()["Completion by cohort"]).fetchall()
    scores = connection.sql(documented_queries()["Score distributions"]).fetchall()

    assert [row[2:] for row in cohorts if row[0] == course.course_id] == [(3, 1, 33.3)]
    assert [row[1:] for row in scores if row[0] == course.quiz_id] == [(30, 1), (60, 1), (90, 1)]


def test_the_analytics_api_gives_the_same_numbers_as_the_sql(
    local: LocalStack, connection: duckdb.DuckDBPyConnection, course: DemoCourse
) -> None:
    cohorts = connection.sql(documented_queries()["Completion by cohort"]).fetchall()
    scores = connection.sql(documented_queries()["Score distributions"]).fetchall()
    ours = [row for row in cohorts if row[0] == course.course_id]
    # Nobody of the demo dropped out: everyone enrolled is enrolled still.
    expected = (
        sum(row[2] for row in ours),
        sum(row[3] for row in ours),
        [row[1:] for row in scores if row[0] == course.quiz_id],
    )
    instructor = signed_in(local, demo(local, "instructors"))

    def answered() -> tuple[int, int, list[tuple[int, int]]]:
        status, overview = instructor.call("GET", f"/analytics/courses/{course.course_id}")
        assert status == 200, overview
        status, statistics = instructor.call("GET", f"/analytics/courses/{course.course_id}/assessments")
        assert status == 200, statistics
        [quiz] = [q for q in statistics["quizzes"] if q["quiz_id"] == course.quiz_id]
        histogram = [(b["from_percent"], b["students"]) for b in quiz["histogram"] if b["students"]]
        return overview["students"]["enrolled"], overview["students"]["completed"], histogram

    # The analytics consumer reads its own queue: its read model may be a moment behind the archive.
    assert eventually(lambda: answered() == expected, seconds=30), (answered(), expected)


def test_the_command_prints_the_answer_of_a_query(
    state_file: Path, course: DemoCourse, capsys: pytest.CaptureFixture[str]
) -> None:
    where = f"json_extract_scalar(data, '$.quiz_id') = '{course.quiz_id}'"
    query = (  # the only value in it is an id the API made
        "SELECT count(DISTINCT actor.user_id) AS graded_students FROM events "  # noqa: S608
        "WHERE institution = 'demo-university' AND type = 'lms.assessments.QuizGraded.v1' AND " + where
    )

    assert sql.main([query, "--state", str(state_file)]) == 0

    printed = capsys.readouterr().out
    assert "graded_students" in printed
    assert re.search(rf"│\s+{DEMO_STUDENTS}\s+│", printed), printed


def test_the_command_reports_a_bad_query_and_exits_1(
    state_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert sql.main(["SELECT nothing FROM nowhere", "--state", str(state_file)]) == 1
    assert "nowhere" in capsys.readouterr().err
