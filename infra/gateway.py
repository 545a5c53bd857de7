"""API Gateway (REST) as the local stack runs it: Cognito authorizer, routes from the template, proxy events.

Behaviour copied from the real REST API, and where it is deliberately different:

- Routes are the template's `Api` events (`FunctionSpec.routes`). A path no resource matches answers 404
  (the real REST API answers 403 "Missing Authentication Token"; locally a typo in a path should look like
  one). A known resource asked with a method it does not declare answers 403 "Missing Authentication
  Token", as the real REST API does.
- The Cognito authorizer reads the `Authorization` header (`<token>` or `Bearer <token>`) and accepts ID
  tokens of the pool's app client. Access tokens are accepted only when scopes are configured (the real
  authorizer's rule: without `AuthorizationScopes` it takes ID tokens, with them access tokens carrying
  one of the scopes). A missing, malformed, expired, tampered or foreign token answers 401 and the
  function is not invoked.
- Errors of the gateway itself are rendered from the template's `GatewayResponses` (falling back to
  `DEFAULT_4XX`/`DEFAULT_5XX`, then to API Gateway's own `{"message": ...}`).
- With `rate_limits`, the web ACL associated with the API (AWS WAF, infra.waf) sees every request
  first, as WAF does in front of API Gateway; the local stack turns it on, the in-process test
  gateways leave it off (their callers send thousands of requests a minute with one token).
- With the API's `Cors` declared, OPTIONS on a declared path is answered by the gateway with the
  template's `Access-Control-Allow-*` values (SAM's mock integration); no token, no function.
- A function that raises or returns a malformed proxy response answers 502, like `DEFAULT_5XX`.
- The API functions answer one request at a time (`infra.functions.invoke`), as one Lambda
  execution environment does; Lambda would start more environments, the local stack queues them.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
import logging
import os
import re
import threading
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import resources
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, unquote

import jwt

from infra.functions import ACCOUNT_ID, FunctionSpec, Route, invoke
from infra.template import Resolver
from infra.waf import WebAcl, web_acl
from lms.settings import get_settings

if TYPE_CHECKING:
    from infra.provision import Stack

logger = logging.getLogger(__name__)

_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_DATE_CLAIMS = frozenset({"exp", "iat"})


# ---------------------------------------------------------------------------------------------- tokens


class InvalidToken(Exception):
    """The request carries no token the authorizer accepts (401)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class InsufficientScope(InvalidToken):
    """A valid access token without any of the configured scopes (403)."""


class JwksUnavailable(Exception):
    """The pool's signing keys could not be fetched: the authorizer is misconfigured (500)."""


def moto_jwks() -> dict[str, Any]:
    """The public keys moto signs every Cognito token with (moto serves the same set over HTTP)."""
    packed = resources.files("moto.cognitoidp").joinpath("resources", "jwks-public.json.gz").read_bytes()
    keys: dict[str, Any] = json.loads(gzip.decompress(packed))
    return keys


class TokenVerifier:
    """Verifies Cognito JWTs the way API Gateway's user-pool authorizer does.

    Keys come from `jwks` (a JWKS document) or `jwks_url`; with neither, from the pool's public JWKS
    URL under the issuer. `issuer` defaults to the `iss` Cognito (and moto) puts in the pool's tokens.
    """

    def __init__(
        self,
        user_pool_id: str,
        client_id: str,
        region: str,
        *,
        jwks: dict[str, Any] | None = None,
        jwks_url: str | None = None,
        issuer: str | None = None,
        scopes: Iterable[str] = (),
    ) -> None:
        if jwks is not None and jwks_url is not None:
            raise ValueError("Pass either jwks or jwks_url, not both.")
        self.user_pool_id = user_pool_id
        self.client_id = client_id
        self.issuer = issuer or f"https://cognito-idp.{region}.amazonaws.com/{user_pool_id}"
        self.scopes = frozenset(scopes)
        self._key_set = jwt.PyJWKSet.from_dict(jwks) if jwks is not None else None
        self._key_client = (
            jwt.PyJWKClient(jwks_url or f"{self.issuer}/.well-known/jwks.json", cache_keys=True)
            if jwks is None
            else None
        )

    @classmethod
    def for_stack(cls, stack: Stack, *, endpoint_url: str | None = None) -> TokenVerifier:
        """In-process moto (no endpoint) reads moto's shipped keys; moto server serves them per pool."""
        if endpoint_url is None:
            return cls(stack.user_pool_id, stack.user_pool_client_id, stack.region, jwks=moto_jwks())
        return cls(
            stack.user_pool_id,
            stack.user_pool_client_id,
            stack.region,
            jwks_url=f"{endpoint_url.rstrip('/')}/{stack.user_pool_id}/.well-known/jwks.json",
        )

    def verify(self, token: str) -> dict[str, Any]:
        """The token's claims, or InvalidToken saying why it is refused."""
        if not token:
            raise InvalidToken("no token")
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as exc:
            raise InvalidToken("not a readable JWT") from exc
        if header.get("alg") != "RS256":
            raise InvalidToken(f"algorithm {header.get('alg')!r} is not RS256")
        key = self._signing_key(token, header.get("kid"))
        try:
            # The audience depends on the kind of token (`aud` or `client_id`): checked below.
            claims: dict[str, Any] = jwt.decode(
                token,
                key,
                algorithms=["RS256"],
                issuer=self.issuer,
                options={"require": ["exp", "iat", "iss", "sub", "token_use"], "verify_aud": False},
            )
        except jwt.ExpiredSignatureError as exc:
            raise InvalidToken("token expired") from exc
        except jwt.InvalidSignatureError as exc:
            raise InvalidToken("signature does not verify") from exc
        except jwt.InvalidIssuerError as exc:
            raise InvalidToken("token was issued by another user pool") from exc
        except jwt.PyJWTError as exc:
            raise InvalidToken(f"invalid token: {exc}") from exc
        return self._check_use(claims)

    def _check_use(self, claims: dict[str, Any]) -> dict[str, Any]:
        if not self.scopes:
            if claims.get("token_use") != "id":
                raise InvalidToken("only ID tokens are accepted (no scopes are configured)")
            audience = claims.get("aud")
            if audience != self.client_id and not (isinstance(audience, list) and self.client_id in audience):
                raise InvalidToken("token was issued for another app client")
            return claims
        if claims.get("token_use") != "access":
            raise InvalidToken("only access tokens are accepted when scopes are configured")
        if claims.get("client_id") != self.client_id:
            raise InvalidToken("token was issued for another app client")
        if self.scopes.isdisjoint(str(claims.get("scope", "")).split()):
            raise InsufficientScope("token carries none of the required scopes")
        return claims

    def _signing_key(self, token: str, kid: Any) -> Any:
        if self._key_set is not None:
            try:
                return self._key_set[str(kid)].key
            except KeyError as exc:
                raise InvalidToken(f"unknown signing key {kid!r}") from exc
        assert self._key_client is not None
        try:
            return self._key_client.get_signing_key_from_jwt(token).key
        except jwt.PyJWKClientConnectionError as exc:
            raise JwksUnavailable(str(exc)) from exc
        except jwt.PyJWTError as exc:
            raise InvalidToken(f"unknown signing key {kid!r}") from exc


def bearer_token(headers: Mapping[str, str]) -> str:
    """The token in `Authorization`, with or without the `Bearer ` prefix."""
    value = next((v for k, v in headers.items() if k.lower() == "authorization"), "").strip()
    scheme, _, rest = value.partition(" ")
    return rest.strip() if scheme.lower() == "bearer" else value


# ---------------------------------------------------------------------------------------------- events


def _java_date(epoch: float) -> str:
    t = datetime.fromtimestamp(epoch, UTC)
    return f"{_DAYS[t.weekday()]} {_MONTHS[t.month - 1]} {t.day:02d} {t:%H:%M:%S} UTC {t.year}"


def _claim_text(name: str, value: Any) -> str:
    if name in _DATE_CLAIMS and isinstance(value, int | float) and not isinstance(value, bool):
        return _java_date(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, list | tuple):
        return ",".join(_claim_text("", v) for v in value)
    return json.dumps(value, separators=(",", ":"))


def authorizer_claims(claims: Mapping[str, Any]) -> dict[str, str]:
    """Claims as a REST API Cognito authorizer hands them to the integration: every value a string.

    Lists are comma-joined (`cognito:groups` ["a", "b"] -> "a,b"), booleans "true"/"false", numbers
    their decimal text, and `exp`/`iat` a Java date ("Tue Apr 04 18:39:39 UTC 2023").
    """
    return {name: _claim_text(name, value) for name, value in claims.items()}


def _api_id(stage: str, region: str) -> str:
    return hashlib.sha256(f"{region}/{stage}".encode()).hexdigest()[:10]


def _request_time(now: datetime) -> str:
    return f"{now:%d}/{_MONTHS[now.month - 1]}/{now:%Y:%H:%M:%S} +0000"


def build_rest_event(
    *,
    method: str,
    resource: str,
    path: str,
    path_params: Mapping[str, str],
    headers: Mapping[str, str],
    query: Mapping[str, list[str]],
    body: str | None,
    claims: Mapping[str, Any] | None,
    stage: str,
    request_id: str,
    source_ip: str = "127.0.0.1",
    region: str = "us-east-1",
) -> dict[str, Any]:
    """An API Gateway REST proxy event (payload 1.0) as a Lambda proxy integration receives it."""
    now = datetime.now(UTC)
    user_agent = next((v for k, v in headers.items() if k.lower() == "user-agent"), None)
    host = next((v for k, v in headers.items() if k.lower() == "host"), "localhost")
    api_id = _api_id(stage, region)
    request_context: dict[str, Any] = {
        "accountId": ACCOUNT_ID,
        "apiId": api_id,
        "resourceId": hashlib.sha256(resource.encode()).hexdigest()[:6],
        "resourcePath": resource,
        "httpMethod": method,
        "stage": stage,
        "path": f"/{stage}{path}",
        "requestId": request_id,
        "extendedRequestId": base64.b32encode(uuid.UUID(request_id).bytes)[:16].decode(),
        "requestTime": _request_time(now),
        "requestTimeEpoch": int(now.timestamp() * 1000),
        "protocol": "HTTP/1.1",
        "domainName": host,
        "domainPrefix": host.split(".", 1)[0],
        "identity": {
            "accessKey": None,
            "accountId": None,
            "apiKey": None,
            "apiKeyId": None,
            "caller": None,
            "clientCert": None,
            "cognitoAuthenticationProvider": None,
            "cognitoAuthenticationType": None,
            "cognitoIdentityId": None,
            "cognitoIdentityPoolId": None,
            "principalOrgId": None,
            "sourceIp": source_ip,
            "user": None,
            "userAgent": user_agent,
            "userArn": None,
        },
    }
    if claims is not None:
        request_context["authorizer"] = {"claims": authorizer_claims(claims)}
    return {
        "resource": resource,
        "path": path,
        "httpMethod": method,
        "headers": dict(headers) or None,
        "multiValueHeaders": {k: [v] for k, v in headers.items()} or None,
        # API Gateway keeps the last value of a repeated query parameter in the single-value map.
        "queryStringParameters": {k: v[-1] for k, v in query.items() if v} or None,
        "multiValueQueryStringParameters": {k: list(v) for k, v in query.items() if v} or None,
        "pathParameters": dict(path_params) or None,
        "stageVariables": None,
        "requestContext": request_context,
        "body": body,
        "isBase64Encoded": False,
    }


# ---------------------------------------------------------------------------------------------- routes


@dataclass(frozen=True)
class _Target:
    spec: FunctionSpec
    route: Route


@dataclass
class _Resource:
    path: str
    segments: tuple[str, ...]
    methods: dict[str, _Target] = field(default_factory=dict)

    def match(self, parts: list[str]) -> dict[str, str] | None:
        params: dict[str, str] = {}
        for i, segment in enumerate(self.segments):
            if segment.startswith("{") and segment.endswith("+}"):
                if i >= len(parts):
                    return None
                params[segment[1:-2]] = unquote("/".join(parts[i:]))
                return params
            if i >= len(parts):
                return None
            if segment.startswith("{") and segment.endswith("}"):
                if not parts[i]:
                    return None
                params[segment[1:-1]] = unquote(parts[i])
            elif segment != parts[i]:
                return None
        return params if len(parts) == len(self.segments) else None

    @property
    def specificity(self) -> tuple[int, ...]:
        # API Gateway prefers a literal segment to a {param}, and a {param} to a greedy {proxy+}.
        return tuple(2 if s.endswith("+}") else 1 if s.startswith("{") else 0 for s in self.segments)


def _split(path: str) -> list[str]:
    stripped = path.strip("/")
    return stripped.split("/") if stripped else []


def _route_table(functions: Iterable[FunctionSpec]) -> list[_Resource]:
    by_path: dict[str, _Resource] = {}
    for spec in functions:
        for route in spec.routes:
            resource = by_path.setdefault(route.path, _Resource(route.path, tuple(_split(route.path))))
            method = route.method.upper()
            if method in resource.methods:
                other = resource.methods[method].spec.logical_id
                raise ValueError(f"{method} {route.path} is declared by both {other} and {spec.logical_id}")
            resource.methods[method] = _Target(spec, route)
    return sorted(by_path.values(), key=lambda r: r.specificity)


# ---------------------------------------------------------------------------------------------- responses


@dataclass(frozen=True)
class ApiResponse:
    status: int
    headers: dict[str, str]
    body: str
    is_base64_encoded: bool = False

    def json(self) -> Any:
        return json.loads(self.body)

    def body_bytes(self) -> bytes:
        return base64.b64decode(self.body) if self.is_base64_encoded else self.body.encode()

    def header(self, name: str) -> str | None:
        return next((v for k, v in self.headers.items() if k.lower() == name.lower()), None)


@dataclass(frozen=True)
class _GatewayError:
    response_type: str
    status: int
    message: str
    error_type: str  # x-amzn-ErrorType


NOT_FOUND = _GatewayError("RESOURCE_NOT_FOUND", 404, "Not Found", "NotFoundException")
MISSING_TOKEN = _GatewayError(
    "MISSING_AUTHENTICATION_TOKEN", 403, "Missing Authentication Token", "MissingAuthenticationTokenException"
)
UNAUTHORIZED = _GatewayError("UNAUTHORIZED", 401, "Unauthorized", "UnauthorizedException")
ACCESS_DENIED = _GatewayError(
    "ACCESS_DENIED", 403, "User is not authorized to access this resource", "AccessDeniedException"
)
AUTHORIZER_MISCONFIGURED = _GatewayError(
    "AUTHORIZER_CONFIGURATION_ERROR", 500, "Internal server error", "AuthorizerConfigurationException"
)
INTEGRATION_FAILED = _GatewayError(
    "DEFAULT_5XX", 502, "Internal server error", "InternalServerErrorException"
)

# `$context.x.y` or `${context.x.y}`: a brace is only consumed when it opened the variable.
_CONTEXT_VARIABLE = re.compile(r"\$(?:\{context\.([A-Za-z0-9_.]+)\}|context\.([A-Za-z0-9_.]*[A-Za-z0-9_]))")


def api_properties(template: Mapping[str, Any], resolver: Resolver) -> dict[str, Any]:
    """The edge settings of the template's REST API (`GatewayResponses`, `Cors`), parameters resolved."""
    for resource in template.get("Resources", {}).values():
        if resource.get("Type") == "AWS::Serverless::Api":
            properties = resource.get("Properties") or {}
            wanted = {name: properties[name] for name in ("GatewayResponses", "Cors") if name in properties}
            resolved: dict[str, Any] = resolver.resolve(wanted)
            return resolved
    return {}


def _static(value: Any) -> str:
    """A header value of API Gateway's mapping syntax: a static value is quoted ('value')."""
    text = str(value)
    return text[1:-1] if len(text) >= 2 and text[0] == text[-1] == "'" else text


def preflight(cors: Mapping[str, Any], request_id: str) -> ApiResponse:
    """What SAM's `Cors` makes API Gateway answer to OPTIONS on a declared path (a mock integration)."""
    headers = {"Content-Type": "application/json", "x-amzn-RequestId": request_id}
    for name, header in (
        ("AllowOrigin", "Access-Control-Allow-Origin"),
        ("AllowMethods", "Access-Control-Allow-Methods"),
        ("AllowHeaders", "Access-Control-Allow-Headers"),
        ("MaxAge", "Access-Control-Max-Age"),
    ):
        if name in cors:
            headers[header] = _static(cors[name])
    return ApiResponse(200, headers, "")


def _render(
    error: _GatewayError,
    responses: Mapping[str, Any],
    *,
    request_id: str,
    request_headers: Mapping[str, str],
    context: Mapping[str, str],
) -> ApiResponse:
    family = "DEFAULT_5XX" if error.status >= 500 else "DEFAULT_4XX"
    declared = responses.get(error.response_type) or responses.get(family)
    headers = {
        "Content-Type": "application/json",
        "x-amzn-RequestId": request_id,
        "x-amzn-ErrorType": error.error_type,
    }
    if not declared:
        return ApiResponse(error.status, headers, json.dumps({"message": error.message}))

    variables = {
        **context,
        "error.message": error.message,
        "error.messageString": json.dumps(error.message),
        "error.responseType": error.response_type,
        "requestId": request_id,
    }

    def substitute(text: str) -> str:
        return _CONTEXT_VARIABLE.sub(lambda m: variables.get(m.group(1) or m.group(2), ""), text)

    for name, value in (declared.get("ResponseParameters", {}).get("Headers") or {}).items():
        value = str(value)
        if len(value) >= 2 and value[0] == value[-1] == "'":
            headers[name] = _static(value)
        elif value.startswith("method.request.header."):
            wanted = value.removeprefix("method.request.header.").lower()
            headers[name] = next((v for k, v in request_headers.items() if k.lower() == wanted), "")
    templates = declared.get("ResponseTemplates") or {}
    template = templates.get("application/json") or next(iter(templates.values()), None)
    body = substitute(str(template)) if template is not None else json.dumps({"message": error.message})
    status = int(declared.get("StatusCode") or error.status)
    return ApiResponse(status, headers, body)


def _proxy_response(result: Any, request_id: str) -> ApiResponse:
    """Turn a Lambda proxy integration result into the HTTP response; ValueError when malformed."""
    if not isinstance(result, dict) or "statusCode" not in result:
        raise ValueError("the function did not return a proxy response with a statusCode")
    status = int(result["statusCode"])
    headers: dict[str, str] = {}
    for name, values in (result.get("multiValueHeaders") or {}).items():
        headers[name] = ", ".join(str(v) for v in values)
    for name, value in (result.get("headers") or {}).items():
        headers[name] = str(value)
    if not any(k.lower() == "content-type" for k in headers):
        headers["Content-Type"] = "application/json"
    headers.setdefault("x-amzn-RequestId", request_id)
    body = result.get("body")
    if body is not None and not isinstance(body, str):
        raise ValueError("the function returned a body that is not a string")
    return ApiResponse(status, headers, body or "", bool(result.get("isBase64Encoded")))


# ---------------------------------------------------------------------------------------------- gateway


class ApiGateway:
    """The REST API of the stack: match a route, authorize, invoke the function in-process."""

    def __init__(
        self,
        stack: Stack,
        verifier: TokenVerifier,
        *,
        template: Mapping[str, Any] | None = None,
        rate_limits: bool = False,
    ) -> None:
        if template is None:
            from infra.template import load_template

            template = load_template()
        self.stack = stack
        self.verifier = verifier
        self._resources = _route_table(stack.functions)
        resolver = Resolver(
            template,
            parameters=stack.parameters,
            region=stack.region,
            account_id=stack.account_id,
            stack_name=f"lms-{stack.stage}",
        )
        edge = api_properties(template, resolver)
        acl = web_acl(template) if rate_limits else None
        self._web_acl = WebAcl(resolver.resolve(acl[1])) if acl is not None else None
        self._responses: dict[str, Any] = edge.get("GatewayResponses") or {}
        self._cors: dict[str, Any] | None = edge.get("Cors")
        self._env_lock = threading.Lock()

    def handle(
        self,
        method: str,
        path: str,
        headers: Mapping[str, str],
        query: Mapping[str, list[str]] | None = None,
        body: str | None = None,
        *,
        source_ip: str = "127.0.0.1",
    ) -> ApiResponse:
        """Answer one HTTP request; `path` may carry a query string, merged into `query`."""
        request_id = str(uuid.uuid4())
        method = method.upper()
        path, _, query_string = path.partition("?")
        path = "/" + path.lstrip("/")
        merged: dict[str, list[str]] = {k: list(v) for k, v in (query or {}).items()}
        for name, values in parse_qs(query_string, keep_blank_values=True).items():
            merged.setdefault(name, []).extend(values)
        context = {"path": f"/{self.stack.stage}{path}", "stage": self.stack.stage, "httpMethod": method}

        def refuse(error: _GatewayError) -> ApiResponse:
            return _render(
                error, self._responses, request_id=request_id, request_headers=headers, context=context
            )

        if self._web_acl is not None:
            blocked = self._web_acl.inspect(headers, source_ip)
            if blocked is not None:
                logger.info("%s %s refused by WAF rule %s", method, path, blocked.rule)
                return ApiResponse(blocked.status, blocked.headers, blocked.body)
        found = self._match(path)
        if found is None:
            return refuse(NOT_FOUND)
        resource, params = found
        if method == "OPTIONS" and self._cors is not None and "OPTIONS" not in resource.methods:
            return preflight(self._cors, request_id)
        target = resource.methods.get(method) or resource.methods.get("ANY")
        if target is None:
            return refuse(MISSING_TOKEN)

        claims: dict[str, Any] | None = None
        if not target.route.public:
            try:
                claims = self.verifier.verify(bearer_token(headers))
            except InsufficientScope as exc:
                logger.info("%s %s refused: %s", method, path, exc.reason)
                return refuse(ACCESS_DENIED)
            except InvalidToken as exc:
                logger.info("%s %s refused: %s", method, path, exc.reason)
                return refuse(UNAUTHORIZED)
            except JwksUnavailable:
                logger.exception("cannot fetch the user pool's signing keys")
                return refuse(AUTHORIZER_MISCONFIGURED)

        event = build_rest_event(
            method=method,
            resource=resource.path,
            path=path,
            path_params=params,
            headers=headers,
            query=merged,
            body=body or None,
            claims=claims,
            stage=self.stack.stage,
            request_id=request_id,
            source_ip=source_ip,
            region=self.stack.region,
        )
        try:
            self._export_environment(target.spec)
            result = invoke(target.spec, event, region=self.stack.region)
            return _proxy_response(result, request_id)
        except Exception:
            logger.exception("%s failed on %s %s", target.spec.logical_id, method, path)
            return refuse(INTEGRATION_FAILED)

    def _match(self, path: str) -> tuple[_Resource, dict[str, str]] | None:
        parts = _split(path)
        for resource in self._resources:
            params = resource.match(parts)
            if params is not None:
                return resource, params
        return None

    def _export_environment(self, spec: FunctionSpec) -> None:
        # Functions share this process: an invocation sees the stack's and its own function's variables.
        with self._env_lock:
            changed = {
                name: value
                for name, value in {**self.stack.env, **spec.environment}.items()
                if os.environ.get(name) != value
            }
            if changed:
                os.environ.update(changed)
                get_settings.cache_clear()
