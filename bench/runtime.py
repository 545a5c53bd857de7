"""A Lambda python3.13 runtime on this machine, for cold starts measured as Lambda runs them.

Lambda puts the function's code in /var/task, the layer in /opt/python and the runtime's boto3 in
/var/runtime, in that order on `sys.path`. Here they live under `.bench/` (not in git): the
layer's pinned requirements with the runtime's boto3 and botocore, byte-compiled with
unchecked-hash .pyc files by a python3.13 as layers/shared/Makefile does; the `lms` package,
copied and compiled the same way; and the function's code copied without bytecode, which Lambda
compiles at every cold start because /var/task is read-only. The peers' dependencies (FastAPI,
Mangum) get a folder of their own. Requirements are installed once per set of pins with pip for
this machine's platform; the code is copied again on every run.

Without a python3.13 the benchmark's own interpreter is used with the dev environment's packages,
and the report says so.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from bench.invoke import BenchError
from infra.template import TEMPLATE

ROOT = TEMPLATE.parent
WORK = ROOT / ".bench"
LAYER_REQUIREMENTS = ROOT / "layers" / "shared" / "requirements.txt"
LMS = ROOT / "layers" / "shared" / "lms"
RUNTIME_PROVIDED = ("boto3", "botocore")
PEER_PACKAGES = ("fastapi", "mangum")
LAMBDA_PYTHON = (3, 13)


@dataclass(frozen=True)
class Runtime:
    python: str
    version: str  # "3.13.0"
    packages_dir: Path | None  # the layer's requirements and boto3; None: the interpreter's own
    lms_dir: Path  # where the `lms` package is
    peers_dir: Path | None
    lambda_like: bool  # a python3.13 with the layer byte-compiled as it ships

    def code_path(self, task_root: Path) -> list[str]:
        """`sys.path` of a function: /var/task, /opt/python, /var/runtime."""
        return [str(p) for p in (task_root, self.lms_dir, self.packages_dir) if p is not None]

    def peer_path(self, task_root: Path) -> list[str]:
        return [str(p) for p in (task_root, self.peers_dir, self.packages_dir) if p is not None]


def _find_python() -> str | None:
    for candidate in (
        shutil.which("python3.13"),
        *sorted(str(p) for p in Path.home().glob(".pyenv/versions/3.13*/bin/python3.13")),
    ):
        if candidate and _version(candidate).startswith("3.13."):
            return candidate
    return None


def _version(python: str) -> str:
    completed = subprocess.run(  # noqa: S603 - an interpreter found on this machine
        [python, "-c", "import platform; print(platform.python_version())"],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    return completed.stdout.strip() if completed.returncode == 0 else ""


def _pins(names: tuple[str, ...]) -> list[str]:
    """The dev environment's versions, so the runtime folder matches what the tests ran with."""
    try:
        return [f"{name}=={metadata.version(name)}" for name in names]
    except metadata.PackageNotFoundError as missing:
        raise BenchError(f"{missing} is not installed: `make venv` installs the dev dependencies") from None


def _installed(python: str, target: Path, requirements: list[str]) -> Path:
    """`requirements` installed for `python` in `target`, again only when they change."""
    stamp = target / ".requirements"
    wanted = "\n".join(requirements)
    if stamp.exists() and stamp.read_text(encoding="utf-8") == wanted:
        return target
    shutil.rmtree(target, ignore_errors=True)
    pip = [python, "-m", "pip", "install", "-qq", "--disable-pip-version-check", "--no-compile"]
    subprocess.run(  # noqa: S603 - pip of the interpreter found, pinned requirements
        [*pip, "--target", str(target), *requirements],
        check=True,
        timeout=900,
        # As layers/shared/Makefile: a machine-wide constraints file is written for another interpreter.
        env={**os.environ, "PIP_CONSTRAINT": "/dev/null"},
    )
    subprocess.run(  # noqa: S603
        [python, "-m", "compileall", "-q", "-j", "0", "--invalidation-mode", "unchecked-hash", str(target)],
        check=True,
        capture_output=True,
        timeout=900,
    )
    stamp.write_text(wanted, encoding="utf-8")
    return target


def _layer_requirements() -> list[str]:
    lines = LAYER_REQUIREMENTS.read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]


def _lms(python: str, tag: str) -> Path:
    """Today's `lms` package, byte-compiled as the layer ships it."""
    layer = WORK / tag / "layer"
    shutil.rmtree(layer, ignore_errors=True)
    shutil.copytree(LMS, layer / "lms", ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    subprocess.run(  # noqa: S603
        [python, "-m", "compileall", "-q", "-j", "0", "--invalidation-mode", "unchecked-hash", str(layer)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    return layer


def task_root(code_dir: Path, name: str) -> Path:
    """/var/task: a copy of the function's code without bytecode (Lambda compiles it each cold start)."""
    root = WORK / "task" / name
    shutil.rmtree(root, ignore_errors=True)
    shutil.copytree(code_dir, root, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    return root


def prepare() -> Runtime:
    """The Lambda-like runtime when a python3.13 is at hand, else this interpreter as it is."""
    python = _find_python()
    if python is None:
        return Runtime(sys.executable, _version(sys.executable), None, LMS.parent, None, lambda_like=False)
    tag = f"python{LAMBDA_PYTHON[0]}.{LAMBDA_PYTHON[1]}"
    packages = _installed(python, WORK / tag / "packages", _layer_requirements() + _pins(RUNTIME_PROVIDED))
    peers = _installed(python, WORK / tag / "peers", _pins(PEER_PACKAGES))
    return Runtime(python, _version(python), packages, _lms(python, tag), peers, lambda_like=True)
