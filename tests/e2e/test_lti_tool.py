"""LTI 1.3 against a real tool: a pylti1p3 tool on this machine, registered through the API, launched
by a browser-like HTTP client that follows the redirects and posts the forms as a browser would; the
tool then reads the course's roster through the names and roles service and posts a student's
score through the assignment and grade services, which the gradebook counts."""

from __future__ import annotations

from collections.abc import Iterator
from html.parser import HTMLParser
from typing import Any

import pytest
import requests

from infra.local_stack import LocalStack
from tests.support.client import Caller
from tests.support.courses import add_lesson, add_section, create_course, publish
from tests.support.local import demo, eventually, new_student, signed_in
from tests.support.lti_tool import LtiTool, PlatformValues

LTI = "https://purl.imsglobal.org/spec/lti/claim/"
LIS = "http://purl.imsglobal.org/vocab/lis/v2/"


class AutoPostForm(HTMLParser):
    """The form of an auto-posting page, read as a browser reads it: its action and hidden fields."""

    def __init__(self) -> None:
        super().__init__()
        self.action = ""
        self.fields: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {name: value or "" for name, value in attrs}
        if tag == "form":
            self.action = found["action"]
        elif tag == "input" and found.get("type") == "hidden":
            self.fields[found["name"]] = found["value"]


def browse_launch(login_url: str, tamper: Any = None) -> requests.Response:
    """What a browser does from the login URL: follow the redirects, then post the page's form."""
    browser = requests.Session()
    page = browser.get(login_url, timeout=30)  # tool's login -> platform's authorization endpoint
    assert page.status_code == 200, page.text
    assert page.headers["Content-Type"].startswith("text/html")
    form = AutoPostForm()
    form.feed(page.text)
    fields = tamper(form.fields) if tamper else form.fields
    return browser.post(form.action, data=fields, timeout=30)


@pytest.fixture(scope="module")
def tool() -> Iterator[LtiTool]:
    running = LtiTool().start()
    yield running
    running.stop()


@pytest.fixture(scope="module")
def course(local: LocalStack, tool: LtiTool) -> dict[str, Any]:
    """The tool registered by the demo institution's admin, and a published course with a lesson of it."""
    admin = signed_in(local, demo(local, "institution-admins"))
    registered = admin.post("/lti/tools", tool.registration())
    assert registered.status == 201, registered.body
    tool.configure(registered.json()["platform"])
    instructor = signed_in(local, demo(local, "instructors"))
    made = create_course(instructor, title="Systems programming")
    section = add_section(instructor, made["id"])
    link = {"tool_id": registered.json()["id"], "custom": {"exercise": "pointers-1"}}
    lesson = add_lesson(
        instructor, made["id"], section["id"], "Pointer lab", content_type="lti", content=None, lti=link
    )
    publish(instructor, made["id"])
    return {"id": made["id"], "lesson_id": lesson["id"], "tool": registered.json(), "admin": admin}


def enrolled_student(local: LocalStack, course: dict[str, Any]) -> Caller:
    student = new_student(local)
    assert student.post(f"/courses/{course['id']}/enrollments", {}).status == 201
    return student


def login_url(student: Caller, course: dict[str, Any]) -> str:
    started = student.post("/lti/launches", {"course_id": course["id"], "lesson_id": course["lesson_id"]})
    assert started.status == 200, started.body
    url: str = started.json()["login_url"]
    return url


def test_the_tool_validates_a_students_launch_with_its_own_library(
    local: LocalStack, tool: LtiTool, course: dict[str, Any]
) -> None:
    student = enrolled_student(local, course)
    launched = browse_launch(login_url(student, course))
    assert launched.status_code == 200, launched.text
    data = tool.launches[-1]
    assert launched.json()["sub"] == data["sub"]
    assert data["iss"] == course["tool"]["platform"]["issuer"]
    assert data["aud"] == course["tool"]["client_id"]
    assert data[LTI + "message_type"] == "LtiResourceLinkRequest"
    assert data[LTI + "version"] == "1.3.0"
    assert data[LTI + "deployment_id"] == course["tool"]["deployment_id"]
    assert data[LTI + "resource_link"]["id"] == course["lesson_id"]
    assert data[LTI + "context"]["id"] == course["id"]
    assert data[LTI + "custom"] == {"exercise": "pointers-1"}
    assert LIS + "membership#Learner" in data[LTI + "roles"]
    roster = {member["user_id"]: member["roles"] for member in tool.rosters[-1]}
    assert roster[data["sub"]] == [LIS + "membership#Learner"]
    assert [LIS + "membership#Instructor"] in roster.values()


def test_the_tools_grade_counts_in_the_gradebook_and_the_students_course_grade(
    local: LocalStack, tool: LtiTool, course: dict[str, Any]
) -> None:
    student = enrolled_student(local, course)
    tool.grade = (42, 50)
    try:
        launched = browse_launch(login_url(student, course))
    finally:
        tool.grade = None
    assert launched.status_code == 200, launched.text
    posted = tool.graded[-1]
    line_items = f"{course['tool']['platform']['issuer']}/lti/courses/{course['id']}/lineitems"
    assert posted["line_item"] == f"{line_items}/{course['lesson_id']}"
    assert posted["label"] == "Pointer lab"
    grades_path = f"/assessments/gradebook/courses/{course['id']}/me"

    def counted() -> bool:
        scores = student.get(grades_path).json()["scores"]
        return any(score["assessment_id"] == course["lesson_id"] for score in scores)

    assert eventually(counted, seconds=30)
    mine = student.get(grades_path).json()
    [score] = mine["scores"]
    assert (score["kind"], score["title"], score["category"]) == ("lti", "Pointer lab", "assignments")
    assert (score["score"], score["points"]) == ("84", "100")  # 42 of 50, on the line item's 100
    assert (mine["final_percent"], mine["letter"]) == ("84.00", "B")
    instructor = signed_in(local, demo(local, "instructors"))
    row = instructor.get(f"/assessments/gradebook/courses/{course['id']}/students/{student.user_id}")
    assert row.status == 200, row.body
    assert row.json()["final_percent"] == "84.00"


def test_a_tampered_id_token_is_refused_by_the_tool(
    local: LocalStack, tool: LtiTool, course: dict[str, Any]
) -> None:
    student = enrolled_student(local, course)

    def tampered(fields: dict[str, str]) -> dict[str, str]:
        header, payload, signature = fields["id_token"].split(".")
        flipped = signature[:-2] + ("AA" if signature[-2:] != "AA" else "BB")
        return {**fields, "id_token": f"{header}.{payload}.{flipped}"}

    launched = browse_launch(login_url(student, course), tamper=tampered)
    assert launched.status_code == 400
    assert "decode id_token" in launched.json()["error"]


def test_a_replayed_launch_is_refused_by_the_platform(local: LocalStack, course: dict[str, Any]) -> None:
    student = enrolled_student(local, course)
    browser = requests.Session()
    page = browser.get(login_url(student, course), timeout=30)
    assert page.status_code == 200
    replayed = browser.get(page.url, timeout=30)  # the same authentication request again
    assert replayed.status_code == 400
    assert replayed.json()["type"] == "urn:lms:problem:lti-replayed"


def test_a_disabled_tool_does_not_launch(local: LocalStack, tool: LtiTool) -> None:
    admin = signed_in(local, demo(local, "institution-admins"))
    registered = admin.post("/lti/tools", tool.registration("Retired lab")).json()
    tool.configure(registered["platform"])
    instructor = signed_in(local, demo(local, "instructors"))
    made = create_course(instructor, title="Retired")
    section = add_section(instructor, made["id"])
    lesson = add_lesson(
        instructor,
        made["id"],
        section["id"],
        content_type="lti",
        content=None,
        lti={"tool_id": registered["id"]},
    )
    started = instructor.post("/lti/launches", {"course_id": made["id"], "lesson_id": lesson["id"]})
    assert started.status == 200
    disabled = admin.patch(f"/lti/tools/{registered['id']}", {"enabled": False}, version=1)
    assert disabled.status == 200, disabled.body
    page = requests.Session().get(started.json()["login_url"], timeout=30)
    assert page.status_code == 403
    assert page.json()["type"] == "urn:lms:problem:lti-tool-disabled"


NRPS = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"
JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"


def platform_of(tool: LtiTool, course: dict[str, Any]) -> PlatformValues:
    return next(p for p in tool.registrations if p.client_id == course["tool"]["client_id"])


def ask_token(platform: PlatformValues, assertion: str) -> requests.Response:
    """The tool at the platform's token endpoint, as its service client asks (form-encoded)."""
    form = {
        "grant_type": "client_credentials",
        "client_assertion_type": JWT_BEARER,
        "client_assertion": assertion,
        "scope": NRPS,
    }
    return requests.post(platform.token_url, data=form, timeout=30)


def test_an_expired_client_assertion_is_refused_at_the_token_endpoint(
    tool: LtiTool, course: dict[str, Any]
) -> None:
    platform = platform_of(tool, course)
    refused = ask_token(platform, tool.client_assertion(platform, lifetime_s=300, age_s=600))
    assert refused.status_code == 401, refused.text
    assert refused.json()["type"] == "urn:lms:problem:lti-invalid-client"
    assert ask_token(platform, tool.client_assertion(platform)).status_code == 200


def test_a_key_rotated_at_the_tool_is_taken_at_once_and_the_old_one_refused(
    local: LocalStack, tool: LtiTool, course: dict[str, Any]
) -> None:
    platform = platform_of(tool, course)
    old = tool.rotate_key()
    assert tool.kid != old[1]
    taken = ask_token(platform, tool.client_assertion(platform))  # a kid the platform has not seen
    assert taken.status_code == 200, taken.text
    refused = ask_token(platform, tool.client_assertion(platform, key=old))
    assert refused.status_code == 401, refused.text
    assert refused.json()["type"] == "urn:lms:problem:lti-invalid-client"
    # The tool's own services (NRPS) go on with the new key: a launch still reads the roster.
    rosters = len(tool.rosters)
    assert browse_launch(login_url(enrolled_student(local, course), course)).status_code == 200
    assert len(tool.rosters) == rosters + 1


def test_the_tool_deep_links_a_lesson_that_a_student_then_launches(
    local: LocalStack, tool: LtiTool, course: dict[str, Any]
) -> None:
    instructor = signed_in(local, demo(local, "instructors"))
    made = create_course(instructor, title="Memory labs")
    section = add_section(instructor, made["id"])
    tool.deep_link_items = [{"title": "Heap lab", "custom": {"exercise": "heap-1"}, "score_maximum": 10}]
    body = {"course_id": made["id"], "section_id": section["id"], "tool_id": course["tool"]["id"]}
    started = instructor.post("/lti/deep-links", body)
    assert started.status == 200, started.body
    answer_page = browse_launch(started.json()["login_url"])  # the tool's signed answer, as a form
    assert answer_page.status_code == 200, answer_page.text
    assert tool.launches[-1][LTI + "message_type"] == "LtiDeepLinkingRequest"
    form = AutoPostForm()
    form.feed(answer_page.text)
    returned = requests.post(form.action, data=form.fields, timeout=30)  # the browser posts it back
    assert returned.status_code == 200, returned.text
    (lesson,) = returned.json()["lessons"]
    assert lesson["title"] == "Heap lab"
    stored = instructor.get(f"/courses/{made['id']}/lessons/{lesson['id']}").json()
    assert stored["lti"]["custom"] == {"exercise": "heap-1"}
    assert stored["lti"]["line_item"]["score_maximum"] == 10
    publish(instructor, made["id"])
    linked = {"id": made["id"], "lesson_id": lesson["id"]}
    launched = browse_launch(login_url(enrolled_student(local, linked), linked))
    assert launched.status_code == 200, launched.text
    data = tool.launches[-1]
    assert data[LTI + "resource_link"]["id"] == lesson["id"]
    assert data[LTI + "custom"] == {"exercise": "heap-1"}
    assert data[LTI + "target_link_uri"] == f"{tool.url}/launch"
