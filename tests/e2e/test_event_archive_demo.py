"""The running local stack archives the demo's history, and every query of docs/analytics-sql.md
answers over it, through `python -m infra.sql` as a developer runs it (`make sql`)."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from infra import sql
from infra.local_stack import LocalStack
from tests.support.archive import archived_objects, documented_queries
from tests.support.local import eventually

# What the demo students do in the demo course (infra/demo_courses.py): every one enrolls; one
# completes the course; their quiz scores are 3, 1 and 2 of 3 points.
DEMO_STUDENTS = 3


def demo_records(local: LocalStack) -> list[dict[str, Any]]:
    objects = archived_objects(local.stack, "events/institution=demo-university/")
    return [record for archived in objects for record in archived.records]


@pytest.fixture(scope="module")
def archived(local: LocalStack) -> list[dict[str, Any]]:
    """The demo's history once the pipeline has archived its last step (the students' quiz grades)."""

    def graded() -> bool:
        records = demo_records(local)
        return sum(r["type"] == "lms.assessments.QuizGraded.v1" for r in records) == DEMO_STUDENTS

    assert eventually(graded, seconds=30), "the demo's quiz grades never reached the archive"
    return demo_records(local)


def run(state_file: Path, query: str, capsys: pytest.CaptureFixture[str]) -> str:
    assert sql.main([query, "--state", str(state_file)]) == 0
    return capsys.readouterr().out


def test_weekly_active_learners_counts_the_demo_students(
    local: LocalStack, state_file: Path, archived: list[dict[str, Any]]
) -> None:
    by_week: dict[str, set[str]] = {}
    for record in archived:
        if "students" in record["actor"]["roles"]:
            moment = datetime.fromisoformat(record["occurred_at"])
            monday = moment.date().fromordinal(moment.date().toordinal() - moment.weekday())
            by_week.setdefault(monday.isoformat(), set()).add(record["actor"]["user_id"])

    with sql.archive_connection(
        database=json.loads(state_file.read_text())["archive_database"], endpoint_url=local.aws_endpoint_url
    ) as connection:
        rows = connection.sql(documented_queries()["Weekly active learners"]).fetchall()

    assert [(week.isoformat(), count) for week, count in rows] == sorted(
        (week, len(people)) for week, people in by_week.items()
    )
    assert sum(count for _, count in rows) >= DEMO_STUDENTS


def test_recent_learners_completion_and_scores_of_the_demo_course(
    state_file: Path, archived: list[dict[str, Any]], capsys: pytest.CaptureFixture[str]
) -> None:
    with sql.archive_connection(
        database=json.loads(state_file.read_text())["archive_database"],
        endpoint_url=json.loads(state_file.read_text())["aws_endpoint_url"],
    ) as connection:
        recent = connection.sql(documented_queries()["Active learners in the last 7 days"]).fetchall()
        cohorts = connection.sql(documented_queries()["Completion by cohort"]).fetchall()
        scores = connection.sql(documented_queries()["Score distributions"]).fetchall()

    assert recent == [(DEMO_STUDENTS,)]
    assert [(enrolled, completed, percent) for _, _, enrolled, completed, percent in cohorts] == [
        (3, 1, 33.3)
    ]
    assert [(band, students) for _, band, students in scores] == [(30, 1), (60, 1), (90, 1)]


def test_the_command_prints_the_answer_of_a_query(
    state_file: Path, archived: list[dict[str, Any]], capsys: pytest.CaptureFixture[str]
) -> None:
    query = (
        "SELECT count(DISTINCT id) AS graded FROM events "
        "WHERE institution = 'demo-university' AND type = 'lms.assessments.QuizGraded.v1'"
    )

    printed = run(state_file, query, capsys)

    assert "graded" in printed
    assert f"│ {DEMO_STUDENTS} " in printed or f" {DEMO_STUDENTS} " in printed


def test_the_command_reports_a_bad_query_and_exits_1(
    state_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert sql.main(["SELECT nothing FROM nowhere", "--state", str(state_file)]) == 1
    assert "nowhere" in capsys.readouterr().err
