"""Scenarios of direct messages (CommunicationFunction): starting, sending, the mailbox, a thread,
a copy's state, leaving a group, and the people of a course.

Set-up enrolls students in a seeded published course through the courses API and writes through
the messages API; writers take turns so that no one meets the hourly limit during a run.
"""

from __future__ import annotations

from bench.invoke import Answer, ApiCall, Caller
from bench.scenarios.base import TRAIL, Scenario
from bench.scenarios.courses import INSTRUCTOR, CoursesScenario
from bench.scenarios.enrollment import ENROLLMENTS, learner
from lms.communication.messages.repository import (
    CONVERSATION_ENTITY,
    MAILBOX_ENTRY_ENTITY,
    MESSAGE_ENTITY,
    MESSAGE_RATE_ENTITY,
)
from lms.courses.domain import CourseStatus

CONVERSATIONS = "/communication/conversations"
CONVERSATION = CONVERSATIONS + "/{conversation_id}"
MESSAGES = CONVERSATION + "/messages"
WRITERS = 4
MESSAGE_ITEMS = frozenset({CONVERSATION_ENTITY, MAILBOX_ENTRY_ENTITY, MESSAGE_ENTITY, MESSAGE_RATE_ENTITY})


class _Messages(CoursesScenario):
    """A published course, its instructor, and `WRITERS` students of this scenario enrolled."""

    def setup(self) -> None:
        self.course_id = self.seeder.course(status=CourseStatus.PUBLISHED).id
        self.students = [learner(f"{type(self).__name__}-{n}") for n in range(WRITERS)]
        for student in self.students:
            self.send(ApiCall("POST", ENROLLMENTS, student, {"course_id": self.course_id}), 201)

    def start(self, sender: Caller, *recipients: Caller, body: str = "<p>Hello</p>") -> str:
        sent = {"recipient_ids": [r.user_id for r in recipients], "course_id": self.course_id, "body": body}
        answer = self.api.send(ApiCall("POST", CONVERSATIONS, sender, body=sent), 201)
        return str(answer.json()["id"])

    def write(self, sender: Caller, conversation_id: str, body: str = "<p>Noted.</p>") -> None:
        params = {"conversation_id": conversation_id}
        self.api.send(ApiCall("POST", MESSAGES, sender, params, {"body": body}), 201)


class StartConversation(_Messages):
    """A student writes to the course's instructor: one BatchGetItem (course and enrollments), one
    transaction."""

    method, path, status = "POST", CONVERSATIONS, 201
    disposable = TRAIL | MESSAGE_ITEMS  # every call starts its own conversation

    def next_call(self, index: int) -> ApiCall:
        sender = self.students[index % WRITERS]
        body = {
            "recipient_ids": [INSTRUCTOR.user_id],
            "course_id": self.course_id,
            "body": "<p>A question</p>",
        }
        return ApiCall("POST", self.path, sender, body=body)


class SendMessage(_Messages):
    """A message in a group of five (the instructor and four students), the writers taking turns."""

    method, path, status = "POST", MESSAGES, 201

    def setup(self) -> None:
        super().setup()
        self.conversation_id = self.start(INSTRUCTOR, *self.students)

    def next_call(self, index: int) -> ApiCall:
        writer = [INSTRUCTOR, *self.students][index % (WRITERS + 1)]
        params = {"conversation_id": self.conversation_id}
        return ApiCall("POST", self.path, writer, params, {"body": f"<p>Message {index}</p>"})


class _Mailbox(_Messages):
    """A student's mailbox of a page and one conversations from the instructor, every other one read."""

    def setup(self) -> None:
        super().setup()
        self.reader = self.students[0]
        self.conversations = [
            self.start(INSTRUCTOR, self.reader, body=f"<p>Notice {n}</p>") for n in range(self.page_size + 1)
        ]
        for conversation_id in self.conversations[::2]:
            params = {"conversation_id": conversation_id}
            self.api.send(ApiCall("PATCH", CONVERSATION, self.reader, params, {"read": True}), 200)


class ListConversations(_Mailbox):
    method, path = "GET", CONVERSATIONS

    def next_call(self, index: int) -> ApiCall:
        return ApiCall("GET", self.path, self.reader, query=self.page_query())

    def after(self, answer: Answer) -> None:
        self.check_full_page(answer)


class CountUnreadConversations(_Mailbox):
    method, path = "GET", CONVERSATIONS + "/unread-count"

    def next_call(self, index: int) -> ApiCall:
        return ApiCall("GET", self.path, self.reader)


class GetConversation(_Mailbox):
    method, path = "GET", CONVERSATION

    def next_call(self, index: int) -> ApiCall:
        return ApiCall("GET", self.path, self.reader, {"conversation_id": self.conversations[0]})


class UpdateConversation(_Mailbox):
    """The reader stars and unstars a conversation, call after call."""

    method, path = "PATCH", CONVERSATION

    def next_call(self, index: int) -> ApiCall:
        params = {"conversation_id": self.conversations[0]}
        return ApiCall("PATCH", self.path, self.reader, params, {"starred": index % 2 == 0})


class ListMessages(_Messages):
    """A thread of a page and one messages, newest first."""

    method, path = "GET", MESSAGES

    def setup(self) -> None:
        super().setup()
        self.reader = self.students[0]
        self.conversation_id = self.start(INSTRUCTOR, self.reader, body="<p>Message 0</p>")
        for n in range(self.page_size):
            self.write(INSTRUCTOR if n % 2 else self.reader, self.conversation_id, f"<p>Message {n + 1}</p>")

    def next_call(self, index: int) -> ApiCall:
        params = {"conversation_id": self.conversation_id}
        return ApiCall("GET", self.path, self.reader, params, query=self.page_query())

    def after(self, answer: Answer) -> None:
        self.check_full_page(answer)


class DeleteConversation(_Messages):
    """The reader deletes their copy; a classmate's new message (not measured) brings it back."""

    method, path, status = "DELETE", CONVERSATION, 204

    def setup(self) -> None:
        super().setup()
        self.reader, *self.others = self.students
        self.conversation_id = self.start(INSTRUCTOR, *self.students)

    def next_call(self, index: int) -> ApiCall:
        return ApiCall("DELETE", self.path, self.reader, {"conversation_id": self.conversation_id})

    def after(self, answer: Answer) -> None:
        self.turn = getattr(self, "turn", 0) + 1
        self.write(self.others[self.turn % len(self.others)], self.conversation_id)


class LeaveConversation(_Messages):
    """The leaver leaves a group of three; the next group is started (not measured) by a classmate."""

    method, path, status = "POST", CONVERSATION + "/leave", 204

    def setup(self) -> None:
        super().setup()
        self.leaver, *self.starters = self.students
        self.turn = 0
        self.conversation_id = self.start(self.starters[0], self.leaver, INSTRUCTOR)

    def next_call(self, index: int) -> ApiCall:
        return ApiCall("POST", self.path, self.leaver, {"conversation_id": self.conversation_id})

    def after(self, answer: Answer) -> None:
        self.turn += 1
        starter = self.starters[self.turn % len(self.starters)]
        self.conversation_id = self.start(starter, self.leaver, INSTRUCTOR)


class ListCoursePeople(CoursesScenario):
    """A student lists the people of their course: a page of enrolled classmates by name."""

    method, path = "GET", "/communication/courses/{course_id}/people"

    def setup(self) -> None:
        self.course_id = self.seeder.course(status=CourseStatus.PUBLISHED).id
        self.students = [learner(f"people-{n}") for n in range(self.page_size + 1)]
        for student in self.students:
            self.send(ApiCall("POST", ENROLLMENTS, student, {"course_id": self.course_id}), 201)

    def next_call(self, index: int) -> ApiCall:
        params = {"course_id": self.course_id}
        return ApiCall("GET", self.path, self.students[0], params, query=self.page_query())

    def after(self, answer: Answer) -> None:
        self.check_full_page(answer)  # the instructor, then a page less one of students


MESSAGE_SCENARIOS: tuple[type[Scenario], ...] = (
    StartConversation,
    SendMessage,
    ListConversations,
    CountUnreadConversations,
    GetConversation,
    UpdateConversation,
    DeleteConversation,
    LeaveConversation,
    ListMessages,
    ListCoursePeople,
)
