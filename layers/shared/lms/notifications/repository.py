"""Preferences in the table: one item per person who chose, one per institution whose admins did.

Choices are stored as JSON (`{"<category>": {"<channel>": "<frequency>"}}`): only what was chosen,
so a later change of the institution's or the platform's defaults reaches everyone who did not.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from pynamodb.attributes import NumberAttribute, UnicodeAttribute
from pynamodb.exceptions import PutError
from pynamodb.expressions.update import Action

from lms import clock, keys
from lms.notifications.catalog import Category
from lms.notifications.preferences import Channel, Choices, Frequency, Preferences, check_choices, merged
from lms.persistence.table import Item

PREFERENCES_ENTITY = "notification-preferences"
DEFAULTS_ENTITY = "notification-defaults"
_ATTEMPTS = 3


class ChoicesItem(Item):
    """A person's preferences (`user_id` set) or an institution's defaults."""

    user_id = UnicodeAttribute(null=True)
    choices = UnicodeAttribute()
    version = NumberAttribute()
    updated_at = UnicodeAttribute()


def encode(choices: Choices) -> str:
    return json.dumps(
        {
            category.value: {channel.value: f.value for channel, f in channels.items()}
            for category, channels in choices.items()
        },
        sort_keys=True,
    )


def decode(text: str) -> dict[Category, dict[Channel, Frequency]]:
    """Choices as stored; a category or channel this version no longer knows is left out."""
    raw: dict[str, dict[str, str]] = json.loads(text)
    categories = {c.value for c in Category}
    channels_known = {c.value for c in Channel}
    return {
        Category(category): {Channel(ch): Frequency(f) for ch, f in channels.items() if ch in channels_known}
        for category, channels in raw.items()
        if category in categories
    }


def _preferences_key(institution_id: str, user_id: str) -> tuple[str, str]:
    return keys.notifications_pk(institution_id, user_id), keys.NOTIFICATION_PREFERENCES_SK


def _defaults_key(institution_id: str) -> tuple[str, str]:
    return keys.notification_defaults_pk(institution_id), keys.NOTIFICATION_DEFAULTS_SK


class DynamoPreferencesRepository:
    """Reads and writes preferences; `get_preferences` and `set_email_frequency` serve the mailer too."""

    def get_preferences(self, institution_id: str, user_id: str) -> Preferences:
        """A person's effective preferences: one BatchGetItem of their choices and the defaults."""
        return self.preferences_of(institution_id, [user_id])[user_id]

    def preferences_of(self, institution_id: str, user_ids: Iterable[str]) -> dict[str, Preferences]:
        """Each person's preferences, with the institution's defaults (BatchGetItem, 100 keys a request)."""
        wanted = list(dict.fromkeys(user_ids))
        found = {
            item.PK: item
            for item in ChoicesItem.batch_get(
                [_defaults_key(institution_id)] + [_preferences_key(institution_id, u) for u in wanted]
            )
        }
        defaults_item = found.get(keys.notification_defaults_pk(institution_id))
        defaults = decode(defaults_item.choices) if defaults_item else {}
        result: dict[str, Preferences] = {}
        for user_id in wanted:
            item = found.get(keys.notifications_pk(institution_id, user_id))
            choices = decode(item.choices) if item else {}
            result[user_id] = Preferences(user_id=user_id, choices=choices, institution_defaults=defaults)
        return result

    def institution_defaults(self, institution_id: str) -> Choices:
        try:
            item = ChoicesItem.get(*_defaults_key(institution_id))
        except ChoicesItem.DoesNotExist:
            return {}
        return decode(item.choices)

    def save_choices(self, institution_id: str, user_id: str, choices: Choices) -> None:
        """Replace a person's choices (one PutItem)."""
        self._put(_preferences_key(institution_id, user_id), PREFERENCES_ENTITY, choices, user_id=user_id)

    def save_institution_defaults(self, institution_id: str, choices: Choices) -> None:
        self._put(_defaults_key(institution_id), DEFAULTS_ENTITY, choices)

    def set_email_frequency(self, institution_id: str, user_id: str, category: str, frequency: str) -> None:
        """Change one category's e-mail frequency and keep the person's other choices (unsubscribe).

        Raises CategoryLocked for a locked category. Read, then write on the version read: a
        concurrent change is read again rather than overwritten.
        """
        change = {Category(category): {Channel.EMAIL: Frequency(frequency)}}
        check_choices(change)
        pk, sk = _preferences_key(institution_id, user_id)
        for attempt in range(_ATTEMPTS):
            try:
                current: ChoicesItem | None = ChoicesItem.get(pk, sk, consistent_read=True)
            except ChoicesItem.DoesNotExist:
                current = None
            choices = merged(decode(current.choices) if current else {}, change)
            condition = ChoicesItem.version == current.version if current else ChoicesItem.PK.does_not_exist()
            item = _item((pk, sk), PREFERENCES_ENTITY, choices, user_id=user_id)
            item.version = (current.version if current else 0) + 1
            try:
                item.save(condition=condition)
                return
            except PutError as error:
                if error.cause_response_code != "ConditionalCheckFailedException" or attempt == _ATTEMPTS - 1:
                    raise

    def delete_preferences(self, institution_id: str, user_id: str) -> None:
        ChoicesItem(*_preferences_key(institution_id, user_id)).delete()

    @staticmethod
    def _put(key: tuple[str, str], entity: str, choices: Choices, *, user_id: str | None = None) -> None:
        # An update, not a put: the version still grows, so an unsubscribe racing it reads again.
        actions: list[Action] = [
            ChoicesItem.entity.set(entity),
            ChoicesItem.choices.set(encode(choices)),
            ChoicesItem.updated_at.set(clock.rfc3339(clock.now())),
            ChoicesItem.version.add(1),
        ]
        if user_id is not None:
            actions.append(ChoicesItem.user_id.set(user_id))
        ChoicesItem(*key).update(actions=actions)


def _item(key: tuple[str, str], entity: str, choices: Choices, *, user_id: str | None) -> ChoicesItem:
    return ChoicesItem(
        key[0],
        key[1],
        entity=entity,
        user_id=user_id,
        choices=encode(choices),
        version=1,
        updated_at=clock.rfc3339(clock.now()),
    )
