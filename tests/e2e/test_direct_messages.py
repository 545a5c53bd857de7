"""Direct messages over the local stack: a student and an instructor write to each other with unread
counts, and a message to someone outside the student's courses is refused."""

from __future__ import annotations

from infra.local_stack import LocalStack
from tests.support.client import Caller
from tests.support.courses import course_with_lessons
from tests.support.local import demo, new_student, signed_in

CONVERSATIONS = "/communication/conversations"


def unread(client: Caller) -> int:
    status, body = client.call("GET", f"{CONVERSATIONS}/unread-count")
    assert status == 200, body
    count: int = body["unread_conversations"]
    return count


def me(client: Caller) -> str:
    status, body = client.call("GET", "/users/me")
    assert status == 200, body
    user_id: str = body["id"]
    return user_id


def test_a_student_and_an_instructor_write_to_each_other_and_an_outsider_is_out_of_reach(
    local: LocalStack,
) -> None:
    instructor = signed_in(local, demo(local, "instructors"))
    student, outsider = new_student(local), new_student(local)
    course_id, _ = course_with_lessons(instructor, count=1, title="Messaging optics")
    status, enrollment = student.call("POST", f"/courses/{course_id}/enrollments", {})
    assert status == 201, enrollment
    instructor_id = me(instructor)
    waiting = unread(instructor)

    question = {"recipient_ids": [instructor_id], "course_id": course_id, "body": "<p>Is the lab open?</p>"}
    status, conversation = student.call("POST", CONVERSATIONS, question)
    assert status == 201, conversation
    path = f"{CONVERSATIONS}/{conversation['id']}"
    assert unread(instructor) == waiting + 1
    assert unread(student) == 0

    status, page = instructor.call("GET", CONVERSATIONS, None)
    assert status == 200, page
    listed = next(c for c in page["items"] if c["id"] == conversation["id"])
    assert (listed["unread"], listed["preview"]) == (1, "Is the lab open?")
    status, _ = instructor.call("PATCH", path, {"read": True})
    assert status == 200
    assert unread(instructor) == waiting
    status, answer = instructor.call("POST", f"{path}/messages", {"body": "<p>Yes, until six.</p>"})
    assert status == 201, answer
    assert unread(student) == 1
    status, thread = student.call("GET", f"{path}/messages?order=oldest", None)
    assert status == 200, thread
    assert [m["body"] for m in thread["items"]] == ["<p>Is the lab open?</p>", "<p>Yes, until six.</p>"]

    stray = {"recipient_ids": [me(outsider)], "course_id": course_id, "body": "<p>Hi stranger</p>"}
    status, problem = student.call("POST", CONVERSATIONS, stray)
    assert status == 403, problem
    assert problem["type"].endswith("recipients-unreachable")
    assert unread(outsider) == 0
