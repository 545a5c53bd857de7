"""The gradebook over the local stack: grade events on the bus become a weighted course grade and a
CSV export. The events are put on the bus as the quiz and assignment producers' relay would."""

from __future__ import annotations

import csv
import io
import urllib.request
from datetime import UTC, datetime
from decimal import Decimal

import boto3

from infra.local_stack import LocalStack
from lms import ids
from lms.events import DomainEvent, EventEnvelope
from lms.events.envelope import Actor
from tests.e2e.test_courses_over_http import Http, demo, eventually, signed_in
from tests.e2e.test_learning_journey import new_student, published_course
from tests.integration.test_gradebook_api import assignment, quiz, quiz_grade, release

SETTINGS = {
    "categories": [{"name": "quizzes", "weight": "40"}, {"name": "assignments", "weight": "60"}],
    "letters": [
        {"letter": "A", "min_percent": "90"},
        {"letter": "B", "min_percent": "80"},
        {"letter": "C", "min_percent": "0"},
    ],
}


def put_on_bus(local: LocalStack, institution_id: str, *events: DomainEvent) -> None:
    client = boto3.client("events", region_name=local.region, endpoint_url=local.aws_endpoint_url)
    entries = []
    for event in events:
        envelope = EventEnvelope(
            id=ids.new_id(),
            type=event.type_name(),
            occurred_at=datetime.now(UTC),
            institution_id=institution_id,
            actor=Actor(user_id="producer", roles=["instructors"]),
            data=event.model_dump(mode="json"),
        )
        entries.append(
            {
                "EventBusName": local.stack.bus_name,
                "Source": envelope.source,
                "DetailType": envelope.detail_type,
                "Detail": envelope.model_dump_json(),
            }
        )
    assert client.put_events(Entries=entries)["FailedEntryCount"] == 0


def csv_of(local: LocalStack, client: Http, path: str) -> tuple[str, list[list[str]]]:
    request = urllib.request.Request(  # noqa: S310
        local.api_url + path, headers={"Authorization": f"Bearer {client.token}"}
    )
    with urllib.request.urlopen(request, timeout=15) as response:  # noqa: S310
        return response.headers["Content-Type"], list(csv.reader(io.StringIO(response.read().decode())))


def test_grades_on_the_bus_make_a_weighted_course_grade_and_a_matching_export(local: LocalStack) -> None:
    instructor = signed_in(local, demo(local, "instructors"))
    institution_id = demo(local, "instructors").institution_id
    student = new_student(local)
    first_profile = {"If-Match": '"0"'}  # an account made outside the API saves its first profile
    status, profile = student.call("PATCH", "/users/me", {"display_name": "Ibn al-Haytham"}, first_profile)
    assert status == 200, profile
    course_id, _ = published_course(instructor, "Gradebook optics", 1)
    status, enrollment = student.call("POST", f"/courses/{course_id}/enrollments", {})
    assert status == 201, enrollment
    gradebook = f"/assessments/gradebook/courses/{course_id}"
    status, saved = instructor.call("PUT", f"{gradebook}/settings", SETTINGS)
    assert status == 200, saved

    status, me = student.call("GET", f"{gradebook}/me")
    assert status == 200, me
    student_id = me["student_id"]
    quiz_id, essay_id = ids.new_id(), ids.new_id()
    # Two attempts under the highest-score policy: the second grading (revision 2) is what counts,
    # and it arrives before the first.
    put_on_bus(
        local,
        institution_id,
        quiz(course_id, quiz_id, "Lenses"),
        assignment(course_id, essay_id, "Report"),
        quiz_grade(course_id, quiz_id, student_id, "9", revision=2),
        quiz_grade(course_id, quiz_id, student_id, "6", revision=1),
        release(course_id, essay_id, student_id, "75"),
    )

    def graded() -> bool:
        status, body = student.call("GET", f"{gradebook}/me")
        return status == 200 and body["final_percent"] is not None and len(body["scores"]) == 2

    assert eventually(graded, seconds=30)
    status, me = student.call("GET", f"{gradebook}/me")
    # quizzes 9/10 = 90, assignments 75/100 = 75: 0.4 * 90 + 0.6 * 75 = 81
    assert {s["assessment_id"]: s["score"] for s in me["scores"]} == {quiz_id: "9", essay_id: "75"}
    assert (me["final_percent"], me["letter"]) == ("81.00", "B")
    assert Decimal(me["final_percent"]) == Decimal("0.4") * 90 + Decimal("0.6") * 75

    content_type, table = csv_of(local, instructor, f"{gradebook}/export")
    assert content_type.startswith("text/csv")
    # Both assessments are undated and published within the same instant: their order is the ids'.
    header, *rows = table
    assert header[:2] == ["student_id", "display_name"]
    assert header[4:] == ["quizzes (%)", "assignments (%)", "final (%)", "letter"]
    assert [dict(zip(header, row, strict=True)) for row in rows] == [
        {
            "student_id": student_id,
            "display_name": "Ibn al-Haytham",
            f"Lenses ({quiz_id})": "9",
            f"Report ({essay_id})": "75",
            "quizzes (%)": "90.00",
            "assignments (%)": "75.00",
            "final (%)": "81.00",
            "letter": "B",
        }
    ]
