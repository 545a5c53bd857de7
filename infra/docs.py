"""The documentation derived from the code: OpenAPI document, events catalog, roles, problem types,
and the DynamoDB requests of every operation (from bench.expectations).

`python -m infra.docs` writes them into docs/; `--check` writes nothing, names the stale files and
exits 1. Generation fails when template.yaml and the handlers disagree about the API's routes.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import inspect
import json
import pkgutil
import re
import sys
import tomllib
import types
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

from aws_lambda_powertools.event_handler.api_gateway import ApiGatewayResolver
from pydantic import BaseModel

import lms
from bench.expectations import CASES, EXPECTED, Case, Expectation
from infra.functions import FunctionSpec, function_specs
from infra.patches import event_pattern
from infra.template import TEMPLATE, load_template
from lms import errors, http, keys
from lms.auth import Role
from lms.authz import OPERATIONS, Operation
from lms.courses.commerce.schemas import OrderMessage
from lms.edge import ApiResolver
from lms.events.envelope import DomainEvent, EventEnvelope, event_types
from lms.notifications.catalog import CATALOG, LOCKED_CATEGORIES, Category
from lms.notifications.preferences import OFFERED, PLATFORM_DEFAULTS, Channel, Frequency
from lms.users.imports import roster_csv

ROOT = TEMPLATE.parent
DOCS = ROOT / "docs"
TITLE = "LMS API"
SECURITY_SCHEME = "cognito"
PROBLEM_JSON = "application/problem+json"
METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
GENERATED = "<!-- Generated from the code by `make docs` (python -m infra.docs): do not edit by hand. -->"

# Request bodies Powertools cannot declare (it gives an operation one JSON model): the handler
# turns them into the model's input before validation (functions/users/app.py for CSV rosters).
OTHER_REQUEST_MEDIA_TYPES: dict[str, dict[str, Any]] = {
    "ImportRoster": {
        roster_csv.MEDIA_TYPE: {
            "schema": {"type": "string"},
            "example": "email,given_name,family_name,role\r\nada@example.org,Ada,Lovelace,student\r\n",
        }
    }
}

# Bodies a route reads itself, after checking the request's signature over the raw bytes: Powertools
# would validate a declared body before the route runs, answering unsigned requests with 422.
SIGNED_BODIES: dict[str, type[BaseModel]] = {"ReceiveCommerceOrder": OrderMessage}

# The problem responses an operation can produce, by the base problem type of each status.
PROBLEM_RESPONSES: dict[int, type[errors.Problem]] = {
    400: errors.BadRequest,
    401: errors.Unauthenticated,
    403: errors.Forbidden,
    404: errors.NotFound,
    409: errors.Conflict,
    410: errors.Gone,
    412: errors.PreconditionFailed,
    413: errors.PayloadTooLarge,
    415: errors.UnsupportedMediaType,
    422: errors.ValidationFailed,
    428: errors.PreconditionRequired,
}

# Envelope fields the model leaves undescribed; a `Field(description=...)` on the model wins.
ENVELOPE_FIELDS = {
    "id": "Unique per event: the key consumers deduplicate on (not EventBridge's own `id`).",
    "type": "`<source>.<detail-type>.v<version>`, e.g. `lms.courses.CourseCreated.v1`.",
    "occurred_at": "When the change was committed (RFC 3339, UTC).",
    "institution_id": "The tenant the change belongs to; consumers build keys from it.",
    "actor": "Who made the change: `user_id` and `roles`.",
    "correlation_id": "The API request that caused the change, for tracing across contexts.",
    "data": "The event type's fields, below.",
}


class DocsError(Exception):
    """The code and template.yaml disagree, or a document cannot be derived."""


# ---------------------------------------------------------------- sources


@dataclass(frozen=True)
class ApiFunction:
    """A function of the template with `Api` events, and the resolver its handler module serves."""

    spec: FunctionSpec
    resolver: ApiGatewayResolver


def _placeholder(value: Any) -> Any:
    # Documentation needs no physical ids: intrinsic functions stay unevaluated.
    return "unresolved" if isinstance(value, dict | list) else value


def template_functions(template: Mapping[str, Any]) -> list[FunctionSpec]:
    return function_specs(template, {}, resolve=_placeholder, root=ROOT)


def api_functions(template: Mapping[str, Any]) -> list[ApiFunction]:
    """Every function with `Api` events and the resolver of its handler module."""
    found = []
    for spec in template_functions(template):
        if not spec.routes:
            continue
        resolvers = handler_resolvers(spec)
        if len(resolvers) != 1:
            raise DocsError(
                f"{spec.logical_id}: expected one API resolver in its handler module, found {len(resolvers)}"
            )
        found.append(ApiFunction(spec, resolvers[0]))
    return found


def handler_resolvers(spec: FunctionSpec) -> list[ApiGatewayResolver]:
    """The API resolvers of the function's handler module (one for an API function, none otherwise)."""
    return [v for v in vars(_handler_module(spec)).values() if isinstance(v, ApiGatewayResolver)]


def _handler_module(spec: FunctionSpec) -> ModuleType:
    """The handler's module, imported by file path under a name of its own.

    Not infra.functions.load_handler: its modules are shared with the local stack, and Powertools
    reads its settings (metrics namespace, log level) when the module is imported, so whoever
    imports first would decide them for the other.
    """
    module_path = spec.handler.rpartition(".")[0]
    name = "lms_docs_" + re.sub(r"\W", "_", f"{spec.code_dir.name}_{module_path}")
    if name in sys.modules:
        return sys.modules[name]
    source = spec.code_dir.joinpath(*module_path.split(".")).with_suffix(".py")
    import_spec = importlib.util.spec_from_file_location(name, source)
    if import_spec is None or import_spec.loader is None:
        raise DocsError(f"{spec.logical_id}: cannot import its handler module {source}")
    module = importlib.util.module_from_spec(import_spec)
    sys.modules[name] = module
    sys.path.insert(0, str(spec.code_dir))  # the function's own modules import as in Lambda
    try:
        import_spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[name]
        raise
    finally:
        sys.path.remove(str(spec.code_dir))
    return module


def import_all_lms_modules() -> None:
    """Import every module of the lms package, so every event type, operation and problem registers."""
    for info in pkgutil.walk_packages(lms.__path__, "lms."):
        importlib.import_module(info.name)


def policy_modules() -> list[ModuleType]:
    """`lms.<context>.policy` of every context that declares its operations."""
    modules = []
    for info in pkgutil.iter_modules(lms.__path__, "lms."):
        name = f"{info.name}.policy"
        if info.ispkg and importlib.util.find_spec(name) is not None:
            modules.append(importlib.import_module(name))
    return modules


def project_version() -> str:
    with (ROOT / "pyproject.toml").open("rb") as stream:
        return str(tomllib.load(stream)["project"]["version"])


# ---------------------------------------------------------------- OpenAPI


def _route_key(method: str, path: str) -> str:
    return f"{method.upper()} {path}"


def _operations(document: Mapping[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in document.get("paths", {}).items():
        for method in METHODS:
            if method in item:
                yield method, path, item[method]


def check_routes(function: ApiFunction, document: Mapping[str, Any]) -> None:
    """The template's `Api` events and the resolver's routes must name the same method and path."""
    declared = {_route_key(r.method, r.path) for r in function.spec.routes}
    served = {_route_key(method, path) for method, path, _ in _operations(document)}
    problems = []
    if declared - served:
        problems.append("in template.yaml but not in the handler: " + ", ".join(sorted(declared - served)))
    if served - declared:
        problems.append("in the handler but not in template.yaml: " + ", ".join(sorted(served - declared)))
    if problems:
        where = f"{function.spec.logical_id} ({function.spec.code_dir.relative_to(ROOT)})"
        raise DocsError(f"routes of {where} differ between template and code; " + "; ".join(problems))


def _merge(into: dict[str, Any], items: Mapping[str, Any], what: str) -> None:
    for name, value in items.items():
        if name in into and into[name] != value:
            raise DocsError(f"two functions define {what} {name!r} differently")
        into[name] = value


def _problem_components() -> dict[str, Any]:
    field_error = {
        "type": "object",
        "required": ["field", "in", "message"],
        "properties": {
            "field": {"type": "string", "description": "The field, dotted for nested fields."},
            "in": {
                "type": "string",
                "description": "Where the field was sent: body, query, path or header.",
            },
            "message": {"type": "string"},
        },
    }
    problem = {
        "type": "object",
        "description": "An RFC 9457 problem; docs/problems.md lists every problem type.",
        "required": ["type", "title", "status"],
        "properties": {
            "type": {"type": "string", "description": "The problem type, a URI (urn:lms:problem:...)."},
            "title": {"type": "string", "description": "The problem type in words; the same every time."},
            "status": {"type": "integer", "description": "The HTTP status code."},
            "detail": {"type": "string", "description": "This occurrence in words."},
            "instance": {"type": "string", "description": "The request path."},
            "errors": {
                "type": "array",
                "items": {"$ref": "#/components/schemas/ProblemFieldError"},
                "description": "Validation problems only: one entry per invalid field.",
            },
        },
        "additionalProperties": True,
    }
    responses = {
        cls.__name__: {
            "description": cls.title,
            "content": {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}},
        }
        for cls in PROBLEM_RESPONSES.values()
    }
    return {"schemas": {"Problem": problem, "ProblemFieldError": field_error}, "responses": responses}


def _header(name: str, *, required: bool, description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"name": name, "in": "header", "required": required, "description": description, "schema": schema}


IF_MATCH = _header(
    "If-Match",
    required=True,
    description='The version you read, as the resource\'s ETag gave it (`"3"`). '
    "A stale version answers 412, a missing header 428.",
    schema={"type": "string"},
)
IDEMPOTENCY_KEY = _header(
    "Idempotency-Key",
    required=False,
    description="Makes a retry safe: a repeated request with the same key returns the first response "
    "(with `Idempotent-Replayed: true`); the same key with a different body answers 422.",
    schema={"type": "string", "pattern": keys.SAFE_PART_PATTERN},
)
ETAG = {"description": "The resource's version, for If-Match.", "schema": {"type": "string"}}

# The kernel's readers of request headers: an operation takes the header when its route calls one.
HEADER_READERS: list[tuple[object, dict[str, Any]]] = [
    (http.expected_version, IF_MATCH),
    (http.idempotent_request, IDEMPOTENCY_KEY),
    (http.idempotency_key, IDEMPOTENCY_KEY),
]


def _called(func: types.FunctionType, seen: set[types.FunctionType] | None = None) -> list[object]:
    """The globals a function refers to, and those of the functions of its own module it calls."""
    seen = seen if seen is not None else set()
    seen.add(func)
    codes = [func.__code__]
    names: set[str] = set()
    while codes:  # nested functions (a lambda, a comprehension) are constants of their code
        code = codes.pop()
        names.update(code.co_names)
        codes += [c for c in code.co_consts if isinstance(c, types.CodeType)]
    found = [func.__globals__[name] for name in sorted(names) if name in func.__globals__]
    for value in list(found):
        if (
            isinstance(value, types.FunctionType)
            and value.__module__ == func.__module__
            and value not in seen
        ):
            found += _called(value, seen)
    return found


def request_headers(resolver: ApiGatewayResolver) -> dict[str, list[dict[str, Any]]]:
    """operationId → the headers its route reads through the kernel (If-Match, Idempotency-Key)."""
    taken: dict[str, list[dict[str, Any]]] = {}
    if isinstance(resolver, ApiResolver):
        resolver.import_all_routes()  # a function's parts register their routes on demand
    # Powertools keeps its routes in these two lists and offers no public view of them.
    for route in resolver._static_routes + resolver._dynamic_routes:
        if route.operation_id and isinstance(route.func, types.FunctionType):
            called = {id(value) for value in _called(route.func)}
            headers = [header for reader, header in HEADER_READERS if id(reader) in called]
            taken[route.operation_id] = [h for i, h in enumerate(headers) if h not in headers[:i]]
    return taken


def _problem_statuses(
    method: str, operation: Mapping[str, Any], public: bool, schemas: Mapping[str, Any]
) -> set[int]:
    """Which problems an operation can answer, from what it takes; see the rules in each branch."""
    parameters = operation.get("parameters", [])
    where = {p["in"] for p in parameters}
    names = {p["name"].lower() for p in parameters}
    statuses: set[int] = set()
    if not public:
        statuses |= {401, 403}  # no or unverifiable identity; a role the operation does not allow
        if method != "get":
            statuses.add(409)  # the state refuses the change (a resource's, a unique name's, a key's)
    if "path" in where or _names_by_id(operation, schemas):
        statuses.add(404)  # the resource addressed (by path, query or body), or another tenant's
    if "if-match" in names:
        statuses |= {412, 428}
    if names & {"if-match", "idempotency-key", "cursor"}:
        statuses.add(400)  # a malformed header or cursor
    if "requestBody" in operation:
        statuses |= {400, 413, 415}  # lms.request_body: unreadable JSON, too large, another media type
    if parameters or "requestBody" in operation:
        statuses.add(422)
    return statuses


def _names_by_id(operation: Mapping[str, Any], schemas: Mapping[str, Any]) -> bool:
    """Whether the query or the JSON body names a resource by id (a `*_id` field), which may not exist."""
    if any(p["in"] == "query" and p["name"].endswith("_id") for p in operation.get("parameters", [])):
        return True
    body = operation.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema", {})
    ref = body.get("$ref", "")
    target = schemas.get(ref.rsplit("/", 1)[-1], {}) if ref else body
    return any(name.endswith("_id") for name in target.get("properties", {}))


def _document_operation(
    method: str,
    operation: dict[str, Any],
    public: bool,
    schemas: Mapping[str, Any],
    headers: list[dict[str, Any]],
) -> None:
    parameters: list[dict[str, Any]] = operation.setdefault("parameters", [])
    other_types = OTHER_REQUEST_MEDIA_TYPES.get(operation.get("operationId", ""), {})
    if other_types:
        operation["requestBody"]["content"].update(other_types)
    declared = {(p["in"], p["name"].lower()) for p in parameters}
    parameters += [dict(h) for h in headers if ("header", h["name"].lower()) not in declared]
    if not parameters:
        del operation["parameters"]
    if public:
        operation["security"] = []
    responses: dict[str, Any] = operation.setdefault("responses", {})
    responses.pop("422", None)  # Powertools' own validation body; lms.http answers a problem instead
    # A route may declare a refusal the rules below cannot see (a public route reading its own input).
    refusals = {int(status) for status in responses if status.isdigit() and int(status) in PROBLEM_RESPONSES}
    for problem_status in _problem_statuses(method, operation, public, schemas) | refusals:
        name = PROBLEM_RESPONSES[problem_status].__name__
        responses[str(problem_status)] = {"$ref": f"#/components/responses/{name}"}
    for status, response in responses.items():
        if status == "204":
            response.pop("content", None)  # no body, so no media type (Powertools declares one anyway)
        if status.startswith("2") and _returns_versioned(response, schemas):
            response.setdefault("headers", {})["ETag"] = ETAG


def _declare_signed_bodies(paths: Mapping[str, Any], schemas: dict[str, Any]) -> None:
    """The request body of each operation of SIGNED_BODIES, with its model's schema."""
    for _, _, operation in _operations({"paths": paths}):
        model = SIGNED_BODIES.get(operation.get("operationId", ""))
        if model is None:
            continue
        schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
        _merge(schemas, {**schema.pop("$defs", {}), model.__name__: schema}, "schema")
        ref = {"$ref": f"#/components/schemas/{model.__name__}"}
        operation["requestBody"] = {"required": True, "content": {"application/json": {"schema": ref}}}


def _link_created_resources(paths: Mapping[str, Any], schemas: Mapping[str, Any]) -> None:
    """Links from each create (201 with an `id`) to the operations on what it created.

    An operation on `<create's path>/{x_id}` addresses the new resource: `x_id` is the answer's
    `id`, the other path parameters are the create's own, and a change's If-Match its ETag.
    """
    for path, item in paths.items():
        create = item.get("post", {})
        answer = create.get("responses", {}).get("201", {})
        if "id" not in _response_properties(answer, schemas):
            continue
        for target_path, target_item in paths.items():
            parent, _, last = target_path.rpartition("/")
            if parent != path or not re.fullmatch(r"\{\w+\}", last):
                continue
            parameters = {name: f"$request.path.{name}" for name in re.findall(r"\{(\w+)\}", path)}
            parameters[last.strip("{}")] = "$response.body#/id"
            for method in METHODS:
                if method in target_item:
                    target = target_item[method]
                    conditional = any(p["name"] == IF_MATCH["name"] for p in target.get("parameters", []))
                    # The create's ETag is the version a first change sends.
                    extra = {"header.If-Match": "$response.header.ETag"} if conditional else {}
                    answer.setdefault("links", {})[target["operationId"]] = {
                        "operationId": target["operationId"],
                        "parameters": {**parameters, **extra},
                    }


def _response_properties(response: Mapping[str, Any], schemas: Mapping[str, Any]) -> set[str]:
    """The top-level fields of a JSON answer's model."""
    ref = response.get("content", {}).get("application/json", {}).get("schema", {}).get("$ref", "")
    target = schemas.get(ref.rsplit("/", 1)[-1], {}) if ref else {}
    return set(target.get("properties", {}))


def _returns_versioned(response: Mapping[str, Any], schemas: Mapping[str, Any]) -> bool:
    # lms.http.respond sends the ETag of every resource that carries a version.
    return "version" in _response_properties(response, schemas)


def _referenced(value: Any) -> set[str]:
    if isinstance(value, dict):
        found = {value["$ref"]} if isinstance(value.get("$ref"), str) else set()
        return found.union(*(_referenced(v) for v in value.values()))
    if isinstance(value, list):
        return set().union(*(_referenced(v) for v in value))
    return set()


def _reachable_schemas(roots: Any, schemas: Mapping[str, Any]) -> set[str]:
    prefix = "#/components/schemas/"
    seen: set[str] = set()
    pending = [ref.removeprefix(prefix) for ref in _referenced(roots) if ref.startswith(prefix)]
    while pending:
        name = pending.pop()
        if name not in seen and name in schemas:
            seen.add(name)
            pending += [
                ref.removeprefix(prefix) for ref in _referenced(schemas[name]) if ref.startswith(prefix)
            ]
    return seen


def openapi_document(functions: Iterable[ApiFunction], version: str) -> dict[str, Any]:
    """One OpenAPI document for the whole API, merged from every function's resolver."""
    paths: dict[str, Any] = {}
    schemas: dict[str, Any] = {}
    public: set[str] = set()
    owners: dict[str, str] = {}
    headers: dict[str, list[dict[str, Any]]] = {}
    for function in functions:
        headers.update(request_headers(function.resolver))
        document = json.loads(function.resolver.get_openapi_json_schema(title=TITLE, version=version))
        check_routes(function, document)
        for method, path, _ in _operations(document):
            key = _route_key(method, path)
            if key in owners:
                raise DocsError(f"{key} is served by both {owners[key]} and {function.spec.logical_id}")
            owners[key] = function.spec.logical_id
        for path, item in document.get("paths", {}).items():
            paths.setdefault(path, {}).update(item)
        _merge(schemas, document.get("components", {}).get("schemas", {}), "schema")
        public |= {_route_key(r.method, r.path) for r in function.spec.routes if r.public}
    ids = [op["operationId"] for _, _, op in _operations({"paths": paths}) if "operationId" in op]
    repeated = sorted({name for name in ids if ids.count(name) > 1})
    if repeated:
        raise DocsError(f"operationIds used by more than one route: {', '.join(repeated)}")
    problem = _problem_components()
    _merge(schemas, problem["schemas"], "schema")
    _declare_signed_bodies(paths, schemas)
    for method, path, operation in _operations({"paths": paths}):
        taken = headers.get(operation.get("operationId", ""), [])
        _document_operation(method, operation, _route_key(method, path) in public, schemas, taken)
    _link_created_resources(paths, schemas)
    # Powertools adds its validation error bodies; lms.http answers problems instead, so they go.
    reachable = _reachable_schemas([paths, problem["responses"]], schemas)
    schemas = {name: schema for name, schema in schemas.items() if name in reachable}
    return {
        "openapi": "3.1.0",
        "info": {
            "title": TITLE,
            "version": version,
            "description": "Every context's API behind one API Gateway stage. Errors are RFC 9457 "
            "problems (application/problem+json); docs/problems.md lists their types and "
            "docs/authorization.md the roles each operation allows.",
        },
        "servers": [
            {
                "url": "https://{restApiId}.execute-api.{region}.amazonaws.com/{stage}",
                "variables": {
                    "restApiId": {"default": "api-id", "description": "The stack's ApiUrl output."},
                    "region": {"default": "us-east-1"},
                    "stage": {"default": "dev"},
                },
            }
        ],
        "security": [{SECURITY_SCHEME: []}],
        "paths": paths,
        "components": {
            "schemas": schemas,
            "responses": problem["responses"],
            "securitySchemes": {
                SECURITY_SCHEME: {
                    "type": "apiKey",
                    "in": "header",
                    "name": "Authorization",
                    "description": "The caller's Cognito user pool ID token, which API Gateway's "
                    "authorizer verifies.",
                    "x-amazon-apigateway-authtype": "cognito_user_pools",
                }
            },
        },
    }


def operation_routes(document: Mapping[str, Any]) -> dict[str, tuple[str, str]]:
    """operationId → (METHOD, path) of every operation of the document."""
    return {
        op["operationId"]: (method.upper(), path)
        for method, path, op in _operations(document)
        if "operationId" in op
    }


def public_operations(document: Mapping[str, Any]) -> set[str]:
    return {op.get("operationId", "") for _, _, op in _operations(document) if op.get("security") == []}


# ---------------------------------------------------------------- markdown helpers


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def _table(header: list[str], rows: Iterable[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    return lines


def _own_doc(cls: type) -> str:
    # inspect.getdoc would inherit the base class's docstring, which describes the base.
    doc = cls.__dict__.get("__doc__")
    return inspect.cleandoc(doc) if isinstance(doc, str) else ""


def _render(lines: list[str]) -> str:
    return "\n".join(lines).rstrip() + "\n"


# ---------------------------------------------------------------- events


def _json_type(schema: Mapping[str, Any], defs: Mapping[str, Any]) -> str:
    if "$ref" in schema:
        name = str(schema["$ref"]).rsplit("/", 1)[-1]
        target = defs.get(name, {})
        return " or ".join(f"`{v}`" for v in target["enum"]) if "enum" in target else name
    if "anyOf" in schema:
        return " or ".join(_json_type(s, defs) for s in schema["anyOf"])
    if "enum" in schema:
        return " or ".join(f"`{v}`" for v in schema["enum"])
    kind = schema.get("type", "any")
    if kind == "array":
        return f"array of {_json_type(schema.get('items', {}), defs)}"
    if kind == "string" and "format" in schema:
        return f"string ({schema['format']})"
    return str(kind)


def _field_rows(schema: Mapping[str, Any], described: Mapping[str, str] | None = None) -> list[list[str]]:
    defs = schema.get("$defs", {})
    required = set(schema.get("required", []))
    rows = []
    for name, field in schema.get("properties", {}).items():
        description = field.get("description") or (described or {}).get(name, "")
        rows.append([f"`{name}`", _json_type(field, defs), "yes" if name in required else "no", description])
    return rows


@dataclass(frozen=True)
class Delivery:
    """An EventBridge rule and where its target (a queue, or the archive's delivery stream) leads."""

    rule: str
    pattern: dict[str, Any]
    queue: str
    dead_letter_queue: str | None
    max_receive_count: int | None
    consumer: str | None
    archive: bool = False


def deliveries(template: Mapping[str, Any]) -> list[Delivery]:
    resources = template["Resources"]
    consumers = {spec.sqs_queue: spec.logical_id for spec in template_functions(template) if spec.sqs_queue}
    found = []
    for rule_id, rule in sorted(resources.items()):
        if rule.get("Type") != "AWS::Events::Rule":
            continue
        properties = rule.get("Properties") or {}
        for target in properties.get("Targets") or []:
            queue = _get_att_target(target.get("Arn"))
            if queue is not None and resources[queue].get("Type") == "AWS::KinesisFirehose::DeliveryStream":
                found.append(
                    Delivery(
                        rule=rule_id,
                        pattern=properties.get("EventPattern") or {},
                        queue=queue,
                        dead_letter_queue=None,
                        max_receive_count=None,
                        consumer=None,
                        archive=True,
                    )
                )
                continue
            if queue is None or resources.get(queue, {}).get("Type") != "AWS::SQS::Queue":
                continue
            redrive = (resources[queue].get("Properties") or {}).get("RedrivePolicy") or {}
            found.append(
                Delivery(
                    rule=rule_id,
                    pattern=properties.get("EventPattern") or {},
                    queue=queue,
                    dead_letter_queue=_get_att_target(redrive.get("deadLetterTargetArn")),
                    max_receive_count=int(redrive["maxReceiveCount"])
                    if "maxReceiveCount" in redrive
                    else None,
                    consumer=consumers.get(queue),
                )
            )
    return found


def _get_att_target(value: Any) -> str | None:
    argument = value.get("Fn::GetAtt") if isinstance(value, dict) else None
    return str(argument[0]) if isinstance(argument, list) and argument else None


def routes_event(delivery: Delivery, event: type[DomainEvent]) -> bool:
    # Which event types a rule can route: its conditions on the event's data depend on each event.
    by_type = {key: value for key, value in delivery.pattern.items() if key in ("source", "detail-type")}
    return event_pattern(by_type)({"source": event.source, "detail-type": event.name})


def _delivery_line(delivery: Delivery, event: type[DomainEvent]) -> str:
    if delivery.archive:
        left_out = ", ".join(f"`{name}`" for name in sorted(event.free_text) if name in event.model_fields)
        return f"- rule `{delivery.rule}` → delivery stream `{delivery.queue}` → the event archive" + (
            f", without {left_out} (free text)" if left_out else ""
        )
    consumer = f"`{delivery.consumer}`" if delivery.consumer else "no consumer function"
    line = f"- rule `{delivery.rule}` → queue `{delivery.queue}` → {consumer}"
    if delivery.dead_letter_queue:
        line += f"; after {delivery.max_receive_count} failed receives → `{delivery.dead_letter_queue}`"
    rest = {k: v for k, v in delivery.pattern.items() if k not in ("source", "detail-type")}
    if rest:
        line += f"; only when the event also matches `{json.dumps(rest, sort_keys=True)}`"
    return line


def events_markdown(template: Mapping[str, Any]) -> str:
    routes = deliveries(template)
    envelope = EventEnvelope.model_json_schema()
    lines = [
        "# Events catalog",
        "",
        GENERATED,
        "",
        "A context publishes a domain event for every state change it commits. The event is written",
        "as an outbox item in the same DynamoDB transaction as the change; the outbox relay publishes",
        "it to the `lms` EventBridge bus, whose rules route it to each consumer's SQS queue and to",
        "the event archive (docs/analytics-sql.md).",
        "",
        "## Delivery guarantees",
        "",
        "- **At least once.** A relay or queue retry can deliver the same event again.",
        "- **Unordered.** Consumers must not rely on the order in which events arrive.",
        "- **Idempotent consumers.** A consumer records the envelope `id` of every event it handled",
        "  and ignores a second delivery; EventBridge's own event `id` changes when the relay",
        "  republishes, so it is not the key.",
        "- **Partial batch failures.** A consumer reports the messages it failed; the rest of the",
        "  batch proceeds, and a message that keeps failing ends in the queue's dead-letter queue.",
        "- **Versioned types.** A change that would break consumers is a new type (`.v2`) beside",
        "  the old one, never an edit of an existing version.",
        "",
        "## Envelope",
        "",
        "The EventBridge event has `source` = the context (`lms.courses`), `detail-type` = the event",
        "name (`CourseCreated`), and `detail` = this envelope:",
        "",
        *_table(["Field", "Type", "Required", "Description"], _field_rows(envelope, ENVELOPE_FIELDS)),
        "",
        "## Event types",
        "",
    ]
    types = event_types()
    lines += [f"- [`{name}`](#{_anchor(name)})" for name in sorted(types)]
    for name in sorted(types):
        event = types[name]
        schema = event.model_json_schema()
        lines += [
            "",
            f"### {name}",
            "",
            _own_doc(event) or "_No description: the event model has no docstring._",
            "",
            f"Source `{event.source}`, detail-type `{event.name}`, version {event.schema_version}.",
            "",
            *_table(["Field", "Type", "Required", "Description"], _field_rows(schema)),
            "",
            "Routed to:",
            "",
        ]
        routed = [_delivery_line(d, event) for d in routes if routes_event(d, event)]
        lines += routed or ["- no consumer yet (no rule of template.yaml matches it)"]
    return _render(lines)


def _anchor(heading: str) -> str:
    return "".join(c for c in heading.lower() if c.isalnum() or c in "-_ ").replace(" ", "-")


# ---------------------------------------------------------------- authorization


def authorization_markdown(document: Mapping[str, Any]) -> str:
    routes = operation_routes(document)
    roles = list(Role)
    grouped: list[tuple[str, list[Operation]]] = []
    seen: set[str] = set()
    for module in policy_modules():
        ops = [v for v in vars(module).values() if isinstance(v, Operation) and v.name in OPERATIONS]
        context = module.__name__.removeprefix("lms.").removesuffix(".policy")
        grouped.append((context, ops))
        seen |= {op.name for op in ops}
    rest = [op for name, op in sorted(OPERATIONS.items()) if name not in seen]
    if rest:
        grouped.append(("other", rest))
    lines = [
        "# Authorization",
        "",
        GENERATED,
        "",
        "Deny by default: every operation declares the Cognito groups (`cognito:groups`) that may",
        "call it (`lms.authz.operation` in each context's `policy` module), and a caller with none of",
        "them gets 403. An operation without a declaration fails the test suite.",
        "",
        "The role check comes first; the resource checks follow in the context's service:",
        "",
        "- every key starts with the caller's institution (from the token), so another",
        "  institution's resource is never found: it answers **404**, not 403;",
        "- an instructor changes only the courses they teach; institution admins change any course",
        "  of their institution;",
        "- a resource the caller may not see (a draft course, for a student) also answers 404.",
        "",
        "✓ = the role may attempt the operation.",
    ]
    header = ["Operation", "Request", *[role.value for role in roles]]
    for context, ops in grouped:
        rows = []
        for op in ops:
            method, path = routes.get(op.name, ("", ""))
            request = f"`{method} {path}`" if method else "not in the API document"
            rows.append([f"`{op.name}`", request, *["✓" if role in op.allowed else "" for role in roles]])
        lines += ["", f"## {context}", "", *_table(header, rows)]
    public = sorted(routes[op] for op in public_operations(document) if op in routes)
    if public:
        lines += ["", "## Public routes", "", "API Gateway calls these without a token:", ""]
        lines += [f"- `{method} {path}`" for method, path in public]
    return _render(lines)


# ---------------------------------------------------------------- notifications


def notifications_markdown() -> str:
    lines = [
        "# Notifications",
        "",
        GENERATED,
        "",
        "The notification types people are told of (`lms.notifications.catalog`). Each lands in the",
        "recipient's inbox and, by their preferences, in an e-mail (at once or in a daily or weekly",
        "digest) rendered from the templates named after the type. The person who caused an event is",
        "not notified of it (except of an award: a completed course, an achievement), nor is a",
        "suspended or erased person.",
        "",
        *_table(
            ["Type", "Category", "Can be switched off", "Template", "Who is notified", "When"],
            [
                [
                    f"`{t.name}`",
                    f"`{t.category.value}`",
                    "yes" if t.switchable else "no",
                    f"`{t.template}`",
                    t.audience,
                    t.description,
                ]
                for t in CATALOG.values()
            ],
        ),
        "",
        "## Preferences",
        "",
        "A person chooses a frequency per category and channel",
        "(`GET/PUT /users/me/notification-preferences`); what they leave unchosen follows their",
        "institution's defaults",
        "(`GET/PUT /institutions/{institution_id}/notification-defaults`), then the platform's below.",
        "Categories that cannot be switched off are always immediate.",
        "",
        *_table(
            ["Channel", "Frequencies offered"],
            [
                [f"`{c.value}`", ", ".join(f"`{f.value}`" for f in Frequency if f in OFFERED[c])]
                for c in Channel
            ],
        ),
        "",
        *_table(
            ["Category", *[f"`{c.value}` default" for c in Channel], "Can be switched off"],
            [
                [
                    f"`{category.value}`",
                    *[f"`{PLATFORM_DEFAULTS[category][c].value}`" for c in Channel],
                    "no" if category in LOCKED_CATEGORIES else "yes",
                ]
                for category in Category
            ],
        ),
    ]
    return _render(lines)


# ---------------------------------------------------------------- problems


def _type_uri(cls: type[errors.Problem]) -> str:
    return errors.PROBLEM_BASE + cls.slug


def problem_types() -> dict[str, list[type[errors.Problem]]]:
    """Every problem type URI and the classes that raise it (the root class `Problem` aside)."""
    classes: list[type[errors.Problem]] = []
    pending = list(errors.Problem.__subclasses__())
    while pending:
        cls = pending.pop()
        classes.append(cls)
        pending += cls.__subclasses__()
    by_type: dict[str, list[type[errors.Problem]]] = {}
    for cls in sorted(set(classes), key=lambda c: (c.__module__, c.__name__)):
        by_type.setdefault(_type_uri(cls), []).append(cls)
    for uri, same in by_type.items():
        if len({(c.status, c.title) for c in same}) > 1:
            names = ", ".join(f"{c.__module__}.{c.__name__}" for c in same)
            raise DocsError(f"{uri} has different statuses or titles in {names}")
    return by_type


def problems_markdown() -> str:
    by_type = problem_types()
    ordered = sorted(by_type.items(), key=lambda item: (item[1][0].status, item[0]))
    rows = []
    for uri, classes in ordered:
        first = classes[0]
        # Contexts that answer another's problem type (course-not-found) repeat its description.
        description = " ".join(dict.fromkeys(doc for doc in (_own_doc(c) for c in classes) if doc))
        raised_as = ", ".join(f"`{c.__module__}.{c.__name__}`" for c in classes)
        rows.append([f"`{uri}`", str(first.status), first.title, description, raised_as])
    lines = [
        "# Problem types",
        "",
        GENERATED,
        "",
        "Every refusal is an RFC 9457 problem (`application/problem+json`) with `type`, `title`,",
        "`status`, `detail` and `instance` (the request path); a validation problem adds `errors`, one",
        "`{field, in, message}` per invalid field. Clients branch on `type`; `title` is the same for",
        "every occurrence of a type and `detail` explains this one.",
        "",
        *_table(["Type", "Status", "Title", "Description", "Raised as"], rows),
        "",
        "## Answered outside the handlers",
        "",
        "- API Gateway refuses a request before any handler runs (no or invalid token, throttling,",
        "  unknown route) with `type` `about:blank` and the gateway's message as `title`.",
        "- An unexpected error answers 500 with `type` `about:blank` and `title`",
        "  `Internal server error`, never a stack trace.",
    ]
    return _render(lines)


# ---------------------------------------------------------------- request counts


def _requests_text(requests: Mapping[str, int]) -> str:
    return ", ".join(f"{name} {n}" for name, n in requests.items()) or "none"


def request_counts_markdown() -> str:
    """Every operation's DynamoDB requests as the benchmarks measure and the API tests assert them."""
    by_operation: dict[str, list[tuple[str, Expectation | Case]]] = {}
    counted: list[tuple[str, Expectation | Case]] = [*EXPECTED.items(), *CASES.items()]
    for key, expected in counted:
        operation, _, variant = key.partition(" [")
        by_operation.setdefault(operation, []).append((variant.removesuffix("]"), expected))
    rows = []
    for operation, cases in by_operation.items():
        for variant, expected in cases:
            scales = expected.scales if isinstance(expected, Expectation) else ()
            rows.append(
                [
                    f"`{operation}`",
                    variant,
                    str(sum(expected.requests.values())),
                    _requests_text(expected.requests),
                    "; ".join(scale.text() for scale in scales),
                    _requests_text(expected.other_calls) if expected.other_calls else "",
                    expected.why,
                ]
            )
    lines = [
        "# DynamoDB requests per operation",
        "",
        GENERATED,
        "",
        "What each API operation costs in DynamoDB requests, from `bench/expectations.py`: the benchmarks",
        "measure these counts (docs/benchmarks.md) and the API tests assert them (`expected_requests`), so",
        "they are stated once. The counts are a warm container's (the account check is cached);",
        "docs/data-model.md names the keys each request reads or writes, and a test checks that its",
        "count column says the same. A count that grows with the data read says by how much (`grows`):",
        "the count shown is the benchmark's, at one page or chunk.",
        "",
        *_table(
            ["operation", "case", "requests", "DynamoDB", "grows", "other AWS calls", "why"],
            rows,
        ),
    ]
    return _render(lines)


# ---------------------------------------------------------------- generation


def _json(document: Mapping[str, Any]) -> str:
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def generate() -> dict[Path, str]:
    """Every derived document, by its path, as it should be committed."""
    template = load_template()
    import_all_lms_modules()
    document = openapi_document(api_functions(template), project_version())
    return {
        DOCS / "openapi.json": _json(document),
        DOCS / "events.md": events_markdown(template),
        DOCS / "authorization.md": authorization_markdown(document),
        DOCS / "problems.md": problems_markdown(),
        DOCS / "notifications.md": notifications_markdown(),
        DOCS / "request-counts.md": request_counts_markdown(),
    }


def stale(documents: Mapping[Path, str]) -> list[Path]:
    """The documents whose committed text differs from the generated one (or that are missing)."""
    return [
        path
        for path, text in documents.items()
        if not path.is_file() or path.read_text(encoding="utf-8") != text
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m infra.docs", description=__doc__)
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 when a document is stale")
    args = parser.parse_args(argv)
    try:
        documents = generate()
    except DocsError as error:
        print(f"docs: {error}", file=sys.stderr)
        return 1
    outdated = stale(documents)
    if args.check:
        for path in outdated:
            print(f"docs: {path.relative_to(ROOT)} is stale: run `make docs`", file=sys.stderr)
        return 1 if outdated else 0
    for path in outdated:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(documents[path], encoding="utf-8")
        print(f"docs: wrote {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
