"""What the e-mail channel answers for other contexts: whether e-mail to a person's address gets through.

A person's profile shows it (GET /users/me, GET /users/{id}): the users function asks here, and this
module reads the channel's own suppression item, so no other context touches it. One GetItem.
"""

from __future__ import annotations

from typing import Literal

from lms import keys
from lms.notifications.mail.feedback import BOUNCE
from lms.notifications.mail.repository import SuppressionItem

Deliverability = Literal["deliverable", "bounced", "complained"]


def email_deliverability(institution_id: str, user_id: str, address: str) -> Deliverability:
    """`bounced` or `complained` when the address was suppressed (no e-mail is sent to it)."""
    if not address:
        return "deliverable"
    try:
        item = SuppressionItem.get(
            keys.email_deliveries_pk(institution_id, user_id),
            keys.email_suppression_sk(address),
            attributes_to_get=["reason"],
        )
    except SuppressionItem.DoesNotExist:
        return "deliverable"
    return "bounced" if item.reason == BOUNCE else "complained"
