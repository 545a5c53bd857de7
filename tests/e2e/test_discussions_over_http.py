"""Course discussions over HTTP against the local stack: a question-and-answer topic in which a
student sees classmates' answers only after answering, and a report that staff act on."""

from __future__ import annotations

from typing import Any

from infra.local_stack import LocalStack
from tests.support.client import Caller
from tests.support.courses import course_with_lessons
from tests.support.local import demo, new_student, signed_in


def enrolled_class(local: LocalStack, title: str) -> tuple[Caller, str, Caller, Caller]:
    """The demo instructor's new published course with two new students enrolled in it."""
    instructor = signed_in(local, demo(local, "instructors"))
    course_id, _ = course_with_lessons(instructor, 1, title=title)
    students = new_student(local), new_student(local)
    for student in students:
        status, body = student.call("POST", f"/courses/{course_id}/enrollments", {})
        assert status == 201, body
    return instructor, course_id, *students


def authors(client: Caller, posts: str) -> list[str]:
    status, page = client.call("GET", posts)
    assert status == 200, page
    return [post["author_role"] + ":" + post["body"] for post in page["items"]]


def posted(client: Caller, path: str, body: dict[str, Any], expect: int = 201) -> Any:
    status, answer = client.call("POST", path, body)
    assert status == expect, answer
    return answer


def test_a_student_sees_classmates_answers_only_after_answering_over_http(local: LocalStack) -> None:
    instructor, course_id, ana, ben = enrolled_class(local, "Functional programming")
    topics = f"/communication/courses/{course_id}/topics"
    question = {
        "title": "What is a monad?",
        "body": "<p>Explain it in one sentence.</p>",
        "mode": "question-answer",
    }
    topic = posted(instructor, topics, question)
    posts = f"{topics}/{topic['id']}/posts"
    posted(ben, posts, {"body": "<p>A monoid in the category of endofunctors.</p>"})
    assert authors(ana, posts) == ["staff:<p>Explain it in one sentence.</p>"]
    posted(ana, posts, {"body": "<p>A way to chain computations.</p>"})
    assert authors(ana, posts) == [
        "staff:<p>Explain it in one sentence.</p>",
        "student:<p>A monoid in the category of endofunctors.</p>",
        "student:<p>A way to chain computations.</p>",
    ]
    status, mine = ben.call("GET", f"{topics}/{topic['id']}")
    assert (status, mine["reply_count"], mine["unread_count"], mine["subscribed"]) == (200, 2, 1, True)


def test_a_reported_post_is_hidden_from_students_and_restored_over_http(local: LocalStack) -> None:
    instructor, course_id, ana, ben = enrolled_class(local, "Ethics")
    topics = f"/communication/courses/{course_id}/topics"
    topic = posted(instructor, topics, {"title": "Trolley problem", "body": "<p>Pull the lever?</p>"})
    posts = f"{topics}/{topic['id']}/posts"
    rude = posted(ben, posts, {"body": "<p>Only fools would ask.</p>"})
    post = f"{posts}/{rude['id']}"
    posted(ana, f"{post}/reports", {"reason": "harassment", "note": "Calls us fools."})
    status, queue = instructor.call("GET", f"/communication/courses/{course_id}/reported-posts?status=open")
    assert status == 200, queue
    assert [(e["post_id"], e["reports"], e["last_reason"]) for e in queue["items"]] == [
        (rude["id"], 1, "harassment")
    ]
    status, hidden = instructor.call("PUT", f"{post}/visibility", {"hidden": True})
    assert (status, hidden["hidden"]) == (200, True)
    assert "student:<p>Only fools would ask.</p>" not in authors(ana, posts)
    assert "student:<p>Only fools would ask.</p>" not in authors(ben, posts)
    status, restored = instructor.call("PUT", f"{post}/visibility", {"hidden": False})
    assert (status, restored["hidden"]) == (200, False)
    assert "student:<p>Only fools would ask.</p>" in authors(ana, posts)
    status, queue = instructor.call("GET", f"/communication/courses/{course_id}/reported-posts")
    assert [(e["post_id"], e["status"]) for e in queue["items"]] == [(rude["id"], "restored")]
