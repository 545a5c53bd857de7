"""Build the shared layer for python3.13 on arm64, the way `sam build` does, without Docker.

The recipe is layers/shared/Makefile, the one `sam build` runs; this module runs the same target
so that `make layer` and the build tests produce exactly what gets deployed.

    python -m infra.build_layer [--out DIR]     # the layer's code lands in DIR/python
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


def build_layer(out: Path = DEFAULT_OUT) -> Path:
    """Build the layer into `out` as sam does into its artifacts folder; return `out/python`."""
    make = shutil.which("make")
    if make is None:
        raise RuntimeError("building the layer needs GNU make on PATH")
    out = out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    # Like sam build: ARTIFACTS_DIR comes from the environment. pip runs under this interpreter.
    env = {**os.environ, "ARTIFACTS_DIR": str(out), "LAYER_PYTHON": sys.executable}
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
    args = parser.parse_args(argv)
    try:
        site = build_layer(args.out)
    except subprocess.CalledProcessError as failure:
        return failure.returncode or 1
    print(f"layer built in {site}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
