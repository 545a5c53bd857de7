"""The catalog index rebuilt from an institution's courses: courses from before the index, or an
index lost, become searchable; running it again changes nothing."""

from __future__ import annotations

from typing import Any

import boto3

from infra.catalog_rebuild import main, rebuild_catalog
from infra.instrument import AwsCallRecorder
from lms import keys
from lms.courses.catalog.store import SHARDS
from tests.support.courses import published_course
from tests.support.tenant import Tenant


def _lose_the_index(tenant: Tenant) -> None:
    table = boto3.resource("dynamodb", region_name=tenant.stack.region).Table(tenant.stack.table_name)
    pk = keys.catalog_index_pk(tenant.institution_id)
    for item in table.query(KeyConditionExpression="PK = :pk", ExpressionAttributeValues={":pk": pk})[
        "Items"
    ]:
        table.delete_item(Key={"PK": item["PK"], "SK": item["SK"]})


def _titles(student: Any, **query: str) -> list[str]:
    return sorted(c["title"] for c in student.get("/courses", query=query).json()["items"])


def test_a_lost_index_is_rebuilt_from_the_courses_with_queries_only(tenant: Tenant) -> None:
    instructor, student = tenant.instructor(), tenant.student()
    published_course(instructor, title="Astronomy")
    published_course(instructor, title="Botany", category="science")
    _lose_the_index(tenant)
    assert _titles(student) == []

    recorder = AwsCallRecorder()
    with recorder.recording():
        assert rebuild_catalog(tenant.institution_id) == 2
    assert recorder.scans == []
    assert recorder.calls[("dynamodb", "Query")] == 1
    assert recorder.calls[("dynamodb", "PutItem")] == SHARDS + 1
    assert _titles(student) == ["Astronomy", "Botany"]
    assert _titles(student, category="science", search="bot") == ["Botany"]


def test_rebuilding_again_gives_the_same_index_and_drops_what_no_course_backs(tenant: Tenant) -> None:
    instructor, student = tenant.instructor(), tenant.student()
    kept = published_course(instructor, title="Chemistry")
    assert main(["--stage", tenant.stack.stage, tenant.institution_id]) == 0
    first = _titles(student)
    rebuild_catalog(tenant.institution_id)
    assert _titles(student) == first == ["Chemistry"]
    assert [c["id"] for c in student.get("/courses").json()["items"]] == [kept["id"]]


def test_another_institution_s_index_is_left_alone(tenant: Tenant, other_tenant: Tenant) -> None:
    published_course(tenant.instructor(), title="Mine")
    published_course(other_tenant.instructor(), title="Theirs")
    _lose_the_index(other_tenant)
    rebuild_catalog(tenant.institution_id)
    assert _titles(tenant.student()) == ["Mine"]
    assert _titles(other_tenant.student()) == []
