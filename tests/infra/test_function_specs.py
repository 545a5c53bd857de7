"""The template's functions as the local stack drives them, and how their handlers are loaded."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from infra.functions import FunctionSpec, LambdaContext, Route, function_specs, invoke, load_handler
from infra.template import TEMPLATE, Resolver, TemplateError, load_template

WriteFunction = Callable[[str, str], Path]


def specs_of_the_template() -> dict[str, FunctionSpec]:
    template = load_template()
    resolver = Resolver(
        template,
        parameters={"Stage": "test", "PublicApiUrl": "https://api.test"},
        region="us-east-1",
        account_id="123456789012",
        stack_name="s",
    )
    # Functions' own variables may name resources the stack creates: here, as provisioning does.
    resolver.bind("UserPool", "us-east-1_testpool")
    resolver.bind("LtiPlatformKeyBlue", "key-blue")
    resolver.bind("LtiPlatformKeyGreen", "key-green")
    resolver.bind("MailConfigurationSet", "lms-test-mail")
    resolver.bind("UnsubscribeSecret", "arn:aws:secretsmanager:us-east-1:123456789012:secret:unsubscribe")
    resolver.bind("CommerceSecret", "arn:aws:secretsmanager:us-east-1:123456789012:secret:commerce")
    specs = function_specs(template, {"TABLE_NAME": "lms-test"}, resolve=resolver.resolve)
    return {spec.logical_id: spec for spec in specs}


def test_api_routes_come_from_the_api_events_and_only_health_and_the_store_s_orders_are_public() -> None:
    courses = specs_of_the_template()["CoursesFunction"]

    assert Route("GET", "/health", public=True) in courses.routes
    assert Route("POST", "/courses", public=False) in courses.routes
    assert Route("PATCH", "/courses/{course_id}/lessons/{lesson_id}", public=False) in courses.routes
    assert [route for route in courses.routes if route.public] == [
        Route("GET", "/health", public=True),
        Route("POST", "/commerce/institutions/{institution_id}/orders", public=True),
    ]
    assert courses.code_dir == TEMPLATE.parent / "functions" / "courses"
    assert courses.function_name == "lms-test-courses"


def test_the_unsubscribe_link_is_the_only_public_route_of_notifications() -> None:
    public = {
        (spec.logical_id, route)
        for spec in specs_of_the_template().values()
        for route in spec.routes
        if route.public and route.path.startswith("/notifications")
    }
    assert public == {
        ("UnsubscribeFunction", Route("GET", "/notifications/unsubscribe", public=True)),
        ("UnsubscribeFunction", Route("POST", "/notifications/unsubscribe", public=True)),
    }


def test_only_the_courses_function_reads_the_commerce_secret() -> None:
    specs = specs_of_the_template()

    assert specs["CoursesFunction"].environment["COMMERCE_SECRET_ARN"].endswith(":secret:commerce")
    assert [name for name, spec in specs.items() if "COMMERCE_SECRET_ARN" in spec.environment] == [
        "CoursesFunction"
    ]


def test_a_function_environment_is_the_global_one_with_its_own_on_top() -> None:
    courses = specs_of_the_template()["CoursesFunction"]

    assert courses.environment["TABLE_NAME"] == "lms-test"
    assert courses.environment["POWERTOOLS_SERVICE_NAME"] == "courses"


def test_a_function_variable_naming_a_resource_gets_the_resource_s_physical_id() -> None:
    users = specs_of_the_template()["UsersFunction"]

    assert users.environment["USER_POOL_ID"] == "us-east-1_testpool"
    assert "USER_POOL_ID" not in specs_of_the_template()["CoursesFunction"].environment


def test_the_outbox_relay_consumes_the_stream_with_the_template_filter_and_retry_policy() -> None:
    relay = specs_of_the_template()["OutboxRelayFunction"]

    assert relay.stream
    assert relay.sqs_queue is None
    assert relay.batch_size == 100
    assert relay.stream_filter == {
        "eventName": ["INSERT"],
        "dynamodb": {"NewImage": {"entity": {"S": ["outbox"]}}},
    }
    assert relay.report_batch_item_failures
    assert relay.maximum_retry_attempts == 20
    assert relay.on_failure_queue == "OutboxRelayDLQ"


def test_the_progress_consumer_consumes_its_queue() -> None:
    consumer = specs_of_the_template()["ProgressConsumerFunction"]

    assert consumer.sqs_queue == "ProgressEventsQueue"
    assert not consumer.stream
    assert consumer.batch_size == 10
    assert consumer.report_batch_item_failures
    assert consumer.routes == ()


def test_the_outbox_sweeper_runs_on_its_schedule() -> None:
    sweeper = specs_of_the_template()["OutboxSweeperFunction"]

    assert sweeper.schedules == (300.0,)
    assert (sweeper.routes, sweeper.stream, sweeper.sqs_queue) == ((), False, None)


def test_any_function_may_declare_rate_schedules() -> None:
    template = load_template()
    relay = template["Resources"]["OutboxRelayFunction"]["Properties"]
    relay["Events"]["Nightly"] = {"Type": "Schedule", "Properties": {"Schedule": "rate(1 day)"}}
    relay["Events"]["Hourly"] = {"Type": "ScheduleV2", "Properties": {"ScheduleExpression": "rate(2 hours)"}}

    (spec,) = [
        s for s in function_specs(template, {}, resolve=lambda v: v) if s.logical_id == "OutboxRelayFunction"
    ]
    assert spec.schedules == (86400.0, 7200.0)


@pytest.mark.parametrize(
    "event",
    [
        {"Type": "Schedule", "Properties": {"Schedule": "cron(0 12 * * ? *)"}},
        {"Type": "Schedule", "Properties": {"Schedule": "rate(1 day)", "Enabled": False}},
        {"Type": "Kinesis", "Properties": {}},
    ],
)
def test_an_event_source_the_local_stack_cannot_drive_is_refused(event: dict[str, Any]) -> None:
    template = load_template()
    relay = template["Resources"]["OutboxRelayFunction"]["Properties"]
    relay["Events"]["Nightly"] = event

    with pytest.raises(TemplateError, match=r"OutboxRelayFunction\.Events\.Nightly"):
        function_specs(template, {}, resolve=lambda value: value)


def test_handlers_of_two_functions_with_the_same_module_name_load_separately(
    write_function: WriteFunction,
) -> None:
    first = FunctionSpec(
        "First", write_function("first", "def handler(e, c):\n    return 'first'\n"), "app.handler"
    )
    second = FunctionSpec(
        "Second", write_function("second", "def handler(e, c):\n    return 'second'\n"), "app.handler"
    )

    assert invoke(first, {}) == "first"
    assert invoke(second, {}) == "second"
    assert load_handler(first) is load_handler(first)


def test_module_setup_sees_the_function_environment_which_is_then_restored(
    write_function: WriteFunction, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("POWERTOOLS_SERVICE_NAME", "someone-else")
    folder = write_function(
        "named",
        """
        import os

        SERVICE = os.environ["POWERTOOLS_SERVICE_NAME"]

        def handler(event, context):
            return SERVICE
        """,
    )
    spec = FunctionSpec("Named", folder, "app.handler", environment={"POWERTOOLS_SERVICE_NAME": "named"})

    assert invoke(spec, {}) == "named"
    assert __import__("os").environ["POWERTOOLS_SERVICE_NAME"] == "someone-else"


def test_a_missing_handler_module_says_which_function(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="Ghost"):
        load_handler(FunctionSpec("Ghost", tmp_path, "app.handler"))


def test_each_invocation_gets_a_fresh_context(write_function: WriteFunction) -> None:
    folder = write_function(
        "context",
        """
        def handler(event, context):
            return {
                "request": context.aws_request_id,
                "arn": context.invoked_function_arn,
                "memory": context.memory_limit_in_mb,
                "remaining": context.get_remaining_time_in_millis(),
                "group": context.log_group_name,
            }
        """,
    )
    spec = FunctionSpec("Ctx", folder, "app.handler", function_name="lms-t-ctx", timeout=15, memory_size=512)

    first, second = invoke(spec, {}, region="eu-west-1"), invoke(spec, {}, region="eu-west-1")

    assert first["request"] != second["request"]
    assert first["arn"] == "arn:aws:lambda:eu-west-1:123456789012:function:lms-t-ctx"
    assert first["memory"] == 512
    assert 14_000 < first["remaining"] <= 15_000
    assert first["group"] == "/aws/lambda/lms-t-ctx"
    assert json.dumps(first)


def test_remaining_time_counts_down_to_zero() -> None:
    context = LambdaContext("f", timeout_seconds=0)
    assert context.get_remaining_time_in_millis() == 0


def test_the_announcement_scheduler_runs_every_minute() -> None:
    scheduler = specs_of_the_template()["AnnouncementSchedulerFunction"]

    assert scheduler.schedules == (60.0,)
    assert (scheduler.routes, scheduler.stream, scheduler.sqs_queue) == ((), False, None)


def test_the_due_soon_reminders_run_every_quarter_hour() -> None:
    reminders = specs_of_the_template()["DueReminderFunction"]

    assert reminders.schedules == (900.0,)
    assert (reminders.routes, reminders.stream, reminders.sqs_queue) == ((), False, None)
