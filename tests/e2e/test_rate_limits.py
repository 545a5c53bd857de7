"""Rate limits over HTTP: the template's WAF rules as the local stack applies them, default limits."""

from __future__ import annotations

from infra.local_stack import LocalStack
from infra.template import load_template
from tests.support.local import new_user


def test_a_student_s_burst_gets_429_with_retry_after_while_staff_of_another_institution_are_served(
    local: LocalStack,
) -> None:
    limit = int(load_template()["Parameters"]["StudentRequestsPerMinute"]["Default"])
    student = new_user(local, "students", "burst-university")
    instructor = new_user(local, "instructors", "calm-college")

    statuses = [student.get("/enrollments").status for _ in range(limit)]
    refused = student.get("/enrollments")
    staff = instructor.get("/courses")

    assert set(statuses) == {200}
    assert refused.status == 429
    assert int(refused.header("Retry-After") or "0") > 0
    assert refused.json()["status"] == 429
    assert staff.status == 200
