"""Fixtures for the local stack's own machinery: moto credentials, a stack, throwaway functions."""

from __future__ import annotations

import logging
import sys
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType

import pytest
from moto import mock_aws
from moto.server import ThreadedMotoServer

from infra.functions import FunctionSpec, load_handler
from infra.provision import Stack, provision

WriteFunction = Callable[[str, str], Path]


@pytest.fixture(autouse=True)
def aws_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_REGION": "us-east-1",
    }.items():
        monkeypatch.setenv(name, value)
    for name in ("AWS_PROFILE", "AWS_ENDPOINT_URL"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def stack(monkeypatch: pytest.MonkeyPatch) -> Iterator[Stack]:
    """The template's stack in in-process moto; the pump's environment is undone afterwards."""
    with mock_aws():
        provisioned = provision()
        for name, value in provisioned.env.items():
            monkeypatch.setenv(name, value)
        yield provisioned


@pytest.fixture(scope="module")
def moto_server() -> Iterator[str]:
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def write_function(tmp_path: Path) -> WriteFunction:
    """Write a throwaway function folder with an app.py; returns the folder."""

    def write(name: str, source: str) -> Path:
        folder = tmp_path / name
        folder.mkdir()
        (folder / "app.py").write_text(textwrap.dedent(source), encoding="utf-8")
        return folder

    return write


@pytest.fixture
def module_of() -> Callable[[FunctionSpec], ModuleType]:
    """The imported module of a throwaway function, to read what its handler recorded."""

    def find(spec: FunctionSpec) -> ModuleType:
        return sys.modules[load_handler(spec).__module__]

    return find
