"""A function whose API has parts imports, on its first request, only the part that answers it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# A new process is a new container: it imports the handler, then answers one request without a
# token (refused by the route as unauthenticated, which shows the route was found).
_FIRST_REQUEST = """
import json, sys
import app
from infra.functions import LambdaContext
from infra.gateway import build_rest_event

parts = set(sys.argv[2].split(","))
before = sorted(parts & set(sys.modules))
event = build_rest_event(
    method="GET", resource=sys.argv[1], path=sys.argv[1], path_params={}, headers={}, query={},
    body=None, claims=None, stage="test", region="us-east-1",
    request_id="6f1c2b3a-0d4e-4f5a-8b6c-7d8e9f0a1b2c",
)
answer = app.handler(event, LambdaContext("lms-test"))
after = sorted(parts & set(sys.modules))
print(json.dumps({"before": before, "after": after, "status": answer["statusCode"], "body": answer["body"]}))
"""


def _first_request(function: str, resource: str, parts: list[str]) -> dict[str, object]:
    code_dir = ROOT / "functions" / function
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(code_dir), str(ROOT / "layers" / "shared"), str(ROOT)]),
        "TABLE_NAME": "lms-test",
        "EVENT_BUS_NAME": "lms-test",
        "POWERTOOLS_TRACE_DISABLED": "true",
    }
    completed = subprocess.run(  # noqa: S603 - our interpreter and our code
        [sys.executable, "-c", _FIRST_REQUEST, resource, ",".join(parts)],
        cwd=code_dir,
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    return json.loads(completed.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


@pytest.mark.parametrize(
    ("function", "resource", "parts", "answering"),
    [
        (
            "assessments",
            "/assessments/quizzes/{quiz_id}",
            ["quiz_routes", "assignment_routes", "gradebook_routes"],
            "quiz_routes",
        ),
        (
            "communication",
            "/communication/conversations",
            ["announcement_routes", "discussion_routes", "message_routes"],
            "message_routes",
        ),
    ],
)
def test_the_first_request_imports_only_the_part_of_the_api_that_answers_it(
    function: str, resource: str, parts: list[str], answering: str
) -> None:
    found = _first_request(function, resource, parts)
    assert found["before"] == []
    assert found["after"] == [answering]
    assert found["status"] == 401, found["body"]
