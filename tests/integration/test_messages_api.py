"""Direct messages through the gateway emulation: who may write to whom, the mailbox and its
scopes, unread counts, group conversations, the hourly limit, privacy, with every refusal."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any

import boto3
import pytest

from bench.expectations import expected_requests
from infra.gateway import ApiGateway
from infra.provision import Stack
from lms import clock, keys
from lms.auth import Principal, Role
from lms.communication import privacy
from lms.communication.messages.domain import rate_window
from lms.settings import get_settings
from tests.support.client import Caller, problem
from tests.support.courses import course_with_lessons, enroll
from tests.support.richtext import HOSTILE, assert_harmless
from tests.support.tenant import Tenant

CONVERSATIONS = "/communication/conversations"


@dataclass
class Class:
    """A published course: its instructor, two enrolled students with profiles, and people around it."""

    tenant: Tenant
    course_id: str
    instructor: Caller
    ana: Caller
    ben: Caller
    admin: Caller
    outsider: Caller  # a student of the institution, not in the course
    stranger: Caller  # a student of another institution


@pytest.fixture(scope="module")
def room(stack: Stack, gateway: ApiGateway) -> Class:
    tenant = Tenant(stack, gateway)
    instructor = tenant.instructor()
    course_id, _ = course_with_lessons(instructor, 1)
    admin = tenant.admin()
    ana, ben = tenant.invited(admin), tenant.invited(admin)
    for student, name in ((ana, "Ana A."), (ben, "Ben B.")):
        enroll(tenant, course_id, student)
        assert student.patch("/users/me", {"display_name": name}, version=1).status == 200
    assert instructor.patch("/users/me", {"display_name": "Prof. Ito"}, version=0).status == 200
    return Class(
        tenant, course_id, instructor, ana, ben, admin, tenant.student(), Tenant(stack, gateway).student()
    )


def start(
    room: Class, sender: Caller, *recipients: Caller, body: str = "<p>Hello</p>", **extra: Any
) -> dict[str, Any]:
    sent = {
        "recipient_ids": [r.user_id for r in recipients],
        "course_id": room.course_id,
        "body": body,
        **extra,
    }
    response = sender.post(CONVERSATIONS, sent)
    assert response.status == 201, response.body
    made: dict[str, Any] = response.json()
    return made


def unread(caller: Caller) -> int:
    response = caller.get(f"{CONVERSATIONS}/unread-count")
    assert response.status == 200, response.body
    count: int = response.json()["unread_conversations"]
    return count


def inbox(caller: Caller, scope: str = "inbox", **query: str) -> list[dict[str, Any]]:
    response = caller.get(CONVERSATIONS, query={"scope": scope, **query})
    assert response.status == 200, response.body
    items: list[dict[str, Any]] = response.json()["items"]
    return items


def outbox(room: Class, conversation_id: str) -> list[dict[str, Any]]:
    return [e for e in room.tenant.events() if e["data"].get("conversation_id") == conversation_id]


# ---------------------------------------------------------------- a thread


def test_a_student_and_an_instructor_write_to_each_other_with_unread_counts(room: Class) -> None:
    before = unread(room.instructor)
    made = start(room, room.ana, room.instructor, body="<p>May I hand in <b>late</b>?</p>", subject="Essay")
    assert room.ana.last_calls == expected_requests("POST", "/communication/conversations")
    assert (made["kind"], made["subject"], made["unread"], made["sent"]) == ("direct", "Essay", 0, True)
    assert [p["user_id"] for p in made["participants"]] == [room.ana.user_id, room.instructor.user_id]
    assert unread(room.instructor) == before + 1
    assert room.instructor.last_calls == expected_requests("GET", "/communication/conversations/unread-count")

    mine = next(c for c in inbox(room.instructor) if c["id"] == made["id"])
    assert (mine["unread"], mine["preview"], mine["last_sender"]["display_name"]) == (
        1,
        "May I hand in late?",
        "Ana A.",
    )
    thread = room.instructor.get(f"{CONVERSATIONS}/{made['id']}/messages").json()["items"]
    assert [(m["sender"]["display_name"], m["body"]) for m in thread] == [
        ("Ana A.", "<p>May I hand in <b>late</b>?</p>")
    ]
    assert room.instructor.last_calls == expected_requests(
        "GET", "/communication/conversations/{conversation_id}/messages"
    )

    marked = room.instructor.patch(f"{CONVERSATIONS}/{made['id']}", {"read": True})
    assert marked.status == 200, marked.body
    assert marked.json()["unread"] == 0
    assert unread(room.instructor) == before

    reply = room.instructor.post(f"{CONVERSATIONS}/{made['id']}/messages", {"body": "<p>Yes, by Friday.</p>"})
    assert reply.status == 201, reply.body
    assert room.instructor.last_calls == expected_requests(
        "POST", "/communication/conversations/{conversation_id}/messages"
    )
    ana_copy = room.ana.get(f"{CONVERSATIONS}/{made['id']}").json()
    assert (ana_copy["unread"], ana_copy["preview"], ana_copy["last_sender"]["display_name"]) == (
        1,
        "Yes, by Friday.",
        "Prof. Ito",
    )
    newest_first = room.ana.get(f"{CONVERSATIONS}/{made['id']}/messages").json()["items"]
    assert [m["body"] for m in newest_first] == [
        "<p>Yes, by Friday.</p>",
        "<p>May I hand in <b>late</b>?</p>",
    ]

    events = outbox(room, made["id"])
    assert [e["type"] for e in events] == [
        "lms.communication.ConversationStarted.v1",
        "lms.communication.MessageSent.v1",
    ]
    assert events[0]["data"]["recipient_ids"] == [room.instructor.user_id]
    assert events[1]["data"] == {
        "conversation_id": made["id"],
        "message_id": reply.json()["id"],
        "recipient_ids": [room.ana.user_id],
        "preview": "Yes, by Friday.",
    }


def test_an_inbox_page_and_the_unread_count_cost_the_same_whatever_the_mailbox_holds(room: Class) -> None:
    reader = room.tenant.invited(room.admin)
    counts = []
    for size in (1, 12):
        while len(inbox(reader, limit="100")) < size:
            start(room, room.admin, reader, course_id=None)
        inbox(reader, limit="5")
        page_calls = reader.last_calls
        unread(reader)
        counts.append((page_calls, reader.last_calls))
    assert (
        counts[0]
        == counts[1]
        == (
            expected_requests("GET", "/communication/conversations"),
            expected_requests("GET", "/communication/conversations/unread-count"),
        )
    )


def test_the_inbox_pages_through_unread_and_read_conversations_newest_first(room: Class) -> None:
    reader = room.tenant.invited(room.admin)
    made = [start(room, room.admin, reader, course_id=None, body=f"<p>n{n}</p>")["id"] for n in range(5)]
    for conversation_id in made[1::2]:
        assert reader.patch(f"{CONVERSATIONS}/{conversation_id}", {"read": True}).status == 200
    seen, cursor = [], None
    while True:
        response = reader.get(CONVERSATIONS, query={"limit": "2", **({"cursor": cursor} if cursor else {})})
        assert response.status == 200, response.body
        seen += [c["id"] for c in response.json()["items"]]
        cursor = response.json()["next_cursor"]
        if cursor is None:
            break
    assert seen == made[::-1]
    assert [c["id"] for c in inbox(reader, "unread")] == made[::-2]
    problem(reader.get(CONVERSATIONS, query={"cursor": "not-a-cursor"}), 400, "invalid-cursor")


# ---------------------------------------------------------------- who may write to whom


def test_a_message_to_someone_outside_the_student_s_courses_is_refused(room: Class) -> None:
    before = len(room.tenant.items())
    refused = room.ana.post(
        CONVERSATIONS, {"recipient_ids": [room.outsider.user_id], "course_id": room.course_id, "body": "hi"}
    )
    body = problem(refused, 403, "recipients-unreachable")
    assert body["recipients"] == [room.outsider.user_id]
    assert len(room.tenant.items()) == before


@pytest.mark.parametrize(
    ("who", "sent", "status", "slug"),
    [
        ("ana", {"course_id": None}, 422, "course-needed"),
        ("outsider", {}, 403, "not-in-course"),
        ("ana", {"course_id": "no-such-course"}, 404, "messaging-course-not-found"),
        ("stranger", {}, 404, "messaging-course-not-found"),
        ("ana", {"recipient_ids": ["someone-else"]}, 403, "recipients-unreachable"),
        ("admin", {"recipient_ids": ["nobody-here"], "course_id": None}, 403, "recipients-unreachable"),
        ("ana", {"recipient_ids": []}, 422, "validation-failed"),
        ("ana", {"recipient_ids": [f"p{n}" for n in range(50)]}, 422, "validation-failed"),
        ("ana", {"recipient_ids": ["../x"]}, 422, "validation-failed"),
        ("ana", {"body": ""}, 422, "validation-failed"),
        ("ana", {"body": "<script>alert(1)</script>"}, 422, "validation-failed"),
        ("ana", {"body": "x" * 20_001}, 422, "validation-failed"),
        ("ana", {"subject": "s" * 201}, 422, "validation-failed"),
        ("ana", {"cc": []}, 422, "validation-failed"),
    ],
)
def test_starting_a_conversation_refuses(
    room: Class, who: str, sent: dict[str, Any], status: int, slug: str
) -> None:
    sender: Caller = getattr(room, who)
    body = {
        "recipient_ids": [room.instructor.user_id],
        "course_id": room.course_id,
        "body": "<p>Hi</p>",
        **sent,
    }
    problem(sender.post(CONVERSATIONS, body), status, slug)


def test_writing_only_to_oneself_is_refused(room: Class) -> None:
    body = {"recipient_ids": [room.ana.user_id], "course_id": room.course_id, "body": "<p>me</p>"}
    problem(room.ana.post(CONVERSATIONS, body), 422, "validation-failed")


def test_instructors_write_to_their_students_and_admins_to_anyone(room: Class) -> None:
    start(room, room.instructor, room.ana, room.ben)
    problem(
        room.instructor.post(
            CONVERSATIONS,
            {"recipient_ids": [room.outsider.user_id], "course_id": room.course_id, "body": "x"},
        ),
        403,
        "recipients-unreachable",
    )
    start(room, room.admin, room.ana, course_id=None)
    platform = room.tenant.platform_admin()
    problem(
        platform.post(CONVERSATIONS, {"recipient_ids": [room.ana.user_id], "body": "x"}), 403, "forbidden"
    )


def test_a_retried_start_with_an_idempotency_key_answers_the_first_conversation(room: Class) -> None:
    headers = {"Idempotency-Key": f"start-{time.time_ns()}"}
    body = {"recipient_ids": [room.instructor.user_id], "course_id": room.course_id, "body": "<p>once</p>"}
    first = room.ben.post(CONVERSATIONS, body, headers=headers)
    again = room.ben.post(CONVERSATIONS, body, headers=headers)
    assert (first.status, again.status) == (201, 201)
    assert again.json() == first.json()
    assert again.header("Idempotent-Replayed") == "true"
    assert room.ben.last_calls == expected_requests(
        "POST", "/communication/conversations", "Idempotency-Key replay"
    )
    other = {**body, "body": "<p>twice</p>"}
    problem(room.ben.post(CONVERSATIONS, other, headers=headers), 422, "idempotency-key-reused")


# ---------------------------------------------------------------- the hourly limit


def test_the_hourly_limit_answers_429_with_retry_after(room: Class) -> None:
    sender = room.tenant.invited(room.admin, "institution-admin")
    window, _ = rate_window(clock.now())
    table = boto3.resource("dynamodb", region_name=room.tenant.stack.region).Table(
        room.tenant.stack.table_name
    )
    limit = get_settings().message_hourly_limit
    table.put_item(  # as if the sender had already written `limit` times this hour
        Item={
            "PK": keys.mailbox_pk(room.tenant.institution_id, sender.user_id),
            "SK": keys.message_rate_sk(window),
            "entity": "message-rate",
            "sent": limit,
            "expires_at": int(time.time()) + 3600,
        }
    )
    before = len(room.tenant.items())
    refused = sender.post(CONVERSATIONS, {"recipient_ids": [room.ana.user_id], "body": "<p>spam</p>"})
    body = problem(refused, 429, "message-rate-limited")
    retry_after = int(refused.header("Retry-After") or "0")
    assert 1 <= retry_after <= 3600
    assert body["retry_after_seconds"] == retry_after
    assert len(room.tenant.items()) == before


# ---------------------------------------------------------------- a copy's state


def test_archive_star_delete_and_a_new_message_bringing_it_back(room: Class) -> None:
    made = start(room, room.ben, room.instructor, body="<p>first</p>")
    path = f"{CONVERSATIONS}/{made['id']}"
    assert room.instructor.patch(path, {"archived": True, "starred": True}).json()["archived"] is True
    assert made["id"] not in [c["id"] for c in inbox(room.instructor)]
    assert made["id"] in [c["id"] for c in inbox(room.instructor, "archived")]
    assert made["id"] in [c["id"] for c in inbox(room.instructor, "starred")]
    assert made["id"] in [c["id"] for c in inbox(room.ben, "sent")]
    assert made["id"] not in [c["id"] for c in inbox(room.instructor, "sent")]
    assert room.ben.post(f"{path}/messages", {"body": "<p>second</p>"}).status == 201
    back = next(c for c in inbox(room.instructor) if c["id"] == made["id"])
    assert (back["archived"], back["unread"], back["starred"]) == (False, 2, True)

    assert room.ben.delete(path).status == 204
    problem(room.ben.get(path), 404, "conversation-not-found")
    assert made["id"] not in [c["id"] for c in inbox(room.ben, "sent")]
    assert room.instructor.get(path).status == 200  # the others keep their copy
    assert room.instructor.post(f"{path}/messages", {"body": "<p>third</p>"}).status == 201
    thread = room.ben.get(f"{path}/messages").json()["items"]
    assert [m["body"] for m in thread] == ["<p>third</p>"]  # what Ben deleted stays deleted


def test_a_change_to_one_s_copy_refuses_bad_input(room: Class) -> None:
    made = start(room, room.ana, room.ben)
    path = f"{CONVERSATIONS}/{made['id']}"
    problem(room.ana.patch(path, {}), 422, "validation-failed")
    problem(room.ana.patch(path, {"read": None}), 422, "validation-failed")
    problem(room.ana.patch(path, {"pinned": True}), 422, "validation-failed")
    problem(room.ana.get(CONVERSATIONS, query={"scope": "everything"}), 422, "validation-failed")
    problem(room.ana.get(f"{path}/messages", query={"limit": "0"}), 422, "validation-failed")


@pytest.mark.parametrize(
    ("method", "tail", "body"),
    [
        ("GET", "", None),
        ("PATCH", "", {"read": True}),
        ("DELETE", "", None),
        ("POST", "/leave", None),
        ("GET", "/messages", None),
        ("POST", "/messages", {"body": "<p>x</p>"}),
    ],
)
def test_a_conversation_one_is_not_in_is_not_found(room: Class, method: str, tail: str, body: Any) -> None:
    made = start(room, room.ana, room.instructor)
    for caller, conversation_id in (
        (room.ben, made["id"]),
        (room.ana, "no-such-conversation"),
        (room.stranger, made["id"]),
    ):
        response = caller.request(method, f"{CONVERSATIONS}/{conversation_id}{tail}", json_body=body)
        problem(response, 404, "conversation-not-found")


# ---------------------------------------------------------------- groups


def test_leaving_a_group_stops_its_messages_and_one_s_writing(room: Class) -> None:
    made = start(room, room.instructor, room.ana, room.ben, subject="Project team")
    assert made["kind"] == "group"
    path = f"{CONVERSATIONS}/{made['id']}"
    assert room.ben.post(f"{path}/leave").status == 204
    assert room.ben.post(f"{path}/leave").status == 204  # again: nothing more
    ben_before = room.ben.get(path).json()
    assert ben_before["left"] is True
    assert room.ana.post(f"{path}/messages", {"body": "<p>after Ben left</p>"}).status == 201
    assert room.ben.get(path).json()["unread"] == ben_before["unread"]
    ben_sees = room.ben.get(f"{path}/messages").json()["items"]
    assert "<p>after Ben left</p>" not in [m["body"] for m in ben_sees]
    problem(room.ben.post(f"{path}/messages", {"body": "<p>me again</p>"}), 403, "not-a-participant")
    everyone = room.instructor.get(path).json()
    assert [p["user_id"] for p in everyone["participants"]] == [room.instructor.user_id, room.ana.user_id]
    assert [p["display_name"] for p in everyone["former_participants"]] == ["Ben B."]
    left = [e for e in outbox(room, made["id"]) if e["type"].endswith("ConversationLeft.v1")]
    assert [e["data"]["recipient_ids"] for e in left] == [[room.instructor.user_id, room.ana.user_id]]


def test_a_one_to_one_conversation_cannot_be_left(room: Class) -> None:
    made = start(room, room.ana, room.instructor)
    problem(room.ana.post(f"{CONVERSATIONS}/{made['id']}/leave"), 409, "only-groups-can-be-left")


def test_when_everyone_else_left_there_is_nobody_to_write_to(room: Class) -> None:
    made = start(room, room.instructor, room.ana, room.ben)
    path = f"{CONVERSATIONS}/{made['id']}"
    for student in (room.ana, room.ben):
        assert student.post(f"{path}/leave").status == 204
    problem(
        room.instructor.post(f"{path}/messages", {"body": "<p>anyone?</p>"}),
        409,
        "conversation-has-no-recipients",
    )


# ---------------------------------------------------------------- people of a course


def test_the_people_of_a_course_by_name_for_its_members_and_staff(room: Class) -> None:
    path = f"/communication/courses/{room.course_id}/people"
    page = room.ana.get(path)
    assert page.status == 200, page.body
    assert room.ana.last_calls == expected_requests("GET", "/communication/courses/{course_id}/people")
    people = [(p["role"], p["display_name"]) for p in page.json()["items"]]
    assert people[0] == ("instructor", "Prof. Ito")
    assert sorted(people[1:]) == [("student", "Ana A."), ("student", "Ben B.")]
    assert room.instructor.get(path).status == 200
    assert room.admin.get(path).status == 200
    problem(room.outsider.get(path), 403, "not-in-course")
    problem(room.stranger.get(path), 404, "messaging-course-not-found")
    problem(room.ana.get("/communication/courses/no-such-course/people"), 404, "messaging-course-not-found")
    first = room.instructor.get(path, query={"limit": "2"}).json()
    rest = room.instructor.get(path, query={"limit": "2", "cursor": first["next_cursor"]}).json()
    assert [p["role"] for p in first["items"]] == ["instructor", "student"]
    assert [p["role"] for p in rest["items"]] == ["student"]


# ---------------------------------------------------------------- privacy


def test_erasure_removes_a_person_s_message_bodies_without_breaking_the_thread(room: Class) -> None:
    leaver = room.tenant.invited(room.admin)
    enroll(room.tenant, room.course_id, leaver)
    made = start(room, leaver, room.instructor, room.ana, body="<p>my secret plan</p>")
    assert room.ana.post(f"{CONVERSATIONS}/{made['id']}/messages", {"body": "<p>tell me</p>"}).status == 201
    assert leaver.post(f"{CONVERSATIONS}/{made['id']}/messages", {"body": "<p>later</p>"}).status == 201

    exported = privacy.CONTRIBUTOR.export(room.tenant.institution_id, leaver.user_id)
    assert [m["body"] for m in exported["messages"]] == ["<p>my secret plan</p>", "<p>later</p>"]
    assert [c["conversation_id"] for c in exported["conversations"]] == [made["id"]]

    actor = Principal(
        user_id=room.admin.user_id,
        institution_id=room.tenant.institution_id,
        roles=frozenset({Role.INSTITUTION_ADMIN}),
    )
    for _ in range(2):  # a retried erasure changes nothing more
        privacy.CONTRIBUTOR.erase(room.tenant.institution_id, leaver.user_id, actor)
    thread = room.ana.get(f"{CONVERSATIONS}/{made['id']}/messages", query={"order": "oldest"}).json()["items"]
    assert [(m["sender"]["user_id"], m["body"], m["erased"]) for m in thread] == [
        (leaver.user_id, "", True),
        (room.ana.user_id, "<p>tell me</p>", False),
        (leaver.user_id, "", True),
    ]
    copy = room.instructor.get(f"{CONVERSATIONS}/{made['id']}").json()
    assert copy["preview"] == ""
    assert leaver.user_id not in [p["user_id"] for p in copy["participants"]]
    assert (
        room.ana.post(f"{CONVERSATIONS}/{made['id']}/messages", {"body": "<p>still here</p>"}).status == 201
    )
    assert privacy.CONTRIBUTOR.export(room.tenant.institution_id, leaver.user_id)["conversations"] == []
    # Only the outbox still holds the preview its event carried, until the outbox's retention ends.
    stored = json.dumps([i for i in room.tenant.items() if i.get("entity") != "outbox"], default=str)
    assert "my secret plan" not in stored


# ---------------------------------------------------------------- hostile HTML


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


@pytest.mark.parametrize(
    ("operation", "field"),
    [("StartConversation", "body"), ("StartConversation", "subject"), ("SendMessage", "body")],
)
def test_hostile_html_in_a_rich_text_field_never_comes_back_out(
    room: Class, operation: str, field: str
) -> None:
    conversation_id = start(room, room.ana, room.instructor)["id"]
    answers: list[Any] = []
    for hostile in HOSTILE:
        text = f"<p>ok</p>{hostile}"
        if operation == "StartConversation":
            made = start(room, room.ana, room.instructor, **{field: text})
            answers.append(made)
            conversation_id = made["id"]
        else:
            sent = room.ana.post(f"{CONVERSATIONS}/{conversation_id}/messages", {field: text})
            assert sent.status == 201, sent.body
            answers.append(sent.json())
        answers.append(room.instructor.get(f"{CONVERSATIONS}/{conversation_id}").json())
    answers.append(room.instructor.get(CONVERSATIONS, query={"limit": "100"}).json())
    answers.append(room.instructor.get(f"{CONVERSATIONS}/{conversation_id}/messages").json())
    for text in _strings(answers):
        assert_harmless(text)


def test_a_retried_message_with_an_idempotency_key_is_sent_once(room: Class) -> None:
    made = start(room, room.ben, room.instructor)
    path = f"{CONVERSATIONS}/{made['id']}/messages"
    headers = {"Idempotency-Key": f"send-{time.time_ns()}"}
    first = room.ben.post(path, {"body": "<p>once</p>"}, headers=headers)
    again = room.ben.post(path, {"body": "<p>once</p>"}, headers=headers)
    assert (first.status, again.status) == (201, 201)
    assert again.json() == first.json()
    thread = room.instructor.get(path).json()["items"]
    assert [m["body"] for m in thread].count("<p>once</p>") == 1
    assert room.instructor.get(f"{CONVERSATIONS}/{made['id']}").json()["unread"] == 2
