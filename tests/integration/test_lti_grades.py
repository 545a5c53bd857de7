"""LTI Assignment and Grade Services through the gateway emulation: line items, scores, results,
and the scores in the gradebook (the gradebook consumer driven alone)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import jwt
import pytest

from bench.expectations import expected_requests
from infra.gateway import ApiGateway, ApiResponse
from infra.provision import Stack
from tests.support.client import problem
from tests.support.courses import add_lesson, add_section, create_course, enroll
from tests.support.events import drained
from tests.support.lti_services import LaunchedTool, ToolKeys, register_and_launch, served_jwks
from tests.support.people import export_document, request_export
from tests.support.tenant import Tenant

AGS = "https://purl.imsglobal.org/spec/lti-ags/scope/"
LINE_ITEM, READ_LINE_ITEMS, RESULTS, SCORE = (
    AGS + "lineitem",
    AGS + "lineitem.readonly",
    AGS + "result.readonly",
    AGS + "score",
)
NRPS = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"
LINE_ITEM_TYPE = "application/vnd.ims.lis.v2.lineitem+json"
CONTAINER_TYPE = "application/vnd.ims.lis.v2.lineitemcontainer+json"
SCORE_TYPE = "application/vnd.ims.lis.v1.score+json"
RESULTS_TYPE = "application/vnd.ims.lis.v2.resultcontainer+json"
CATEGORY = "urn:lms:lti:gradebook_category"
GRADEBOOK = {"GradebookConsumerFunction"}


@pytest.fixture(scope="module")
def jwks() -> Iterator[tuple[ToolKeys, str]]:
    with served_jwks() as served:
        yield served


class Grades:
    """The tool's side: its tokens (one per scope set) and its calls to the grade services."""

    def __init__(self, launched: LaunchedTool) -> None:
        self.launched = launched
        self.course_id = launched.course_id
        self._tokens: dict[str, str] = {}
        self.tool_caller = launched.anonymous()

    def token(self, scope: str) -> str:
        if scope not in self._tokens:
            self._tokens[scope] = self.launched.token(scope)
        return self._tokens[scope]

    def call(
        self,
        method: str,
        path: str,
        scope: str = f"{LINE_ITEM} {SCORE} {RESULTS}",
        body: Any = None,
        media_type: str = LINE_ITEM_TYPE,
        query: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
    ) -> ApiResponse:
        sent = {"Authorization": f"Bearer {self.token(scope)}", **(headers or {})}
        text = None
        if body is not None:
            text = body if isinstance(body, str) else json.dumps(body)
            sent["Content-Type"] = media_type
        base = f"/lti/courses/{self.course_id}/lineitems"
        return self.tool_caller.request(method, base + path, body=text, headers=sent, query=query)

    def create(self, **fields: Any) -> dict[str, Any]:
        created = self.call("POST", "", body={"label": "Lab 1", "scoreMaximum": 10, **fields})
        assert created.status == 201, created.body
        document: dict[str, Any] = created.json()
        return document

    def score(self, line_item_id: str, user_id: str, **fields: Any) -> ApiResponse:
        body = {
            "userId": user_id,
            "scoreGiven": 8,
            "scoreMaximum": 10,
            "activityProgress": "Completed",
            "gradingProgress": "FullyGraded",
            "timestamp": datetime.now(UTC).isoformat(),
            **fields,
        }
        return self.call("POST", f"/{line_item_id}/scores", body=body, media_type=SCORE_TYPE)

    def results(self, line_item_id: str, **query: str) -> list[dict[str, Any]]:
        answer = self.call("GET", f"/{line_item_id}/results", scope=RESULTS, query=query)
        assert answer.status == 200, answer.body
        assert answer.header("Content-Type") == RESULTS_TYPE
        found: list[dict[str, Any]] = answer.json()
        return found


class World:
    def __init__(self, stack: Stack, gateway: ApiGateway, keys: ToolKeys, jwks_url: str) -> None:
        self.tenant = Tenant(stack, gateway)
        self.admin, self.instructor = self.tenant.admin(), self.tenant.instructor()
        self.student, self.other_student = self.tenant.student(), self.tenant.student()
        launched = register_and_launch(self.tenant, self.admin, self.instructor, keys, jwks_url)
        enroll(self.tenant, launched.course_id, self.student)
        self.grades = Grades(launched)
        self.launched = launched


@pytest.fixture(scope="module")
def world(stack: Stack, gateway: ApiGateway, jwks: tuple[ToolKeys, str]) -> World:
    return World(stack, gateway, *jwks)


def _id(document: dict[str, Any]) -> str:
    return str(document["id"]).rsplit("/", 1)[1]


def test_a_line_item_is_created_read_and_listed_in_the_ags_media_types(world: World) -> None:
    grades = world.grades
    created = grades.call(
        "POST", "", body={"label": "Lab 1", "scoreMaximum": 60, "tag": "lab", "resourceId": "lab-1"}
    )
    assert created.status == 201, created.body
    assert created.header("Content-Type") == LINE_ITEM_TYPE
    item = created.json()
    assert item["id"] == created.header("Location")
    assert item["id"].startswith(
        world.launched.tool["platform"]["issuer"] + f"/lti/courses/{grades.course_id}/"
    )
    assert (item["label"], item["scoreMaximum"], item["tag"], item["resourceId"]) == (
        "Lab 1",
        60,
        "lab",
        "lab-1",
    )
    assert item[CATEGORY] == "assignments"
    assert grades.tool_caller.last_calls == expected_requests("POST", "/lti/courses/{course_id}/lineitems")
    read = grades.call("GET", f"/{_id(item)}", scope=READ_LINE_ITEMS)
    assert read.status == 200, read.body
    assert read.json() == item
    assert read.header("ETag") == '"1"'
    listed = grades.call("GET", "", scope=READ_LINE_ITEMS, query={"tag": "lab"})
    assert listed.status == 200
    assert listed.header("Content-Type") == CONTAINER_TYPE
    assert [i["id"] for i in listed.json()] == [item["id"]]


def test_line_items_are_filtered_and_paged_with_link_headers(world: World) -> None:
    grades = world.grades
    made = [grades.create(label=f"Quiz {n}", tag="quiz-pages", resourceId=f"page-{n}") for n in range(3)]
    seen: list[str] = []
    query = {"tag": "quiz-pages", "limit": "1"}
    for _ in range(10):
        page = grades.call("GET", "", scope=READ_LINE_ITEMS, query=query)
        assert page.status == 200, page.body
        seen += [i["id"] for i in page.json()]
        link = page.header("Link")
        if not link:
            break
        assert link.endswith('>; rel="next"')
        query = {k: v[0] for k, v in parse_qs(urlsplit(link[1 : link.index(">")]).query).items()}
        assert query["tag"] == "quiz-pages"
    assert sorted(seen) == sorted(i["id"] for i in made)
    one = grades.call("GET", "", scope=READ_LINE_ITEMS, query={"resource_id": "page-1"})
    assert [i["label"] for i in one.json()] == ["Quiz 1"]
    by_link = grades.call("GET", "", scope=READ_LINE_ITEMS, query={"resource_link_id": "no-such-link"})
    assert by_link.json() == []


def test_a_line_item_is_replaced_at_its_version_and_deleted(world: World) -> None:
    grades = world.grades
    item = grades.create(label="Essay")
    path = f"/{_id(item)}"
    body = {"label": "Essay (final)", "scoreMaximum": 20, CATEGORY: "quizzes", "resourceLinkId": None}
    updated = grades.call("PUT", path, body=body)
    assert updated.status == 200, updated.body
    assert (updated.json()["label"], updated.json()["scoreMaximum"], updated.json()[CATEGORY]) == (
        "Essay (final)",
        20,
        "quizzes",
    )
    assert updated.header("ETag") == '"2"'
    stale = grades.call("PUT", path, body=body | {"label": "Late"}, headers={"If-Match": '"1"'})
    assert problem(stale, 412, "lti-line-item-version-mismatch")["current_version"] == 2
    problem(grades.call("DELETE", path, headers={"If-Match": '"1"'}), 412, "lti-line-item-version-mismatch")
    deleted = grades.call("DELETE", path, headers={"If-Match": '"2"'})
    assert deleted.status == 204, deleted.body
    problem(grades.call("GET", path), 404, "lti-line-item-not-found")
    problem(grades.call("DELETE", path), 404, "lti-line-item-not-found")


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        pytest.param({"scoreMaximum": 10}, {"label"}, id="no-label"),
        pytest.param({"label": "x", "scoreMaximum": 0}, {"scoreMaximum"}, id="zero-maximum"),
        pytest.param({"label": "x", "scoreMaximum": "ten"}, {"scoreMaximum"}, id="maximum-not-a-number"),
        pytest.param(
            {"label": "x", "scoreMaximum": 1, "endDateTime": "tomorrow"}, {"endDateTime"}, id="bad-date"
        ),
        pytest.param(
            {"label": "x", "scoreMaximum": 1, "resourceLinkId": "01NOLESSON"},
            {"resourceLinkId"},
            id="not-a-link",
        ),
        pytest.param("not json", {"body"}, id="not-json"),
        pytest.param([1, 2], {"body"}, id="not-an-object"),
    ],
)
def test_an_invalid_line_item_is_refused_naming_its_fields(world: World, body: Any, fields: set[str]) -> None:
    refused = problem(world.grades.call("POST", "", body=body), 400, "lti-invalid-line-item")
    assert {e["field"] for e in refused["errors"]} == fields


def test_each_route_needs_its_scope(world: World) -> None:
    grades = world.grades
    item = grades.create()
    path = f"/{_id(item)}"
    problem(
        grades.call("POST", "", scope=READ_LINE_ITEMS, body={"label": "x", "scoreMaximum": 1}),
        403,
        "lti-invalid-scope",
    )
    problem(
        grades.call("PUT", path, scope=READ_LINE_ITEMS, body={"label": "x", "scoreMaximum": 1}),
        403,
        "lti-invalid-scope",
    )
    problem(grades.call("DELETE", path, scope=SCORE), 403, "lti-invalid-scope")
    problem(grades.call("GET", path, scope=SCORE), 403, "lti-invalid-scope")
    problem(grades.call("GET", "", scope=RESULTS), 403, "lti-invalid-scope")
    problem(grades.call("GET", f"{path}/results", scope=LINE_ITEM), 403, "lti-invalid-scope")
    refused = grades.call(
        "POST", f"{path}/scores", scope=NRPS, media_type=SCORE_TYPE, body={"userId": world.student.user_id}
    )
    problem(refused, 403, "lti-invalid-scope")
    problem(grades.tool_caller.get(f"/lti/courses/{grades.course_id}/lineitems"), 401, "lti-invalid-token")


def test_another_tool_course_or_institution_finds_no_line_item(
    world: World, stack: Stack, gateway: ApiGateway, jwks: tuple[ToolKeys, str]
) -> None:
    item = world.grades.create()
    path = f"/{_id(item)}"
    unknown_course = create_course(world.instructor, title="Never launched")["id"]
    world.grades.course_id = unknown_course
    try:
        problem(world.grades.call("GET", path), 404, "lti-line-item-not-found")
        problem(world.grades.call("GET", ""), 404, "lti-course-not-found")
        problem(
            world.grades.call("POST", "", body={"label": "x", "scoreMaximum": 1}), 404, "lti-course-not-found"
        )
    finally:
        world.grades.course_id = world.launched.course_id
    problem(world.grades.call("GET", "/01UNKNOWNLINEITEM"), 404, "lti-line-item-not-found")
    # A second tool of the institution, launched from its own course, and one of another institution.
    second = World(stack, gateway, *jwks)
    second.grades.course_id = world.launched.course_id
    problem(second.grades.call("GET", path), 404, "lti-line-item-not-found")
    problem(second.grades.call("GET", ""), 404, "lti-course-not-found")
    same_institution = register_and_launch(world.tenant, world.admin, world.instructor, *jwks)
    neighbour = Grades(same_institution)
    neighbour.course_id = world.launched.course_id
    problem(neighbour.call("GET", path), 404, "lti-line-item-not-found")
    problem(neighbour.call("GET", f"/{world.launched.lesson_id}"), 404, "lti-line-item-not-found")


def test_the_resource_links_line_item_is_made_on_first_use(world: World) -> None:
    grades = world.grades
    lesson = world.launched.lesson_id
    before = grades.call("GET", "", scope=READ_LINE_ITEMS, query={"resource_link_id": lesson})
    assert before.json() == []
    first = grades.call("GET", f"/{lesson}", scope=READ_LINE_ITEMS)
    assert first.status == 200, first.body
    assert grades.tool_caller.last_calls == expected_requests(
        "GET", "/lti/courses/{course_id}/lineitems/{line_item_id}", "the resource link's, first use"
    )
    item = first.json()
    assert (item["resourceLinkId"], item["label"], item["scoreMaximum"]) == (lesson, "Packet lab", 100)
    assert grades.call("GET", f"/{lesson}", scope=READ_LINE_ITEMS).json() == item
    assert grades.tool_caller.last_calls == expected_requests(
        "GET", "/lti/courses/{course_id}/lineitems/{line_item_id}"
    )
    after = grades.call("GET", "", scope=READ_LINE_ITEMS, query={"resource_link_id": lesson})
    assert [i["id"] for i in after.json()] == [item["id"]]


def test_the_launch_names_the_grade_services_in_its_id_token(world: World) -> None:
    launched = world.launched
    claims = jwt.decode(launched.id_token, options={"verify_signature": False})
    endpoint = claims["https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"]
    lineitems = launched.tool["platform"]["issuer"] + f"/lti/courses/{launched.course_id}/lineitems"
    assert endpoint == {
        "scope": [LINE_ITEM, READ_LINE_ITEMS, RESULTS, SCORE],
        "lineitems": lineitems,
        "lineitem": f"{lineitems}/{launched.lesson_id}",
    }


def test_scores_are_kept_newest_first_and_read_as_results(world: World) -> None:
    grades = world.grades
    item = grades.create(label="Lab scores", scoreMaximum=20)
    line = _id(item)
    now = datetime.now(UTC)
    posted = grades.score(
        line, world.student.user_id, scoreGiven=12, scoreMaximum=10, timestamp=now.isoformat()
    )
    assert posted.status == 204, posted.body
    assert grades.tool_caller.last_calls == expected_requests(
        "POST", "/lti/courses/{course_id}/lineitems/{line_item_id}/scores"
    )
    [result] = grades.results(line)
    assert result == {
        "id": f"{item['id']}/results/{world.student.user_id}",
        "scoreOf": item["id"],
        "userId": world.student.user_id,
        "resultScore": 24,  # above the maximum: extra credit is kept, scaled to the line item's 20
        "resultMaximum": 20,
    }
    older = (now - timedelta(minutes=1)).isoformat()
    assert grades.score(line, world.student.user_id, scoreGiven=1, timestamp=older).status == 204
    assert grades.score(line, world.student.user_id, scoreGiven=1, timestamp=now.isoformat()).status == 204
    assert grades.results(line)[0]["resultScore"] == 24
    later = (now + timedelta(seconds=1)).isoformat()
    cleared = grades.score(line, world.student.user_id, scoreGiven=None, scoreMaximum=None, timestamp=later)
    assert cleared.status == 204, cleared.body
    assert grades.results(line, user_id=world.student.user_id) == [
        {
            "id": f"{item['id']}/results/{world.student.user_id}",
            "scoreOf": item["id"],
            "userId": world.student.user_id,
            "resultMaximum": 20,
        }
    ]
    assert grades.results(line, user_id=world.other_student.user_id) == []


@pytest.mark.parametrize(
    ("fields", "errors"),
    [
        pytest.param({"userId": None}, {"userId"}, id="no-user"),
        pytest.param({"gradingProgress": "Done"}, {"gradingProgress"}, id="unknown-progress"),
        pytest.param({"activityProgress": None}, {"activityProgress"}, id="no-activity"),
        pytest.param({"timestamp": "yesterday"}, {"timestamp"}, id="bad-timestamp"),
        pytest.param({"timestamp": "2026-01-01T10:00:00"}, {"timestamp"}, id="naive-timestamp"),
        pytest.param({"scoreGiven": -1}, {"scoreGiven"}, id="negative"),
        pytest.param({"scoreMaximum": None}, {"scoreMaximum"}, id="given-without-maximum"),
    ],
)
def test_an_invalid_score_is_refused_naming_its_fields(
    world: World, fields: dict[str, Any], errors: set[str]
) -> None:
    line = _id(world.grades.create())
    refused = problem(world.grades.score(line, world.student.user_id, **fields), 400, "lti-invalid-score")
    assert {e["field"] for e in refused["errors"]} == errors


def test_a_score_for_someone_not_enrolled_is_refused(world: World) -> None:
    line = _id(world.grades.create())
    for someone in (world.other_student.user_id, world.instructor.user_id, "01NOSUCHUSER"):
        problem(world.grades.score(line, someone), 422, "lti-score-user-not-member")
    assert world.grades.results(line) == []
    problem(world.grades.score("01UNKNOWNLINEITEM", world.student.user_id), 404, "lti-line-item-not-found")


def _my_grades(world: World) -> dict[str, Any]:
    answer = world.student.get(f"/assessments/gradebook/courses/{world.launched.course_id}/me")
    assert answer.status == 200, answer.body
    grades: dict[str, Any] = answer.json()
    return grades


def test_a_fully_graded_score_counts_in_the_gradebook_and_the_course_grade(world: World) -> None:
    grades = world.grades
    line = _id(grades.create(label="Graded lab", scoreMaximum=50))
    now = datetime.now(UTC)
    assert grades.score(line, world.student.user_id, scoreGiven=9, timestamp=now.isoformat()).status == 204
    assert drained(world.tenant.stack, consumers=GRADEBOOK).failures == 0
    mine = _my_grades(world)
    [score] = [s for s in mine["scores"] if s["assessment_id"] == line]
    assert (score["kind"], score["title"], score["category"]) == ("lti", "Graded lab", "assignments")
    assert (score["score"], score["points"]) == ("45", "50")
    [assignments] = [c for c in mine["categories"] if c["name"] == "assignments"]
    assert assignments["counted"] >= 1
    assert mine["final_percent"] is not None
    staff = world.instructor.get(f"/assessments/gradebook/courses/{world.launched.course_id}/students")
    assert line in [c["assessment_id"] for c in staff.json()["columns"]]
    # Not fully graded withdraws the grade; deleting the line item removes its column.
    later = (now + timedelta(seconds=1)).isoformat()
    pending = grades.score(line, world.student.user_id, gradingProgress="PendingManual", timestamp=later)
    assert pending.status == 204
    assert drained(world.tenant.stack, consumers=GRADEBOOK).failures == 0
    assert line not in [s["assessment_id"] for s in _my_grades(world)["scores"]]
    assert grades.call("DELETE", f"/{line}").status == 204
    assert drained(world.tenant.stack, consumers=GRADEBOOK).failures == 0
    staff = world.instructor.get(f"/assessments/gradebook/courses/{world.launched.course_id}/students")
    assert line not in [c["assessment_id"] for c in staff.json()["columns"]]


def test_a_disabled_tool_has_no_grade_services(
    stack: Stack, gateway: ApiGateway, jwks: tuple[ToolKeys, str]
) -> None:
    other = World(stack, gateway, *jwks)
    token_path = f"/{other.launched.lesson_id}"
    assert other.grades.call("GET", token_path).status == 200
    tool = other.launched.tool
    assert other.admin.patch(f"/lti/tools/{tool['id']}", {"enabled": False}, version=1).status == 200
    problem(other.grades.call("GET", token_path), 403, "lti-tool-disabled")
    problem(other.grades.score(other.launched.lesson_id, other.student.user_id), 403, "lti-tool-disabled")


def test_a_students_scores_are_in_their_export_and_gone_on_erasure(
    stack: Stack, gateway: ApiGateway, jwks: tuple[ToolKeys, str]
) -> None:
    scene = World(stack, gateway, *jwks)
    scene.student = scene.tenant.invited(scene.admin)  # an account with a profile, as erasure needs
    enroll(scene.tenant, scene.launched.course_id, scene.student)
    line = _id(scene.grades.create(label="Exported lab"))
    assert scene.grades.score(line, scene.student.user_id, comment="Well argued").status == 204
    job = request_export(scene.student, scene.student.user_id)
    drained(stack)
    document = export_document(stack, scene.tenant, scene.student.user_id, job["export_id"])
    scores = document["contexts"]["lti"]["scores"]
    assert [(s["line_item_id"], s["score_given"], s["comment"]) for s in scores] == [
        (line, "8", "Well argued")
    ]
    assert scene.admin.delete(f"/users/{scene.student.user_id}").status == 202
    drained(stack)
    assert [i for i in scene.tenant.items() if i["entity"] == "lti-result"] == []
    assert scene.grades.results(line) == []


def test_the_resource_links_line_item_counts_in_the_category_its_lesson_names(world: World) -> None:
    course = create_course(world.instructor, title="Quizzed labs")
    section = add_section(world.instructor, course["id"])
    link = {"tool_id": world.launched.tool["id"], "gradebook_category": "quizzes"}
    lesson = add_lesson(
        world.instructor, course["id"], section["id"], "Timed lab", content_type="lti", content=None, lti=link
    )
    world.grades.course_id = course["id"]
    try:
        made = world.grades.call("GET", f"/{lesson['id']}", scope=READ_LINE_ITEMS)
    finally:
        world.grades.course_id = world.launched.course_id
    assert made.status == 200, made.body
    assert (made.json()["label"], made.json()[CATEGORY]) == ("Timed lab", "quizzes")


def test_a_create_retried_with_its_idempotency_key_makes_one_line_item(world: World) -> None:
    grades = world.grades
    body = {"label": "Retried lab", "scoreMaximum": 5, "tag": "retried"}
    key = {"Idempotency-Key": "line-item-1"}
    first = grades.call("POST", "", body=body, headers=key)
    assert first.status == 201, first.body
    again = grades.call("POST", "", body=body, headers=key)
    assert (again.status, again.header("Idempotent-Replayed")) == (201, "true")
    assert again.header("Content-Type") == LINE_ITEM_TYPE
    assert again.json() == first.json()
    listed = grades.call("GET", "", scope=READ_LINE_ITEMS, query={"tag": "retried"})
    assert [i["id"] for i in listed.json()] == [first.json()["id"]]
    problem(
        grades.call("POST", "", body=body | {"label": "Other"}, headers=key), 422, "idempotency-key-reused"
    )
