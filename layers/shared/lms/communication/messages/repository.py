"""Direct messages in the single table (access patterns: docs/data-model.md, Direct messages).

A conversation's item and its messages share a partition; each participant's copy lives in their
own mailbox partition, listed through GSI1 in one folder (`UNREAD`, `READ`, `ARCHIVED`) by its last
message. Starting a conversation or sending a message is one transaction whatever the mailboxes'
sizes: the message, every participant's copy, the sender's hourly counter and the outbox event.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from pynamodb.attributes import (
    BooleanAttribute,
    ListAttribute,
    NumberAttribute,
    UnicodeAttribute,
)
from pynamodb.exceptions import PutError
from pynamodb.expressions.update import Action

from lms import keys
from lms.auth import Principal
from lms.communication.messages.domain import (
    Conversation,
    ConversationKind,
    Folder,
    MailboxEntry,
    Message,
    Scope,
)
from lms.communication.messages.errors import ConversationBusy, NotAParticipant
from lms.communication.messages.service import Delivery
from lms.errors import InvalidCursor
from lms.events import DomainEvent
from lms.idempotency import StoredResponse
from lms.pagination import decode_cursor, encode_cursor
from lms.persistence.idempotency import find_response, remember_answer
from lms.persistence.outbox import outbox_item
from lms.persistence.table import GSI1, Item, VersionedItem, table_connection
from lms.persistence.transactions import Transaction

CONVERSATION_ENTITY = "conversation"
MESSAGE_ENTITY = "message"
MAILBOX_ENTRY_ENTITY = "mailbox-entry"
MESSAGE_RATE_ENTITY = "message-rate"
RATE_RETENTION_SECONDS = 2 * 3600
_JOIN, _END = ".", "-"
UNREAD_COUNT_CAP = 1000
"""The unread count stops counting here (shown as "999+"): one Query whatever the mailbox holds."""


class ConversationItem(VersionedItem):
    conversation_id = UnicodeAttribute()
    kind = UnicodeAttribute()
    subject = UnicodeAttribute(null=True)
    course_id = UnicodeAttribute(null=True)
    created_by = UnicodeAttribute()
    created_at = UnicodeAttribute()
    participant_ids = ListAttribute(of=UnicodeAttribute)
    left_ids = ListAttribute(of=UnicodeAttribute, null=True)


class MessageItem(Item):
    GSI1PK = UnicodeAttribute()  # the sender's messages (privacy)
    GSI1SK = UnicodeAttribute()
    by_sender = GSI1()

    conversation_id = UnicodeAttribute()
    message_id = UnicodeAttribute()
    sender_id = UnicodeAttribute()
    body = UnicodeAttribute()
    sent_at = UnicodeAttribute()
    erased = BooleanAttribute(null=True)


class MailboxEntryItem(VersionedItem):
    GSI1PK = UnicodeAttribute(null=True)  # the copy's folder; none once deleted
    GSI1SK = UnicodeAttribute(null=True)
    folders = GSI1()

    owner_id = UnicodeAttribute()
    conversation_id = UnicodeAttribute()
    kind = UnicodeAttribute()
    subject = UnicodeAttribute(null=True)
    course_id = UnicodeAttribute(null=True)
    last_message_id = UnicodeAttribute()
    last_message_at = UnicodeAttribute()
    last_sender_id = UnicodeAttribute()
    preview = UnicodeAttribute()
    unread = NumberAttribute(default=0)
    archived = BooleanAttribute(default=False)
    starred = BooleanAttribute(default=False)
    has_sent = BooleanAttribute(default=False)
    deleted = BooleanAttribute(default=False)
    cleared_through = UnicodeAttribute(null=True)
    left_at = UnicodeAttribute(null=True)


class MessageRateItem(Item):
    """How many conversations and messages one person started or sent within one hour."""

    sent = NumberAttribute(default=0)
    expires_at = NumberAttribute()


# ---------------------------------------------------------------- mappings


def _conversation(item: ConversationItem) -> Conversation:
    return Conversation(
        id=item.conversation_id,
        kind=ConversationKind(item.kind),
        subject=item.subject,
        course_id=item.course_id,
        created_by=item.created_by,
        created_at=datetime.fromisoformat(item.created_at),
        participant_ids=list(item.participant_ids),
        left_ids=list(item.left_ids or []),
        version=int(item.version),
    )


def _conversation_item(institution_id: str, conversation: Conversation) -> ConversationItem:
    return ConversationItem(
        keys.conversation_pk(institution_id, conversation.id),
        keys.CONVERSATION_SK,
        entity=CONVERSATION_ENTITY,
        conversation_id=conversation.id,
        kind=conversation.kind.value,
        subject=conversation.subject,
        course_id=conversation.course_id,
        created_by=conversation.created_by,
        created_at=conversation.created_at.isoformat(),
        participant_ids=conversation.participant_ids,
        left_ids=conversation.left_ids or None,
        version=conversation.version,
    )


def _message(item: MessageItem) -> Message:
    return Message(
        id=item.message_id,
        conversation_id=item.conversation_id,
        sender_id=item.sender_id,
        body=item.body,
        sent_at=datetime.fromisoformat(item.sent_at),
        erased=bool(item.erased),
    )


def _message_item(institution_id: str, message: Message) -> MessageItem:
    return MessageItem(
        keys.conversation_pk(institution_id, message.conversation_id),
        keys.message_sk(message.id),
        entity=MESSAGE_ENTITY,
        GSI1PK=keys.sent_messages_pk(institution_id, message.sender_id),
        GSI1SK=keys.message_sk(message.id),
        conversation_id=message.conversation_id,
        message_id=message.id,
        sender_id=message.sender_id,
        body=message.body,
        sent_at=message.sent_at.isoformat(),
        erased=message.erased or None,
    )


def _entry(item: MailboxEntryItem) -> MailboxEntry:
    return MailboxEntry(
        conversation_id=item.conversation_id,
        owner_id=item.owner_id,
        kind=ConversationKind(item.kind),
        subject=item.subject,
        course_id=item.course_id,
        last_message_id=item.last_message_id,
        last_message_at=datetime.fromisoformat(item.last_message_at),
        last_sender_id=item.last_sender_id,
        preview=item.preview,
        unread=int(item.unread or 0),
        archived=bool(item.archived),
        starred=bool(item.starred),
        has_sent=bool(item.has_sent),
        deleted=bool(item.deleted),
        cleared_through=item.cleared_through,
        left_at=datetime.fromisoformat(item.left_at) if item.left_at else None,
        version=int(item.version),
    )


def _entry_item(institution_id: str, entry: MailboxEntry) -> MailboxEntryItem:
    folder = entry.folder
    return MailboxEntryItem(
        keys.mailbox_pk(institution_id, entry.owner_id),
        keys.mailbox_entry_sk(entry.conversation_id),
        entity=MAILBOX_ENTRY_ENTITY,
        GSI1PK=None if folder is None else keys.mailbox_folder_pk(institution_id, entry.owner_id, folder),
        GSI1SK=None
        if folder is None
        else keys.mailbox_folder_sk(entry.last_message_id, entry.conversation_id),
        owner_id=entry.owner_id,
        conversation_id=entry.conversation_id,
        kind=entry.kind.value,
        subject=entry.subject,
        course_id=entry.course_id,
        last_message_id=entry.last_message_id,
        last_message_at=entry.last_message_at.isoformat(),
        last_sender_id=entry.last_sender_id,
        preview=entry.preview,
        unread=entry.unread,
        archived=entry.archived,
        starred=entry.starred,
        has_sent=entry.has_sent,
        deleted=entry.deleted,
        cleared_through=entry.cleared_through,
        left_at=entry.left_at.isoformat() if entry.left_at else None,
        version=entry.version,
    )


def _typed_key(item: MailboxEntryItem, *, index: bool) -> dict[str, Any]:
    names = ("PK", "SK", "GSI1PK", "GSI1SK") if index else ("PK", "SK")
    return {name: {"S": getattr(item, name)} for name in names}


# ---------------------------------------------------------------- the repository


class DynamoMessageRepository:
    def stored_response(self, institution_id: str, user_id: str, key: str) -> StoredResponse | None:
        item = find_response(institution_id, user_id, key)
        return None if item is None else StoredResponse(item.fingerprint, int(item.status), item.body)

    def conversation_and_copy(
        self, institution_id: str, conversation_id: str, user_id: str
    ) -> tuple[Conversation | None, MailboxEntry | None]:
        """The conversation and the caller's copy of it: one BatchGetItem (consistent)."""
        conversation_key = (keys.conversation_pk(institution_id, conversation_id), keys.CONVERSATION_SK)
        copy_key = (keys.mailbox_pk(institution_id, user_id), keys.mailbox_entry_sk(conversation_id))
        conversation: Conversation | None = None
        copy: MailboxEntry | None = None
        for raw in _batch_get([conversation_key, copy_key]):
            if raw["entity"]["S"] == CONVERSATION_ENTITY:
                conversation = _conversation(ConversationItem.from_raw_data(raw))
            else:
                copy = _entry(MailboxEntryItem.from_raw_data(raw))
        return conversation, copy

    def copy(self, institution_id: str, user_id: str, conversation_id: str) -> MailboxEntry | None:
        try:
            item = MailboxEntryItem.get(
                keys.mailbox_pk(institution_id, user_id),
                keys.mailbox_entry_sk(conversation_id),
                consistent_read=True,
            )
        except MailboxEntryItem.DoesNotExist:
            return None
        return _entry(item)

    def deliver(self, delivery: Delivery) -> None:
        """The message, every participant's copy, the sender's counter and the events, at once."""
        inst = delivery.actor.institution_id
        taken = ConversationBusy("The new conversation's id was taken; try again.")
        tx = Transaction()
        if delivery.starts:
            tx.put(
                _conversation_item(inst, delivery.conversation), ConversationItem.PK.does_not_exist(), taken
            )
        tx.put(_message_item(inst, delivery.message), MessageItem.PK.does_not_exist(), taken)
        sender = delivery.actor.user_id
        for participant in [sender, *delivery.recipients]:
            self._deliver_copy(tx, inst, delivery, participant)
        tx.update(
            MessageRateItem(keys.mailbox_pk(inst, sender), keys.message_rate_sk(delivery.rate_window)),
            [
                MessageRateItem.sent.add(1),
                MessageRateItem.entity.set(MESSAGE_RATE_ENTITY),
                MessageRateItem.expires_at.set(int(time.time()) + RATE_RETENTION_SECONDS),
            ],
            MessageRateItem.sent.does_not_exist() | (MessageRateItem.sent < delivery.rate_limit),
            delivery.rate_refusal,
        )
        for event in delivery.events:
            tx.put(outbox_item(event, inst, delivery.actor))
        if delivery.request is not None and delivery.response is not None:
            remember_answer(tx, inst, sender, delivery.request, delivery.response)
        tx.commit()

    def _deliver_copy(self, tx: Transaction, inst: str, delivery: Delivery, owner: str) -> None:
        message = delivery.message
        conversation = delivery.conversation
        sender = owner == delivery.actor.user_id
        if delivery.starts:
            entry = MailboxEntry(
                conversation_id=conversation.id,
                owner_id=owner,
                kind=conversation.kind,
                subject=conversation.subject,
                course_id=conversation.course_id,
                last_message_id=message.id,
                last_message_at=message.sent_at,
                last_sender_id=message.sender_id,
                preview=delivery.preview,
                unread=0 if sender else 1,
                has_sent=sender,
            )
            taken = ConversationBusy("The new conversation's id was taken; try again.")
            tx.put(_entry_item(inst, entry), MailboxEntryItem.PK.does_not_exist(), taken)
            return
        item = MailboxEntryItem(keys.mailbox_pk(inst, owner), keys.mailbox_entry_sk(conversation.id))
        folder_sk = keys.mailbox_folder_sk(message.id, conversation.id)
        actions: list[Action] = [
            MailboxEntryItem.last_message_id.set(message.id),
            MailboxEntryItem.last_message_at.set(message.sent_at.isoformat()),
            MailboxEntryItem.last_sender_id.set(message.sender_id),
            MailboxEntryItem.preview.set(delivery.preview),
            MailboxEntryItem.GSI1SK.set(folder_sk),
            MailboxEntryItem.deleted.set(False),
            MailboxEntryItem.version.add(1),
        ]
        if sender:
            # The sender's copy stays in its folder (back in the inbox when it was deleted).
            read_folder = keys.mailbox_folder_pk(inst, owner, Folder.READ)
            actions += [
                MailboxEntryItem.has_sent.set(True),
                MailboxEntryItem.GSI1PK.set(MailboxEntryItem.GSI1PK | read_folder),
            ]
            refusal: Exception = NotAParticipant("You have left this conversation.")
        else:
            # A recipient's copy comes back to the inbox, unread, even when archived or deleted.
            actions += [
                MailboxEntryItem.GSI1PK.set(keys.mailbox_folder_pk(inst, owner, Folder.UNREAD)),
                MailboxEntryItem.archived.set(False),
                MailboxEntryItem.unread.add(1),
            ]
            refusal = ConversationBusy("A participant left the conversation meanwhile.")
        condition = MailboxEntryItem.PK.exists() & MailboxEntryItem.left_at.does_not_exist()
        tx.update(item, actions, condition, refusal)

    def save_copy(self, institution_id: str, entry: MailboxEntry, expected_version: int) -> bool:
        """Replace the owner's copy if it is still the version read; False when it changed meanwhile."""
        item = _entry_item(institution_id, entry.model_copy(update={"version": expected_version + 1}))
        try:
            item.save(MailboxEntryItem.version == expected_version)
        except PutError as error:
            if error.cause_response_code == "ConditionalCheckFailedException":
                return False
            raise
        return True

    def leave(
        self,
        actor: Principal,
        conversation: Conversation,
        copy: MailboxEntry,
        at: datetime,
        events: Iterable[DomainEvent],
    ) -> None:
        """The participant leaves: out of the conversation's list, their copy marked, in one transaction."""
        inst = actor.institution_id
        remaining = conversation.others(actor.user_id)
        after = conversation.model_copy(
            update={
                "participant_ids": remaining,
                "left_ids": [*conversation.left_ids, actor.user_id],
                "version": conversation.version + 1,
            }
        )
        busy = ConversationBusy("The conversation changed meanwhile; try again.")
        tx = Transaction()
        tx.put(_conversation_item(inst, after), ConversationItem.version == conversation.version, busy)
        left = copy.model_copy(update={"left_at": at, "version": copy.version + 1})
        tx.put(_entry_item(inst, left), MailboxEntryItem.version == copy.version, busy)
        for event in events:
            tx.put(outbox_item(event, inst, actor))
        tx.commit()

    # ------------------------------------------------------------ reads

    def mailbox(
        self, institution_id: str, user_id: str, scope: Scope, limit: int, cursor: str | None
    ) -> tuple[list[MailboxEntry], str | None]:
        if scope is Scope.INBOX:
            return self._inbox(institution_id, user_id, limit, cursor)
        if scope in (Scope.UNREAD, Scope.ARCHIVED):
            folder = Folder.UNREAD if scope is Scope.UNREAD else Folder.ARCHIVED
            partition = keys.mailbox_folder_pk(institution_id, user_id, folder)
            start = decode_cursor(cursor, partition_attr="GSI1PK", partition=partition)
            items, last = _folder_page(partition, limit, start)
            return [_entry(i) for i in items], encode_cursor(last)
        return self._flagged(institution_id, user_id, scope, limit, cursor)

    def _inbox(
        self, institution_id: str, user_id: str, limit: int, cursor: str | None
    ) -> tuple[list[MailboxEntry], str | None]:
        """Unread and read copies, newest last message first: one Query of each folder per page.

        The cursor joins each folder's own cursor with a dot (empty: from its start; `-`: read to
        its end), so each is signed and checked against its folder like any other list's."""
        folders = (Folder.UNREAD, Folder.READ)
        parts = cursor.split(_JOIN) if cursor else ["", ""]
        if len(parts) != len(folders):
            raise InvalidCursor("The cursor is malformed.", field="cursor")
        found: list[tuple[Folder, MailboxEntryItem]] = []
        read: dict[Folder, tuple[str, int, Any]] = {}
        for folder, part in zip(folders, parts, strict=True):
            if part == _END:
                continue
            partition = keys.mailbox_folder_pk(institution_id, user_id, folder)
            start = decode_cursor(part or None, partition_attr="GSI1PK", partition=partition)
            items, last = _folder_page(partition, limit, start)
            found += [(folder, item) for item in items]
            read[folder] = (part, len(items), last)
        found.sort(key=lambda pair: pair[1].GSI1SK or "", reverse=True)
        page = found[:limit]
        following: list[str] = []
        for folder in folders:
            if folder not in read:
                following.append(_END)
                continue
            part, count, last = read[folder]
            taken = [item for f, item in page if f is folder]
            if len(taken) < count:
                following.append(encode_cursor(_typed_key(taken[-1], index=True)) or "" if taken else part)
            else:
                following.append(_END if last is None else encode_cursor(last) or _END)
        entries = [_entry(item) for _, item in page]
        return entries, None if all(p == _END for p in following) else _JOIN.join(following)

    def _flagged(
        self, institution_id: str, user_id: str, scope: Scope, limit: int, cursor: str | None
    ) -> tuple[list[MailboxEntry], str | None]:
        """Starred or sent copies, newest conversation first: one Query of up to 1 MB per page."""
        partition = keys.mailbox_pk(institution_id, user_id)
        start = decode_cursor(cursor, partition_attr="PK", partition=partition)
        flag = MailboxEntryItem.starred if scope is Scope.STARRED else MailboxEntryItem.has_sent
        results = MailboxEntryItem.query(
            partition,
            MailboxEntryItem.SK.startswith(keys.MAILBOX_ENTRY_PREFIX),
            filter_condition=(flag == True) & (MailboxEntryItem.deleted == False),  # noqa: E712
            last_evaluated_key=start,
            scan_index_forward=False,
        )
        raw_page = next(results.page_iter)
        items = [MailboxEntryItem.from_raw_data(raw) for raw in raw_page.get("Items", [])]
        page = items[:limit]
        if len(items) > limit:
            return [_entry(i) for i in page], encode_cursor(_typed_key(page[-1], index=False))
        return [_entry(i) for i in page], encode_cursor(raw_page.get("LastEvaluatedKey"))

    def unread_count(self, institution_id: str, user_id: str) -> int:
        """The unread copies in the inbox, counted by one Query of the `UNREAD` folder (capped)."""
        answer = table_connection().query(
            keys.mailbox_folder_pk(institution_id, user_id, Folder.UNREAD),
            index_name="GSI1",
            select="COUNT",
            limit=UNREAD_COUNT_CAP,
        )
        return int(answer.get("Count", 0))

    def messages(
        self,
        institution_id: str,
        copy: MailboxEntry,
        limit: int,
        cursor: str | None,
        newest_first: bool,
    ) -> tuple[list[Message], str | None]:
        """One Query page of the messages the copy shows: after what its owner deleted, and up to
        its last message once its owner left."""
        partition = keys.conversation_pk(institution_id, copy.conversation_id)
        start = decode_cursor(cursor, partition_attr="PK", partition=partition)
        low = keys.message_sk(copy.cleared_through) + "~" if copy.cleared_through else keys.MESSAGE_PREFIX
        high = keys.message_sk(copy.last_message_id) if copy.left_at else keys.MESSAGE_PREFIX + "~"
        results = MessageItem.query(
            partition,
            MessageItem.SK.between(low, high),
            last_evaluated_key=start,
            page_size=limit,
            scan_index_forward=not newest_first,
            consistent_read=True,
        )
        raw_page = next(results.page_iter)
        found = [_message(MessageItem.from_raw_data(raw)) for raw in raw_page.get("Items", [])]
        return found, encode_cursor(raw_page.get("LastEvaluatedKey"))


def _folder_page(
    partition: str, limit: int, start: dict[str, Any] | None
) -> tuple[list[MailboxEntryItem], dict[str, Any] | None]:
    results = MailboxEntryItem.folders.query(
        partition, last_evaluated_key=start, page_size=limit, scan_index_forward=False
    )
    raw_page = next(results.page_iter)
    return [MailboxEntryItem.from_raw_data(raw) for raw in raw_page.get("Items", [])], raw_page.get(
        "LastEvaluatedKey"
    )


def _batch_get(wanted_keys: list[tuple[str, str]]) -> list[dict[str, Any]]:
    """Consistent BatchGetItem (retrying unprocessed keys)."""
    connection = table_connection()
    table = connection.table_name
    wanted: list[Any] = [{"PK": {"S": pk}, "SK": {"S": sk}} for pk, sk in wanted_keys]
    found: list[dict[str, Any]] = []
    while wanted:
        answer = connection.batch_get_item(wanted, consistent_read=True)
        found.extend(answer.get("Responses", {}).get(table, []))
        wanted = answer.get("UnprocessedKeys", {}).get(table, {}).get("Keys", [])
    return found
