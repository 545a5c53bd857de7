"""A 20-second bus outage against the running local stack ends with the student in the gradebook, with
nobody touching anything: the relay's retries back off past the outage and publish the event.

The pump's clock is moved forward instead of waited for; the pump drains on its own in the
background too, and the test drives it as well only to take steps of one second.
"""

from __future__ import annotations

from collections.abc import Callable

from infra import faults
from infra.local_stack import LocalStack
from infra.pump import lambda_backoff
from tests.support.courses import course_with_lessons
from tests.support.local import demo, new_student, signed_in

OUTAGE_SECONDS = 20


def test_an_enrollment_during_a_20_second_bus_outage_reaches_the_gradebook(
    local: LocalStack, record_property: Callable[[str, object], None]
) -> None:
    instructor = signed_in(local, demo(local, "instructors"))
    student = new_student(local)
    course_id, _ = course_with_lessons(instructor, count=1, title="Optics under outage")
    status, me = student.call("GET", "/users/me")
    assert status == 200, me
    roster = f"/assessments/gradebook/courses/{course_id}/students"

    def in_gradebook() -> bool:
        status, page = instructor.call("GET", roster)
        assert status == 200, page
        return me["id"] in {row["student_id"] for row in page["items"]}

    with faults.bus_refuses() as outage:
        status, enrollment = student.call("POST", f"/courses/{course_id}/enrollments", {})
        assert status == 201, enrollment
        for _ in range(OUTAGE_SECONDS):
            local.clock.advance(1)
            local.pump.drain()
    assert outage.refused > 0
    assert not in_gradebook()

    waited = 0
    while not in_gradebook():
        assert waited <= 120, "the event never reached the gradebook"
        local.clock.advance(1)
        local.pump.drain()
        waited += 1
    # The relay's next attempt after the outage, its retries being 1, 3, 7, 15 and 31 s after the
    # first: at most one backoff step (16 s) after the bus is back.
    assert waited < lambda_backoff(5)
    record_property("recovered_after_bus_returned_s", waited)  # docs/operations.md
