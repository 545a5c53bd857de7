"""Requests no operation can read answer 4xx problems and change nothing (none may answer 500)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from infra.gateway import ApiResponse
from lms.pagination import encode_cursor
from lms.request_body import MAX_BODY_BYTES, MAX_DEPTH
from tests.support.client import Caller
from tests.support.tenant import Tenant

COURSE = {
    "title": "Linear Algebra",
    "description": "Vectors and matrices.",
    "category": "mathematics",
    "level": "beginner",
    "language": "en",
}


def refused(response: ApiResponse, status: int, slug: str) -> dict[str, Any]:
    assert response.status == status, response.body
    assert response.header("Content-Type") == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert body["type"] == f"urn:lms:problem:{slug}"
    assert body["status"] == status
    return body


def post_course(instructor: Caller, body: str, content_type: str = "application/json") -> ApiResponse:
    return instructor.request("POST", "/courses", body=body, headers={"Content-Type": content_type})


@pytest.mark.parametrize(
    "content_type",
    [
        "multipart/form-data",
        "multipart/form-data; boundary=xyz",
        "application/x-www-form-urlencoded",
        "text/plain",
        "application/jsonp",
        "application/json; charset=latin-1",
        ";",
    ],
)
def test_a_body_of_another_media_type_is_refused(tenant: Tenant, content_type: str) -> None:
    instructor = tenant.instructor()
    refused(post_course(instructor, json.dumps(COURSE), content_type), 415, "unsupported-media-type")
    assert tenant.items() == []


def test_json_with_a_charset_parameter_is_read(tenant: Tenant) -> None:
    response = post_course(tenant.instructor(), json.dumps(COURSE), "Application/JSON; charset=UTF-8")
    assert response.status == 201, response.body


@pytest.mark.parametrize(
    "body",
    [
        "[" * 1000 + "]" * 1000,
        json.dumps({**COURSE, "learning_objectives": [[[["deep"]]]]}).replace(
            '["deep"]', "[" * MAX_DEPTH + "]" * MAX_DEPTH
        ),
        json.dumps(COURSE)[:-1] + ', "capacity": ' + "9" * 4301 + "}",
        json.dumps(COURSE)[:-1] + ', "capacity": 9007199254740992}',
        json.dumps(COURSE)[:-1] + ', "capacity": NaN}',
        json.dumps(COURSE)[:-1] + ', "capacity": 1e999}',
    ],
    ids=["nested-1000", "nested-past-limit", "integer-4301-digits", "integer-past-2^53", "nan", "infinite"],
)
def test_a_body_past_the_json_limits_is_a_malformed_body(tenant: Tenant, body: str) -> None:
    instructor = tenant.instructor()
    refused(post_course(instructor, body), 400, "malformed-body")
    assert tenant.items() == []


def test_a_body_over_the_size_limit_is_too_large(tenant: Tenant) -> None:
    instructor = tenant.instructor()
    body = json.dumps({**COURSE, "description": "x" * MAX_BODY_BYTES})
    problem = refused(post_course(instructor, body), 413, "payload-too-large")
    assert problem["max_bytes"] == MAX_BODY_BYTES
    assert tenant.items() == []


SIGNED_BUT_MISSHAPEN = {
    "a string": "INST#x#CATALOG#published",
    "a list": [{"GSI1PK": {"S": "INST#x#CATALOG#published"}}],
    "a number for a key": {
        "GSI1PK": {"S": "{partition}"},
        "GSI1SK": {"S": "a"},
        "PK": {"N": "1"},
        "SK": {"S": "COURSE"},
    },
    "a key missing": {"GSI1PK": {"S": "{partition}"}, "PK": {"S": "INST#x#COURSE#1"}},
    "a key too many": {
        "GSI1PK": {"S": "{partition}"},
        "GSI1SK": {"S": "a"},
        "PK": {"S": "INST#x#COURSE#1"},
        "SK": {"S": "COURSE"},
        "Extra": {"S": "x"},
    },
    "a map for a string": {
        "GSI1PK": {"S": {"S": "{partition}"}},
        "GSI1SK": {"S": "a"},
        "PK": {"S": "INST#x#COURSE#1"},
        "SK": {"S": "COURSE"},
    },
}


@pytest.mark.parametrize("shape", SIGNED_BUT_MISSHAPEN)
def test_a_signed_cursor_of_the_wrong_shape_is_refused(tenant: Tenant, shape: str) -> None:
    partition = f"INST#{tenant.institution_id}#CATALOG#published"
    key = json.loads(json.dumps(SIGNED_BUT_MISSHAPEN[shape]).replace("{partition}", partition))
    cursor = encode_cursor(key)
    assert cursor is not None
    refused(tenant.student().get("/courses", query={"cursor": cursor}), 400, "invalid-cursor")


def test_an_unusable_institution_of_a_platform_admins_erasure_is_refused(tenant: Tenant) -> None:
    admin = tenant.platform_admin()
    student = tenant.student()
    before = tenant.items()
    response = admin.delete(f"/users/{student.user_id}", query={"institution_id": "}"})
    assert 400 <= response.status < 500, response.body
    assert response.header("Content-Type") == "application/problem+json"
    assert tenant.items() == before
