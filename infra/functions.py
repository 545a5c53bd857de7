"""The template's Lambda functions as the local stack runs them: routes, triggers and handlers."""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import re
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from infra.template import TEMPLATE, TemplateError
from lms.settings import get_settings

ACCOUNT_ID = "123456789012"  # moto's default account

Handler = Callable[[dict[str, Any], Any], Any]
Resolve = Callable[[Any], Any]

_SQS_BATCH_SIZE = 10
_STREAM_BATCH_SIZE = 100


@dataclass(frozen=True)
class Route:
    method: str
    path: str
    public: bool


@dataclass(frozen=True)
class FunctionSpec:
    """One `AWS::Serverless::Function` and the event sources the local stack drives for it."""

    logical_id: str
    code_dir: Path
    handler: str
    environment: dict[str, str] = field(default_factory=dict)
    routes: tuple[Route, ...] = ()
    sqs_queue: str | None = None
    stream: bool = False
    batch_size: int = _SQS_BATCH_SIZE
    stream_filter: dict[str, Any] | None = None
    function_name: str = ""
    timeout: int = 3
    memory_size: int = 128
    # Without ReportBatchItemFailures Lambda ignores a returned batchItemFailures list.
    report_batch_item_failures: bool = True
    # Stream sources only: None retries a failing record until it expires, as Lambda's -1 does.
    maximum_retry_attempts: int | None = None
    on_failure_queue: str | None = None
    # Schedule events: seconds between two invocations, one per `rate(...)` expression.
    schedules: tuple[float, ...] = ()

    @property
    def name(self) -> str:
        return self.function_name or self.logical_id


def function_specs(
    template: Mapping[str, Any],
    resolved_env: Mapping[str, str],
    *,
    resolve: Resolve | None = None,
    root: Path | None = None,
) -> list[FunctionSpec]:
    """Every function of the template; `environment` is `resolved_env` with the function's own on top.

    `resolve` evaluates intrinsic functions in the function's own properties (without it they must
    be plain values); `root` is the directory `CodeUri` is relative to (the template's).
    """
    base = root if root is not None else TEMPLATE.parent
    globals_ = (template.get("Globals") or {}).get("Function") or {}
    resources = template["Resources"]
    specs = []
    for logical_id, resource in resources.items():
        if resource.get("Type") != "AWS::Serverless::Function":
            continue
        properties = {**globals_, **(resource.get("Properties") or {})}
        evaluate = resolve if resolve is not None else _plain(logical_id)
        own_env = ((resource.get("Properties") or {}).get("Environment") or {}).get("Variables") or {}
        environment = dict(resolved_env)
        environment.update({key: _env_value(evaluate(value)) for key, value in own_env.items()})
        specs.append(
            FunctionSpec(
                logical_id=logical_id,
                code_dir=(base / str(properties["CodeUri"])).resolve(),
                handler=str(properties["Handler"]),
                environment=environment,
                function_name=function_name(properties, evaluate, logical_id),
                timeout=int(properties.get("Timeout", 3)),
                memory_size=int(properties.get("MemorySize", 128)),
                **_event_sources(template, logical_id, resource.get("Properties") or {}),
            )
        )
    return specs


def _plain(logical_id: str) -> Resolve:
    def evaluate(value: Any) -> Any:
        if isinstance(value, dict | list):
            raise TemplateError(f"{logical_id}: intrinsic function {value!r} needs a resolver")
        return value

    return evaluate


def _env_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def function_name(properties: Mapping[str, Any], evaluate: Resolve, logical_id: str) -> str:
    if "FunctionName" not in properties:
        return logical_id
    try:
        return str(evaluate(properties["FunctionName"]))
    except TemplateError:
        return logical_id


def _event_sources(
    template: Mapping[str, Any], logical_id: str, properties: Mapping[str, Any]
) -> dict[str, Any]:
    routes: list[Route] = []
    schedules: list[float] = []
    sources: dict[str, Any] = {}
    for event_id, event in (properties.get("Events") or {}).items():
        kind = event.get("Type")
        props = event.get("Properties") or {}
        where = f"{logical_id}.Events.{event_id}"
        if kind == "Api":
            routes.append(_route(template, props))
        elif kind in ("SQS", "DynamoDB"):
            if "batch_size" in sources:
                raise TemplateError(f"{where}: the local stack drives one queue or stream per function")
            sources.update(_sqs_source(where, props) if kind == "SQS" else _stream_source(where, props))
            sources["report_batch_item_failures"] = "ReportBatchItemFailures" in (
                props.get("FunctionResponseTypes") or []
            )
        elif kind in ("Schedule", "ScheduleV2"):
            schedules.append(_rate_seconds(where, props))
        else:
            raise TemplateError(f"{where}: event type {kind!r} is not emulated by the local stack")
    sources["routes"] = tuple(routes)
    sources["schedules"] = tuple(schedules)
    return sources


_RATE = re.compile(r"^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$")
_UNIT_SECONDS = {"minute": 60, "hour": 3600, "day": 86400}


def _rate_seconds(where: str, props: Mapping[str, Any]) -> float:
    if props.get("Enabled") is False or props.get("State") == "DISABLED":
        raise TemplateError(f"{where}: a disabled schedule is not emulated by the local stack")
    # Schedule (EventBridge rules) names it Schedule, ScheduleV2 (EventBridge Scheduler) ScheduleExpression.
    schedule = props.get("Schedule", props.get("ScheduleExpression"))
    found = _RATE.match(str(schedule))
    if found is None:
        raise TemplateError(f"{where}: the local stack runs rate(...) schedules only, not {schedule!r}")
    return float(int(found.group(1)) * _UNIT_SECONDS[found.group(2).rstrip("s")])


def _route(template: Mapping[str, Any], props: Mapping[str, Any]) -> Route:
    authorizer = (props.get("Auth") or {}).get("Authorizer")
    if authorizer is None:
        api_id = (props.get("RestApiId") or {}).get("Ref")
        api = template["Resources"].get(api_id, {}).get("Properties") if api_id else None
        api_auth = (api or (template.get("Globals") or {}).get("Api") or {}).get("Auth") or {}
        authorizer = api_auth.get("DefaultAuthorizer")
    method = str(props["Method"]).upper()
    return Route(method=method, path=str(props["Path"]), public=authorizer in (None, "NONE"))


def _sqs_source(where: str, props: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "sqs_queue": _logical_id_of(where, props.get("Queue"), "Arn"),
        "batch_size": int(props.get("BatchSize", _SQS_BATCH_SIZE)),
    }


def _stream_source(where: str, props: Mapping[str, Any]) -> dict[str, Any]:
    _logical_id_of(where, props.get("Stream"), "StreamArn")
    patterns = [
        json.loads(item["Pattern"]) if isinstance(item["Pattern"], str) else item["Pattern"]
        for item in (props.get("FilterCriteria") or {}).get("Filters") or []
    ]
    retries = int(props.get("MaximumRetryAttempts", -1))
    on_failure = ((props.get("DestinationConfig") or {}).get("OnFailure") or {}).get("Destination")
    return {
        "stream": True,
        "batch_size": int(props.get("BatchSize", _STREAM_BATCH_SIZE)),
        # Lambda passes a record matching any one filter; "$or" says the same to the pump's matcher.
        "stream_filter": None if not patterns else patterns[0] if len(patterns) == 1 else {"$or": patterns},
        "maximum_retry_attempts": None if retries < 0 else retries,
        "on_failure_queue": None if on_failure is None else _logical_id_of(where, on_failure, "Arn"),
    }


def _logical_id_of(where: str, value: Any, attribute: str) -> str:
    argument = value.get("Fn::GetAtt") if isinstance(value, dict) else None
    if isinstance(argument, list) and len(argument) == 2 and argument[1] == attribute:
        return str(argument[0])
    raise TemplateError(f"{where}: expected !GetAtt <resource>.{attribute}, got {value!r}")


_handlers: dict[tuple[Path, str], Handler] = {}
_import_lock = threading.Lock()


def load_handler(spec: FunctionSpec) -> Handler:
    """Import the handler's module by file path under a name unique to its folder; cached."""
    key = (spec.code_dir, spec.handler)
    with _import_lock:
        if key not in _handlers:
            module_path, _, attribute = spec.handler.rpartition(".")
            source = spec.code_dir.joinpath(*module_path.split(".")).with_suffix(".py")
            if not source.is_file():
                raise FileNotFoundError(f"{spec.logical_id}: handler module {source} does not exist")
            module_name = _module_name(spec.code_dir, module_path, source)
            import_spec = importlib.util.spec_from_file_location(module_name, source)
            if import_spec is None or import_spec.loader is None:
                raise ImportError(f"{spec.logical_id}: cannot import {source}")
            module = importlib.util.module_from_spec(import_spec)
            sys.modules[module_name] = module
            try:
                with _function_environment(spec):
                    import_spec.loader.exec_module(module)
            except BaseException:
                del sys.modules[module_name]
                raise
            _handlers[key] = getattr(module, attribute)
        return _handlers[key]


def _module_name(code_dir: Path, module_path: str, source: Path) -> str:
    stem = code_dir.name if module_path == "app" else f"{code_dir.name}_{module_path}"
    name = "lms_fn_" + re.sub(r"\W", "_", stem)
    existing = sys.modules.get(name)
    if existing is not None and getattr(existing, "__file__", None) != str(source):
        name += "_" + hashlib.sha1(str(source).encode(), usedforsecurity=False).hexdigest()[:8]
    return name


@contextmanager
def _function_environment(spec: FunctionSpec) -> Iterator[None]:
    # Module-level setup (Powertools Logger service name, sibling imports) runs with the
    # function's own variables and folder, as it would in its own Lambda container.
    changed = {
        key: os.environ.get(key) for key, value in spec.environment.items() if os.environ.get(key) != value
    }
    os.environ.update({key: spec.environment[key] for key in changed})
    get_settings.cache_clear()
    sys.path.insert(0, str(spec.code_dir))
    try:
        yield
    finally:
        sys.path.remove(str(spec.code_dir))
        for key, previous in changed.items():
            if previous is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = previous
        get_settings.cache_clear()


class LambdaContext:
    """The attributes of Lambda's context object that handlers and Powertools read."""

    def __init__(
        self,
        function_name: str,
        *,
        region: str = "us-east-1",
        account_id: str = ACCOUNT_ID,
        memory_limit_in_mb: int = 128,
        timeout_seconds: float = 3.0,
    ) -> None:
        self.function_name = function_name
        self.function_version = "$LATEST"
        self.invoked_function_arn = f"arn:aws:lambda:{region}:{account_id}:function:{function_name}"
        self.memory_limit_in_mb = memory_limit_in_mb
        self.aws_request_id = str(uuid.uuid4())
        self.log_group_name = f"/aws/lambda/{function_name}"
        self.log_stream_name = f"{datetime.now(UTC):%Y/%m/%d}/[$LATEST]{uuid.uuid4().hex}"
        self.identity: Any = None
        self.client_context: Any = None
        self._deadline = time.monotonic() + timeout_seconds

    @classmethod
    def for_function(cls, spec: FunctionSpec, *, region: str = "us-east-1") -> LambdaContext:
        return cls(
            spec.name, region=region, memory_limit_in_mb=spec.memory_size, timeout_seconds=spec.timeout
        )

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


# Lambda runs one invocation at a time in an execution environment, and handlers rely on it:
# Powertools keeps the current event of every resolver on one class attribute
# (`BaseRouter.current_event`). In this process the API functions share it, so two of them, even
# different ones, must not run at once: they take turns in one environment. A function without
# routes (stream, queue, schedule) has an environment of its own, so a consumer's batch does not
# hold up the API. Measured (tests/e2e/test_invocation_isolation.py, 16 threads x 40 requests over
# HTTP): 9.1 s with the shared lock, 8.4 s without it and 237 of 427 problems naming another
# request's path; a lock per function still crossed 207. moto serializes DynamoDB already, so a
# process per function would buy isolation that this lock gives at little cost; the price is that
# concurrent requests queue (Lambda would start more environments).
_api_environment = threading.RLock()
_environments: dict[str, threading.RLock] = {}


def _environment(spec: FunctionSpec) -> threading.RLock:
    if spec.routes:
        return _api_environment
    with _import_lock:
        return _environments.setdefault(spec.logical_id, threading.RLock())


def invoke(spec: FunctionSpec, event: dict[str, Any], *, region: str = "us-east-1") -> Any:
    """Run the function's handler once, with a fresh context, as Lambda would: alone (see above)."""
    handler = load_handler(spec)
    with _environment(spec):
        return handler(event, LambdaContext.for_function(spec, region=region))
