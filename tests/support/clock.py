"""Time moved for the code under test, as a retry that comes later or a retention that has run out."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

import pytest

from lms import clock


@contextmanager
def moved_clock(monkeypatch: pytest.MonkeyPatch, by: timedelta) -> Iterator[None]:
    """Run the code `by` later than now: every use of lms.clock sees the moved time."""
    real = clock.now
    with monkeypatch.context() as patched:
        patched.setattr(clock, "now", lambda: real() + by)
        yield
