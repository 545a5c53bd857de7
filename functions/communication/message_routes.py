"""Routes of direct messages and of the people of a course: request parsing and wiring only."""

from __future__ import annotations

from collections.abc import Collection
from functools import cache
from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Query
from aws_lambda_powertools.metrics import MetricUnit
from communication_api import app, metrics

from lms.communication import course_access
from lms.communication.messages.domain import Conversation, MailboxEntry, Message, Scope
from lms.communication.messages.repository import UNREAD_COUNT_CAP, DynamoMessageRepository
from lms.communication.messages.schemas import (
    ConversationPage,
    ConversationPatch,
    ConversationSummaryView,
    ConversationView,
    MessagePage,
    MessageView,
    SendMessageBody,
    StartConversationBody,
    UnreadCountView,
)
from lms.communication.messages.service import CopyChange, Draft, MessageService
from lms.communication.people import CoursePeoplePage, CoursePeopleService
from lms.http import NO_CONTENT, created, idempotent_request, path_id, principal, respond
from lms.pagination import DEFAULT_LIMIT, MAX_LIMIT
from lms.settings import get_settings
from lms.users import queries as people

CONVERSATIONS = "/communication/conversations"
CONVERSATION = CONVERSATIONS + "/<conversation_id>"
SCOPE = "`inbox`, `unread` and `archived` by latest message; `sent` and `starred` by when it started."


class _Directory:
    def members(self, institution_id: str, user_ids: Collection[str]) -> set[str]:
        """The ids that are people of the institution, erased ones excluded."""
        return {p.user_id for p in people.people(institution_id, user_ids).values() if not p.erased}


@cache
def messages() -> MessageService:
    return MessageService(
        DynamoMessageRepository(), course_access, _Directory(), get_settings().message_hourly_limit
    )


@cache
def course_people() -> CoursePeopleService:
    return CoursePeopleService(people.display_names)


def _names(user_ids: Collection[str]) -> dict[str, str]:
    return people.display_names(principal(app).institution_id, user_ids)


@app.post(
    CONVERSATIONS,
    summary="Start a conversation with its first message (whom you may write to follows your courses)",
    tags=["messages"],
    operation_id="StartConversation",
    responses={
        **created(ConversationView),
        429: {"description": "Your hourly limit of conversations and messages is used up (`Retry-After`)."},
    },
)
def start_conversation(body: StartConversationBody) -> Response[ConversationView]:
    draft = Draft(
        recipient_ids=body.recipient_ids, course_id=body.course_id, subject=body.subject, body=body.body
    )

    def answer(conversation: Conversation, copy: MailboxEntry) -> ConversationView:
        return ConversationView.of_conversation(conversation, copy, {})

    view = messages().start(principal(app), draft, idempotent_request(app, body), answer)
    metrics.add_metric(name="ConversationStarted", unit=MetricUnit.Count, value=1)
    return respond(view, status=201, version=view.version, location=f"/communication/conversations/{view.id}")


@app.get(
    CONVERSATIONS,
    summary="Your mailbox: conversations by latest message, in one scope",
    tags=["messages"],
    operation_id="ListConversations",
)
def list_conversations(
    scope: Annotated[Scope, Query(description=SCOPE)] = Scope.INBOX,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
    cursor: Annotated[str | None, Query(max_length=2048)] = None,
) -> ConversationPage:
    found, next_cursor = messages().mailbox(principal(app), scope, limit, cursor)
    names = _names([entry.last_sender_id for entry in found])
    return ConversationPage(
        items=[ConversationSummaryView.of(entry, names) for entry in found], next_cursor=next_cursor
    )


@app.get(
    CONVERSATIONS + "/unread-count",
    summary="How many conversations in your inbox have unread messages",
    tags=["messages"],
    operation_id="CountUnreadConversations",
)
def unread_count() -> UnreadCountView:
    count = messages().unread_count(principal(app))
    return UnreadCountView(unread_conversations=count, capped=count >= UNREAD_COUNT_CAP)


@app.get(
    CONVERSATION,
    summary="A conversation of yours: its people and your copy's state",
    tags=["messages"],
    operation_id="GetConversation",
)
def get_conversation(conversation_id: str) -> Response[ConversationView]:
    conversation, copy = messages().conversation(principal(app), path_id(conversation_id, "conversation"))
    names = _names([*conversation.participant_ids, *conversation.left_ids, copy.last_sender_id])
    view = ConversationView.of_conversation(conversation, copy, names)
    return respond(view, version=view.version)


@app.patch(
    CONVERSATION,
    summary="Mark your copy read or unread, archive or restore it, star or unstar it",
    tags=["messages"],
    operation_id="UpdateConversation",
)
def update_conversation(conversation_id: str, body: ConversationPatch) -> Response[ConversationSummaryView]:
    change = CopyChange(**body.changes())
    copy = messages().change_copy(principal(app), path_id(conversation_id, "conversation"), change)
    view = ConversationSummaryView.of(copy, {})
    return respond(view, version=view.version)


@app.delete(
    CONVERSATION,
    summary="Delete your copy (the others keep theirs; a new message brings it back)",
    tags=["messages"],
    operation_id="DeleteConversation",
    responses=NO_CONTENT,
)
def delete_conversation(conversation_id: str) -> Response[None]:
    messages().delete_copy(principal(app), path_id(conversation_id, "conversation"))
    return Response(status_code=204)


@app.post(
    CONVERSATION + "/leave",
    summary="Leave a group conversation",
    tags=["messages"],
    operation_id="LeaveConversation",
    responses=NO_CONTENT,
)
def leave_conversation(conversation_id: str) -> Response[None]:
    messages().leave(principal(app), path_id(conversation_id, "conversation"))
    return Response(status_code=204)


@app.get(
    CONVERSATION + "/messages",
    summary="The messages of a conversation of yours (after what you deleted)",
    tags=["messages"],
    operation_id="ListMessages",
)
def list_messages(
    conversation_id: str,
    order: Annotated[str, Query(pattern="^(newest|oldest)$")] = "newest",
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
    cursor: Annotated[str | None, Query(max_length=2048)] = None,
) -> MessagePage:
    found, next_cursor = messages().messages(
        principal(app), path_id(conversation_id, "conversation"), limit, cursor, order == "newest"
    )
    names = _names([m.sender_id for m in found])
    return MessagePage(items=[MessageView.of(m, names) for m in found], next_cursor=next_cursor)


@app.post(
    CONVERSATION + "/messages",
    summary="Write in a conversation of yours",
    tags=["messages"],
    operation_id="SendMessage",
    responses={
        **created(MessageView),
        429: {"description": "Your hourly limit of conversations and messages is used up (`Retry-After`)."},
    },
)
def send_message(conversation_id: str, body: SendMessageBody) -> Response[MessageView]:
    def answer(message: Message) -> MessageView:
        return MessageView.of(message, {})

    view = messages().send(
        principal(app),
        path_id(conversation_id, "conversation"),
        body.body,
        idempotent_request(app, body),
        answer,
    )
    metrics.add_metric(name="MessageSent", unit=MetricUnit.Count, value=1)
    return respond(view, status=201)


@app.get(
    "/communication/courses/<course_id>/people",
    summary="The people of a course you may write to: its instructors and students, by name",
    tags=["messages"],
    operation_id="ListCoursePeople",
)
def list_course_people(
    course_id: str,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
    cursor: Annotated[str | None, Query(max_length=2048)] = None,
) -> CoursePeoplePage:
    return course_people().page(principal(app), path_id(course_id, "course"), limit, cursor)
