"""Hostile HTML sent through every rich-text field of the API comes back out of no answer.

ADDING A RICH-TEXT FIELD: add one `RichTextField` to FIELDS: the operation, the field, and how to
send a value through it and read the answers that show it back. The check is the same for all.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from infra.provision import Stack
from tests.support.courses import course_with_lessons, enroll
from tests.support.richtext import HOSTILE, assert_harmless
from tests.support.tenant import Tenant


@dataclass
class Classroom:
    """A published course with its instructor and an enrolled student; the institution's admin."""

    tenant: Tenant
    admin: Any
    instructor: Any
    student: Any
    course_id: str


# A sender posts `value` in its field and returns every answer body that shows the field back.
Send = Callable[[Classroom, str], list[str]]


@dataclass(frozen=True)
class RichTextField:
    operation: str
    field: str
    send: Send


def _course_announcement(room: Classroom, value: str) -> list[str]:
    board = f"/communication/courses/{room.course_id}/announcements"
    made = room.instructor.post(board, {"title": "Hostile", "body": f"<p>safe text</p>{value}"})
    assert made.status == 201, made.body
    path = f"{board}/{made.json()['id']}"
    edited = room.instructor.patch(path, {"body": f"{value}<p>edited</p>"}, version=1)
    assert edited.status == 200, edited.body
    return [made.body, edited.body, room.student.get(path).body, room.student.get(board).body]


def _institution_announcement(room: Classroom, value: str) -> list[str]:
    made = room.admin.post("/communication/announcements", {"title": "Hostile", "body": f"{value} safe text"})
    assert made.status == 201, made.body
    path = f"/communication/announcements/{made.json()['id']}"
    return [made.body, room.student.get(path).body, room.student.get("/communication/announcements").body]


def _topic(room: Classroom, value: str) -> tuple[str, list[str]]:
    topics = f"/communication/courses/{room.course_id}/topics"
    made = room.instructor.post(topics, {"title": "Hostile", "body": f"<p>safe text</p>{value}"})
    assert made.status == 201, made.body
    return f"{topics}/{made.json()['id']}/posts", [made.body]


def _discussion_topic(room: Classroom, value: str) -> list[str]:
    posts, answers = _topic(room, value)
    topics = f"/communication/courses/{room.course_id}/topics"
    return [*answers, room.student.get(posts).body, room.student.get(topics).body]


def _discussion_reply(room: Classroom, value: str) -> list[str]:
    posts, _ = _topic(room, "<p>A question.</p>")
    made = room.student.post(posts, {"body": f"{value}<p>safe text</p>"})
    assert made.status == 201, made.body
    reports = f"{posts}/{made.json()['id']}/reports"
    assert room.instructor.post(reports, {"reason": "spam"}).status == 201
    queue = room.instructor.get(f"/communication/courses/{room.course_id}/reported-posts")
    return [made.body, room.student.get(posts).body, room.instructor.get(posts).body, queue.body]


def _discussion_edit(room: Classroom, value: str) -> list[str]:
    posts, _ = _topic(room, "<p>A question.</p>")
    made = room.student.post(posts, {"body": "<p>first</p>"})
    assert made.status == 201, made.body
    edited = room.student.patch(
        f"{posts}/{made.json()['id']}", {"body": f"<p>safe text</p>{value}"}, version=1
    )
    assert edited.status == 200, edited.body
    return [edited.body, room.student.get(posts).body]


FIELDS = [
    RichTextField("CreateCourseAnnouncement", "body", _course_announcement),
    RichTextField("CreateInstitutionAnnouncement", "body", _institution_announcement),
    RichTextField("CreateTopic", "body", _discussion_topic),
    RichTextField("CreatePost", "body", _discussion_reply),
    RichTextField("UpdatePost", "body", _discussion_edit),
]


@pytest.fixture(scope="module")
def room(stack: Stack, gateway: Any) -> Classroom:
    tenant = Tenant(stack, gateway)
    instructor = tenant.instructor()
    course_id, _ = course_with_lessons(instructor, 1)
    student = tenant.student()
    enroll(tenant, course_id, student)
    return Classroom(tenant, tenant.admin(), instructor, student, course_id)


@pytest.mark.parametrize("field", FIELDS, ids=lambda f: f"{f.operation}.{f.field}")
def test_no_answer_carries_hostile_html_sent_in_a_rich_text_field(
    room: Classroom, field: RichTextField
) -> None:
    hostile = "".join(HOSTILE)

    answers = field.send(room, hostile)

    assert answers
    for answer in answers:
        for text in strings_in(json.loads(answer)):
            assert_harmless(text)


def strings_in(value: Any) -> list[str]:
    """Every string of a JSON answer, where a client would find markup to render."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in strings_in(v)]
    if isinstance(value, list):
        return [s for v in value for s in strings_in(v)]
    return []
