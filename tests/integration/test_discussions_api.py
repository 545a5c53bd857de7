"""Course discussions through the gateway emulation: topics, threads, question-and-answer
visibility, unread counts, subscriptions, likes and moderation, with every refusal."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from infra.gateway import ApiGateway
from infra.provision import Stack
from lms.auth import Principal, Role
from lms.communication import privacy
from lms.communication.discussions.domain import MAX_DEPTH
from lms.privacy import Contributor
from tests.support.client import Caller, problem
from tests.support.courses import course_with_lessons, enroll
from tests.support.tenant import Tenant


@dataclass
class Course:
    """A published course with its instructor, two enrolled students and people around it."""

    tenant: Tenant
    id: str
    instructor: Caller
    ana: Caller
    ben: Caller
    admin: Caller
    outsider: Caller  # a student of the institution, not in the course
    stranger: Caller  # an instructor of another institution

    @property
    def topics(self) -> str:
        return f"/communication/courses/{self.id}/topics"

    def topic_path(self, topic_id: str) -> str:
        return f"{self.topics}/{topic_id}"

    def posts(self, topic_id: str) -> str:
        return f"{self.topic_path(topic_id)}/posts"

    def post_path(self, topic_id: str, post_id: str) -> str:
        return f"{self.posts(topic_id)}/{post_id}"


@pytest.fixture(scope="module")
def course(stack: Stack, gateway: ApiGateway) -> Course:
    tenant = Tenant(stack, gateway)
    instructor = tenant.instructor()
    course_id, _ = course_with_lessons(instructor, 1)
    ana, ben = tenant.student(), tenant.student()
    for student in (ana, ben):
        enroll(tenant, course_id, student)
    stranger = Tenant(stack, gateway).instructor()
    return Course(tenant, course_id, instructor, ana, ben, tenant.admin(), tenant.student(), stranger)


def new_topic(course: Course, author: Caller | None = None, **body: Any) -> dict[str, Any]:
    sent = {"title": "Week 1 questions", "body": "<p>Ask anything about week 1.</p>", **body}
    response = (author or course.instructor).post(course.topics, sent)
    assert response.status == 201, response.body
    made: dict[str, Any] = response.json()
    return made


def reply(
    course: Course, author: Caller, topic_id: str, text: str, parent: str | None = None
) -> dict[str, Any]:
    body: dict[str, Any] = {"body": f"<p>{text}</p>"}
    if parent:
        body["parent_id"] = parent
    response = author.post(course.posts(topic_id), body)
    assert response.status == 201, response.body
    made: dict[str, Any] = response.json()
    return made


def allow_student_topics(course: Course, allowed: bool) -> None:
    settings = f"/communication/courses/{course.id}/discussion-settings"
    version = course.instructor.get(settings).header("ETag") or '"0"'
    body = {"students_may_create_topics": allowed}
    saved = course.instructor.request("PUT", settings, json_body=body, headers={"If-Match": version})
    assert saved.status == 200, saved.body


def thread(course: Course, reader: Caller, topic_id: str, **query: str) -> list[dict[str, Any]]:
    response = reader.get(course.posts(topic_id), query={"limit": "100", **query})
    assert response.status == 200, response.body
    items: list[dict[str, Any]] = response.json()["items"]
    return items


def topic_of(course: Course, reader: Caller, topic_id: str) -> dict[str, Any]:
    response = reader.get(course.topic_path(topic_id))
    assert response.status == 200, response.body
    found: dict[str, Any] = response.json()
    return found


# ---------------------------------------------------------------- topics and threads


def test_a_topic_opens_with_its_post_and_replies_nest_to_the_bounded_depth(course: Course) -> None:
    topic = new_topic(course)
    tid = topic["id"]
    assert course.instructor.dynamodb_requests == 2  # the read, the transaction
    assert (topic["mode"], topic["reply_count"], topic["subscribed"], topic["version"]) == (
        "standard",
        0,
        True,
        1,
    )
    parent = tid
    for depth in range(1, MAX_DEPTH + 1):
        made = reply(course, course.ana if depth % 2 else course.ben, tid, f"depth {depth}", parent)
        assert (made["depth"], made["parent_id"]) == (depth, parent)
        parent = made["id"]
    assert course.ben.dynamodb_requests == 2
    too_deep = course.ana.post(course.posts(tid), {"body": "<p>deeper</p>", "parent_id": parent})
    assert problem(too_deep, 422, "reply-too-deep")["max_depth"] == MAX_DEPTH
    oldest = thread(course, course.ben, tid)
    assert [p["depth"] for p in oldest] == [0, 1, 2, 3]
    assert course.ben.dynamodb_requests == 4  # read, Query, my likes, the authors' names
    assert [p["id"] for p in thread(course, course.ben, tid, order="newest")] == [p["id"] for p in oldest][
        ::-1
    ]
    assert topic_of(course, course.ana, tid)["reply_count"] == MAX_DEPTH
    assert course.ana.dynamodb_requests == 1
    assert "DiscussionTopicCreated" in course.tenant.event_types()


def test_a_thread_reads_in_whole_pages_with_their_like_counts(course: Course) -> None:
    tid = new_topic(course)["id"]
    posts = [reply(course, course.ana, tid, f"answer {n}")["id"] for n in range(5)]
    for liker in (course.ben, course.instructor, course.admin):
        for post_id in posts[::2]:
            liked = liker.request(
                "PUT", f"{course.post_path(tid, post_id)}/reaction", json_body={"liked": True}
            )
            assert liked.status == 200, liked.body
    seen: list[tuple[str, int]] = []
    query = {"limit": "2"}
    while True:
        response = course.ben.get(course.posts(tid), query=query)
        assert response.status == 200, response.body
        assert course.ben.dynamodb_requests <= 4
        page = response.json()
        assert len(page["items"]) <= 2
        seen += [(p["id"], p["likes"]) for p in page["items"]]
        if not page["next_cursor"]:
            break
        query = {"limit": "2", "cursor": page["next_cursor"]}
    assert seen == [(tid, 0)] + [(post_id, 3 if n % 2 == 0 else 0) for n, post_id in enumerate(posts)]


def test_thread_pages_name_the_authors(course: Course) -> None:
    invited = course.tenant.invited(course.admin)
    enroll(course.tenant, course.id, invited)
    tid = new_topic(course)["id"]
    reply(course, invited, tid, "Hello, I am new here")
    profile = course.admin.get(f"/users/{invited.user_id}").json()
    named = {p["author_id"]: p["author_name"] for p in thread(course, course.ana, tid)}
    assert named[invited.user_id] == profile["display_name"]


def test_in_question_and_answer_a_student_sees_classmates_replies_only_after_posting(course: Course) -> None:
    tid = new_topic(course, mode="question-answer", title="What is a monad?")["id"]
    reply(course, course.ben, tid, "Ben's answer")
    reply(course, course.instructor, tid, "A hint from staff")
    before = thread(course, course.ana, tid)
    assert [p["author_id"] for p in before] == [course.instructor.user_id] * 2
    reply(course, course.ana, tid, "Ana's answer")
    after = thread(course, course.ana, tid)
    assert [p["author_id"] for p in after] == [
        course.instructor.user_id,
        course.ben.user_id,
        course.instructor.user_id,
        course.ana.user_id,
    ]
    assert len(thread(course, course.instructor, tid)) == 4


def test_students_start_topics_only_once_staff_allow_it(course: Course) -> None:
    settings = f"/communication/courses/{course.id}/discussion-settings"
    problem(
        course.ana.post(course.topics, {"title": "Study group", "body": "<p>Who?</p>"}),
        403,
        "student-topics-disabled",
    )
    current = course.ana.get(settings)
    assert (current.status, current.json()["students_may_create_topics"], current.header("ETag")) == (
        200,
        False,
        '"0"',
    )
    allow = {"students_may_create_topics": True}
    problem(course.instructor.request("PUT", settings, json_body=allow), 428, "if-match-required")
    problem(
        course.instructor.request("PUT", settings, json_body=allow, headers={"If-Match": '"3"'}),
        412,
        "version-mismatch",
    )
    problem(
        course.ana.request("PUT", settings, json_body=allow, headers={"If-Match": '"0"'}), 403, "forbidden"
    )
    problem(
        course.instructor.request(
            "PUT", settings, json_body={"students_may": True}, headers={"If-Match": '"0"'}
        ),
        422,
        "validation-failed",
    )
    saved = course.instructor.request("PUT", settings, json_body=allow, headers={"If-Match": '"0"'})
    assert (saved.status, saved.json()["version"]) == (200, 1)
    assert course.instructor.dynamodb_requests == 2
    mine = new_topic(course, course.ana, title="Study group")
    assert mine["author_id"] == course.ana.user_id
    problem(
        course.ana.request(
            "PATCH", course.topic_path(mine["id"]), json_body={"pinned": True}, headers={"If-Match": '"1"'}
        ),
        403,
        "not-topic-author",
    )
    renamed = course.ana.patch(course.topic_path(mine["id"]), {"title": "Study group (Tue)"}, 1)
    assert (renamed.status, renamed.json()["title"]) == (200, "Study group (Tue)")
    problem(course.ben.patch(course.topic_path(mine["id"]), {"title": "Mine"}, 2), 403, "not-topic-author")
    allow_student_topics(course, False)


def test_staff_lock_close_and_pin_topics(course: Course) -> None:
    older = new_topic(course, title="Older")["id"]
    tid = new_topic(course, title="Rules")["id"]
    problem(course.instructor.patch(course.topic_path(tid), {"locked": True}), 428, "if-match-required")
    problem(course.instructor.patch(course.topic_path(tid), {"locked": True}, 5), 412, "version-mismatch")
    problem(course.instructor.patch(course.topic_path(tid), {}, 1), 422, "validation-failed")
    problem(course.instructor.patch(course.topic_path(tid), {"locked": None}, 1), 422, "validation-failed")
    problem(course.ana.patch(course.topic_path(tid), {"locked": True}, 1), 403, "not-topic-author")
    locked = course.instructor.patch(course.topic_path(tid), {"locked": True}, 1)
    assert (locked.status, locked.json()["locked"], locked.header("ETag")) == (200, True, '"2"')
    assert course.instructor.dynamodb_requests == 2
    problem(course.ana.post(course.posts(tid), {"body": "<p>late</p>"}), 409, "topic-locked")
    past = (datetime.now(UTC) - timedelta(minutes=1)).isoformat()
    course.instructor.patch(course.topic_path(tid), {"locked": False, "closes_at": past}, 2)
    problem(course.ana.post(course.posts(tid), {"body": "<p>late</p>"}), 409, "topic-closed")
    course.instructor.patch(course.topic_path(older), {"pinned": True}, 1)
    listed = course.ana.get(course.topics, query={"limit": "3"})
    assert listed.status == 200, listed.body
    assert course.ana.dynamodb_requests == 3  # read, Query, the page's memberships
    assert [t["id"] for t in listed.json()["items"]][:2] == [older, tid]


def test_unread_counts_subscriptions_and_mark_read(course: Course) -> None:
    tid = new_topic(course)["id"]
    assert topic_of(course, course.ben, tid)["subscribed"] is False
    unsubscribed = course.ben.request(
        "PUT", course.topic_path(tid) + "/subscription", json_body={"subscribed": False}
    )
    assert (unsubscribed.status, unsubscribed.json()) == (200, {"topic_id": tid, "subscribed": False})
    for n in range(3):
        reply(course, course.ana, tid, f"note {n}")
    reply(course, course.ben, tid, "a reply does not resubscribe who chose not to be")
    ben_view = topic_of(course, course.ben, tid)
    assert (ben_view["reply_count"], ben_view["unread_count"], ben_view["subscribed"]) == (4, 3, False)
    ana_view = topic_of(course, course.ana, tid)
    assert (ana_view["unread_count"], ana_view["subscribed"]) == (1, True)
    read = course.ben.post(course.topic_path(tid) + "/read")
    assert (read.status, read.json()) == (200, {"topic_id": tid, "read_count": 4, "unread_count": 0})
    assert course.ben.dynamodb_requests == 2
    assert topic_of(course, course.ben, tid)["unread_count"] == 0
    subscribed = course.ben.request(
        "PUT", course.topic_path(tid) + "/subscription", json_body={"subscribed": True}
    )
    assert subscribed.json()["subscribed"] is True
    problem(
        course.ben.request("PUT", course.topic_path(tid) + "/subscription", json_body={}),
        422,
        "validation-failed",
    )


def test_authors_edit_and_delete_their_posts_and_staff_delete_any(course: Course) -> None:
    tid = new_topic(course)["id"]
    mine = reply(course, course.ana, tid, "first draft")
    under = reply(course, course.ben, tid, "an answer to it", mine["id"])
    path = course.post_path(tid, mine["id"])
    problem(course.ana.patch(path, {"body": "<p>v2</p>"}), 428, "if-match-required")
    problem(course.ana.patch(path, {"body": "<p>v2</p>"}, 9), 412, "version-mismatch")
    problem(course.ben.patch(path, {"body": "<p>mine now</p>"}, 1), 403, "not-post-author")
    problem(course.ana.patch(path, {"body": ""}, 1), 422, "validation-failed")
    edited = course.ana.patch(path, {"body": "<p>second draft</p>"}, 1)
    assert (edited.status, edited.json()["body"], edited.header("ETag")) == (
        200,
        "<p>second draft</p>",
        '"2"',
    )
    assert edited.json()["edited_at"]
    problem(course.ben.delete(path), 403, "not-post-author")
    assert course.ana.delete(path).status == 204
    assert course.ana.dynamodb_requests == 2
    assert course.ana.delete(path).status == 204  # deleting a tombstone changes nothing
    assert course.ana.dynamodb_requests == 1
    problem(course.ana.patch(path, {"body": "<p>back</p>"}, 3), 409, "post-deleted")
    problem(
        course.ben.post(course.posts(tid), {"body": "<p>to a tombstone</p>", "parent_id": mine["id"]}),
        409,
        "post-deleted",
    )
    assert course.instructor.delete(course.post_path(tid, under["id"])).status == 204
    shape = [(p["id"], p["parent_id"], p["deleted"], p["body"]) for p in thread(course, course.ben, tid)[1:]]
    assert shape == [(mine["id"], tid, True, ""), (under["id"], mine["id"], True, "")]
    assert course.tenant.event_types()[-2:] == ["DiscussionPostDeleted", "DiscussionPostDeleted"]


def test_one_like_per_person_and_post(course: Course) -> None:
    tid = new_topic(course)["id"]
    post_id = reply(course, course.ana, tid, "like me")["id"]
    reaction = course.post_path(tid, post_id) + "/reaction"
    for _ in range(2):
        liked = course.ben.request("PUT", reaction, json_body={"liked": True})
        assert (liked.status, liked.json()) == (200, {"post_id": post_id, "liked": True})
    assert course.ben.dynamodb_requests == 1  # already liked: the read alone
    mine = thread(course, course.ben, tid)[1]
    assert (mine["likes"], mine["liked"]) == (1, True)
    assert thread(course, course.ana, tid)[1]["liked"] is False
    course.ben.request("PUT", reaction, json_body={"liked": False})
    assert thread(course, course.ben, tid)[1]["likes"] == 0
    problem(course.ben.request("PUT", reaction, json_body={"liked": "maybe"}), 422, "validation-failed")


def test_a_report_reaches_the_queue_and_staff_hide_and_restore_the_post(course: Course) -> None:
    tid = new_topic(course)["id"]
    rude = reply(course, course.ben, tid, "something rude")
    reports = course.post_path(tid, rude["id"]) + "/reports"
    problem(course.ana.post(reports, {"reason": "boring"}), 422, "validation-failed")
    made = course.ana.post(reports, {"reason": "harassment", "note": "<b>Rude</b> to me"})
    assert (made.status, made.json()["reason"]) == (201, "harassment")
    problem(course.ana.post(reports, {"reason": "spam"}), 409, "already-reported")
    queue_path = f"/communication/courses/{course.id}/reported-posts"
    problem(course.ana.get(queue_path), 403, "forbidden")
    queue = course.instructor.get(queue_path, query={"status": "open"})
    assert course.instructor.dynamodb_requests == 3
    entry = next(e for e in queue.json()["items"] if e["post_id"] == rude["id"])
    assert (entry["status"], entry["reports"], entry["post"]["body"]) == ("open", 1, "<p>something rude</p>")
    visibility = course.post_path(tid, rude["id"]) + "/visibility"
    problem(course.ana.request("PUT", visibility, json_body={"hidden": True}), 403, "forbidden")
    hidden = course.instructor.request("PUT", visibility, json_body={"hidden": True})
    assert (hidden.status, hidden.json()["hidden"]) == (200, True)
    assert rude["id"] not in [p["id"] for p in thread(course, course.ana, tid)]
    assert rude["id"] not in [p["id"] for p in thread(course, course.ben, tid)]  # its author too
    assert rude["id"] in [p["id"] for p in thread(course, course.instructor, tid)]
    problem(
        course.ben.patch(course.post_path(tid, rude["id"]), {"body": "<p>sorry</p>"}, 2),
        404,
        "post-not-found",
    )
    hidden_queue = course.instructor.get(queue_path, query={"status": "hidden"}).json()["items"]
    assert rude["id"] in [e["post_id"] for e in hidden_queue]
    restored = course.instructor.request("PUT", visibility, json_body={"hidden": False})
    assert (restored.status, restored.json()["hidden"]) == (200, False)
    assert rude["id"] in [p["id"] for p in thread(course, course.ana, tid)]
    events = [e for e in course.tenant.events() if e["data"].get("post_id") == rude["id"]]
    kinds = [e["type"].split(".")[2] for e in events]
    assert kinds == ["DiscussionReplyPosted", "PostReported", "PostHidden", "PostRestored"]
    reported = next(e for e in events if e["type"].endswith("PostReported.v1"))["data"]
    assert course.ana.user_id not in str(reported)  # the reporter is not named
    assert "Rude" not in str(reported)  # nor their note


# ---------------------------------------------------------------- refusals


def test_people_outside_the_course_and_other_institutions_are_refused(course: Course) -> None:
    tid = new_topic(course)["id"]
    post_id = reply(course, course.ana, tid, "hello")["id"]
    problem(course.outsider.get(course.topics), 403, "not-course-member")
    problem(course.outsider.post(course.posts(tid), {"body": "<p>hi</p>"}), 403, "not-course-member")
    for path in (course.topics, course.topic_path(tid), course.posts(tid)):
        problem(course.stranger.get(path), 404, "discussion-course-not-found")
    problem(
        course.stranger.post(course.posts(tid), {"body": "<p>hi</p>"}), 404, "discussion-course-not-found"
    )
    problem(course.ana.get(course.topic_path("01UNKNOWNTOPIC")), 404, "topic-not-found")
    problem(course.ana.get(course.topic_path("a%20b")), 404, "not-found")
    problem(
        course.ana.patch(course.post_path(tid, "01UNKNOWNPOST"), {"body": "<p>x</p>"}, 1),
        404,
        "post-not-found",
    )
    problem(
        course.ana.post(course.posts(tid), {"body": "<p>x</p>", "parent_id": "01NOPE"}), 404, "post-not-found"
    )
    other_course, _ = course_with_lessons(course.instructor, 1)
    problem(course.ana.get(f"/communication/courses/{other_course}/topics/{tid}"), 403, "not-course-member")
    problem(
        course.instructor.get(f"/communication/courses/{other_course}/topics/{tid}"), 404, "topic-not-found"
    )
    problem(course.ana.get(course.posts(tid), query={"cursor": "forged"}), 400, "invalid-cursor")
    problem(course.ana.get(course.posts(tid), query={"order": "random"}), 422, "validation-failed")
    problem(course.ana.get(course.posts(tid), query={"limit": "0"}), 422, "validation-failed")
    dropped = course.tenant.student()
    enroll(course.tenant, course.id, dropped, "dropped")
    problem(
        course.ana.request("PUT", course.post_path(tid, post_id) + "/reaction", json_body={}),
        422,
        "validation-failed",
    )
    problem(dropped.get(course.posts(tid)), 403, "not-course-member")


def test_bodies_are_validated_and_sanitised(course: Course) -> None:
    problem(course.instructor.post(course.topics, {"body": "<p>no title</p>"}), 422, "validation-failed")
    problem(
        course.instructor.post(course.topics, {"title": "x", "body": "<p>x</p>", "pinned": True}),
        422,
        "validation-failed",
    )
    problem(
        course.instructor.post(course.topics, {"title": "x", "body": "<script>only()</script>"}),
        422,
        "validation-failed",
    )
    problem(
        course.instructor.post(course.topics, {"title": "x", "body": "<p>x</p>", "mode": "poll"}),
        422,
        "validation-failed",
    )
    problem(
        course.instructor.post(course.topics, {"title": "x" * 201, "body": "<p>x</p>"}),
        422,
        "validation-failed",
    )
    hostile = (
        '<p onclick="steal()">Hi<img src=x onerror=alert(1)>'
        '<a href="javascript:alert(2)">link</a></p><script>x()</script>'
    )
    topic = new_topic(course, body=hostile)
    posted = reply(course, course.ana, topic["id"], f"x</p>{hostile}<p>")
    for answer in (str(thread(course, course.ben, topic["id"])), str(posted)):
        for bad in ("<script", "onerror", "onclick", "javascript:", "<img"):
            assert bad not in answer


def test_a_retried_create_is_answered_with_the_first_answer(course: Course) -> None:
    draft = {"title": "Once", "body": "<p>only once</p>"}
    first = course.instructor.post(course.topics, draft, headers={"Idempotency-Key": "topic-1"})
    again = course.instructor.post(course.topics, draft, headers={"Idempotency-Key": "topic-1"})
    assert (first.status, again.status, again.json()["id"]) == (201, 201, first.json()["id"])
    assert again.header("Idempotent-Replayed") == "true"
    assert course.instructor.dynamodb_requests == 1
    other = {**draft, "title": "Twice"}
    problem(
        course.instructor.post(course.topics, other, headers={"Idempotency-Key": "topic-1"}),
        422,
        "idempotency-key-reused",
    )
    tid = first.json()["id"]
    one = course.ana.post(course.posts(tid), {"body": "<p>once</p>"}, headers={"Idempotency-Key": "reply-1"})
    two = course.ana.post(course.posts(tid), {"body": "<p>once</p>"}, headers={"Idempotency-Key": "reply-1"})
    assert (one.status, two.status, two.json()["id"]) == (201, 201, one.json()["id"])
    assert topic_of(course, course.ana, tid)["reply_count"] == 1


# ---------------------------------------------------------------- privacy


def test_export_holds_a_persons_posts_and_erasure_shows_them_from_a_deleted_user(course: Course) -> None:
    contributor: Contributor = privacy.CONTRIBUTOR
    admin = Principal(course.admin.user_id, course.tenant.institution_id, frozenset({Role.INSTITUTION_ADMIN}))
    writer = course.tenant.student()
    enroll(course.tenant, course.id, writer)
    allow_student_topics(course, True)
    tid = new_topic(course, writer, title="My question")["id"]
    answer = reply(course, course.ana, tid, "an answer")
    mine = reply(course, writer, tid, "thanks", answer["id"])
    writer.request("PUT", course.post_path(tid, answer["id"]) + "/reaction", json_body={"liked": True})
    writer.post(course.post_path(tid, answer["id"]) + "/reports", {"reason": "other", "note": "wrong"})
    exported = contributor.export(course.tenant.institution_id, writer.user_id)
    assert [t["title"] for t in exported["discussion_topics"]] == ["My question"]
    assert sorted(p["post_id"] for p in exported["discussion_posts"]) == sorted([tid, mine["id"]])
    assert [(r["post_id"], r["note"]) for r in exported["discussion_reports"]] == [(answer["id"], "wrong")]
    assert [lk["post_id"] for lk in exported["discussion_likes"]] == [answer["id"]]
    assert [m["topic_id"] for m in exported["discussion_memberships"]] == [tid]
    for _ in range(2):  # a retried erasure changes nothing more
        contributor.erase(course.tenant.institution_id, writer.user_id, admin)
    shown = thread(course, course.ana, tid)
    assert [(p["author_id"], p["author_deleted"]) for p in shown] == [
        (None, True),
        (course.ana.user_id, False),
        (None, True),
    ]
    assert [p["body"] for p in shown][2] == "<p>thanks</p>"
    assert topic_of(course, course.ana, tid)["author_deleted"] is True
    after = contributor.export(course.tenant.institution_id, writer.user_id)
    assert (after["discussion_memberships"], after["discussion_reports"][0]["note"]) == ([], "")
