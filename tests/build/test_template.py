"""Deployability rules for template.yaml that cfn-lint and `sam validate --lint` do not check.

Both linters run in `make test` already; these tests hold the house rules: the runtime and
architecture, a build that needs no python3.13 or Docker, least privilege, and no failure that
goes unnoticed (every consumed queue and stream has a dead-letter queue with an alarm on it).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cfnlint.decode import cfn_yaml

TEMPLATE = Path(__file__).resolve().parents[2] / "template.yaml"

# SAM policy templates and managed policies broader than any one function needs.
BROAD_POLICY_SUFFIXES = (
    "CrudPolicy",
    "FullAccess",
    "FullAccessPolicy",
    "AdministratorAccess",
    "PowerUserAccess",
)
# Actions that AWS only grants on every resource.
ACTIONS_WITHOUT_RESOURCE_SCOPE = {
    "xray:PutTraceSegments",
    "xray:PutTelemetryRecords",
    "cloudwatch:PutMetricData",
}


@pytest.fixture(scope="module")
def template() -> dict[str, Any]:
    loaded: dict[str, Any] = cfn_yaml.load(str(TEMPLATE))
    return loaded


@pytest.fixture(scope="module")
def resources(template: dict[str, Any]) -> dict[str, Any]:
    found: dict[str, Any] = template["Resources"]
    return found


@pytest.fixture(scope="module")
def functions(resources: dict[str, Any]) -> dict[str, Any]:
    found = {name: r for name, r in resources.items() if r["Type"] == "AWS::Serverless::Function"}
    assert found, "the template declares no function"
    return found


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _get_att(value: Any) -> tuple[str, str] | None:
    """(resource, attribute) of a `!GetAtt`, in either of its spellings."""
    if not isinstance(value, dict) or "Fn::GetAtt" not in value:
        return None
    target = value["Fn::GetAtt"]
    resource, attribute = target.split(".", 1) if isinstance(target, str) else target
    return str(resource), str(attribute)


def _policy_statements(function: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for policy in _as_list(function["Properties"].get("Policies", [])):
        if isinstance(policy, dict) and "Statement" in policy:
            yield from _as_list(policy["Statement"])


def _alarmed_queues(resources: dict[str, Any]) -> set[str]:
    """Queues whose depth raises an alarm that notifies someone."""
    alarmed = set()
    for alarm in resources.values():
        if alarm["Type"] != "AWS::CloudWatch::Alarm" or not alarm["Properties"].get("AlarmActions"):
            continue
        for dimension in alarm["Properties"].get("Dimensions", []):
            queue = _get_att(dimension.get("Value"))
            if dimension.get("Name") == "QueueName" and queue and queue[1] == "QueueName":
                alarmed.add(queue[0])
    return alarmed


def _sub_or_literal(value: Any) -> Any:
    return value.get("Fn::Sub") if isinstance(value, dict) else value


def _timeout(function: dict[str, Any], template: dict[str, Any]) -> int:
    default = template.get("Globals", {}).get("Function", {}).get("Timeout", 3)
    return int(function["Properties"].get("Timeout", default))


def test_every_function_runs_python_313_on_arm64(template: dict[str, Any], functions: dict[str, Any]) -> None:
    globals_ = template["Globals"]["Function"]
    overrides = {
        name: {key: f["Properties"][key] for key in ("Runtime", "Architectures") if key in f["Properties"]}
        for name, f in functions.items()
    }

    assert globals_["Runtime"] == "python3.13"
    assert globals_["Architectures"] == ["arm64"]
    assert {name: o for name, o in overrides.items() if o} == {}


def test_every_function_and_layer_builds_without_docker_or_python_313(resources: dict[str, Any]) -> None:
    built = {
        name: r.get("Metadata", {})
        for name, r in resources.items()
        if r["Type"] in ("AWS::Serverless::Function", "AWS::Serverless::LayerVersion")
    }
    not_makefile = [name for name, metadata in built.items() if metadata.get("BuildMethod") != "makefile"]
    # Functions share the root Makefile's build-%Function rule.
    functions_elsewhere = [
        name
        for name, metadata in built.items()
        if resources[name]["Type"] == "AWS::Serverless::Function"
        and (metadata.get("ContextPath") != "." or not name.endswith("Function"))
    ]

    assert not_makefile == []
    assert functions_elsewhere == []


def test_no_function_policy_grants_wildcard_actions_or_resources(functions: dict[str, Any]) -> None:
    wildcards = [
        (name, statement.get("Action"), statement.get("Resource"))
        for name, function in functions.items()
        for statement in _policy_statements(function)
        if any("*" in action for action in _as_list(statement.get("Action", [])))
        or "NotAction" in statement
        or (
            "*" in _as_list(statement.get("Resource", []))
            and not set(_as_list(statement.get("Action", []))) <= ACTIONS_WITHOUT_RESOURCE_SCOPE
        )
    ]

    assert wildcards == []


def test_no_function_holds_a_broad_managed_policy_or_policy_template(functions: dict[str, Any]) -> None:
    names = [
        (function_name, policy if isinstance(policy, str) else key)
        for function_name, function in functions.items()
        for policy in _as_list(function["Properties"].get("Policies", []))
        for key in ([policy] if isinstance(policy, str) else list(policy))
    ]

    assert [(f, name) for f, name in names if str(name).endswith(BROAD_POLICY_SUFFIXES)] == []


def test_no_function_may_scan_the_table(functions: dict[str, Any]) -> None:
    scanners = [
        name
        for name, function in functions.items()
        for statement in _policy_statements(function)
        if "dynamodb:Scan" in _as_list(statement.get("Action", []))
    ]

    assert scanners == []


def test_every_consumed_queue_redrives_to_an_alarmed_dead_letter_queue(
    template: dict[str, Any], resources: dict[str, Any], functions: dict[str, Any]
) -> None:
    alarmed = _alarmed_queues(resources)
    consumed = [
        (name, _get_att(event["Properties"]["Queue"]))
        for name, function in functions.items()
        for event in function["Properties"].get("Events", {}).values()
        if event["Type"] == "SQS"
    ]
    problems = []
    for function_name, queue_ref in consumed:
        assert queue_ref is not None, f"{function_name} must consume a queue of this template"
        queue = resources[queue_ref[0]]["Properties"]
        redrive = queue.get("RedrivePolicy", {})
        dead_letter = _get_att(redrive.get("deadLetterTargetArn"))
        if dead_letter is None or not redrive.get("maxReceiveCount"):
            problems.append(f"{queue_ref[0]} has no redrive to a dead-letter queue")
        elif dead_letter[0] not in alarmed:
            problems.append(f"{dead_letter[0]} has no alarm on its depth")
        # Lambda refuses an SQS trigger whose queue hides messages for less than the function runs.
        if int(queue.get("VisibilityTimeout", 30)) < _timeout(functions[function_name], template):
            problems.append(f"{queue_ref[0]} visibility timeout is shorter than {function_name}'s timeout")

    assert problems == []


def test_every_stream_consumer_sends_failures_to_an_alarmed_queue(
    resources: dict[str, Any], functions: dict[str, Any]
) -> None:
    alarmed = _alarmed_queues(resources)
    streams = {
        f"{name}.{event_name}": event["Properties"]
        for name, function in functions.items()
        for event_name, event in function["Properties"].get("Events", {}).items()
        if event["Type"] in ("DynamoDB", "Kinesis")
    }
    unwatched = {
        stream: properties.get("DestinationConfig")
        for stream, properties in streams.items()
        if (
            (
                queue := _get_att(
                    properties.get("DestinationConfig", {}).get("OnFailure", {}).get("Destination")
                )
            )
            is None
            or queue[0] not in alarmed
        )
    }

    assert unwatched == {}


def test_every_function_log_group_has_a_retention(
    resources: dict[str, Any], functions: dict[str, Any]
) -> None:
    retained = {
        _sub_or_literal(r["Properties"].get("LogGroupName"))
        for r in resources.values()
        if r["Type"] == "AWS::Logs::LogGroup" and "RetentionInDays" in r["Properties"]
    }

    assert [name for name in functions if f"/aws/lambda/${{{name}}}" not in retained] == []


def test_every_function_reserves_its_concurrency_from_a_parameter(
    template: dict[str, Any], functions: dict[str, Any]
) -> None:
    parameters = template["Parameters"]
    for name, function in functions.items():
        reserved = function["Properties"].get("ReservedConcurrentExecutions")
        assert isinstance(reserved, dict), f"{name} reserves no concurrency"
        assert reserved.get("Ref") in parameters, f"{name}: the reservation is not a template parameter"
        for event in (function["Properties"].get("Events") or {}).values():
            if event["Type"] == "SQS":
                scaling = event["Properties"].get("ScalingConfig") or {}
                assert scaling.get("MaximumConcurrency") == reserved, f"{name}: more pollers than reserved"


def test_every_api_answer_refused_by_the_gateway_carries_the_security_headers(
    resources: dict[str, Any],
) -> None:
    (api,) = (r for r in resources.values() if r["Type"] == "AWS::Serverless::Api")
    for kind, response in api["Properties"]["GatewayResponses"].items():
        headers = response["ResponseParameters"]["Headers"]
        for name in ("Strict-Transport-Security", "X-Content-Type-Options", "Cache-Control"):
            assert name in headers, f"gateway response {kind} lacks {name}"
        assert "Access-Control-Allow-Origin" in headers, f"gateway response {kind} lacks CORS"
