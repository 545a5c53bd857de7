"""Use cases of direct messages: who may write to whom, sending, the mailbox and its copies."""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol, TypeVar

from pydantic import BaseModel

from lms import authz, clock, idempotency, ids
from lms.auth import Principal
from lms.communication import policy
from lms.communication.messages import domain
from lms.communication.messages.domain import (
    Conversation,
    ConversationKind,
    CourseCircle,
    MailboxEntry,
    Message,
    Scope,
)
from lms.communication.messages.errors import (
    ConversationBusy,
    ConversationNotFound,
    MessageRateLimited,
    MessagingCourseNotFound,
    NobodyToWrite,
    NotAParticipant,
    OnlyGroupsCanBeLeft,
)
from lms.events import DomainEvent
from lms.events.communication import ConversationLeft, ConversationStarted, MessageSent
from lms.idempotency import IdempotentRequest, StoredResponse
from lms.richtext import preview

View = TypeVar("View", bound=BaseModel)

ATTEMPTS = 3
"""Tries of a change that meets a concurrent one (a new message, someone leaving) before 409."""


@dataclass
class Delivery:
    """A message (and, for a new conversation, the conversation) committed in one transaction."""

    actor: Principal
    conversation: Conversation
    message: Message
    preview: str
    recipients: list[str]
    events: list[DomainEvent]
    rate_window: str
    rate_limit: int
    rate_refusal: MessageRateLimited
    starts: bool = False
    request: IdempotentRequest | None = None
    response: StoredResponse | None = None


class MessageRepository(Protocol):
    def stored_response(self, institution_id: str, user_id: str, key: str) -> StoredResponse | None: ...
    def conversation_and_copy(
        self, institution_id: str, conversation_id: str, user_id: str
    ) -> tuple[Conversation | None, MailboxEntry | None]: ...
    def copy(self, institution_id: str, user_id: str, conversation_id: str) -> MailboxEntry | None: ...
    def deliver(self, delivery: Delivery) -> None: ...
    def save_copy(self, institution_id: str, entry: MailboxEntry, expected_version: int) -> bool: ...
    def leave(
        self,
        actor: Principal,
        conversation: Conversation,
        copy: MailboxEntry,
        at: datetime,
        events: list[DomainEvent],
    ) -> None: ...
    def mailbox(
        self, institution_id: str, user_id: str, scope: Scope, limit: int, cursor: str | None
    ) -> tuple[list[MailboxEntry], str | None]: ...
    def unread_count(self, institution_id: str, user_id: str) -> int: ...
    def messages(
        self, institution_id: str, copy: MailboxEntry, limit: int, cursor: str | None, newest_first: bool
    ) -> tuple[list[Message], str | None]: ...


class Catalog(Protocol):
    """The courses context's answers (lms.communication.course_access)."""

    def circle(self, institution_id: str, course_id: str, user_ids: list[str]) -> CourseCircle | None: ...


class Directory(Protocol):
    """The identity context's answers (lms.users.queries)."""

    def members(self, institution_id: str, user_ids: Collection[str]) -> set[str]: ...


@dataclass(frozen=True)
class Draft:
    """A new conversation as asked for: its people, the course they share, its first message."""

    recipient_ids: list[str]
    course_id: str | None
    subject: str | None
    body: str  # sanitised rich text


@dataclass(frozen=True)
class CopyChange:
    read: bool | None = None
    archived: bool | None = None
    starred: bool | None = None


class MessageService:
    def __init__(
        self,
        repository: MessageRepository,
        catalog: Catalog,
        directory: Directory,
        hourly_limit: int,
        now: Callable[[], datetime] = clock.now,
        new_id: Callable[[], str] = ids.new_id,
    ) -> None:
        self._repo = repository
        self._catalog = catalog
        self._directory = directory
        self._hourly_limit = hourly_limit
        self._now = now
        self._new_id = new_id

    # ------------------------------------------------------------ writing

    def start(
        self,
        principal: Principal,
        draft: Draft,
        request: IdempotentRequest | None,
        answer: Callable[[Conversation, MailboxEntry], View],
    ) -> View:
        """Start a conversation with its first message; `answer` makes the view the retry replays."""
        authz.authorize(principal, policy.START_CONVERSATION)
        self._replay_if_seen(principal, request)
        recipients = domain.recipients_of(principal.user_id, draft.recipient_ids)
        self._check_reach(principal, recipients, draft.course_id)
        at = self._now()
        kind = ConversationKind.DIRECT if len(recipients) == 1 else ConversationKind.GROUP
        conversation = Conversation(
            id=self._new_id(),
            kind=kind,
            subject=draft.subject,
            course_id=draft.course_id,
            created_by=principal.user_id,
            created_at=at,
            participant_ids=[principal.user_id, *recipients],
        )
        message = Message(
            id=self._new_id(),
            conversation_id=conversation.id,
            sender_id=principal.user_id,
            body=draft.body,
            sent_at=at,
        )
        short = preview(draft.body)
        copy = MailboxEntry(
            conversation_id=conversation.id,
            owner_id=principal.user_id,
            kind=kind,
            subject=draft.subject,
            course_id=draft.course_id,
            last_message_id=message.id,
            last_message_at=at,
            last_sender_id=principal.user_id,
            preview=short,
            has_sent=True,
        )
        view = answer(conversation, copy)
        event = ConversationStarted(
            conversation_id=conversation.id,
            message_id=message.id,
            kind=kind.value,
            course_id=draft.course_id,
            recipient_ids=recipients,
            preview=short,
        )
        delivery = self._delivery(principal, conversation, message, short, recipients, [event], at)
        delivery.starts = True
        delivery.request = request
        if request is not None:
            delivery.response = StoredResponse(request.fingerprint, 201, view.model_dump_json())
        self._repo.deliver(delivery)
        return view

    def send(
        self,
        principal: Principal,
        conversation_id: str,
        body: str,
        request: IdempotentRequest | None,
        answer: Callable[[Message], View],
    ) -> View:
        """Add a message to a conversation the caller is in; every other participant gets it unread."""
        authz.authorize(principal, policy.SEND_MESSAGE)
        self._replay_if_seen(principal, request)
        for attempt in range(ATTEMPTS):
            conversation, copy = self._conversation(principal, conversation_id)
            if copy.left_at is not None or not conversation.includes(principal.user_id):
                raise NotAParticipant("You have left this conversation; you can no longer write in it.")
            recipients = conversation.others(principal.user_id)
            if not recipients:
                raise NobodyToWrite("Everyone else has left this conversation.")
            at = self._now()
            message = Message(
                id=self._new_id(),
                conversation_id=conversation.id,
                sender_id=principal.user_id,
                body=body,
                sent_at=at,
            )
            short = preview(body)
            event = MessageSent(
                conversation_id=conversation.id,
                message_id=message.id,
                recipient_ids=recipients,
                preview=short,
            )
            delivery = self._delivery(principal, conversation, message, short, recipients, [event], at)
            view = answer(message)
            delivery.request = request
            if request is not None:
                delivery.response = StoredResponse(request.fingerprint, 201, view.model_dump_json())
            try:
                self._repo.deliver(delivery)
            except ConversationBusy:
                if attempt == ATTEMPTS - 1:
                    raise
                continue
            return view
        raise ConversationBusy("The conversation kept changing; send the message again.")

    def leave(self, principal: Principal, conversation_id: str) -> None:
        """Leave a group conversation: no more messages reach one's copy, and one cannot write in it."""
        authz.authorize(principal, policy.LEAVE_CONVERSATION)
        conversation, copy = self._conversation(principal, conversation_id)
        if conversation.kind is not ConversationKind.GROUP:
            raise OnlyGroupsCanBeLeft("A one-to-one conversation cannot be left; delete your copy instead.")
        if copy.left_at is not None:
            return
        remaining = conversation.others(principal.user_id)
        event = ConversationLeft(conversation_id=conversation.id, recipient_ids=remaining)
        self._repo.leave(principal, conversation, copy, self._now(), [event])

    def change_copy(self, principal: Principal, conversation_id: str, change: CopyChange) -> MailboxEntry:
        """Mark one's copy read or unread, archive or restore it, star or unstar it."""
        authz.authorize(principal, policy.UPDATE_CONVERSATION)
        return self._save_copy(
            principal,
            conversation_id,
            lambda entry: domain.mark(
                entry, read=change.read, archived=change.archived, starred=change.starred
            ),
        )

    def delete_copy(self, principal: Principal, conversation_id: str) -> None:
        """Delete one's own copy (the others keep theirs); a later message brings the conversation back."""
        authz.authorize(principal, policy.DELETE_CONVERSATION)
        self._save_copy(principal, conversation_id, domain.delete_copy)

    # ------------------------------------------------------------ reading

    def conversation(self, principal: Principal, conversation_id: str) -> tuple[Conversation, MailboxEntry]:
        authz.authorize(principal, policy.GET_CONVERSATION)
        return self._conversation(principal, conversation_id)

    def messages(
        self, principal: Principal, conversation_id: str, limit: int, cursor: str | None, newest_first: bool
    ) -> tuple[list[Message], str | None]:
        authz.authorize(principal, policy.LIST_MESSAGES)
        copy = self._copy(principal, conversation_id)
        return self._repo.messages(principal.institution_id, copy, limit, cursor, newest_first)

    def mailbox(
        self, principal: Principal, scope: Scope, limit: int, cursor: str | None
    ) -> tuple[list[MailboxEntry], str | None]:
        authz.authorize(principal, policy.LIST_CONVERSATIONS)
        return self._repo.mailbox(principal.institution_id, principal.user_id, scope, limit, cursor)

    def unread_count(self, principal: Principal) -> int:
        authz.authorize(principal, policy.COUNT_UNREAD_CONVERSATIONS)
        return self._repo.unread_count(principal.institution_id, principal.user_id)

    # ------------------------------------------------------------ helpers

    def _check_reach(self, principal: Principal, recipients: list[str], course_id: str | None) -> None:
        circle: CourseCircle | None = None
        if course_id is not None:
            circle = self._catalog.circle(
                principal.institution_id, course_id, [principal.user_id, *recipients]
            )
            if circle is None:
                raise MessagingCourseNotFound(f"No course {course_id!r}.", field="course_id")
        members: Collection[str] = ()
        if principal.is_institution_admin:
            members = self._directory.members(principal.institution_id, recipients)
        domain.check_reach(principal, recipients, circle, members)

    def _delivery(
        self,
        principal: Principal,
        conversation: Conversation,
        message: Message,
        short: str,
        recipients: list[str],
        events: list[DomainEvent],
        at: datetime,
    ) -> Delivery:
        window, retry_after = domain.rate_window(at)
        refusal = MessageRateLimited(
            f"You may start or send {self._hourly_limit} conversations and messages an hour.",
            retry_after_seconds=retry_after,
        )
        return Delivery(
            actor=principal,
            conversation=conversation,
            message=message,
            preview=short,
            recipients=recipients,
            events=events,
            rate_window=window,
            rate_limit=self._hourly_limit,
            rate_refusal=refusal,
        )

    def _conversation(self, principal: Principal, conversation_id: str) -> tuple[Conversation, MailboxEntry]:
        conversation, copy = self._repo.conversation_and_copy(
            principal.institution_id, conversation_id, principal.user_id
        )
        if conversation is None or copy is None or copy.deleted:
            raise ConversationNotFound(f"No conversation {conversation_id!r} in your mailbox.")
        return conversation, copy

    def _copy(self, principal: Principal, conversation_id: str) -> MailboxEntry:
        copy = self._repo.copy(principal.institution_id, principal.user_id, conversation_id)
        if copy is None or copy.deleted:
            raise ConversationNotFound(f"No conversation {conversation_id!r} in your mailbox.")
        return copy

    def _save_copy(
        self, principal: Principal, conversation_id: str, change: Callable[[MailboxEntry], MailboxEntry]
    ) -> MailboxEntry:
        for _ in range(ATTEMPTS):
            copy = self._copy(principal, conversation_id)
            after = change(copy)
            if self._repo.save_copy(principal.institution_id, after, copy.version):
                return after.model_copy(update={"version": copy.version + 1})
        raise ConversationBusy("New messages kept arriving; try again.")

    def _replay_if_seen(self, principal: Principal, request: IdempotentRequest | None) -> None:
        if request is not None:
            idempotency.replay(
                self._repo.stored_response(principal.institution_id, principal.user_id, request.key), request
            )
