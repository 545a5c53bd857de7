"""The contexts that hold personal data: one `lms.<context>.privacy` module each (see lms.privacy).

A context that adds `lms/<context>/privacy.py` adds its module name here, in the order erasure
runs them: a context whose `erase` reads an index another context's `erase` changes comes first.
"""

from __future__ import annotations

import importlib
from functools import cache

from lms.privacy import Contributor

CONTRIBUTOR_MODULES = (
    "lms.progress.privacy",
    "lms.assessments.privacy",
    "lms.communication.privacy",
    "lms.notifications.privacy",
    "lms.notifications.mail.privacy",
    "lms.courses.privacy",
    "lms.lti.privacy",
    "lms.users.privacy",
    "lms.analytics.privacy",
)
"""Listed explicitly (a test checks it against the `lms.**.privacy` modules that exist: a part of a
context with items of its own, like the e-mail channel of notifications, may have its own)."""


@cache
def contributors() -> tuple[Contributor, ...]:
    """Every context's contributor, imported on first use (no context is imported by lms.privacy)."""
    found = []
    for name in CONTRIBUTOR_MODULES:
        contributor = importlib.import_module(name).CONTRIBUTOR
        if not isinstance(contributor, Contributor):
            raise TypeError(f"{name}.CONTRIBUTOR is not an lms.privacy.Contributor")
        found.append(contributor)
    return tuple(found)
