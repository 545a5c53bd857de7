"""Personal data: what each context stores about a person, and how it exports and erases it.

Privacy export (GDPR art. 15, FERPA) gathers one JSON document of everything the platform holds
about a person; erasure (GDPR art. 17) removes or pseudonymises it. Neither knows the contexts'
items: each context declares its personal data in its own module `lms/<context>/privacy.py`,
which defines one module-level `CONTRIBUTOR`, and that module is listed in
`lms.privacy.registry.CONTRIBUTOR_MODULES` (a test fails when a `lms.*.privacy` module is not
listed, or a listed one is missing)::

    from lms.privacy import Contributor, ExportSections

    def export(institution_id: str, user_id: str) -> ExportSections:
        return {"submissions": [...], "grades": [...]}

    def erase(institution_id: str, user_id: str, actor: Principal) -> None:
        ...

    CONTRIBUTOR = Contributor(
        name="assessments",
        exported=(SubmissionItem, AttemptItem, GradeItem),
        not_personal={RubricItem: "names its author only as the course's staff; no data about them"},
        export=export,
        erase=erase,
    )

The rules a contributor follows:

- **Every item type that carries a user id is declared**, either in `exported` (its items of the
  person appear in the export) or in `not_personal` with the reason it is not personal data of that
  person. An item type carries a user id when one of its attributes is named by `USER_ID_ATTRIBUTE`
  (`user_id`, `student_id`, `actor_id`, `author_id`, `subject_user_id`, `recipient_id`,
  `sender_id`, `instructor_ids`, `created_by`, `graded_by`, ... : a person noun + `_id`/`_ids`, or
  `_by`). A test imports every `lms` module, finds every such item type and fails on one that no
  contributor declares, so a new item type with a user id cannot ship undeclared. Name
  attributes that hold a user id that way; keys that embed a user id need such an attribute too.
- **`export(institution_id, user_id)`** returns `{section: [record, ...]}`: section names are
  unique within the contributor (the document nests them under the contributor's `name`); a
  record is a JSON-ready dict (str, int, float, bool, None, lists and dicts of them; times as
  RFC 3339 strings). It reads only with GetItem/Query on keys built by `lms.keys` from the tenant
  and the person; no Scan, no filter over another tenant's or the whole institution's partition.
  When an item type cannot be found per person with the current keys, add the access pattern
  (a GSI1 entry, or a per-person partition written in the same transaction) and write it down in
  docs/data-model.md. A large history is read page by page (`page_iter`), never cut short.
- **`erase(institution_id, user_id, actor)`** removes or pseudonymises the person's items of the
  context. It is idempotent: it runs again after a partial failure or a duplicate delivery and
  then changes nothing more. It keeps aggregates (counters, class averages, analytics counts)
  consistent and anonymous, and emits the domain events other contexts rely on (for example the
  drop of an enrollment) through the outbox, with `actor` (the admin who asked for the erasure)
  as the event's actor. The person's id itself is opaque: once the profile is erased and the
  Cognito account deleted it no longer identifies anyone, so items may keep it as a pseudonym.
  Names, emails and free text written about or by the person go.
- A contributor module belongs to its context: it imports the context's items and repository,
  nothing of another context (another context learns of the erasure from the `UserErased` event,
  or from its own contributor).

The privacy worker (functions/privacy_worker) runs every contributor: it builds the export
document from every `export`, and on `UserErased` runs every `erase`, recording each contributor
that finished on the erasure record so a retry skips it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from lms.auth import Principal
from lms.persistence.table import Item

ExportRecord = dict[str, Any]
ExportSections = dict[str, list[ExportRecord]]

USER_ID_ATTRIBUTE = re.compile(
    r"^(?:user|student|actor|author|subject_user|recipient|sender|instructor|learner|member"
    r"|participant|owner|grader|reviewer|teacher|requester)_ids?$"
    r"|_user_ids?$"
    r"|_by$"
)
"""Names of attributes that hold a person's id (or ids): the rule the item-type test applies."""


@dataclass(frozen=True)
class Contributor:
    """One context's personal data: the item types it declares, its export and its erasure."""

    name: str
    exported: tuple[type[Item], ...]
    export: Callable[[str, str], ExportSections]
    erase: Callable[[str, str, Principal], None]
    not_personal: Mapping[type[Item], str] = field(default_factory=dict)


def user_id_attributes(item_type: type[Item]) -> list[str]:
    """The attributes of an item type that hold a person's id, by `USER_ID_ATTRIBUTE`."""
    return sorted(name for name in item_type.get_attributes() if USER_ID_ATTRIBUTE.search(name))
