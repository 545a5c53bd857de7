"""Every API operation of the template, measured: DynamoDB requests per call and handler overhead."""

from __future__ import annotations

import gc
import json
import statistics
import sys
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from types import ModuleType

from aws_lambda_powertools.event_handler.api_gateway import ApiGatewayResolver

from bench.expectations import EXPECTED, HANDLER_P50_TARGET_MS, Expectation, scenario_key
from bench.invoke import ApiFunction, BenchError, EmulatedAws, Sample, percentile
from bench.scenarios import SCENARIOS, Scenario
from bench.scenarios.base import PAGE_SIZE
from bench.selection import EVERYTHING, Selection, function_names

Progress = Callable[[str], None]

# moto's TransactWriteItems copies the whole table, and scenarios leave items behind (outbox items,
# new courses): after this many calls the next scenario gets a new stack. Quick runs share one: a
# new table costs new pynamodb connections, each with a botocore client of its own.
CALLS_PER_STACK = 40
PURGE_EVERY = 25  # calls


@dataclass(frozen=True)
class Measurement:
    requests: Mapping[str, int]
    other_calls: Mapping[str, int]
    p50_ms: float
    p99_ms: float


@dataclass(frozen=True)
class OperationResult:
    key: str
    method: str
    path: str
    variant: str | None
    operation_id: str
    expected: Expectation
    requests: Mapping[str, int]  # DynamoDB, of every measured call (they must all agree)
    other_calls: Mapping[str, int]  # other AWS services
    p50_ms: float
    p99_ms: float

    @property
    def total(self) -> int:
        return sum(self.requests.values())

    @property
    def matches_data_model(self) -> bool:
        return dict(self.requests) == dict(self.expected.requests) and dict(self.other_calls) == dict(
            self.expected.other_calls
        )

    @property
    def requests_on_target(self) -> bool:
        return self.total <= self.expected.target

    @property
    def time_on_target(self) -> bool:
        return self.p50_ms < HANDLER_P50_TARGET_MS


def routes_of(functions: list[ApiFunction]) -> dict[str, ApiFunction]:
    """`METHOD /path` of every `Api` event in the template, with the function serving it."""
    return {scenario_key(r.method, r.path): f for f in functions for r in f.spec.routes}


def check_coverage(operations: Iterable[str]) -> None:
    """Fail when an operation (`METHOD /path`) has no scenario or expectation, or a scenario no operation."""
    routes = set(operations)
    problems = []
    covered = {scenario_key(s.method, s.path) for s in SCENARIOS}
    if missing := sorted(routes - covered):
        problems.append(
            "operations without a benchmark scenario (add one under bench/scenarios/): " + ", ".join(missing)
        )
    if stale := sorted(covered - routes):
        problems.append("scenarios of operations the template does not declare: " + ", ".join(stale))
    if unexpected := sorted({s.key() for s in SCENARIOS} - set(EXPECTED)):
        problems.append(
            "scenarios without expected request counts (add them from docs/data-model.md to "
            "bench/expectations.py): " + ", ".join(unexpected)
        )
    if problems:
        raise BenchError("; ".join(problems))


def _resolver(module: ModuleType) -> ApiGatewayResolver:
    found = [v for v in vars(module).values() if isinstance(v, ApiGatewayResolver)]
    if len(found) != 1:
        raise BenchError(f"{module.__name__}: expected one API resolver, found {len(found)}")
    return found[0]


def operation_ids(api: ApiFunction) -> dict[str, str]:
    """`METHOD /path` -> the operationId the function's resolver documents."""
    module = sys.modules[api.handler_module]
    document = json.loads(_resolver(module).get_openapi_json_schema())
    return {
        scenario_key(method, path): str(operation.get("operationId", ""))
        for path, item in document.get("paths", {}).items()
        for method, operation in item.items()
        if isinstance(operation, dict)
    }


@dataclass(frozen=True)
class Catalog:
    """Every API operation of the stack: the function serving it, its operationId, and its names."""

    routes: Mapping[str, ApiFunction]  # `METHOD /path` -> function
    operation_ids: Mapping[str, str]  # `METHOD /path` -> operationId

    @classmethod
    def of(cls, aws: EmulatedAws) -> Catalog:
        routes = routes_of(aws.api_functions())
        ids: dict[str, str] = {}
        for api in {id(f): f for f in routes.values()}.values():
            ids.update(operation_ids(api))
        return cls(routes, ids)

    def names(self, scenario: type[Scenario]) -> set[str]:
        """What `--only` may call a scenario: its key, route, operationId, module and function."""
        route = scenario_key(scenario.method, scenario.path)
        names = {
            scenario.key(),
            route,
            self.operation_ids.get(route, ""),
            scenario.__module__.rpartition(".")[2],
        }
        if api := self.routes.get(route):
            names.update(function_names(api.spec.logical_id))
        return names - {""}

    def route_names(self, route: str) -> set[str]:
        """The names of every scenario of one route (a scale read is selected by its operation's)."""
        return set().union(*(self.names(s) for s in SCENARIOS if scenario_key(s.method, s.path) == route))

    def known(self) -> set[str]:
        return set().union(*(self.names(s) for s in SCENARIOS))


def quiet_heap() -> None:
    """Move what exists now (moto's tables, the stack) out of the collector's sight until unfrozen.

    A full collection walks every tracked object; in this process most are the emulator's, and a
    Lambda container has none of them, so they must not land in the handler's time.
    """
    gc.freeze()


def measure_scenario(scenario: Scenario, *, calls: int, warmup: int) -> Measurement:
    """Run warm-up and measured calls; every call must answer the scenario's status."""
    scenario.setup()
    samples: list[Sample] = []
    try:
        for index in range(warmup + calls):
            if index and index % PURGE_EVERY == 0:
                scenario.api.purge(scenario.disposable)
            if index == warmup:
                quiet_heap()
            call = scenario.next_call(index)
            if scenario.warm_account_check:
                scenario.api.keep_account_check_warm(call.caller)
            answer, sample = scenario.api.measure(call)
            if answer.status != scenario.status:
                raise BenchError(
                    f"{scenario.key()}: call {index} answered {answer.status}, not {scenario.status}: "
                    f"{answer.body[:500]}"
                )
            scenario.after(answer)
            if index >= warmup:
                samples.append(sample)
    finally:
        gc.unfreeze()
    first = samples[0]
    for sample in samples:
        if (sample.requests, sample.other_calls) != (first.requests, first.other_calls):
            raise BenchError(
                f"{scenario.key()}: the requests differ between calls: "
                f"{dict(first.requests)} {dict(first.other_calls)} and "
                f"{dict(sample.requests)} {dict(sample.other_calls)}"
            )
    handler_ms = [s.handler_seconds * 1000 for s in samples]
    return Measurement(
        requests=dict(first.requests),
        other_calls=dict(first.other_calls),
        p50_ms=statistics.median(handler_ms),
        p99_ms=percentile(handler_ms, 0.99),
    )


def run_operations(
    aws: EmulatedAws,
    *,
    calls: int,
    warmup: int,
    page_size: int = PAGE_SIZE,
    progress: Progress | None = None,
    selection: Selection = EVERYTHING,
) -> list[OperationResult]:
    """Measure every selected scenario; fails first if an operation has no scenario."""
    catalog = Catalog.of(aws)
    check_coverage(catalog.routes)
    ids = catalog.operation_ids
    results = []
    calls_on_stack = 0
    for scenario_type in SCENARIOS:
        if not selection.picks(catalog.names(scenario_type)):
            continue
        # Set-up through the event pipeline needs the table's stream (and copies its history at every
        # transaction: it gets a stack of its own); nothing else wants a stream.
        has_stream = bool(aws.require_stack().stream_arn)
        if scenario_type.needs_events or has_stream or calls_on_stack >= CALLS_PER_STACK:
            aws.fresh(keep_stream=scenario_type.needs_events)
            calls_on_stack = 0
        calls_on_stack += warmup + calls
        route = scenario_key(scenario_type.method, scenario_type.path)
        stack_routes = routes_of(aws.api_functions())
        scenario = scenario_type(stack_routes[route], page_size, stack_routes)
        started = time.perf_counter()
        measured = measure_scenario(scenario, calls=calls, warmup=warmup)
        result = OperationResult(
            key=scenario_type.key(),
            method=scenario_type.method,
            path=scenario_type.path,
            variant=scenario_type.variant,
            operation_id=ids.get(route, ""),
            expected=EXPECTED[scenario_type.key()],
            requests=measured.requests,
            other_calls=measured.other_calls,
            p50_ms=measured.p50_ms,
            p99_ms=measured.p99_ms,
        )
        results.append(result)
        if progress:
            progress(
                f"{result.key:<58} {format_requests(result.requests):<34} "
                f"p50 {result.p50_ms:6.2f} ms  p99 {result.p99_ms:6.2f} ms  "
                f"({time.perf_counter() - started:.0f} s)"
            )
    return results


def format_requests(requests: Mapping[str, int]) -> str:
    """`GetItem 1, TransactWriteItems 1`; `none` for an operation that touches no table."""
    return ", ".join(f"{op} {n}" for op, n in requests.items()) or "none"
