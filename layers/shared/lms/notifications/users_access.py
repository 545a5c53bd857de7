"""Who may be notified: the users context's profiles, read here for one rule and one audience.

Cross-context reads named here and nowhere else in the context (the users context owns the
profiles): a suspended or erased person is never notified (`reachable`), and an institution-wide
announcement reaches the institution's people, or those of one role (`members`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pynamodb.attributes import UnicodeAttribute

from lms import keys
from lms.persistence.table import GSI1, Item

UNREACHABLE = frozenset({"suspended", "erased"})


class PersonStatus(Item):
    """A users-context profile item: its `status` (and `user_id`) only (never written here)."""

    GSI1PK = UnicodeAttribute(null=True)
    GSI1SK = UnicodeAttribute(null=True)
    people = GSI1()

    user_id = UnicodeAttribute(null=True)
    status = UnicodeAttribute(null=True)


def unreachable(institution_id: str, user_ids: Iterable[str]) -> set[str]:
    """Those among `user_ids` who are suspended or erased: BatchGetItem of their profiles, 100 a
    request. An account without a profile (made outside the API) is reachable."""
    wanted = [(keys.user_pk(institution_id, u), keys.PROFILE_SK) for u in dict.fromkeys(user_ids)]
    if not wanted:
        return set()
    found = PersonStatus.batch_get(wanted, attributes_to_get=["PK", "SK", "user_id", "status"])
    return {str(item.user_id) for item in found if item.status in UNREACHABLE}


def members(institution_id: str, role: str | None) -> list[str]:
    """The institution's reachable people (of one role: `student`, `instructor`, `institution-admin`):
    a Query of the people index, page by page."""
    condition = PersonStatus.GSI1SK.startswith(keys.people_prefix(role)) if role else None
    results = PersonStatus.people.query(
        keys.people_pk(institution_id), condition, attributes_to_get=["user_id", "status"]
    )
    pages: Any = results.page_iter
    return [
        raw["user_id"]["S"]
        for page in pages
        for raw in page.get("Items", [])
        if raw.get("status", {}).get("S") not in UNREACHABLE and "user_id" in raw
    ]
