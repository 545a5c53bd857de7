"""Who a notification is for, as the event names it; `fanout` resolves it into people."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class People:
    """Named people (a student, a conversation's participants)."""

    user_ids: tuple[str, ...]


@dataclass(frozen=True)
class CourseStudents:
    """A course's enrolled students, and its instructors too with `with_staff`."""

    course_id: str
    with_staff: bool = False


@dataclass(frozen=True)
class CourseInstructors:
    course_id: str


@dataclass(frozen=True)
class TopicSubscribers:
    topic_id: str


@dataclass(frozen=True)
class InstitutionMembers:
    """The institution's people, or those of one role (`student`, `instructor`, `institution-admin`)."""

    role: str | None = None


Audience = People | CourseStudents | CourseInstructors | TopicSubscribers | InstitutionMembers


@dataclass(frozen=True)
class Addressed:
    """An audience and who of it is never told: the person who caused the event (unless it is the
    outcome of their own request, or an award), and anyone else the event names (a post's author)."""

    audience: Audience
    excluded: frozenset[str] = frozenset()
