"""What the catalog needs to know of a person: whether an account is an active student, and whose
an e-mail address is (a store names the buyer by it).

Cross-context read (docs/architecture.md, "Cross-context reads"), named here and nowhere else in
the context: the users context owns profiles. Enrolling someone else repeats the rule as a
ConditionCheck in the enrollment's transaction, so it holds at commit time.
"""

from __future__ import annotations

import hashlib

from pynamodb.attributes import UnicodeAttribute

from lms import keys
from lms.persistence.table import Item
from lms.persistence.transactions import Transaction

STUDENT = "student"  # the users context's name of the role on a profile
SUSPENDED = "suspended"
ERASED = "erased"


class ProfileStanding(Item):
    """The `role` and `status` of a users-context profile item (never written here)."""

    role = UnicodeAttribute(null=True)
    status = UnicodeAttribute(null=True)


def check_active_student(tx: Transaction, institution_id: str, user_id: str, refusal: Exception) -> None:
    """The account is a student neither suspended nor erased when the transaction commits.

    Accounts created outside the API have no profile and count as their token says
    (lms.users.access); their ids are only checked for shape.
    """
    active_student = (
        (ProfileStanding.role == STUDENT)
        & (ProfileStanding.status != SUSPENDED)
        & (ProfileStanding.status != ERASED)
    )
    tx.check(
        ProfileStanding,
        keys.user_pk(institution_id, user_id),
        keys.PROFILE_SK,
        ProfileStanding.PK.does_not_exist() | active_student,
        refusal,
    )


class EmailClaim(Item):
    """The person a users-context e-mail claim item names (never written here)."""

    user_id = UnicodeAttribute(null=True)  # absent while an invitation is still making the account


def _email_digest(email: str) -> str:
    # As the users context keys its claims (lms.users.domain.email_digest): no address in a key.
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()


def find_active_student(institution_id: str, user_id: str | None, email: str | None) -> str | None:
    """The id of the active student named by id or e-mail address, or None (1 GetItem; 2 by e-mail).

    Unlike `check_active_student`, an account needs its profile here: a store names people the
    institution knows, and an id nobody holds must not collect entitlements.
    """
    if email is not None:
        try:
            claim = EmailClaim.get(keys.email_pk(institution_id, _email_digest(email)), keys.EMAIL_SK)
        except EmailClaim.DoesNotExist:
            return None
        user_id = claim.user_id
    if user_id is None:
        return None
    try:
        profile = ProfileStanding.get(keys.user_pk(institution_id, user_id), keys.PROFILE_SK)
    except ProfileStanding.DoesNotExist:
        return None
    if profile.role != STUDENT or profile.status in (SUSPENDED, ERASED):
        return None
    return user_id
