"""Direct messages' personal data: a person's messages and their copies of conversations.

Export: the messages they wrote (GSI1 `INST#i#USER#<u>#MESSAGES`) and their mailbox (their copies,
with each conversation's participants). Erasure removes the bodies of their messages (the messages
keep their place, shown as from the erased person's pseudonym), blanks the previews of their last
messages in the others' copies, takes them out of every conversation, and deletes their mailbox.
Each step is idempotent, so a retried erasure finishes what a failed one began.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import cast

from pynamodb.exceptions import UpdateError

from lms import keys
from lms.auth import Principal
from lms.communication.messages.repository import (
    MAILBOX_ENTRY_ENTITY,
    ConversationItem,
    MailboxEntryItem,
    MessageItem,
    _conversation,
    _conversation_item,
)
from lms.persistence.table import Item
from lms.privacy import ExportRecord, ExportSections


def export(institution_id: str, user_id: str) -> ExportSections:
    messages: list[ExportRecord] = [
        {
            "conversation_id": item.conversation_id,
            "message_id": item.message_id,
            "sent_at": item.sent_at,
            "body": item.body,
        }
        for item in _sent(institution_id, user_id)
    ]
    copies = list(_copies(institution_id, user_id))
    conversations = {
        item.conversation_id: item
        for item in ConversationItem.batch_get(
            [(keys.conversation_pk(institution_id, c.conversation_id), keys.CONVERSATION_SK) for c in copies]
        )
    }
    mailbox: list[ExportRecord] = []
    for copy in copies:
        conversation = conversations.get(copy.conversation_id)
        mailbox.append(
            {
                "conversation_id": copy.conversation_id,
                "kind": copy.kind,
                "subject": copy.subject,
                "course_id": copy.course_id,
                "participant_ids": list(conversation.participant_ids) if conversation else [],
                "started_by": conversation.created_by if conversation else None,
                "unread": int(copy.unread or 0),
                "archived": bool(copy.archived),
                "starred": bool(copy.starred),
                "deleted": bool(copy.deleted),
                "left_at": copy.left_at,
            }
        )
    return {"messages": messages, "conversations": mailbox}


def erase(institution_id: str, user_id: str, actor: Principal) -> None:
    for message in _sent(institution_id, user_id):
        if not message.erased:
            message.update(actions=[MessageItem.body.set(""), MessageItem.erased.set(True)])
    for copy in list(_copies(institution_id, user_id)):
        _leave(institution_id, user_id, copy.conversation_id)
        copy.delete()


def _leave(institution_id: str, user_id: str, conversation_id: str) -> None:
    """Out of the conversation's people; the others' copies lose the preview of their last message."""
    try:
        conversation = ConversationItem.get(
            keys.conversation_pk(institution_id, conversation_id), keys.CONVERSATION_SK, consistent_read=True
        )
    except ConversationItem.DoesNotExist:
        return
    participants = [str(p) for p in conversation.participant_ids]
    for other in participants:
        if other == user_id:
            continue
        copy = MailboxEntryItem(
            keys.mailbox_pk(institution_id, other), keys.mailbox_entry_sk(conversation_id)
        )
        try:
            copy.update(
                actions=[MailboxEntryItem.preview.set("")],
                condition=MailboxEntryItem.last_sender_id == user_id,
            )
        except UpdateError as error:
            if error.cause_response_code != "ConditionalCheckFailedException":
                raise
    if user_id in participants:
        before = _conversation(conversation)
        after = before.model_copy(
            update={
                "participant_ids": before.others(user_id),
                "left_ids": [*before.left_ids, user_id],
                "version": before.version + 1,
            }
        )
        _conversation_item(institution_id, after).save(ConversationItem.version == before.version)


def _sent(institution_id: str, user_id: str) -> Iterator[MessageItem]:
    for item in MessageItem.by_sender.query(keys.sent_messages_pk(institution_id, user_id)):
        yield cast(MessageItem, item)


def _copies(institution_id: str, user_id: str) -> Iterator[MailboxEntryItem]:
    for item in MailboxEntryItem.query(
        keys.mailbox_pk(institution_id, user_id), MailboxEntryItem.SK.startswith(keys.MAILBOX_ENTRY_PREFIX)
    ):
        if item.entity == MAILBOX_ENTRY_ENTITY:
            yield item


EXPORTED: tuple[type[Item], ...] = (MessageItem, MailboxEntryItem, ConversationItem)
