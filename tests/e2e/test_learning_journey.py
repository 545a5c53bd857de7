"""A student's journey over the local stack: enroll, complete every lesson, the progress consumer
completes the course, and the course that required it now takes the student."""

from __future__ import annotations

from infra.local_stack import LocalStack
from tests.support.courses import course_with_lessons
from tests.support.local import demo, eventually, new_student, signed_in


def test_completing_every_lesson_completes_the_course_and_opens_the_next(local: LocalStack) -> None:
    instructor = signed_in(local, demo(local, "instructors"))
    student = new_student(local)
    optics, lessons = course_with_lessons(instructor, 3, title="Optics")
    lasers, _ = course_with_lessons(
        instructor, 1, title="Lasers", level="intermediate", prerequisites=[optics]
    )

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
