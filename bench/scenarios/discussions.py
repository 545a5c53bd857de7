"""Scenarios of discussions (CommunicationFunction): settings, topics, threads, likes, moderation.

A seeded published course with two students enrolled through the API; topics and posts are made
through the API (unmeasured). Thread reads at 100 and 10,000 posts are in bench/students.py.
"""

from __future__ import annotations

from typing import Any

from bench.invoke import Answer, ApiCall, Caller
from bench.scenarios.base import TRAIL, if_match
from bench.scenarios.courses import INSTRUCTOR, CoursesScenario
from bench.scenarios.enrollment import ENROLLMENTS, learner
from lms.communication.discussions.repository import MEMBER_ENTITY, POST_ENTITY, REPORT_ENTITY, TOPIC_ENTITY
from lms.courses.domain import CourseStatus

COURSE = "/communication/courses/{course_id}"
SETTINGS = COURSE + "/discussion-settings"
TOPICS = COURSE + "/topics"
TOPIC = TOPICS + "/{topic_id}"
POSTS = TOPIC + "/posts"
POST = POSTS + "/{post_id}"
REPORTED = COURSE + "/reported-posts"


class _Discussions(CoursesScenario):
    """A published course, two enrolled students and a topic of it."""

    def setup(self) -> None:
        self.course_id = self.seeder.course(status=CourseStatus.PUBLISHED).id
        self.student = self.enrolled("asker")
        self.classmate = self.enrolled("answerer")
        self.topic_id = self.new_topic()

    def enrolled(self, serial: str) -> Caller:
        student = learner(f"{serial}-{self.__class__.__name__}")
        self.send(ApiCall("POST", ENROLLMENTS, student, {"course_id": self.course_id}), 201)
        return student

    def new_topic(self, title: str = "Week 1 questions") -> str:
        body = {"title": title, "body": "<p>Ask anything about <strong>week 1</strong>.</p>"}
        made = self.send(ApiCall("POST", TOPICS, INSTRUCTOR, {"course_id": self.course_id}, body), 201)
        return str(made.json()["id"])

    def new_post(self, author: Caller | None = None) -> dict[str, Any]:
        body = {"body": "<p>The eigenvalues are the roots of the characteristic polynomial.</p>"}
        made = self.send(ApiCall("POST", POSTS, author or self.classmate, self.params(), body), 201)
        post: dict[str, Any] = made.json()
        return post

    def params(self, **extra: str) -> dict[str, str]:
        return {"course_id": self.course_id, "topic_id": self.topic_id, **extra}


class GetDiscussionSettings(_Discussions):
    method, path = "GET", SETTINGS

    def next_call(self, index: int) -> ApiCall:
        return ApiCall("GET", SETTINGS, self.student, {"course_id": self.course_id})


class UpdateDiscussionSettings(_Discussions):
    method, path = "PUT", SETTINGS

    def setup(self) -> None:
        super().setup()
        self.version = 0

    def next_call(self, index: int) -> ApiCall:
        body = {"students_may_create_topics": index % 2 == 0}
        return ApiCall(
            "PUT", SETTINGS, INSTRUCTOR, {"course_id": self.course_id}, body, if_match(self.version)
        )

    def after(self, answer: Answer) -> None:
        self.version = int(answer.json()["version"])


class CreateTopic(_Discussions):
    method, path, status = "POST", TOPICS, 201
    disposable = TRAIL | {TOPIC_ENTITY, POST_ENTITY, MEMBER_ENTITY}

    def next_call(self, index: int) -> ApiCall:
        body = {"title": f"Question {index}", "body": "<p>How does <em>this</em> work?</p>"}
        return ApiCall("POST", TOPICS, INSTRUCTOR, {"course_id": self.course_id}, body)


class ListTopics(_Discussions):
    """A student's page of topics, each with their unread count."""

    method, path = "GET", TOPICS

    def setup(self) -> None:
        super().setup()
        for n in range(self.page_size):
            self.new_topic(f"Topic {n}")

    def next_call(self, index: int) -> ApiCall:
        return ApiCall("GET", TOPICS, self.student, {"course_id": self.course_id}, query=self.page_query())

    def after(self, answer: Answer) -> None:
        self.check_full_page(answer)


class GetTopic(_Discussions):
    """A student reads a topic with their unread count."""

    method, path = "GET", TOPIC

    def next_call(self, index: int) -> ApiCall:
        return ApiCall("GET", TOPIC, self.student, self.params())


class UpdateTopic(_Discussions):
    """Staff pin and unpin a topic (If-Match: the version the last call answered)."""

    method, path = "PATCH", TOPIC

    def setup(self) -> None:
        super().setup()
        self.version = 1

    def next_call(self, index: int) -> ApiCall:
        body = {"pinned": index % 2 == 0}
        return ApiCall("PATCH", TOPIC, INSTRUCTOR, self.params(), body, if_match(self.version))

    def after(self, answer: Answer) -> None:
        self.version = int(answer.json()["version"])


class MarkTopicRead(_Discussions):
    method, path = "POST", TOPIC + "/read"

    def next_call(self, index: int) -> ApiCall:
        return ApiCall("POST", self.path, self.student, self.params())


class SetTopicSubscription(_Discussions):
    """Subscribe and unsubscribe in turn: each call changes the membership."""

    method, path = "PUT", TOPIC + "/subscription"

    def next_call(self, index: int) -> ApiCall:
        return ApiCall("PUT", self.path, self.student, self.params(), {"subscribed": index % 2 == 0})


class ListPosts(_Discussions):
    """A student's page of a thread whose posts have likes (their counters are read in the same Query)."""

    method, path = "GET", POSTS

    def setup(self) -> None:
        super().setup()
        for n in range(self.page_size):
            post = self.new_post()
            if n % 2 == 0:
                params = self.params(post_id=post["id"])
                self.send(ApiCall("PUT", POST + "/reaction", self.student, params, {"liked": True}), 200)

    def next_call(self, index: int) -> ApiCall:
        return ApiCall("GET", POSTS, self.student, self.params(), query=self.page_query())

    def after(self, answer: Answer) -> None:
        self.check_full_page(answer)


class CreatePost(_Discussions):
    method, path, status = "POST", POSTS, 201

    def next_call(self, index: int) -> ApiCall:
        return ApiCall("POST", POSTS, self.student, self.params(), {"body": f"<p>Reply {index}.</p>"})


class UpdatePost(_Discussions):
    """The author edits their reply (If-Match: the version the last call answered)."""

    method, path = "PATCH", POST

    def setup(self) -> None:
        super().setup()
        self.current = self.new_post(self.student)

    def next_call(self, index: int) -> ApiCall:
        params = self.params(post_id=self.current["id"])
        body = {"body": f"<p>Edited {index} times.</p>"}
        return ApiCall("PATCH", POST, self.student, params, body, if_match(self.current["version"]))

    def after(self, answer: Answer) -> None:
        self.current = answer.json()


class DeletePost(_Discussions):
    """A reply made (unmeasured) before each call, then deleted by its author."""

    method, path, status = "DELETE", POST, 204

    def next_call(self, index: int) -> ApiCall:
        return ApiCall("DELETE", POST, self.student, self.params(post_id=self.new_post(self.student)["id"]))


class ReactToPost(_Discussions):
    """Like and take back in turn: each call changes the like and its counter."""

    method, path = "PUT", POST + "/reaction"

    def setup(self) -> None:
        super().setup()
        self.post_id = self.new_post()["id"]

    def next_call(self, index: int) -> ApiCall:
        return ApiCall(
            "PUT", self.path, self.student, self.params(post_id=self.post_id), {"liked": index % 2 == 0}
        )


class ReportPost(_Discussions):
    """A reply made (unmeasured) before each call, then reported."""

    method, path, status = "POST", POST + "/reports", 201
    disposable = TRAIL | {REPORT_ENTITY}

    def next_call(self, index: int) -> ApiCall:
        params = self.params(post_id=self.new_post()["id"])
        return ApiCall("POST", self.path, self.student, params, {"reason": "spam", "note": "Off topic."})


class SetPostVisibility(_Discussions):
    """Staff hide and restore a post in turn."""

    method, path = "PUT", POST + "/visibility"

    def setup(self) -> None:
        super().setup()
        self.post_id = self.new_post()["id"]

    def next_call(self, index: int) -> ApiCall:
        params = self.params(post_id=self.post_id)
        return ApiCall("PUT", self.path, INSTRUCTOR, params, {"hidden": index % 2 == 0})


class ListReportedPosts(_Discussions):
    """Staff read a page of the moderation queue, with the posts."""

    method, path = "GET", REPORTED

    def setup(self) -> None:
        super().setup()
        for _ in range(self.page_size):
            params = self.params(post_id=self.new_post()["id"])
            self.send(ApiCall("POST", POST + "/reports", self.student, params, {"reason": "spam"}), 201)

    def next_call(self, index: int) -> ApiCall:
        return ApiCall("GET", REPORTED, INSTRUCTOR, {"course_id": self.course_id}, query=self.page_query())

    def after(self, answer: Answer) -> None:
        self.check_full_page(answer)


DISCUSSION_SCENARIOS = (
    GetDiscussionSettings,
    UpdateDiscussionSettings,
    CreateTopic,
    ListTopics,
    GetTopic,
    UpdateTopic,
    MarkTopicRead,
    SetTopicSubscription,
    ListPosts,
    CreatePost,
    UpdatePost,
    DeletePost,
    ReactToPost,
    ReportPost,
    SetPostVisibility,
    ListReportedPosts,
)
