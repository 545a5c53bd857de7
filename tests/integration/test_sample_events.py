"""The sample events in events/ (for `sam local invoke -e`) are real inputs of their functions."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest

from infra.functions import LambdaContext, load_handler
from infra.provision import Stack

EVENTS = Path(__file__).resolve().parents[2] / "events"
FUNCTIONS = {
    "announcement_scheduler": "AnnouncementSchedulerFunction",
    "communication": "CommunicationFunction",
    "courses": "CoursesFunction",
    "event_archive": "EventArchiveFunction",
    "outbox_relay": "OutboxRelayFunction",
    "progress_consumer": "ProgressConsumerFunction",
}


def invoke(stack: Stack, folder: str, name: str) -> Any:
    spec = next(s for s in stack.functions if s.logical_id == FUNCTIONS[folder])
    event = json.loads((EVENTS / folder / name).read_text())
    return load_handler(spec)(event, LambdaContext.for_function(spec, region=stack.region))


def test_every_function_folder_with_samples_is_a_template_function(stack: Stack) -> None:
    folders = {p.name for p in EVENTS.iterdir() if p.is_dir()}
    assert folders == set(FUNCTIONS)
    assert {s.logical_id for s in stack.functions} >= set(FUNCTIONS.values())


@pytest.mark.parametrize(
    ("name", "status"),
    [
        ("create-course.json", 201),
        ("list-courses.json", 200),
        ("get-course-unknown.json", 404),
        ("health.json", 200),
    ],
)
def test_api_samples_answer_as_the_api_would(stack: Stack, name: str, status: int) -> None:
    result = invoke(stack, "courses", name)
    assert result["statusCode"] == status, result["body"]


def test_the_stream_sample_is_published_to_the_bus(stack: Stack) -> None:
    assert invoke(stack, "outbox_relay", "stream-outbox-insert.json") == {"batchItemFailures": []}


def test_the_sqs_sample_is_handled_once(stack: Stack) -> None:
    assert invoke(stack, "progress_consumer", "sqs-lesson-added.json") == {"batchItemFailures": []}
    assert invoke(stack, "progress_consumer", "sqs-lesson-added.json") == {"batchItemFailures": []}


def test_the_communication_sample_answers_as_the_api_would(stack: Stack) -> None:
    result = invoke(stack, "communication", "list-institution-announcements.json")
    assert result["statusCode"] == 200, result["body"]


def test_the_scheduled_sample_publishes_what_is_due(stack: Stack) -> None:
    assert invoke(stack, "announcement_scheduler", "scheduled.json") == {"published": 0}


def test_the_firehose_sample_is_archived_and_its_stray_record_fails_alone(stack: Stack) -> None:
    result = invoke(stack, "event_archive", "firehose-transformation.json")

    archived, stray = result["records"]
    assert archived["result"] == "Ok"
    assert archived["metadata"] == {"partitionKeys": {"institution": "demo-university", "day": "2026-11-04"}}
    assert json.loads(base64.b64decode(archived["data"]))["type"] == "lms.progress.LessonCompleted.v1"
    assert stray["result"] == "ProcessingFailed"
