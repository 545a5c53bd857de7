"""The committed documentation is what the code generates, and the API declares who may call it."""

from __future__ import annotations

import dataclasses
import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from aws_lambda_powertools.event_handler.openapi.models import OpenAPI

from infra import docs
from infra.functions import Route
from infra.template import load_template
from lms.authz import OPERATIONS


@pytest.fixture(scope="module")
def generated() -> dict[Path, str]:
    return docs.generate()


@pytest.fixture(scope="module")
def openapi(generated: dict[Path, str]) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(generated[docs.DOCS / "openapi.json"])
    return document


def test_committed_docs_are_what_the_code_generates(generated: dict[Path, str]) -> None:
    stale = [str(path.relative_to(docs.ROOT)) for path in docs.stale(generated)]
    assert not stale, f"{', '.join(stale)} differ from the code: run `make docs` and commit the result"


def test_every_operation_declares_who_may_call_it(openapi: dict[str, Any]) -> None:
    # Adding an operation without declaring who may call it fails the suite.
    operations = set(docs.operation_routes(openapi))
    protected = operations - docs.public_operations(openapi)
    undeclared = sorted(protected - set(OPERATIONS))
    assert not undeclared, f"operations without an lms.authz.operation declaration: {undeclared}"
    unserved = sorted(set(OPERATIONS) - operations)
    assert not unserved, f"declared operations that no route serves (operationId): {unserved}"


def test_every_template_route_is_in_the_openapi_document(openapi: dict[str, Any]) -> None:
    documented = set(docs.operation_routes(openapi).values())
    for spec in docs.template_functions(load_template()):
        for route in spec.routes:
            assert (route.method, route.path) in documented, f"{spec.logical_id}: {route} is not documented"


def test_only_the_template_s_public_routes_skip_the_authorizer(openapi: dict[str, Any]) -> None:
    public = {
        (route.method, route.path)
        for spec in docs.template_functions(load_template())
        for route in spec.routes
        if route.public
    }
    routes = docs.operation_routes(openapi)
    assert {routes[name] for name in docs.public_operations(openapi)} == public
    assert openapi["security"] == [{docs.SECURITY_SCHEME: []}]


def operations_of(openapi: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    return {
        (method, path): operation
        for path, item in openapi["paths"].items()
        for method, operation in item.items()
        if method in docs.METHODS
    }


def test_if_match_is_declared_where_the_route_reads_it_and_only_there(openapi: dict[str, Any]) -> None:
    conditional = {
        operation_id
        for function in docs.api_functions(load_template())
        for operation_id, headers in docs.request_headers(function.resolver).items()
        if docs.IF_MATCH in headers
    }
    assert {"UpdateCourse", "GradeSubmission"} <= conditional
    for (method, path), operation in operations_of(openapi).items():
        headers = {p["name"].lower() for p in operation.get("parameters", []) if p["in"] == "header"}
        if operation["operationId"] in conditional:
            assert "if-match" in headers, path
            assert {"412", "428"} <= set(operation["responses"]), path
        else:
            assert "if-match" not in headers, f"{method} {path}"
            assert not {"412", "428"} & set(operation["responses"]), f"{method} {path}"


def test_a_conversation_s_settings_change_without_if_match(openapi: dict[str, Any]) -> None:
    update = openapi["paths"]["/communication/conversations/{conversation_id}"]["patch"]
    assert "If-Match" not in {p["name"] for p in update.get("parameters", [])}
    assert "412" not in update["responses"]


def test_no_content_declares_no_media_type(openapi: dict[str, Any]) -> None:
    for (method, path), operation in operations_of(openapi).items():
        if "204" in operation["responses"]:
            assert "content" not in operation["responses"]["204"], f"{method} {path}"


def test_problem_responses_are_problem_json(openapi: dict[str, Any]) -> None:
    for name, response in openapi["components"]["responses"].items():
        schema = response["content"]["application/problem+json"]["schema"]
        assert schema == {"$ref": "#/components/schemas/Problem"}, name


def test_the_document_is_valid_openapi(openapi: dict[str, Any]) -> None:
    OpenAPI.model_validate(openapi)


def test_a_route_missing_from_the_template_stops_generation() -> None:
    function = docs.api_functions(load_template())[0]
    spec = dataclasses.replace(function.spec, routes=function.spec.routes[1:])
    document = json.loads(function.resolver.get_openapi_json_schema())
    missing = function.spec.routes[0]
    expected = f"in the handler but not in template.yaml: {missing.method} {missing.path}"
    with pytest.raises(docs.DocsError, match=re.escape(expected)):
        docs.check_routes(docs.ApiFunction(spec, function.resolver), document)


def test_a_template_route_without_a_handler_stops_generation() -> None:
    function = docs.api_functions(load_template())[0]
    extra = Route(method="GET", path="/courses/{course_id}/nowhere", public=False)
    spec = dataclasses.replace(function.spec, routes=(*function.spec.routes, extra))
    document = json.loads(function.resolver.get_openapi_json_schema())
    expected = "in template.yaml but not in the handler: GET /courses/{course_id}/nowhere"
    with pytest.raises(docs.DocsError, match=re.escape(expected)):
        docs.check_routes(docs.ApiFunction(spec, function.resolver), document)


def test_check_mode_names_a_missing_document(tmp_path: Path) -> None:
    missing = tmp_path / "events.md"
    assert docs.stale({missing: "# Events\n"}) == [missing]


def test_every_route_has_exactly_one_api_event_in_the_template() -> None:
    specs = docs.template_functions(load_template())
    declared = Counter((route.method, route.path) for spec in specs for route in spec.routes)
    assert [route for route, events in declared.items() if events != 1] == []


def test_a_function_without_api_events_serves_no_routes() -> None:
    for spec in docs.template_functions(load_template()):
        if not spec.routes:
            resolvers = docs.handler_resolvers(spec)
            assert resolvers == [], f"{spec.logical_id} has a resolver but no Api event in template.yaml"


def test_a_create_links_to_the_operations_on_what_it_created(openapi: dict[str, Any]) -> None:
    links = openapi["paths"]["/courses/{course_id}/sections"]["post"]["responses"]["201"]["links"]
    assert set(links) == {"UpdateSection", "RemoveSection"}
    assert links["UpdateSection"]["parameters"] == {
        "course_id": "$request.path.course_id",
        "section_id": "$response.body#/id",
        "header.If-Match": "$response.header.ETag",
    }
    assert "header.If-Match" not in links["RemoveSection"]["parameters"]
