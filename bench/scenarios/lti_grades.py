"""Scenarios of LTI Assignment and Grade Services (LtiFunction): line items, scores, results.

The tool is launched once from the course and holds one access token with every AGS scope; each
call is then the tool's request as it sends it (the access token's tool read, the route's items).
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from bench.invoke import ApiCall
from bench.scenarios.base import TRAIL
from bench.scenarios.enrollment import ENROLLMENTS, learner
from bench.scenarios.lti import FORM, LEARNER, _Services
from lms.lti.ags.domain import AGS_SCOPES, LINE_ITEM_MEDIA_TYPE, SCORE_MEDIA_TYPE
from lms.lti.ags.repository import LINE_ITEM_ENTITY

LINE_ITEMS = "/lti/courses/{course_id}/lineitems"
LINE_ITEM = LINE_ITEMS + "/{line_item_id}"
SCORES = LINE_ITEM + "/scores"


class _Grades(_Services):
    def setup(self) -> None:
        super().setup()
        form = self.token_form().replace("scope=", "scope=" + "+".join(AGS_SCOPES) + "+", 1)
        token = self.send(ApiCall("POST", "/lti/token", None, raw_body=form, headers=FORM), 200)
        self.bearer = {"Authorization": f"Bearer {token.json()['access_token']}"}
        self.params = {"course_id": self.launch["course_id"]}

    def tool_call(
        self, method: str, path: str, body: Any = None, query: dict[str, str] | None = None, **params: str
    ) -> ApiCall:
        headers = dict(self.bearer)
        raw = None
        if body is not None:
            headers["Content-Type"] = SCORE_MEDIA_TYPE if path.endswith("/scores") else LINE_ITEM_MEDIA_TYPE
            raw = json.dumps(body)
        return ApiCall(
            method, path, None, {**self.params, **params}, headers=headers, query=query or {}, raw_body=raw
        )

    def line_item(self, label: str) -> str:
        made = self.send(self.tool_call("POST", LINE_ITEMS, {"label": label, "scoreMaximum": 50}), 201)
        return str(made.json()["id"]).rsplit("/", 1)[1]

    def score(self, user_id: str, index: int) -> dict[str, Any]:
        moment = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(seconds=index)
        return {
            "userId": user_id,
            "scoreGiven": 40,
            "scoreMaximum": 50,
            "activityProgress": "Completed",
            "gradingProgress": "FullyGraded",
            "timestamp": moment.isoformat(),
        }


class CreateLtiLineItem(_Grades):
    """Reads the tool (the token's) and the mark that it was launched from the course; one transaction."""

    method, path, status = "POST", LINE_ITEMS, 201
    disposable = TRAIL | {LINE_ITEM_ENTITY}

    def next_call(self, index: int) -> ApiCall:
        return self.tool_call("POST", LINE_ITEMS, {"label": f"Lab {index}", "scoreMaximum": 50})


class CreateLtiLineItemIdempotent(CreateLtiLineItem):
    variant = "Idempotency-Key"

    def next_call(self, index: int) -> ApiCall:
        call = super().next_call(index)
        headers = {**call.headers, "Idempotency-Key": f"line-item-{uuid.uuid4().hex}"}
        return ApiCall(
            call.method, call.resource, None, call.path_params, headers=headers, raw_body=call.raw_body
        )


class ListLtiLineItems(_Grades):
    method, path = "GET", LINE_ITEMS

    def setup(self) -> None:
        super().setup()
        for serial in range(self.page_size + 1):
            self.line_item(f"Lab {serial}")

    def next_call(self, index: int) -> ApiCall:
        return self.tool_call("GET", LINE_ITEMS, query=self.page_query())


class GetLtiLineItem(_Grades):
    method, path = "GET", LINE_ITEM

    def setup(self) -> None:
        super().setup()
        self.line = self.line_item("Read")

    def next_call(self, index: int) -> ApiCall:
        return self.tool_call("GET", LINE_ITEM, line_item_id=self.line)


class UpdateLtiLineItem(_Grades):
    method, path = "PUT", LINE_ITEM

    def setup(self) -> None:
        super().setup()
        self.line = self.line_item("Changed")

    def next_call(self, index: int) -> ApiCall:
        body = {"label": f"Changed {index}", "scoreMaximum": 50}
        return self.tool_call("PUT", LINE_ITEM, body, line_item_id=self.line)


class DeleteLtiLineItem(_Grades):
    method, path, status = "DELETE", LINE_ITEM, 204

    def next_call(self, index: int) -> ApiCall:
        return self.tool_call("DELETE", LINE_ITEM, line_item_id=self.line_item(f"Deleted {index}"))


class PostLtiScore(_Grades):
    """The enrollment is a condition of the transaction, not a read; each call is a newer score."""

    method, path, status = "POST", SCORES, 204

    def setup(self) -> None:
        super().setup()
        self.line = self.line_item("Scored")

    def next_call(self, index: int) -> ApiCall:
        body = self.score(LEARNER.user_id, index)
        return self.tool_call("POST", self.path, body, line_item_id=self.line)


class ListLtiResults(_Grades):
    method, path = "GET", LINE_ITEM + "/results"

    def setup(self) -> None:
        super().setup()
        self.line = self.line_item("Results")
        for serial in range(self.page_size + 1):
            student = learner(f"lti-results-{serial}")
            self.send(ApiCall("POST", ENROLLMENTS, student, self.params), 201)
            score = self.score(student.user_id, 0)
            self.send(self.tool_call("POST", SCORES, score, line_item_id=self.line), 204)

    def next_call(self, index: int) -> ApiCall:
        return self.tool_call("GET", self.path, query=self.page_query(), line_item_id=self.line)


LTI_GRADE_SCENARIOS = (
    CreateLtiLineItem,
    CreateLtiLineItemIdempotent,
    ListLtiLineItems,
    GetLtiLineItem,
    UpdateLtiLineItem,
    DeleteLtiLineItem,
    PostLtiScore,
    ListLtiResults,
)
