"""Cold start: import + init of each function's handler module in fresh processes, against boto3.

Each child times its own imports (`perf_counter` around them), so interpreter start-up is left out.
The children run round-robin, one warm-up round first (it compiles bytecode), so drift on a busy
machine spreads over every target alike.
"""

from __future__ import annotations

import os
import re
import statistics
import subprocess
import sys
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.selection import COLD_START, EVERYTHING, Selection, function_names
from infra.functions import FunctionSpec, function_specs
from infra.template import TEMPLATE, load_template

ROOT = TEMPLATE.parent
SHARED_LAYER = ROOT / "layers" / "shared"
BASELINE = "boto3 + one client"
BASELINE_CODE = 'import boto3\nboto3.client("dynamodb", region_name="us-east-1")'
RUNS = 7

_TIMED = """\
import time
started = time.perf_counter()
{body}
print(repr(time.perf_counter() - started))
"""


@dataclass(frozen=True)
class Target:
    """One child process to time: a function's handler module, or the baseline."""

    name: str
    code: str
    env: Mapping[str, str]
    cwd: Path


@dataclass(frozen=True)
class ColdStart:
    name: str
    handler: str
    runs: int
    median_ms: float
    baseline_ms: float
    top_imports: tuple[tuple[str, float], ...] = ()  # (top-level package, ms of own import time)

    @property
    def ratio(self) -> float:
        return self.median_ms / self.baseline_ms


def _dummy(parameters: Mapping[str, Any]) -> Callable[[Any], Any]:
    """Resolve a template value offline: a parameter's default, else a placeholder string."""

    def resolve(value: Any) -> Any:
        if isinstance(value, dict) and isinstance(value.get("Ref"), str) and value["Ref"] in parameters:
            return parameters[value["Ref"]].get("Default", "dummy")
        if isinstance(value, dict | list):
            return "dummy"
        return value

    return resolve


def function_targets(template_path: Path = TEMPLATE) -> list[tuple[FunctionSpec, Target]]:
    """Every function of the template, with the Globals' variables (dummy values) and its own."""
    template = load_template(template_path)
    resolve = _dummy(template.get("Parameters") or {})
    variables = (((template.get("Globals") or {}).get("Function") or {}).get("Environment") or {}).get(
        "Variables"
    ) or {}
    globals_env = {name: str(resolve(value)) for name, value in variables.items()}
    targets = []
    for spec in function_specs(template, globals_env, resolve=resolve, root=template_path.parent):
        module, _, attribute = spec.handler.rpartition(".")
        code = f"import importlib\nhandler = importlib.import_module({module!r}).{attribute}"
        env = {
            **spec.environment,
            "PYTHONPATH": os.pathsep.join([str(SHARED_LAYER), str(spec.code_dir)]),
            # X-Ray needs the daemon of a Lambda container; the Tracer still imports its SDK.
            "POWERTOOLS_TRACE_DISABLED": "true",
        }
        targets.append((spec, Target(spec.logical_id, code, env, spec.code_dir)))
    return targets


def baseline_target(cwd: Path) -> Target:
    return Target(BASELINE, BASELINE_CODE, {}, cwd)


def _child_env(extra: Mapping[str, str]) -> dict[str, str]:
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "LANG": "C.UTF-8",
        # What Lambda provides; no credential or metadata look-ups leave the machine.
        "AWS_ACCESS_KEY_ID": "dummy",
        "AWS_SECRET_ACCESS_KEY": "dummy",
        "AWS_REGION": "us-east-1",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_EC2_METADATA_DISABLED": "true",
    }
    env.update(extra)
    return env


def time_import(target: Target, *, python: str = sys.executable) -> float:
    """Seconds the child spent importing (and initialising) the target's code."""
    completed = subprocess.run(  # noqa: S603 - our interpreter and our code
        [python, "-c", _TIMED.format(body=target.code)],
        env=_child_env(target.env),
        cwd=target.cwd,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    if completed.returncode != 0:
        raise RuntimeError(f"importing {target.name} failed:\n{completed.stderr[-2000:]}")
    return float(completed.stdout.strip().splitlines()[-1])


_IMPORTTIME = re.compile(r"^import time:\s+(\d+)\s+\|\s+(\d+)\s+\|(\s*)(\S+)$")


def top_imports(
    target: Target, *, runs: int = 3, count: int = 6, python: str = sys.executable
) -> tuple[tuple[str, float], ...]:
    """Own import time by top-level package, median of `runs` `python -X importtime` runs.

    `-X importtime` slows every import, so these are shares to compare, not the cold start itself.
    """
    samples: list[Counter[str]] = []
    for _ in range(runs):
        completed = subprocess.run(  # noqa: S603 - our interpreter and our code
            [python, "-X", "importtime", "-c", target.code],
            env=_child_env(target.env),
            cwd=target.cwd,
            capture_output=True,
            text=True,
            check=False,
            timeout=120,
        )
        per_package: Counter[str] = Counter()
        for line in completed.stderr.splitlines():
            match = _IMPORTTIME.match(line)
            if match:
                per_package[match.group(4).split(".")[0]] += int(match.group(1))
        samples.append(per_package)
    packages = set().union(*samples)
    medians = {name: statistics.median(sample[name] for sample in samples) / 1000 for name in packages}
    return tuple(sorted(medians.items(), key=lambda item: -item[1])[:count])


def measure_cold_starts(
    *,
    runs: int = RUNS,
    template_path: Path = TEMPLATE,
    progress: Callable[[str], None] | None = None,
    profile: bool = True,
    selection: Selection = EVERYTHING,
) -> list[ColdStart]:
    """Median import time of every selected function and of the baseline over `runs` fresh processes each."""
    functions = [
        (spec, target)
        for spec, target in function_targets(template_path)
        if selection.picks((COLD_START, *function_names(spec.logical_id)))
    ]
    if not functions:
        return []
    baseline = baseline_target(ROOT)
    targets: Sequence[Target] = [baseline, *(target for _, target in functions)]
    times: dict[str, list[float]] = {t.name: [] for t in targets}
    for round_ in range(runs + 1):
        for target in targets:
            seconds = time_import(target)
            if round_ > 0:  # the first round compiles bytecode
                times[target.name].append(seconds)
    baseline_ms = statistics.median(times[baseline.name]) * 1000
    results = []
    for spec, target in functions:
        result = ColdStart(
            name=spec.logical_id,
            handler=f"{spec.code_dir.relative_to(ROOT)}/{spec.handler}",
            runs=runs,
            median_ms=statistics.median(times[target.name]) * 1000,
            baseline_ms=baseline_ms,
            top_imports=top_imports(target) if profile else (),
        )
        results.append(result)
        if progress:
            progress(
                f"{result.name:<28} {result.median_ms:6.0f} ms  baseline {baseline_ms:4.0f} ms  "
                f"ratio {result.ratio:4.2f}"
            )
    return results
