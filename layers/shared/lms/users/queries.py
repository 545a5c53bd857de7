"""What the identity context answers for other contexts: who a person is, from their profile.

Class lists (rosters, class progress, gradebook rows and exports) and conversations show people by
name, and the communication context needs to know whether an id is a member of the institution.
They ask here, and this module reads the identity context's own profile items, so no other context
touches them. One BatchGetItem per 100 people (a page), eventually consistent like the account check.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from lms import keys
from lms.users.items import ProfileItem

ERASED = "erased"


@dataclass(frozen=True)
class Person:
    """A member as others may see them: an erased person's name is their pseudonym."""

    user_id: str
    display_name: str
    role: str
    status: str

    @property
    def erased(self) -> bool:
        return self.status == ERASED


def people(institution_id: str, user_ids: Iterable[str]) -> dict[str, Person]:
    """The institution's members among `user_ids`, by id; an id without a profile is left out."""
    unique = list(dict.fromkeys(user_ids))
    if not unique:
        return {}
    found = ProfileItem.batch_get(
        [(keys.user_pk(institution_id, user_id), keys.PROFILE_SK) for user_id in unique],
        attributes_to_get=["PK", "SK", "user_id", "display_name", "role", "status"],
    )
    return {
        item.user_id: Person(
            user_id=item.user_id, display_name=item.display_name, role=item.role, status=item.status
        )
        for item in found
    }


def display_names(institution_id: str, user_ids: Iterable[str]) -> dict[str, str]:
    """Each known member's display name, by id (accounts made outside the API have none)."""
    return {user_id: person.display_name for user_id, person in people(institution_id, user_ids).items()}


@dataclass(frozen=True)
class Addressee:
    """Where and how to write to a member: their address, name, language and time zone, and whether
    they may be written to at all (a suspended or erased person may not)."""

    user_id: str
    email: str
    display_name: str
    locale: str | None
    timezone: str | None
    status: str


def email_addressees(institution_id: str, user_ids: Iterable[str]) -> dict[str, Addressee]:
    """The institution's members among `user_ids` as e-mail recipients, by id (BatchGetItem)."""
    unique = list(dict.fromkeys(user_ids))
    if not unique:
        return {}
    found = ProfileItem.batch_get(
        [(keys.user_pk(institution_id, user_id), keys.PROFILE_SK) for user_id in unique],
        attributes_to_get=["PK", "SK", "user_id", "email", "display_name", "locale", "timezone", "status"],
    )
    return {
        item.user_id: Addressee(
            user_id=item.user_id,
            email=item.email,
            display_name=item.display_name,
            locale=item.locale,
            timezone=item.timezone,
            status=item.status,
        )
        for item in found
    }
