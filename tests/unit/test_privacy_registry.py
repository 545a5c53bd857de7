"""Every item type that carries a person's id is declared by a context's privacy contributor."""

from __future__ import annotations

import importlib.util
import pkgutil

import lms
from infra.docs import import_all_lms_modules
from lms.persistence.table import Item
from lms.privacy import USER_ID_ATTRIBUTE, user_id_attributes
from lms.privacy.registry import CONTRIBUTOR_MODULES, contributors

AWAITING_CONTRIBUTOR: dict[str, str] = {}
"""Contexts whose privacy module is on its way; an entry must go once the module exists."""


def _context(item_type: type[Item]) -> str:
    return ".".join(item_type.__module__.split(".")[:2])


def _item_types() -> set[type[Item]]:
    import_all_lms_modules()
    found: set[type[Item]] = set()
    pending = list(Item.__subclasses__())
    while pending:
        item_type = pending.pop()
        found.add(item_type)
        pending.extend(item_type.__subclasses__())
    return found


def test_every_privacy_module_is_registered_and_every_registered_one_exists() -> None:
    contexts = {
        f"{info.name}.privacy"
        for info in pkgutil.iter_modules(lms.__path__, "lms.")
        if info.ispkg and importlib.util.find_spec(f"{info.name}.privacy") is not None
    }
    assert contexts <= set(CONTRIBUTOR_MODULES)
    # A part of a context with items of its own may register its own (lms.notifications.mail).
    assert [name for name in CONTRIBUTOR_MODULES if importlib.util.find_spec(name) is None] == []


def test_a_context_awaiting_its_contributor_has_none_yet() -> None:
    for context in AWAITING_CONTRIBUTOR:
        assert f"{context}.privacy" not in CONTRIBUTOR_MODULES, f"remove {context} from AWAITING_CONTRIBUTOR"
        assert importlib.util.find_spec(f"{context}.privacy") is None, f"register {context}.privacy"


def test_contributor_names_are_unique() -> None:
    names = [c.name for c in contributors()]
    assert len(names) == len(set(names))


def test_every_item_type_with_a_user_id_is_exported_or_declared_not_personal() -> None:
    declared: dict[type[Item], str] = {}
    for contributor in contributors():
        for item_type in contributor.exported:
            assert item_type not in declared, f"{item_type.__name__} declared by {declared[item_type]} too"
            declared[item_type] = contributor.name
        for item_type, reason in contributor.not_personal.items():
            assert reason.strip(), f"{contributor.name} gives no reason for {item_type.__name__}"
            assert item_type not in declared, f"{item_type.__name__} declared by {declared[item_type]} too"
            declared[item_type] = contributor.name
    carrying = {t for t in _item_types() if user_id_attributes(t) and _context(t) not in AWAITING_CONTRIBUTOR}
    undeclared = sorted(
        f"{t.__module__}.{t.__name__} {user_id_attributes(t)}" for t in carrying - set(declared)
    )
    assert not undeclared, (
        "these item types carry a user id but no lms.<context>.privacy contributor declares them "
        f"(export them, or name them in not_personal with a reason): {undeclared}"
    )


def test_the_user_id_rule_names_person_attributes_and_nothing_else() -> None:
    for name in (
        "user_id",
        "student_id",
        "actor_id",
        "author_id",
        "subject_user_id",
        "instructor_ids",
        "graded_by",
    ):
        assert USER_ID_ATTRIBUTE.search(name), name
    for name in ("course_id", "lesson_id", "export_id", "institution_id", "status", "byline"):
        assert not USER_ID_ATTRIBUTE.search(name), name
