"""A store's signed orders over the running local stack: 402 until the paid order, then enrollment."""

from __future__ import annotations

import json
import time
import uuid
from pathlib import Path

from infra.local_stack import LocalStack
from lms.courses.commerce.signature import HEADER, sign
from tests.support.local import demo, first_sign_in, over_http, signed_in


def test_a_signed_order_grants_the_access_a_paid_course_asks_for_and_a_replay_changes_nothing(
    local: LocalStack, state_file: Path
) -> None:
    instructor = signed_in(local, demo(local, "instructors"))
    admin = signed_in(local, demo(local, "institution-admins"))
    body = {
        "title": "Bought access",
        "category": "economics",
        "level": "beginner",
        "language": "en",
        "learning_objectives": ["Pay, then learn"],
        "price": {"amount": "19.99", "currency": "USD"},
    }
    status, course = instructor.call("POST", "/courses", body)
    assert status == 201, course
    status, section = instructor.call("POST", f"/courses/{course['id']}/sections", {"title": "Week 1"})
    assert status == 201, section
    lesson = {
        "section_id": section["id"],
        "title": "Start",
        "content_type": "text",
        "content": "<p>Hi</p>",
        "duration_minutes": 5,
    }
    assert instructor.call("POST", f"/courses/{course['id']}/lessons", lesson)[0] == 201
    assert instructor.call("POST", f"/courses/{course['id']}/publish")[0] == 200
    email = f"buyer-{uuid.uuid4().hex[:10]}@demo.example"
    status, invited = admin.call(
        "POST", "/users", {"email": email, "given_name": "Bea", "family_name": "Buyer", "role": "student"}
    )
    assert status == 201, invited
    student = first_sign_in(local, email, invited["temporary_password"])
    enrollments = f"/courses/{course['id']}/enrollments"
    status, refused = student.call("POST", enrollments, {})
    assert (status, refused["type"]) == (402, "urn:lms:problem:payment-required")

    # The store: its key and URL come from .local-stack.json, as a developer's would.
    commerce = json.loads(state_file.read_text())["commerce"]
    key = commerce["signing_key"].encode()
    path = commerce["orders_url"].removeprefix(local.api_url)
    order = json.dumps(
        {"order_id": f"e2e-{uuid.uuid4().hex}", "status": "paid", "course_id": course["id"], "email": email}
    )
    store = over_http(local, None)

    def deliver(signed_at: float) -> tuple[int, dict[str, str], dict[str, object]]:
        headers = {"Content-Type": "application/json", HEADER: sign(key, int(signed_at), order.encode())}
        answer = store.request("POST", path, body=order, headers=headers)
        return answer.status, {k.lower(): v for k, v in answer.headers.items()}, answer.json()

    status, _, stale = deliver(time.time() - 600)
    assert (status, stale["type"]) == (401, "urn:lms:problem:commerce-signature-stale")
    status, _, granted = deliver(time.time())
    assert status == 201, granted
    assert (granted["student_id"], granted["status"]) == (invited["id"], "granted")
    status, headers, replayed = deliver(time.time())
    assert (status, replayed, headers.get("idempotent-replayed")) == (201, granted, "true")

    status, enrolled = student.call("POST", enrollments, {})
    assert (status, enrolled["status"]) == (201, "enrolled")
    status, _, again = deliver(time.time())  # a late retry of the store: still the first answer
    assert (status, again) == (201, granted)
    assert student.call("DELETE", f"{enrollments}/{invited['id']}")[0] == 204
    status, refused = student.call("POST", enrollments, {})
    assert status == 402, refused  # the one order was used, and its replay granted nothing new
