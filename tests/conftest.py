"""What every test needs: settings parsed from the environment the test runs in."""

from __future__ import annotations

import pytest

from lms.settings import get_settings


@pytest.fixture(autouse=True)
def settings_follow_the_environment() -> None:
    # Fixtures set the environment (stacks, monkeypatch) before the test; a function parses it once.
    get_settings.cache_clear()
