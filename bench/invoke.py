"""Calling an API function's handler directly with API Gateway REST proxy events, measured or not.

The gateway emulation (token verification, routing) is not our code, so it is left out: events are
built with `infra.gateway.build_rest_event` carrying the claims a Cognito authorizer would pass.
"""

from __future__ import annotations

import contextlib
import dataclasses
import io
import json
import math
import os
import time
import uuid
import warnings
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import boto3
from moto import mock_aws

from infra.functions import FunctionSpec, LambdaContext, load_handler
from infra.gateway import build_rest_event
from infra.instrument import AwsCallRecorder
from infra.provision import Stack, provision
from lms.settings import get_settings
from lms.users.access import AccountState, read_account_state
from lms.users.access import gate as account_gate

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

REGION = "us-east-1"
STAGE = "bench"


class BenchError(RuntimeError):
    """A scenario could not run as designed (a wrong status, a missing scenario, a drifted count)."""


@dataclass(frozen=True)
class Caller:
    """A fake verified principal: the claims API Gateway's Cognito authorizer hands to the function."""

    user_id: str
    institution_id: str  # "" for a platform admin, who belongs to no institution
    groups: tuple[str, ...]

    def claims(self) -> dict[str, Any]:
        claims: dict[str, Any] = {
            "sub": self.user_id,
            "cognito:groups": list(self.groups),
            "email": f"{self.user_id}@bench.example",
        }
        if self.institution_id:
            claims["custom:institution_id"] = self.institution_id
        return claims


@dataclass(frozen=True)
class ApiCall:
    method: str
    resource: str  # the template's path, e.g. /courses/{course_id}
    caller: Caller | None
    path_params: Mapping[str, str] = field(default_factory=dict)
    body: Any = None
    headers: Mapping[str, str] = field(default_factory=dict)
    query: Mapping[str, str] = field(default_factory=dict)
    raw_body: str | None = None  # sent as it is (a form), where `body` is sent as JSON

    @property
    def path(self) -> str:
        path = self.resource
        for name, value in self.path_params.items():
            path = path.replace("{" + name + "}", quote(value, safe=""))
        return path

    def event(self) -> dict[str, Any]:
        headers = {"Accept": "application/json", **self.headers}
        body = self.raw_body
        if self.body is not None:
            body = json.dumps(self.body)
            headers.setdefault("Content-Type", "application/json")
        return build_rest_event(
            method=self.method,
            resource=self.resource,
            path=self.path,
            path_params=self.path_params,
            headers=headers,
            query={name: [value] for name, value in self.query.items()},
            body=body,
            claims=self.caller.claims() if self.caller else None,
            stage=STAGE,
            request_id=str(uuid.uuid4()),
            region=REGION,
        )


@dataclass(frozen=True)
class Answer:
    status: int
    headers: Mapping[str, str]
    body: str

    def json(self) -> Any:
        return json.loads(self.body) if self.body else None

    def version(self) -> int:
        """The ETag as the version an If-Match sends back."""
        etag = next((v for k, v in self.headers.items() if k.lower() == "etag"), None)
        if etag is None:
            raise BenchError(f"the answer carries no ETag: {self.status} {self.body[:200]}")
        return int(etag.removeprefix("W/").strip('"'))


@dataclass(frozen=True)
class Sample:
    """One measured call: the AWS requests it made and the seconds spent outside them."""

    requests: Mapping[str, int]  # DynamoDB requests by name ("GetItem")
    other_calls: Mapping[str, int]  # other AWS services, "service:Operation"
    handler_seconds: float  # wall time of handler(event, context) minus the time inside botocore


def _answer(result: Any) -> Answer:
    if not isinstance(result, dict) or "statusCode" not in result:
        raise BenchError(f"the handler returned no proxy response: {result!r:.200}")
    headers = {k: str(v) for k, v in (result.get("headers") or {}).items()}
    for name, values in (result.get("multiValueHeaders") or {}).items():
        headers.setdefault(name, ", ".join(str(v) for v in values))
    return Answer(int(result["statusCode"]), headers, str(result.get("body") or ""))


def _other_calls(recorder: AwsCallRecorder) -> dict[str, int]:
    return {
        f"{service}:{op}": n for (service, op), n in sorted(recorder.calls.items()) if service != "dynamodb"
    }


class ApiFunction:
    """One API function of the stack, invoked in-process as Lambda would invoke it."""

    def __init__(self, stack: Stack, spec: FunctionSpec) -> None:
        self.stack = stack
        self.spec = spec
        self._handler = load_handler(spec)
        self._accounts: dict[Caller, AccountState | None] = {}
        # Metrics (EMF) are printed: the sink stands in for Lambda's stdout, not for a terminal.
        self._stdout = io.StringIO()

    @property
    def handler_module(self) -> str:
        return self._handler.__module__

    def _use_environment(self) -> None:
        # Functions share this process: a call sees its own function's variables, as in Lambda.
        changed = {k: v for k, v in self.spec.environment.items() if os.environ.get(k) != v}
        if changed:
            os.environ.update(changed)
            get_settings.cache_clear()

    def keep_account_check_warm(self, caller: Caller | None) -> None:
        """Refresh the container's cached account check of `caller` (read once, outside any recording).

        Every request checks the caller's account (lms.users.access): one GetItem per user and
        container every 30 s. Measured calls see the steady state, whatever the run's duration.
        """
        if caller is None or not caller.institution_id:
            return
        self._use_environment()
        if caller not in self._accounts:
            self._accounts[caller] = read_account_state(caller.institution_id, caller.user_id)
        account_gate.remember(caller.institution_id, caller.user_id, self._accounts[caller])

    @cached_property
    def _dynamodb(self) -> DynamoDBClient:
        return boto3.client("dynamodb", region_name=self.stack.region)

    def purge(self, entities: Collection[str]) -> None:
        """Delete every item of these entities from the table (set-up: outside any recording)."""
        if not entities:
            return
        values: dict[str, Any] = {f":e{i}": {"S": entity} for i, entity in enumerate(sorted(entities))}
        pages = self._dynamodb.get_paginator("scan").paginate(
            TableName=self.stack.table_name,
            ProjectionExpression="#pk, #sk",
            FilterExpression=f"#entity IN ({', '.join(values)})",
            ExpressionAttributeNames={"#pk": "PK", "#sk": "SK", "#entity": "entity"},
            ExpressionAttributeValues=values,
        )
        for page in pages:
            found = page.get("Items", [])
            for start in range(0, len(found), 25):
                deletes: list[Any] = [{"DeleteRequest": {"Key": key}} for key in found[start : start + 25]]
                self._dynamodb.batch_write_item(RequestItems={self.stack.table_name: deletes})

    def send(self, call: ApiCall, expect: int) -> Answer:
        """An unmeasured call (set-up) that must answer `expect`."""
        answer, _ = self.measure(call)
        if answer.status != expect:
            raise BenchError(
                f"set-up {call.method} {call.path} answered {answer.status}: {answer.body[:500]}"
            )
        return answer

    def measure(self, call: ApiCall) -> tuple[Answer, Sample]:
        self._use_environment()
        event = call.event()
        context = LambdaContext.for_function(self.spec, region=self.stack.region)
        recorder = AwsCallRecorder()
        with contextlib.redirect_stdout(self._stdout), recorder.recording():
            started = time.perf_counter()
            result = self._handler(event, context)
            wall = time.perf_counter() - started
        self._stdout.seek(0)
        self._stdout.truncate()
        sample = Sample(recorder.operations(), _other_calls(recorder), wall - recorder.seconds)
        return _answer(result), sample


class EmulatedAws:
    """In-process moto; `fresh()` provisions the template's stack again under a stage of its own.

    moto's TransactWriteItems deep-copies the table, with its whole stream history, on every call.
    Unless a scenario's set-up runs the event pipeline, the table is created again without a
    stream, and a new stack bounds the table's size; otherwise the run would slow with every write
    (not the measurement: time inside botocore is excluded). moto's other state is left
    alone, so another mock of this process (the stack of a test module) keeps its data. Entering sets
    moto's credentials and the stack's variables; leaving deletes the tables and restores the
    process environment.
    """

    def __init__(self) -> None:
        self._mock = mock_aws()
        self._saved_environment: dict[str, str] = {}
        self._warnings = warnings.catch_warnings()
        self._stacks: list[Stack] = []
        self.stack: Stack | None = None

    def __enter__(self) -> EmulatedAws:
        self._saved_environment = dict(os.environ)
        for name in ("AWS_PROFILE", "AWS_ENDPOINT_URL"):
            os.environ.pop(name, None)
        os.environ.update(
            AWS_ACCESS_KEY_ID="bench",
            AWS_SECRET_ACCESS_KEY="bench",  # noqa: S106 - moto's dummy credentials
            AWS_DEFAULT_REGION=REGION,
            AWS_REGION=REGION,
        )
        self._warnings.__enter__()
        # Powertools warns on every call that adds no metric.
        warnings.filterwarnings("ignore", message="No application metrics to publish")
        # Transactions rolled back from a copy of what they touch, as in the local stack, and every
        # client's calls counted: both process-wide, before the first client is made.
        AwsCallRecorder.install()
        self._mock.start()
        self.fresh()
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            client = boto3.client("dynamodb", region_name=REGION)
            for stack in self._stacks:
                client.delete_table(TableName=stack.table_name)
        finally:
            self._mock.stop()
            self._warnings.__exit__(None, None, None)
            os.environ.clear()
            os.environ.update(self._saved_environment)
            get_settings.cache_clear()

    def fresh(self, *, keep_stream: bool = False) -> Stack:
        """A new stack with an empty table; the process environment points at it."""
        if self.stack is not None:
            _delete_delivery_streams(self.stack)
        stack = provision(region=REGION, stage=f"{STAGE}-{uuid.uuid4().hex[:8]}")
        if not keep_stream:
            _drop_stream(stack.table_name)
            stack = dataclasses.replace(stack, stream_arn="")
        self._stacks.append(stack)
        self.stack = stack
        os.environ.update(stack.env)
        get_settings.cache_clear()
        return stack

    def require_stack(self) -> Stack:
        if self.stack is None:
            raise BenchError("the emulated stack is used outside `with EmulatedAws()`")
        return self.stack

    def api_functions(self) -> list[ApiFunction]:
        stack = self.require_stack()
        return [ApiFunction(stack, spec) for spec in stack.functions if spec.routes]


def _delete_delivery_streams(stack: Stack) -> None:
    """Delete a stack's Firehose streams before the next stack is made.

    moto enforces Firehose's quota of 50 delivery streams per account and region, and a full run
    provisions a stack per scenario group; the stack that is left is no longer measured. The
    template names every resource after the stage (`lms-<stage>-...`).
    """
    firehose = boto3.client("firehose", region_name=REGION)
    prefix = f"lms-{stack.stage}-"
    names = firehose.list_delivery_streams(Limit=10000)["DeliveryStreamNames"]
    for name in names:
        if name.startswith(prefix):
            firehose.delete_delivery_stream(DeliveryStreamName=name, AllowForceDelete=True)


def _drop_stream(table_name: str) -> None:
    """Create the table again with the same keys and indexes but no stream (moto keeps no history)."""
    client = boto3.client("dynamodb", region_name=REGION)
    table = client.describe_table(TableName=table_name)["Table"]
    options: dict[str, Any] = {}
    if indexes := table.get("GlobalSecondaryIndexes"):
        options["GlobalSecondaryIndexes"] = [
            {"IndexName": i["IndexName"], "KeySchema": i["KeySchema"], "Projection": i["Projection"]}
            for i in indexes
        ]
    client.delete_table(TableName=table_name)
    client.create_table(
        TableName=table_name,
        AttributeDefinitions=table["AttributeDefinitions"],
        KeySchema=table["KeySchema"],
        BillingMode="PAY_PER_REQUEST",
        **options,
    )


def percentile(values: Sequence[float], fraction: float) -> float:
    """Nearest-rank percentile (p99 of 200 values is the third largest)."""
    if not values:
        raise ValueError("no values")
    ordered = sorted(values)
    rank = max(1, math.ceil(fraction * len(ordered)))
    return ordered[rank - 1]
