"""One command moves dead letters back to the queues they came from, against any endpoint."""

from __future__ import annotations

import boto3
import pytest

from infra.provision import Stack
from infra.redrive import main, redrives
from infra.template import load_template


def bodies(stack: Stack, url: str) -> list[str]:
    sqs = boto3.client("sqs", region_name=stack.region)
    found: list[str] = []
    while messages := sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", []):
        found += [m["Body"] for m in messages]
    return sorted(found)


def test_every_consumer_dead_letter_queue_has_its_source_and_the_relay_s_has_none() -> None:
    found = {r.dead_letter_queue: r.source_name for r in redrives(load_template(), "prod", "eu-west-1")}
    assert found["ProgressEventsDLQ"] == "lms-prod-progress-events"
    assert found["GradebookEventsDLQ"] == "lms-prod-gradebook-events"
    assert "OutboxRelayDLQ" not in found


def test_dead_letters_go_back_to_their_queue_and_leave_the_dlq_empty(
    stack: Stack, capsys: pytest.CaptureFixture[str]
) -> None:
    sqs = boto3.client("sqs", region_name=stack.region)
    dead = stack.queues["ProgressEventsQueue"].dlq_url
    assert dead is not None
    for n in range(13):
        sqs.send_message(QueueUrl=dead, MessageBody=f"event {n:02d}")

    assert main(["ProgressEventsDLQ", "--stage", stack.stage, "--region", stack.region]) == 0

    assert bodies(stack, stack.queues["ProgressEventsQueue"].url) == [f"event {n:02d}" for n in range(13)]
    assert bodies(stack, dead) == []
    assert "13 message(s)" in capsys.readouterr().out


def test_a_queue_that_is_not_a_dead_letter_queue_is_refused(stack: Stack) -> None:
    assert main(["ProgressEventsQueue", "--stage", stack.stage, "--region", stack.region]) == 2
