"""Build the shared layer for python3.13 on arm64, the way `sam build` does, without Docker.

The recipe is layers/shared/Makefile, the one `sam build` runs; this module runs the same target
so that `make layer` and the build tests produce exactly what gets deployed.

    python -m infra.build_layer [--out DIR]     # the layer's code lands in DIR/python
    python -m infra.build_layer --python-313    # prints a python3.13 to byte-compile with, if any

Lambda mounts layers read-only, so bytecode must ship in the layer or it is compiled again at
every cold start; only a Python 3.13 writes bytecode the runtime accepts. Without one the layer
still builds and works, only slower to start.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
LAYER_SOURCE = REPO_ROOT / "layers" / "shared"
LAYER_BUILD_TARGET = "build-SharedLayer"
DEFAULT_OUT = REPO_ROOT / "build" / "layer"


def _runs_python_313(candidate: str) -> bool:
    check = "import sys; sys.exit(sys.version_info[:2] != (3, 13))"
    probe = subprocess.run([candidate, "-c", check], capture_output=True, check=False)  # noqa: S603
    return probe.returncode == 0


def python_313() -> str | None:
    """A working python3.13 on this machine: on PATH, or a pyenv version that is not selected."""
    candidates = [sys.executable if sys.version_info[:2] == (3, 13) else None, shutil.which("python3.13")]
    pyenv = shutil.which("pyenv")
    if pyenv:
        found = subprocess.run([pyenv, "root"], capture_output=True, text=True, check=False)  # noqa: S603
        root = found.stdout.strip()
        if root:
            candidates += sorted(str(path) for path in Path(root).glob("versions/3.13*/bin/python3.13"))
    return next((c for c in candidates if c and _runs_python_313(c)), None)


def build_layer(out: Path = DEFAULT_OUT) -> Path:
    """Build the layer into `out` as sam does into its artifacts folder; return `out/python`."""
    make = shutil.which("make")
    if make is None:
        raise RuntimeError("building the layer needs GNU make on PATH")
    out = out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    # Like sam build: ARTIFACTS_DIR comes from the environment. pip runs under this interpreter.
    env = {**os.environ, "ARTIFACTS_DIR": str(out), "LAYER_PYTHON": sys.executable}
    bytecode_python = python_313()
    if bytecode_python is not None:
        env["BYTECODE_PYTHON"] = bytecode_python
    subprocess.run(  # noqa: S603 - fixed argv, no shell
        [make, "--no-print-directory", "-C", str(LAYER_SOURCE), LAYER_BUILD_TARGET],
        env=env,
        check=True,
    )
    return out / "python"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m infra.build_layer", description="Build the shared layer for python3.13 on arm64."
    )
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder (default: build/layer)")
    parser.add_argument(
        "--python-313", action="store_true", help="print the python3.13 used for bytecode and exit"
    )
    args = parser.parse_args(argv)
    if args.python_313:
        print(python_313() or "")
        return 0
    try:
        site = build_layer(args.out)
    except subprocess.CalledProcessError as failure:
        return failure.returncode or 1
    print(f"layer built in {site}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
