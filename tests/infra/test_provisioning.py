"""Provisioning the template's resources in moto, in-process and against a moto server."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import boto3
import pytest
import yaml
from moto import mock_aws

from infra.functions import FunctionSpec
from infra.provision import ProvisionError, Stack, provision
from infra.pump import EventPump
from infra.template import load_template

WriteFunction = Callable[[str, str], Path]


def template_copy(tmp_path: Path, change: Callable[[dict[str, Any]], None]) -> Path:
    """template.yaml, changed, written in long form (which CloudFormation reads as well)."""
    template = load_template()
    change(template)
    path = tmp_path / "template.yaml"
    path.write_text(yaml.safe_dump(template, sort_keys=False), encoding="utf-8")
    return path


def test_the_table_has_the_template_keys_index_stream_and_ttl(stack: Stack) -> None:
    dynamodb = boto3.client("dynamodb", region_name=stack.region)

    table = dynamodb.describe_table(TableName=stack.table_name)["Table"]
    ttl = dynamodb.describe_time_to_live(TableName=stack.table_name)["TimeToLiveDescription"]

    assert stack.table_name == "lms-local"
    assert {key["AttributeName"]: key["KeyType"] for key in table["KeySchema"]} == {
        "PK": "HASH",
        "SK": "RANGE",
    }
    assert [index["IndexName"] for index in table["GlobalSecondaryIndexes"]] == ["GSI1"]
    assert table["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    assert table["StreamSpecification"] == {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"}
    assert table["LatestStreamArn"] == stack.stream_arn
    assert (ttl["AttributeName"], ttl["TimeToLiveStatus"]) == ("expires_at", "ENABLED")


def test_consumer_queues_redrive_to_their_dead_letter_queue(stack: Stack) -> None:
    sqs = boto3.client("sqs", region_name=stack.region)
    queue, dlq = stack.queues["ProgressEventsQueue"], stack.queues["ProgressEventsDLQ"]

    attributes = sqs.get_queue_attributes(QueueUrl=queue.url, AttributeNames=["All"])["Attributes"]

    assert json.loads(attributes["RedrivePolicy"]) == {"deadLetterTargetArn": dlq.arn, "maxReceiveCount": 5}
    assert attributes["VisibilityTimeout"] == "90"
    assert attributes["MessageRetentionPeriod"] == "345600"
    assert (queue.dlq_url, queue.max_receive_count, queue.visibility_timeout) == (dlq.url, 5, 90)
    assert queue.url.endswith("/lms-local-progress-events")


def test_the_progress_rule_on_the_bus_targets_the_progress_queue_which_allows_it(stack: Stack) -> None:
    events = boto3.client("events", region_name=stack.region)
    sqs = boto3.client("sqs", region_name=stack.region)
    queue = stack.queues["ProgressEventsQueue"]

    rule = events.describe_rule(Name="lms-local-progress-events", EventBusName=stack.bus_name)
    targets = events.list_targets_by_rule(Rule=rule["Name"], EventBusName=stack.bus_name)["Targets"]
    policy = json.loads(
        sqs.get_queue_attributes(QueueUrl=queue.url, AttributeNames=["Policy"])["Attributes"]["Policy"]
    )

    assert stack.bus_name == "lms-local"
    assert json.loads(rule["EventPattern"]) == {
        "source": ["lms.courses"],
        "detail-type": [
            "CoursePublished",
            "CourseArchived",
            "LessonAdded",
            "LessonUpdated",
            "LessonRemoved",
            "StudentEnrolled",
            "StudentDropped",
        ],
    }
    assert [target["Arn"] for target in targets] == [queue.arn]
    statement = policy["Statement"][0]
    assert statement["Resource"] == queue.arn
    assert statement["Condition"]["ArnEquals"]["aws:SourceArn"] == rule["Arn"]


def test_the_user_pool_has_the_tenant_attribute_app_client_and_role_groups(stack: Stack) -> None:
    cognito = boto3.client("cognito-idp", region_name=stack.region)

    pool = cognito.describe_user_pool(UserPoolId=stack.user_pool_id)["UserPool"]
    client = cognito.describe_user_pool_client(
        UserPoolId=stack.user_pool_id, ClientId=stack.user_pool_client_id
    )
    groups = cognito.list_groups(UserPoolId=stack.user_pool_id)["Groups"]

    assert pool["Name"] == "lms-local"
    assert "custom:institution_id" in {attribute["Name"] for attribute in pool["SchemaAttributes"]}
    assert pool["Policies"]["PasswordPolicy"]["MinimumLength"] == 12
    assert "ALLOW_ADMIN_USER_PASSWORD_AUTH" in client["UserPoolClient"]["ExplicitAuthFlows"]
    assert client["UserPoolClient"]["WriteAttributes"] == ["given_name", "family_name"]
    assert {group["GroupName"]: group["Precedence"] for group in groups} == {
        "platform-admins": 0,
        "institution-admins": 1,
        "instructors": 2,
        "students": 3,
    }


def test_the_handler_environment_is_the_template_globals_resolved(stack: Stack) -> None:
    assert stack.env["TABLE_NAME"] == stack.table_name
    assert stack.env["EVENT_BUS_NAME"] == stack.bus_name
    assert stack.env["STAGE"] == "local"
    assert stack.env["POWERTOOLS_METRICS_NAMESPACE"] == "LMS"
    assert stack.env["POWERTOOLS_TRACE_DISABLED"] == "true"
    assert "AWS_ENDPOINT_URL" not in stack.env
    assert stack.outputs["UserPoolClientId"] == stack.user_pool_client_id
    assert {spec.logical_id for spec in stack.functions} >= {"CoursesFunction", "OutboxRelayFunction"}


def test_a_changed_template_changes_the_local_stack(tmp_path: Path) -> None:
    def change(template: dict[str, Any]) -> None:
        resources = template["Resources"]
        resources["ProgressEventsQueue"]["Properties"]["VisibilityTimeout"] = 120
        resources["ProgressEventsQueue"]["Properties"]["RedrivePolicy"]["maxReceiveCount"] = 3
        resources["MentorsGroup"] = {
            "Type": "AWS::Cognito::UserPoolGroup",
            "Properties": {"GroupName": "mentors", "UserPoolId": {"Ref": "UserPool"}, "Precedence": 4},
        }

    with mock_aws():
        stack = provision(template_path=template_copy(tmp_path, change), stage="changed")
        groups = boto3.client("cognito-idp").list_groups(UserPoolId=stack.user_pool_id)["Groups"]

    queue = stack.queues["ProgressEventsQueue"]
    assert (queue.visibility_timeout, queue.max_receive_count) == (120, 3)
    assert "mentors" in {group["GroupName"] for group in groups}
    assert stack.table_name == "lms-changed"


def test_a_resource_type_the_local_stack_does_not_know_is_refused_before_anything_is_created(
    tmp_path: Path,
) -> None:
    def change(template: dict[str, Any]) -> None:
        template["Resources"]["Feed"] = {"Type": "AWS::Kinesis::Stream", "Properties": {"ShardCount": 1}}

    with mock_aws():
        with pytest.raises(ProvisionError, match=r"Feed \(AWS::Kinesis::Stream\)"):
            provision(template_path=template_copy(tmp_path, change))
        assert boto3.client("dynamodb").list_tables()["TableNames"] == []


def test_a_consumer_queue_hiding_messages_for_less_than_the_function_timeout_is_refused(
    tmp_path: Path,
) -> None:
    def change(template: dict[str, Any]) -> None:
        template["Resources"]["ProgressEventsQueue"]["Properties"]["VisibilityTimeout"] = 10

    with mock_aws(), pytest.raises(ProvisionError, match="ProgressConsumerFunction"):
        provision(template_path=template_copy(tmp_path, change))


def test_the_stack_works_against_a_moto_server(
    moto_server: str, write_function: WriteFunction, monkeypatch: pytest.MonkeyPatch
) -> None:
    stack = provision(endpoint_url=moto_server, stage="server")
    for name, value in stack.env.items():
        monkeypatch.setenv(name, value)
    relay = next(spec for spec in stack.functions if spec.logical_id == "OutboxRelayFunction")
    consumer = next(spec for spec in stack.functions if spec.logical_id == "ProgressConsumerFunction")
    seen_folder = write_function("server_seen", "def handler(event, context):\n    return None\n")
    stack.functions = [
        FunctionSpec(
            relay.logical_id, seen_folder, "app.handler", stream=True, stream_filter=relay.stream_filter
        ),
        FunctionSpec(consumer.logical_id, seen_folder, "app.handler", sqs_queue="ProgressEventsQueue"),
    ]
    dynamodb = boto3.client("dynamodb", endpoint_url=moto_server)
    events = boto3.client("events", endpoint_url=moto_server)

    dynamodb.put_item(
        TableName=stack.table_name,
        Item={"PK": {"S": "OUTBOX#1"}, "SK": {"S": "OUTBOX#1"}, "entity": {"S": "outbox"}},
    )
    events.put_events(
        Entries=[
            {
                "EventBusName": stack.bus_name,
                "Source": "lms.courses",
                "DetailType": "LessonAdded",
                "Detail": "{}",
            }
        ]
    )
    report = EventPump(stack).drain()

    assert stack.env["AWS_ENDPOINT_URL"] == moto_server
    assert (report.stream_records, report.messages, report.settled) == (1, 1, True)
    assert boto3.client("cognito-idp", endpoint_url=moto_server).describe_user_pool(
        UserPoolId=stack.user_pool_id
    )
