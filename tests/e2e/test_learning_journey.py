"""A student's journey over the local stack: enroll, complete every lesson, the progress consumer
completes the course, and the course that required it now takes the student."""

from __future__ import annotations

import uuid
from typing import Any

from infra.local_stack import LocalStack
from infra.seed import create_user, sign_in
from tests.e2e.test_courses_over_http import Http, demo, eventually, signed_in


def new_student(local: LocalStack) -> Http:
    """A student of the demo institution with no history (the demo students are shared by other tests)."""
    username = f"learner-{uuid.uuid4().hex[:8]}@demo.example"
    password = "Learner-Password-1"
    create_user(
        local.stack,
        username=username,
        password=password,
        role="students",
        institution_id=demo(local, "students").institution_id,
        endpoint_url=local.aws_endpoint_url,
    )
    return Http(local, sign_in(local.stack, username, password, endpoint_url=local.aws_endpoint_url))


def published_course(instructor: Http, title: str, lessons: int, **extra: Any) -> tuple[str, list[str]]:
    body = {
        "title": title,
        "category": "physics",
        "level": "beginner",
        "language": "en",
        "learning_objectives": ["Understand light"],
        **extra,
    }
    status, course = instructor.call("POST", "/courses", body)
    assert status == 201, course
    cid = course["id"]
    status, section = instructor.call("POST", f"/courses/{cid}/sections", {"title": "Week 1"})
    assert status == 201, section
    lesson_ids = []
    for n in range(lessons):
        lesson = {
            "section_id": section["id"],
            "title": f"Part {n + 1}",
            "content_type": "text",
            "content": "Read me.",
            "duration_minutes": 10,
        }
        status, made = instructor.call("POST", f"/courses/{cid}/lessons", lesson)
        assert status == 201, made
        lesson_ids.append(made["id"])
    status, published = instructor.call("POST", f"/courses/{cid}/publish")
    assert status == 200, published
    return cid, lesson_ids


def test_completing_every_lesson_completes_the_course_and_opens_the_next(local: LocalStack) -> None:
    instructor = signed_in(local, demo(local, "instructors"))
    student = new_student(local)
    optics, lessons = published_course(instructor, "Optics", 3)
    lasers, _ = published_course(instructor, "Lasers", 1, level="intermediate", prerequisites=[optics])

    status, refused = student.call("POST", f"/courses/{lasers}/enrollments", {})
    assert status == 409, refused
    assert refused["type"] == "urn:lms:problem:prerequisites-not-met"

    status, enrollment = student.call("POST", f"/courses/{optics}/enrollments", {})
    assert (status, enrollment["status"]) == (201, "enrolled")

    for lesson in lessons:
        status, completion = student.call("PUT", f"/progress/courses/{optics}/lessons/{lesson}")
        assert status == 200, completion
    status, again = student.call("PUT", f"/progress/courses/{optics}/lessons/{lessons[0]}")
    assert status == 200, again

    def completed() -> bool:
        status, progress = student.call("GET", f"/progress/courses/{optics}")
        return status == 200 and progress["completed_at"] is not None

    assert eventually(completed, seconds=30)
    status, progress = student.call("GET", f"/progress/courses/{optics}")
    assert progress["percent"] == 100
    assert progress["completed_lessons"] == lessons
    assert progress["next_lesson_id"] is None

    status, class_list = instructor.call("GET", f"/progress/courses/{optics}/students")
    assert status == 200, class_list
    assert [(s["percent"], s["completed_at"] is not None) for s in class_list["items"]] == [(100, True)]

    status, achievements = student.call("GET", "/progress/achievements")
    assert status == 200
    earned = {(a["achievement"], a["course_id"]) for a in achievements["items"]}
    assert ("course-completed", optics) in earned
    assert ("first-lesson-completed", None) in earned

    status, enrollment = student.call("POST", f"/courses/{lasers}/enrollments", {})
    assert (status, enrollment["status"]) == (201, "enrolled"), enrollment
