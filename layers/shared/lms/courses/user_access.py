"""What the catalog needs to know of a person: whether an account is an active student.

Cross-context read (docs/architecture.md, "Cross-context reads"), named here and nowhere else in
the context: the users context owns profiles. Enrolling someone else repeats the rule as a
ConditionCheck in the enrollment's transaction, so it holds at commit time.
"""

from __future__ import annotations

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
