"""The event archive's line for an event (lms.archive): the envelope, its data as JSON text without
free text, filed under the institution and the UTC day it occurred."""

from __future__ import annotations

import importlib
import json
import pkgutil
from datetime import UTC, datetime, timedelta, timezone

import pytest
from pydantic import ValidationError

import lms.events
from lms.archive import archived_event
from lms.events import DomainEvent, EventEnvelope, event_types
from lms.events.communication import DiscussionTopicCreated
from lms.events.envelope import Actor
from lms.events.progress import LessonCompleted


def envelope_of(event: DomainEvent, occurred_at: datetime) -> dict[str, object]:
    return EventEnvelope(
        id="01EVENT",
        type=event.type_name(),
        occurred_at=occurred_at,
        institution_id="inst-1",
        actor=Actor(user_id="u1", roles=["students"]),
        data=event.model_dump(mode="json"),
    ).model_dump(mode="json")


def test_an_event_is_filed_under_its_institution_and_the_utc_day_it_occurred() -> None:
    # 00:30 in UTC+2 is still the day before in UTC.
    occurred = datetime(2026, 11, 5, 0, 30, tzinfo=timezone(timedelta(hours=2)))
    event = LessonCompleted(student_id="u1", course_id="c1", lesson_id="l1")

    archived = archived_event(envelope_of(event, occurred))

    assert (archived.institution, archived.day) == ("inst-1", "2026-11-04")
    line = json.loads(archived.line)
    assert archived.line.endswith(b"\n")
    assert archived.line.count(b"\n") == 1
    assert line["occurred_at"] == "2026-11-04T22:30:00Z"
    assert json.loads(line["data"]) == event.model_dump(mode="json")


def test_what_a_person_wrote_is_left_out() -> None:
    topic = DiscussionTopicCreated(
        course_id="c1",
        topic_id="t1",
        title="Sam Example's question",
        author_id="u1",
        mode="standard",
        preview="I am Sam Example",
    )

    line = json.loads(archived_event(envelope_of(topic, datetime(2026, 11, 5, tzinfo=UTC))).line)

    assert "Sam Example" not in json.dumps(line)
    assert json.loads(line["data"])["author_id"] == "u1"


# Names of fields that hold words a person wrote; an event type with one must declare it free text.
WRITTEN_WORDS = {"preview", "body", "text", "comment", "feedback", "message"}


def test_every_field_of_written_words_is_declared_free_text() -> None:
    for module in pkgutil.iter_modules(lms.events.__path__):
        importlib.import_module(f"lms.events.{module.name}")  # registers the context's types
    assert len(event_types()) > 40
    for name, event_type in event_types().items():
        written = WRITTEN_WORDS & set(event_type.model_fields)
        assert written <= event_type.free_text, name


@pytest.mark.parametrize("detail", [{}, {"id": "x"}, [], "text", None])
def test_what_is_not_an_envelope_is_refused(detail: object) -> None:
    with pytest.raises(ValidationError):
        archived_event(detail)
