"""Rate limits over HTTP: the template's WAF rules as the local stack applies them, default limits."""

from __future__ import annotations

import urllib.error
import urllib.request
import uuid

from infra.local_stack import LocalStack
from infra.seed import create_user, sign_in
from infra.template import load_template

PASSWORD = "Rate-Limits-2026"


def new_user(local: LocalStack, role: str, institution_id: str) -> str:
    username = f"{role}-{uuid.uuid4().hex[:8]}@{institution_id}.example"
    create_user(
        local.stack,
        username=username,
        password=PASSWORD,
        role=role,
        institution_id=institution_id,
        endpoint_url=local.aws_endpoint_url,
    )
    return sign_in(local.stack, username, PASSWORD, endpoint_url=local.aws_endpoint_url)


def get(local: LocalStack, path: str, token: str) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(local.api_url + path, headers={"Authorization": f"Bearer {token}"})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=15) as response:  # noqa: S310
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def test_a_student_s_burst_gets_429_with_retry_after_while_staff_of_another_institution_are_served(
    local: LocalStack,
) -> None:
    limit = int(load_template()["Parameters"]["StudentRequestsPerMinute"]["Default"])
    student = new_user(local, "students", "burst-university")
    instructor = new_user(local, "instructors", "calm-college")

    statuses = [get(local, "/enrollments", student)[0] for _ in range(limit)]
    refused_status, refused_headers, refused_body = get(local, "/enrollments", student)
    staff_status, _, _ = get(local, "/courses", instructor)

    assert set(statuses) == {200}
    assert refused_status == 429
    assert int(refused_headers["Retry-After"]) > 0
    assert b'"status":429' in refused_body
    assert staff_status == 200
