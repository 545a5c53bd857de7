"""Cold start as Lambda runs it: import + init of a function's handler, then its first request.

Each child process is one new execution environment (bench.runtime: python3.13, the layer's
bytecode as it ships, the function's code compiled at start) with Lambda's environment variables:
`LAMBDA_TASK_ROOT` and the function's name, memory and handler, a sampled `_X_AMZN_TRACE_ID` and a
daemon address, so the X-Ray SDK takes its Lambda path and the Powertools Tracer traces as deployed.
It times the import of its handler, then the handler's first invocation with a REST proxy event
of an operation's scenario (its data set up beforehand in the emulated table, which the child
reaches over HTTP through a moto server sharing this process's state). Interpreter start-up is
left out of every target alike.

Beside the functions, two peers answer the same first request (bench/peers): a bare boto3 handler,
the baseline of every ratio, and FastAPI behind Mangum. Functions without API events are timed
for import + init only. The children run round-robin, one discarded round first, so drift on a
busy machine spreads over every target alike.
"""

from __future__ import annotations

import json
import logging
import os
import re
import socket
import statistics
import subprocess
import tempfile
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.expectations import scenario_key
from bench.invoke import BenchError, EmulatedAws
from bench.operations import routes_of
from bench.runtime import Runtime, prepare, task_root
from bench.scenarios import SCENARIOS, Scenario
from bench.scenarios.base import PAGE_SIZE
from bench.selection import COLD_START, EVERYTHING, Selection, function_names
from infra.functions import FunctionSpec, function_specs
from infra.template import TEMPLATE, load_template
from lms import keys

ROOT = TEMPLATE.parent
PEERS = Path(__file__).resolve().parent / "peers"
BASELINE = "bare boto3 handler"
FASTAPI = "FastAPI + Mangum"
RUNS = 7
MARK = "cold-start-measured: "
# The first request of a function: its first GET of one item unless named here.
FIRST_REQUESTS = {"UsersFunction": "GET /users/me"}
PEER_REQUEST = "GET /courses/{course_id}"
TRACE_ID = "Root=1-67560a3b-4d1a2b3c4d5e6f7a8b9c0d1e;Parent=53995c3f42cd8ad8;Sampled=1"

_CHILD = """\
import json, sys, time
with open(sys.argv[1], encoding="utf-8") as source:
    invocation = json.load(source)
started = time.perf_counter()
import importlib
handler = getattr(importlib.import_module(invocation["module"]), invocation["attribute"])
imported = time.perf_counter()
first, status = None, None
if invocation["event"] is not None:
    class Context:
        function_name = invocation["function_name"]
        function_version = "$LATEST"
        invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:" + function_name
        memory_limit_in_mb = invocation["memory"]
        aws_request_id = "4b0e2a8e-1c7f-4a59-9d52-3c1c7d0b6f11"
        log_group_name = "/aws/lambda/" + function_name
        log_stream_name = "2026/12/08/[$LATEST]bench"
        identity = None
        client_context = None
        def get_remaining_time_in_millis(self):
            return 29000
    result = handler(invocation["event"], Context())
    first = time.perf_counter() - imported
    status = result.get("statusCode")
print("MARK" + json.dumps({"init": imported - started, "first": first, "status": status}), flush=True)
""".replace("MARK", MARK)


@dataclass(frozen=True)
class Target:
    """One child process to time: a function, or a peer."""

    name: str
    handler: str  # module.attribute, relative to the task root
    code_dir: Path
    env: Mapping[str, str]
    memory: int = 512
    event: Mapping[str, Any] | None = None  # the first request; None: import + init only
    status: int | None = None  # what the first request must answer
    request: str = ""  # `METHOD /path` of the first request
    peer: bool = False


@dataclass(frozen=True)
class ColdStart:
    name: str
    handler: str
    request: str
    runs: int
    init_ms: float  # median import + init
    first_ms: float | None  # median first request
    total_ms: float  # median of import + init + first request
    baseline_ms: float  # the bare boto3 handler's total
    fastapi_ms: float | None
    peer: bool = False
    top_imports: tuple[tuple[str, float], ...] = field(default=())

    @property
    def ratio(self) -> float:
        return self.total_ms / self.baseline_ms


def function_ids(template_path: Path = TEMPLATE) -> list[str]:
    """Every function of the template, in its order."""

    def placeholder(value: Any) -> Any:
        return "unresolved" if isinstance(value, dict | list) else value

    return [spec.logical_id for spec in function_specs(load_template(template_path), {}, resolve=placeholder)]


def first_request(spec: FunctionSpec) -> type[Scenario] | None:
    """The scenario whose call is the function's first request (an item read where there is one)."""
    routes = {scenario_key(r.method, r.path) for r in spec.routes}
    if named := FIRST_REQUESTS.get(spec.logical_id):
        return next(s for s in SCENARIOS if s.key() == named)
    reads = [s for s in SCENARIOS if scenario_key(s.method, s.path) in routes and s.method == "GET"]
    reads = [s for s in reads if s.variant is None]
    return next((s for s in reads if "{" in s.path), reads[0] if reads else None)


def _lambda_environment(target: Target, root: Path, runtime: Runtime, endpoint: str) -> dict[str, str]:
    name = target.env.get("AWS_LAMBDA_FUNCTION_NAME", target.name.replace(" ", "-"))
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "LANG": "en_US.UTF-8",
        "TZ": ":UTC",
        "PYTHONPATH": os.pathsep.join(
            runtime.code_path(root) if not target.peer else runtime.peer_path(root)
        ),
        "PYTHONDONTWRITEBYTECODE": "1",  # /var/task is read-only: its code is compiled at every start
        "LAMBDA_TASK_ROOT": str(root),
        "AWS_EXECUTION_ENV": "AWS_Lambda_python3.13",
        "AWS_LAMBDA_FUNCTION_NAME": name,
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(target.memory),
        "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
        "AWS_LAMBDA_LOG_GROUP_NAME": f"/aws/lambda/{name}",
        "AWS_LAMBDA_INITIALIZATION_TYPE": "on-demand",
        "_HANDLER": target.handler,
        "_X_AMZN_TRACE_ID": TRACE_ID,
        "AWS_XRAY_DAEMON_ADDRESS": "127.0.0.1:2000",
        "AWS_XRAY_CONTEXT_MISSING": "LOG_ERROR",
        "AWS_ACCESS_KEY_ID": "bench",
        "AWS_SECRET_ACCESS_KEY": "bench",
        "AWS_SESSION_TOKEN": "bench",
        "AWS_REGION": "us-east-1",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_EC2_METADATA_DISABLED": "true",
        # Not in Lambda: the emulated DynamoDB, reached over HTTP like the real one.
        "AWS_ENDPOINT_URL": endpoint,
        **{k: v for k, v in target.env.items() if k != "POWERTOOLS_TRACE_DISABLED"},
    }


@dataclass(frozen=True)
class _Prepared:
    target: Target
    root: Path
    invocation: Path
    env: Mapping[str, str]


def _prepare(target: Target, runtime: Runtime, endpoint: str, folder: Path) -> _Prepared:
    root = task_root(target.code_dir, target.name.replace(" ", "-"))
    module, _, attribute = target.handler.rpartition(".")
    invocation = folder / f"{target.name.replace(' ', '-')}.json"
    invocation.write_text(
        json.dumps(
            {
                "module": module,
                "attribute": attribute,
                "event": target.event,
                "function_name": target.env.get("AWS_LAMBDA_FUNCTION_NAME", target.name),
                "memory": target.memory,
            }
        ),
        encoding="utf-8",
    )
    return _Prepared(target, root, invocation, _lambda_environment(target, root, runtime, endpoint))


def _interpreter(runtime: Runtime) -> list[str]:
    # -S: the runtime's folders only, not whatever this machine installed beside that interpreter.
    return [runtime.python, "-S"] if runtime.lambda_like else [runtime.python]


def _time(prepared: _Prepared, runtime: Runtime) -> tuple[float, float | None]:
    """Seconds of import + init and of the first request, measured by the child."""
    completed = subprocess.run(  # noqa: S603 - our interpreter and our code
        [*_interpreter(runtime), "-c", _CHILD, str(prepared.invocation)],
        env=dict(prepared.env),
        cwd=prepared.root,
        capture_output=True,
        text=True,
        check=False,
        timeout=180,
    )
    line = next((x for x in completed.stdout.splitlines() if x.startswith(MARK)), None)
    if completed.returncode != 0 or line is None:
        raise BenchError(f"{prepared.target.name}: the cold start failed:\n{completed.stderr[-3000:]}")
    measured = json.loads(line.removeprefix(MARK))
    if prepared.target.status is not None and measured["status"] != prepared.target.status:
        raise BenchError(
            f"{prepared.target.name}: the first request answered {measured['status']}, "
            f"not {prepared.target.status}:\n{completed.stdout[-2000:]}"
        )
    return measured["init"], measured["first"]


_IMPORTTIME = re.compile(r"^import time:\s+(\d+)\s+\|\s+(\d+)\s+\|(\s*)(\S+)$")


def top_imports(
    prepared: _Prepared, runtime: Runtime, *, runs: int = 3, count: int = 6
) -> tuple[tuple[str, float], ...]:
    """Own import time by top-level package, median of `runs` `python -X importtime` runs.

    `-X importtime` slows every import, so these are shares to compare, not the cold start itself.
    """
    module = prepared.target.handler.rpartition(".")[0]
    samples: list[Counter[str]] = []
    for _ in range(runs):
        completed = subprocess.run(  # noqa: S603 - our interpreter and our code
            [*_interpreter(runtime), "-X", "importtime", "-c", f"import {module}"],
            env=dict(prepared.env),
            cwd=prepared.root,
            capture_output=True,
            text=True,
            check=False,
            timeout=180,
        )
        per_package: Counter[str] = Counter()
        for line in completed.stderr.splitlines():
            if match := _IMPORTTIME.match(line):
                per_package[match.group(4).split(".")[0]] += int(match.group(1))
        samples.append(per_package)
    packages = set().union(*samples)
    medians = {name: statistics.median(sample[name] for sample in samples) / 1000 for name in packages}
    return tuple(sorted(medians.items(), key=lambda item: -item[1])[:count])


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _targets(aws: EmulatedAws, selection: Selection) -> list[Target]:
    """The selected functions with their first requests set up, and the peers with theirs."""
    targets: list[Target] = []
    peer_call: tuple[Mapping[str, Any], Mapping[str, str]] | None = None
    specs = {spec.logical_id: spec for spec in aws.require_stack().functions}
    for logical_id, spec in specs.items():
        wanted = selection.picks((COLD_START, *function_names(logical_id)))
        scenario_type = first_request(spec) if spec.routes else None
        is_peer_request = scenario_type is not None and scenario_type.key() == PEER_REQUEST
        if not wanted and not (is_peer_request and peer_call is None):
            continue
        event: Mapping[str, Any] | None = None
        status = None
        env = dict(spec.environment)
        if scenario_type is not None:
            aws.fresh(keep_stream=scenario_type.needs_events)
            routes = routes_of(aws.api_functions())
            api = routes[scenario_key(scenario_type.method, scenario_type.path)]
            scenario = scenario_type(api, PAGE_SIZE, routes)
            scenario.setup()
            call = scenario.next_call(0)
            event, status, env = call.event(), scenario.status, dict(api.spec.environment)
            if is_peer_request and call.caller is not None:
                pk = keys.course_pk(call.caller.institution_id, call.path_params["course_id"])
                peer_call = (
                    event,
                    {"TABLE_NAME": env["TABLE_NAME"], "PEER_PK": pk, "PEER_SK": keys.COURSE_SK},
                )
        if wanted:
            targets.append(
                Target(
                    logical_id,
                    spec.handler,
                    spec.code_dir,
                    env,
                    spec.memory_size,
                    event,
                    status,
                    scenario_type.key() if scenario_type else "",
                )
            )
    if peer_call is None:
        raise BenchError(f"no function serves {PEER_REQUEST}, the peers' first request")
    peer_event, peer_env = peer_call
    peers = [
        Target(
            BASELINE,
            "app.handler",
            PEERS / "bare_boto3",
            peer_env,
            512,
            peer_event,
            200,
            PEER_REQUEST,
            peer=True,
        ),
        Target(
            FASTAPI,
            "app.handler",
            PEERS / "fastapi_mangum",
            peer_env,
            512,
            peer_event,
            200,
            PEER_REQUEST,
            peer=True,
        ),
    ]
    return [*peers, *targets]


def measure_cold_starts(
    aws: EmulatedAws,
    *,
    runs: int = RUNS,
    progress: Callable[[str], None] | None = None,
    profile: bool = True,
    selection: Selection = EVERYTHING,
) -> tuple[Runtime | None, list[ColdStart]]:
    """Median import + init and first request of every selected function and of the peers."""
    from moto.server import ThreadedMotoServer

    if not any(selection.picks((COLD_START, *function_names(f))) for f in function_ids()):
        return None, []
    runtime = prepare()
    targets = _targets(aws, selection)
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        with tempfile.TemporaryDirectory(prefix="lms-cold-start-") as folder:
            endpoint = f"http://127.0.0.1:{port}"
            prepared = [_prepare(t, runtime, endpoint, Path(folder)) for t in targets]
            init: dict[str, list[float]] = {t.name: [] for t in targets}
            first: dict[str, list[float]] = {t.name: [] for t in targets}
            total: dict[str, list[float]] = {t.name: [] for t in targets}
            for round_ in range(runs + 1):
                for p in prepared:
                    seconds, answered = _time(p, runtime)
                    if round_ > 0:  # the first round warms the file cache
                        init[p.target.name].append(seconds * 1000)
                        first[p.target.name].append((answered or 0) * 1000)
                        total[p.target.name].append((seconds + (answered or 0)) * 1000)
            baseline = statistics.median(total[BASELINE])
            fastapi = statistics.median(total[FASTAPI])
            results = []
            for p in prepared:
                t = p.target
                result = ColdStart(
                    name=t.name,
                    handler=t.handler if t.peer else f"{t.code_dir.relative_to(ROOT)}/{t.handler}",
                    request=t.request,
                    runs=runs,
                    init_ms=statistics.median(init[t.name]),
                    first_ms=statistics.median(first[t.name]) if t.event is not None else None,
                    total_ms=statistics.median(total[t.name]),
                    baseline_ms=baseline,
                    fastapi_ms=fastapi,
                    peer=t.peer,
                    top_imports=top_imports(p, runtime) if profile and not t.peer else (),
                )
                results.append(result)
                if progress:
                    progress(
                        f"{t.name:<28} import+init {result.init_ms:6.0f} ms  first request "
                        f"{result.first_ms or 0:6.0f} ms  total {result.total_ms:6.0f} ms  "
                        f"ratio {result.ratio:4.2f}"
                    )
    finally:
        server.stop()
    return runtime, results
