"""Who follows a discussion topic: the communication context's topic memberships, read here only.

A cross-context read of the audience of a reply notification (the communication context owns the
topic and its members); nothing is written from it, so no rule is re-checked at commit.
"""

from __future__ import annotations

from typing import Any

from pynamodb.attributes import BooleanAttribute, UnicodeAttribute

from lms import keys
from lms.persistence.table import Item


class TopicMembership(Item):
    """A communication-context topic member item: who, and whether subscribed (never written here)."""

    user_id = UnicodeAttribute(null=True)
    subscribed = BooleanAttribute(null=True)


def topic_subscribers(institution_id: str, topic_id: str) -> list[str]:
    """The topic's subscribed members: a Query of its member items, page by page."""
    results = TopicMembership.query(
        keys.topic_pk(institution_id, topic_id),
        TopicMembership.SK.startswith(keys.TOPIC_MEMBER_PREFIX),
        filter_condition=TopicMembership.subscribed == True,  # noqa: E712 - a condition, not a comparison
        attributes_to_get=["user_id", "subscribed"],
    )
    pages: Any = results.page_iter
    return [raw["user_id"]["S"] for page in pages for raw in page.get("Items", []) if "user_id" in raw]
