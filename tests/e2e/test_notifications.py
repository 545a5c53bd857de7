"""Notifications over the local stack: what people do reaches the right inboxes within seconds.

An announcement reaches every enrolled student (unread) and not its author; a released grade
reaches only its student; a discussion reply reaches the topic's followers but never its author;
an assignment due within a day reminds, once, the students who have not submitted it.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from infra.local_stack import LocalStack
from tests.support.assignments import ASSIGNMENTS, published, submitted
from tests.support.client import Caller
from tests.support.courses import course_with_lessons
from tests.support.local import demo, eventually, new_student, new_user

# Through the relay, the bus, the consumer's queue and (for a class) the fan-out: on a loaded machine
# this takes longer than a single consumer's hop.
PIPELINE_SECONDS = 30.0


def inbox(client: Caller, **query: str) -> list[dict[str, Any]]:
    response = client.get("/notifications", query=query)
    assert response.status == 200, response.body
    items: list[dict[str, Any]] = response.json()["items"]
    return items


def told(client: Caller, of_type: str, about: str) -> list[dict[str, Any]]:
    """The caller's notifications of one type whose link names `about`."""
    return [n for n in inbox(client) if n["type"] == of_type and about in n["link"]]


class Class:
    """A course of a new instructor with three new students enrolled."""

    def __init__(self, local: LocalStack, title: str) -> None:
        institution = demo(local, "students").institution_id
        self.instructor = new_user(local, "instructors", institution)
        self.course_id, _ = course_with_lessons(self.instructor, count=1, title=title)
        self.students = [new_student(local) for _ in range(3)]
        for student in self.students:
            status, body = student.call("POST", f"/courses/{self.course_id}/enrollments", {})
            assert status == 201, body


def test_an_announcement_reaches_every_enrolled_student_unread_and_not_its_author(local: LocalStack) -> None:
    room = Class(local, "Notified optics")
    board = f"/communication/courses/{room.course_id}/announcements"
    status, announcement = room.instructor.call(
        "POST", board, {"title": "Lab moved", "body": "<p>Room 4.</p>"}
    )
    assert status == 201, announcement

    def everyone_told() -> bool:
        return all(told(s, "AnnouncementPublished", announcement["id"]) for s in room.students)

    assert eventually(everyone_told, PIPELINE_SECONDS)
    for student in room.students:
        (entry,) = inbox(student, unread="true")
        assert (entry["title"], entry["read"]) == ("Lab moved", False)
        assert student.get("/notifications/unread-count").json() == {"unread": 1, "capped": False}
    assert told(room.instructor, "AnnouncementPublished", announcement["id"]) == []

    reader = room.students[0]
    assert reader.post(f"/notifications/{inbox(reader)[0]['id']}/read").status == 204
    assert reader.get("/notifications/unread-count").json()["unread"] == 0


def test_a_released_grade_is_told_to_its_student_only(local: LocalStack) -> None:
    room = Class(local, "Graded optics")
    assignment = published(room.instructor, room.course_id)
    graded, classmate = room.students[:2]
    submission = submitted(graded, assignment["id"])
    path = f"{ASSIGNMENTS}/{assignment['id']}"
    revision = {"If-Match": f'"{submission["revision"]}"'}
    status, body = room.instructor.call(
        "PUT", f"{path}/submissions/{submission['id']}/grade", {"score": "8", "feedback": "Good."}, revision
    )
    assert status == 200, body
    status, body = room.instructor.call("POST", f"{path}/release")
    assert status == 200, body

    assert eventually(lambda: bool(told(graded, "GradeReleased", room.course_id)), PIPELINE_SECONDS)
    (grade,) = told(graded, "GradeReleased", room.course_id)
    assert grade["data"]["assessment_id"] == assignment["id"]
    for other in (classmate, room.instructor):
        assert told(other, "GradeReleased", room.course_id) == []


def test_a_reply_reaches_the_topic_s_followers_but_never_its_author(local: LocalStack) -> None:
    room = Class(local, "Discussed optics")
    ana, ben = room.students[:2]
    topics = f"/communication/courses/{room.course_id}/topics"
    status, topic = room.instructor.call(
        "POST", topics, {"title": "Lenses", "body": "<p>Convex or concave?</p>"}
    )
    assert status == 201, topic
    posts = f"{topics}/{topic['id']}/posts"
    status, first = ben.call("POST", posts, {"body": "<p>Convex.</p>"})
    assert status == 201, first
    assert eventually(lambda: bool(told(room.instructor, "DiscussionReply", topic["id"])), PIPELINE_SECONDS)
    status, second = ana.call("POST", posts, {"body": "<p>Both.</p>"})
    assert status == 201, second
    assert eventually(lambda: bool(told(ben, "DiscussionReply", topic["id"])), PIPELINE_SECONDS)
    assert eventually(
        lambda: len(told(room.instructor, "DiscussionReply", topic["id"])) == 2, PIPELINE_SECONDS
    )

    assert [n["data"]["post_id"] for n in told(ben, "DiscussionReply", topic["id"])] == [second["id"]]
    assert told(ana, "DiscussionReply", topic["id"]) == []


def test_an_assignment_due_within_a_day_reminds_once_who_has_not_submitted(local: LocalStack) -> None:
    room = Class(local, "Reminded optics")
    now = datetime.now(UTC)
    assignment = published(room.instructor, room.course_id, due_at=(now + timedelta(hours=20)).isoformat())
    done, idle = room.students[:2]
    submitted(done, assignment["id"])

    # As its schedule would, twice (a repeated run): nobody is reminded twice.
    for _ in range(2):
        local.pump.invoke_scheduled("DueReminderFunction", at=now)

    (reminder,) = told(idle, "AssignmentDueSoon", assignment["id"])
    assert reminder["title"] == "Due soon: Essay on light"
    assert told(done, "AssignmentDueSoon", assignment["id"]) == []
    assert told(room.instructor, "AssignmentDueSoon", assignment["id"]) == []
