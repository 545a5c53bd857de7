"""What every test needs: settings parsed from the environment the test runs in, and, before any AWS
client exists, the library patches, so that every client's calls can be counted."""

from __future__ import annotations

import pytest
from hypothesis import settings as hypothesis_settings

from infra.instrument import AwsCallRecorder
from lms.settings import get_settings

AwsCallRecorder.install()

# Properties are judged by what they find, never by how fast a shared CI machine runs an example.
hypothesis_settings.register_profile("lms", deadline=None)
hypothesis_settings.load_profile("lms")


@pytest.fixture(autouse=True)
def settings_follow_the_environment() -> None:
    # Fixtures set the environment (stacks, monkeypatch) before the test; a function parses it once.
    get_settings.cache_clear()
