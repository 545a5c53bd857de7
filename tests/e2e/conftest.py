"""One local stack for the e2e run: a moto server provisioned from template.yaml, the API on HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from infra.local_stack import LocalStack


@pytest.fixture(scope="session")
def state_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("state") / ".local-stack.json"


@pytest.fixture(scope="session")
def local(state_file: Path) -> Iterator[LocalStack]:
    mail_folder = state_file.parent / "mail"
    with LocalStack(port=0, aws_port=0, state_file=state_file, mail_folder=mail_folder) as running:
        yield running
