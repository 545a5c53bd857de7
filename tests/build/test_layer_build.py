"""The shared layer builds for python3.13 on arm64 from any machine and holds what functions import.

One build for the module (about 5 s, from PyPI), the same recipe that `sam build` runs.
"""

from __future__ import annotations

import importlib.util
import json
import os
import platform
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from infra import build_layer

REPO_ROOT = Path(__file__).resolve().parents[2]
LAYER_SOURCE = REPO_ROOT / "layers" / "shared"

# Modules the Lambda Python runtime ships with boto3; the layer must leave them to the runtime.
RUNTIME_MODULES = ("boto3", "botocore", "s3transfer", "jmespath", "urllib3", "dateutil", "six")
EM_AARCH64 = 183  # ELF e_machine of arm64
TARGET_EXTENSION_SUFFIXES = (".cpython-313-aarch64-linux-gnu.so", ".abi3.so")

# Only the layer's build shares it: xdist's loadgroup keeps these tests on one worker.
pytestmark = pytest.mark.xdist_group("layer_build")


@pytest.fixture(scope="module")
def layer(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("layer")
    build = [sys.executable, "-m", "infra.build_layer", "--out", str(out)]
    subprocess.run(build, cwd=REPO_ROOT, check=True)  # noqa: S603 - fixed argv
    return out / "python"


def _relative_files(root: Path) -> set[str]:
    return {
        path.relative_to(root).as_posix()
        for path in root.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts
    }


def _wheel_tags(dist_info: Path) -> list[tuple[str, str, str]]:
    lines = (dist_info / "WHEEL").read_text().splitlines()
    tags = [line.removeprefix("Tag:").strip() for line in lines if line.startswith("Tag:")]
    return [(interpreter, abi, plat) for interpreter, abi, plat in (tag.split("-") for tag in tags)]


def test_layer_requirements_are_the_project_runtime_dependencies_without_boto3() -> None:
    pyproject = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())
    declared = {dep for dep in pyproject["project"]["dependencies"] if not dep.startswith("boto3")}
    lines = (LAYER_SOURCE / "requirements.txt").read_text().splitlines()
    pinned = {line.strip() for line in lines if line.strip() and not line.startswith("#")}

    assert pinned == declared
    assert all("==" in requirement for requirement in pinned)


def test_the_lms_package_is_in_the_layer_with_all_its_modules(layer: Path) -> None:
    source = _relative_files(LAYER_SOURCE / "lms")

    assert "__init__.py" in source
    assert _relative_files(layer / "lms") == source


def test_pydantic_core_is_compiled_for_cpython_313_on_aarch64(layer: Path) -> None:
    assert (layer / "pydantic_core" / "_pydantic_core.cpython-313-aarch64-linux-gnu.so").is_file()


def test_every_compiled_file_targets_cpython_313_on_aarch64(layer: Path) -> None:
    extensions = sorted(layer.rglob("*.so"))
    wrong_name = [p.name for p in extensions if not p.name.endswith(TARGET_EXTENSION_SUFFIXES)]
    wrong_machine = [
        p.name for p in extensions if int.from_bytes(p.read_bytes()[18:20], "little") != EM_AARCH64
    ]
    host_leftovers = [
        path.relative_to(layer).as_posix()
        for path in layer.rglob("*")
        if re.search(r"x86_64|amd64|cp311|cpython-311|win32|darwin", path.name)
    ]

    assert extensions, "the layer has no compiled extension at all: was pydantic_core left out?"
    assert wrong_name == []
    assert wrong_machine == []
    assert host_leftovers == []


def test_every_distribution_is_a_cp313_aarch64_or_pure_python_wheel(layer: Path) -> None:
    def fits_the_target(interpreter: str, abi: str, plat: str) -> bool:
        if plat == "any":
            return abi == "none" and "py3" in interpreter.split(".")
        return re.fullmatch(r"manylinux\w*_aarch64", plat) is not None and (
            (interpreter, abi) == ("cp313", "cp313") or abi == "abi3"
        )

    tags_by_dist = {dist.name: _wheel_tags(dist) for dist in sorted(layer.glob("*.dist-info"))}
    misfits = {
        name: tags for name, tags in tags_by_dist.items() if not any(fits_the_target(*t) for t in tags)
    }

    assert {name.split("-")[0] for name in tags_by_dist} >= {"pydantic", "pydantic_core", "pynamodb"}
    assert misfits == {}


def test_the_layer_carries_the_iana_time_zones_zoneinfo_falls_back_to(layer: Path) -> None:
    """Learners' time zones (streaks) must resolve even where the image has no system zone files."""
    assert (layer / "tzdata" / "zoneinfo" / "Europe" / "Paris").is_file()
    assert (layer / "tzdata" / "zoneinfo" / "America" / "Sao_Paulo").is_file()


def test_the_layer_ships_bytecode_for_python_313_when_the_build_has_one(layer: Path) -> None:
    """/opt is read-only in Lambda: without shipped bytecode every cold start compiles the layer."""
    cached = list(layer.rglob("__pycache__/*.pyc"))
    foreign = [path for path in cached if ".cpython-313." not in path.name]
    assert foreign == []
    if build_layer.python_313() is not None:
        sources = [path for path in (layer / "lms").rglob("*.py")]
        compiled = {path.parent.parent / (path.name.split(".")[0] + ".py") for path in cached}
        assert [path for path in sources if path not in compiled] == []
        # Unchecked-hash bytecode: valid whatever timestamps the deployment package gives the sources.
        flags = {int.from_bytes(path.read_bytes()[4:8], "little") for path in cached[:50]}
        assert flags == {0b01}
    else:
        assert cached == []


def test_packages_the_lambda_runtime_provides_are_left_out(layer: Path) -> None:
    shipped = [name for name in RUNTIME_MODULES if (layer / name).exists() or (layer / f"{name}.py").exists()]

    assert shipped == []
    assert not (layer / "bin").exists()


def test_the_pure_python_parts_import_from_the_layer_beside_a_runtime_boto3(
    layer: Path, tmp_path: Path
) -> None:
    """Imports the way Lambda would: layer first, then the runtime's boto3, and no site-packages.

    The interpreter is python3.13 when the machine has one, this one otherwise: either way, any
    module the layer lacks (or that only the host's site-packages had) fails the import. Compiled
    extensions are arm64, so pydantic is imported only on an arm64 python3.13.
    """
    runtime = tmp_path / "runtime"
    runtime.mkdir()
    for name in RUNTIME_MODULES:
        spec = importlib.util.find_spec(name)
        assert spec is not None, f"{name} stands in for the runtime's copy"
        assert spec.origin is not None
        origin = Path(spec.origin)
        (runtime / (origin.parent.name if origin.name == "__init__.py" else origin.name)).symlink_to(
            origin.parent if origin.name == "__init__.py" else origin
        )
    python_313 = build_layer.python_313()
    python = python_313 or sys.executable
    modules = ["lms", "lms.errors", "pynamodb.models", "aws_lambda_powertools.logging", "aws_xray_sdk.core"]
    if python_313 and platform.machine() in ("aarch64", "arm64"):
        modules.append("pydantic")
    probe = (
        "import importlib, json, sys;"
        "print(json.dumps({m: importlib.import_module(m).__file__ for m in sys.argv[1:]}))"
    )
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(layer), str(runtime)]),
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    env.pop("PYTHONHOME", None)

    run = subprocess.run(  # noqa: S603 - fixed argv
        [python, "-S", "-c", probe, *modules], env=env, capture_output=True, text=True, check=False
    )

    assert run.returncode == 0, f"{python} could not import from the layer:\n{run.stderr}"
    imported_from = json.loads(run.stdout)
    outside = {m: f for m, f in imported_from.items() if not Path(f).is_relative_to(layer)}
    assert outside == {}
