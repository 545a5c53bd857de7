"""The identity context's items in the single table (access patterns: docs/data-model.md).

Kept apart from the repository: the API edge of every context reads the profile item to check
that the caller's account is active (lms.users.access), without importing the whole context.
"""

from __future__ import annotations

from pynamodb.attributes import NumberAttribute, UnicodeAttribute

from lms.persistence.table import GSI1, Item, VersionedItem

INSTITUTION_ENTITY = "institution"
SLUG_ENTITY = "institution-slug"
PROFILE_ENTITY = "user"
EMAIL_ENTITY = "user-email"


class InstitutionItem(VersionedItem):
    GSI1PK = UnicodeAttribute()
    GSI1SK = UnicodeAttribute()
    directory = GSI1()

    institution_id = UnicodeAttribute()
    name = UnicodeAttribute()
    slug = UnicodeAttribute()
    timezone = UnicodeAttribute()
    default_locale = UnicodeAttribute()
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()


class SlugItem(Item):
    """Claims a slug for one institution."""

    institution_id = UnicodeAttribute()


class ProfileItem(VersionedItem):
    GSI1PK = UnicodeAttribute()
    GSI1SK = UnicodeAttribute()
    people = GSI1()

    user_id = UnicodeAttribute()
    email = UnicodeAttribute()
    given_name = UnicodeAttribute()
    family_name = UnicodeAttribute()
    role = UnicodeAttribute()
    status = UnicodeAttribute()
    display_name = UnicodeAttribute()
    locale = UnicodeAttribute(null=True)
    timezone = UnicodeAttribute(null=True)
    avatar_url = UnicodeAttribute(null=True)
    bio = UnicodeAttribute(null=True)
    invited_by = UnicodeAttribute(null=True)
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()
    search_text = UnicodeAttribute()  # lower-cased names and email, for `search`


class EmailItem(Item):
    """Claims an email address for one person of the institution, or for an invitation in progress.

    A pending claim (`invitation_id` set) holds no personal data: the role the invitation grants and
    until when it may still be running; the invitation's transaction replaces it with the person's.
    """

    user_id = UnicodeAttribute(null=True)  # the person's; absent while the claim is pending
    invitation_id = UnicodeAttribute(null=True)
    role = UnicodeAttribute(null=True)
    lease_until = NumberAttribute(null=True)  # epoch seconds
    expires_at = NumberAttribute(null=True)  # TTL of a pending claim only
