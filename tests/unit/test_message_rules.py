"""Direct messages' rules: who may write to whom, a copy's folder and scopes, the hourly window."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from lms.auth import Principal, Role
from lms.communication.messages import domain
from lms.communication.messages.domain import (
    ConversationKind,
    CourseCircle,
    Folder,
    MailboxEntry,
    Scope,
)
from lms.communication.messages.errors import CourseNeeded, NotInCourse, RecipientsUnreachable
from lms.errors import ValidationFailed

AT = datetime(2026, 12, 7, 21, 15, 30, tzinfo=UTC)
CIRCLE = CourseCircle("c1", instructor_ids=frozenset({"teacher"}), enrolled_ids=frozenset({"ann", "ben"}))


def person(user_id: str, role: Role) -> Principal:
    return Principal(user_id=user_id, institution_id="i", roles=frozenset({role}))


def entry(**changes: object) -> MailboxEntry:
    base = MailboxEntry(
        conversation_id="conv",
        owner_id="ann",
        kind=ConversationKind.DIRECT,
        subject=None,
        course_id="c1",
        last_message_id="m2",
        last_message_at=AT,
        last_sender_id="teacher",
        preview="Hello",
        unread=2,
    )
    return base.model_copy(update=changes)


def test_students_write_to_the_instructors_and_classmates_of_their_course() -> None:
    domain.check_reach(person("ann", Role.STUDENT), ["teacher", "ben"], CIRCLE, members=())


def test_a_student_cannot_reach_someone_outside_the_course() -> None:
    with pytest.raises(RecipientsUnreachable) as refused:
        domain.check_reach(person("ann", Role.STUDENT), ["ben", "stranger"], CIRCLE, members=())
    assert refused.value.extensions["recipients"] == ["stranger"]


def test_a_student_who_is_not_enrolled_writes_to_nobody_through_the_course() -> None:
    with pytest.raises(NotInCourse):
        domain.check_reach(person("dropped", Role.STUDENT), ["ann"], CIRCLE, members=())


def test_instructors_write_to_the_people_of_a_course_they_teach_only() -> None:
    domain.check_reach(person("teacher", Role.INSTRUCTOR), ["ann", "ben"], CIRCLE, members=())
    with pytest.raises(NotInCourse):
        domain.check_reach(person("other-teacher", Role.INSTRUCTOR), ["ann"], CIRCLE, members=())


def test_students_and_instructors_name_the_course_they_share() -> None:
    with pytest.raises(CourseNeeded):
        domain.check_reach(person("ann", Role.STUDENT), ["ben"], None, members={"ben"})


def test_admins_write_to_any_member_of_the_institution() -> None:
    admin = person("admin", Role.INSTITUTION_ADMIN)
    domain.check_reach(admin, ["ann", "stranger"], None, members={"ann", "stranger"})
    with pytest.raises(RecipientsUnreachable) as refused:
        domain.check_reach(admin, ["ann", "ghost"], CIRCLE, members={"ann"})
    assert refused.value.extensions["recipients"] == ["ghost"]


def test_recipients_are_named_once_without_the_sender_and_at_most_49() -> None:
    assert domain.recipients_of("ann", ["ben", "ann", "ben", "teacher"]) == ["ben", "teacher"]
    with pytest.raises(ValidationFailed):
        domain.recipients_of("ann", ["ann"])
    domain.recipients_of("ann", [f"p{n}" for n in range(49)])
    with pytest.raises(ValidationFailed):
        domain.recipients_of("ann", [f"p{n}" for n in range(50)])


@pytest.mark.parametrize(
    ("changes", "folder", "scopes"),
    [
        ({}, Folder.UNREAD, {Scope.INBOX, Scope.UNREAD}),
        ({"unread": 0, "has_sent": True}, Folder.READ, {Scope.INBOX, Scope.SENT}),
        ({"archived": True, "starred": True}, Folder.ARCHIVED, {Scope.ARCHIVED, Scope.STARRED}),
        ({"deleted": True, "starred": True, "has_sent": True}, None, set()),
    ],
)
def test_a_copy_is_in_one_folder_and_its_scopes(
    changes: dict[str, object], folder: Folder | None, scopes: set[Scope]
) -> None:
    copy = entry(**changes)
    assert copy.folder is folder
    assert {scope for scope in Scope if copy.in_scope(scope)} == scopes


def test_marking_read_unread_archived_and_starred() -> None:
    read = domain.mark(entry(), read=True, archived=None, starred=True)
    assert (read.unread, read.starred, read.folder) == (0, True, Folder.READ)
    unread = domain.mark(read, read=False, archived=True, starred=None)
    assert (unread.unread, unread.starred, unread.folder) == (1, True, Folder.ARCHIVED)
    assert domain.mark(entry(), read=False, archived=None, starred=None).unread == 2


def test_deleting_a_copy_clears_it_through_its_last_message() -> None:
    deleted = domain.delete_copy(entry(starred=True))
    assert (deleted.folder, deleted.cleared_through, deleted.unread, deleted.starred) == (
        None,
        "m2",
        0,
        False,
    )


def test_the_hourly_window_and_the_seconds_until_it_reopens() -> None:
    assert domain.rate_window(AT) == ("2026120721", 44 * 60 + 30)
    assert domain.rate_window(AT.replace(minute=59, second=59, microsecond=500_000)) == ("2026120721", 1)
