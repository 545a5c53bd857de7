"""Request and response bodies of direct messages."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, Field, StringConstraints

from lms.communication.messages.domain import (
    MAX_RECIPIENTS,
    MAX_SUBJECT_LENGTH,
    Conversation,
    ConversationKind,
    MailboxEntry,
    Message,
)
from lms.keys import SAFE_PART_PATTERN
from lms.lazy_model import LazyModel
from lms.richtext import RichText, plain_text
from lms.schemas import Body, Patch

Id = Annotated[str, StringConstraints(pattern=SAFE_PART_PATTERN)]
# A subject is plain text: markup and angle brackets are taken out, so no client renders any.
Subject = Annotated[str, Field(min_length=1, max_length=MAX_SUBJECT_LENGTH), AfterValidator(plain_text)]


class StartConversationBody(Body):
    recipient_ids: list[Id] = Field(
        min_length=1,
        max_length=MAX_RECIPIENTS,
        description="Who to write to (one: a one-to-one conversation; several: a group of at most 50"
        " with you).",
    )
    course_id: Id | None = Field(
        default=None,
        description="The course you share with them: required of students and instructors (whom they may"
        " write to follows the course); admins may write to anyone of the institution.",
    )
    subject: Subject | None = None
    body: RichText = Field(description="The first message: HTML, sanitised (an allow-list of tags).")


class SendMessageBody(Body):
    body: RichText = Field(description="HTML, sanitised (an allow-list of tags).")


class ConversationPatch(Patch):
    """Your copy only: the other participants' copies do not change."""

    read: bool | None = Field(default=None, description="`true` marks every message read, `false` unread.")
    archived: bool | None = None
    starred: bool | None = None


class PersonView(LazyModel):
    user_id: str
    display_name: str | None = Field(
        description="An erased person's pseudonym; null for an account without a profile."
    )

    @classmethod
    def of(cls, user_id: str, names: Mapping[str, str]) -> PersonView:
        return cls(user_id=user_id, display_name=names.get(user_id))


class ConversationSummaryView(LazyModel):
    """Your copy of a conversation, as the mailbox lists it."""

    id: str
    kind: ConversationKind
    subject: str | None
    course_id: str | None
    last_message_id: str
    last_message_at: datetime
    last_sender: PersonView
    preview: str = Field(description="The last message's first words, as plain text.")
    unread: int = Field(description="Messages you have not read.")
    archived: bool
    starred: bool
    sent: bool = Field(description="You have written in it.")
    left: bool = Field(description="You left it: no new messages reach your copy.")
    version: int

    @classmethod
    def of(cls, entry: MailboxEntry, names: Mapping[str, str]) -> ConversationSummaryView:
        return cls(
            id=entry.conversation_id,
            kind=entry.kind,
            subject=entry.subject,
            course_id=entry.course_id,
            last_message_id=entry.last_message_id,
            last_message_at=entry.last_message_at,
            last_sender=PersonView.of(entry.last_sender_id, names),
            preview=entry.preview,
            unread=entry.unread,
            archived=entry.archived,
            starred=entry.starred,
            sent=entry.has_sent,
            left=entry.left_at is not None,
            version=entry.version,
        )


class ConversationView(ConversationSummaryView):
    created_by: str
    created_at: datetime
    participants: list[PersonView] = Field(description="Who is in it now, its starter first.")
    former_participants: list[PersonView] = Field(description="Who has left it.")

    @classmethod
    def of_conversation(
        cls, conversation: Conversation, entry: MailboxEntry, names: Mapping[str, str]
    ) -> ConversationView:
        return cls(
            **ConversationSummaryView.of(entry, names).model_dump(),
            created_by=conversation.created_by,
            created_at=conversation.created_at,
            participants=[PersonView.of(p, names) for p in conversation.participant_ids],
            former_participants=[PersonView.of(p, names) for p in conversation.left_ids],
        )


class ConversationPage(LazyModel):
    items: list[ConversationSummaryView]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last page.")


class MessageView(LazyModel):
    id: str
    conversation_id: str
    sender: PersonView
    body: str = Field(description="Sanitised HTML; empty when its sender was erased.")
    sent_at: datetime
    erased: bool = Field(description="Its sender was erased: the body is gone, the thread keeps its place.")

    @classmethod
    def of(cls, message: Message, names: Mapping[str, str]) -> MessageView:
        return cls(
            id=message.id,
            conversation_id=message.conversation_id,
            sender=PersonView.of(message.sender_id, names),
            body=message.body,
            sent_at=message.sent_at,
            erased=message.erased,
        )


class MessagePage(LazyModel):
    items: list[MessageView]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last page.")


class UnreadCountView(LazyModel):
    unread_conversations: int = Field(description="Conversations in your inbox with unread messages.")
    capped: bool = Field(description="The count stopped at its cap (show it as `999+`).")
