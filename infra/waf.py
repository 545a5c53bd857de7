"""AWS WAF in front of the local API: the template's web ACL rules, evaluated as WAF evaluates them.

What is emulated: rules in priority order; rate-based statements (`AggregateKeyType` IP or
`CUSTOM_KEYS` of headers, an optional scope-down statement, `Limit` per `EvaluationWindowSec`);
scope-down statements made of `ByteMatchStatement` on a single header (CONTAINS, EXACTLY,
STARTS_WITH, ENDS_WITH; no text transformation) and `And`/`Or`/`Not` of them; `Block` with a custom
response (status, headers, a body of `CustomResponseBodies`). A request that lacks a component of a
rule's aggregation key is not counted by that rule, as in WAF.

Where it differs: WAF counts in windows it re-evaluates every few seconds, so a burst is stopped a
little after the limit; here the window slides per request and the request past the limit is the
first refused. Counters live in memory: no AWS call, nothing stored.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

_CONTENT_TYPES = {
    "APPLICATION_JSON": "application/json",
    "TEXT_PLAIN": "text/plain",
    "TEXT_HTML": "text/html",
}


@dataclass(frozen=True)
class Blocked:
    """WAF's answer instead of the API's."""

    rule: str
    status: int
    headers: dict[str, str]
    body: str


def web_acl(template: Mapping[str, Any]) -> tuple[str, dict[str, Any]] | None:
    """The logical id and (unresolved) properties of the web ACL associated with the template's API."""
    resources: Mapping[str, Any] = template.get("Resources") or {}
    for resource in resources.values():
        if resource.get("Type") == "AWS::WAFv2::WebACLAssociation":
            acl = (resource.get("Properties") or {}).get("WebACLArn") or {}
            logical_id = (acl.get("Fn::GetAtt") or [None])[0]
            if logical_id in resources:
                return logical_id, resources[logical_id].get("Properties") or {}
    return None


def _header(headers: Mapping[str, str], name: str) -> str | None:
    wanted = name.lower()
    return next((v for k, v in headers.items() if k.lower() == wanted), None)


class WebAcl:
    """The rules of one web ACL (properties with intrinsic functions resolved) and their counters."""

    def __init__(self, properties: Mapping[str, Any], *, clock: Callable[[], float] = time.monotonic) -> None:
        self._rules = sorted(properties.get("Rules") or [], key=lambda rule: int(rule["Priority"]))
        self._bodies: Mapping[str, Any] = properties.get("CustomResponseBodies") or {}
        self._clock = clock
        self._seen: dict[tuple[str, tuple[str, ...]], deque[float]] = {}
        self._lock = threading.Lock()

    def inspect(self, headers: Mapping[str, str], source_ip: str) -> Blocked | None:
        """Count the request in every rate rule it falls under; the first rule over its limit blocks it."""
        with self._lock:
            for rule in self._rules:
                statement = rule.get("Statement") or {}
                rate = statement.get("RateBasedStatement")
                if rate is None:
                    raise ValueError(f"WAF rule {rule['Name']}: only rate-based rules are emulated")
                if self._over_limit(rule["Name"], rate, headers, source_ip):
                    return self._block(rule)
        return None

    def _over_limit(self, name: str, rate: Mapping[str, Any], headers: Mapping[str, str], ip: str) -> bool:
        scope = rate.get("ScopeDownStatement")
        if scope is not None and not _matches(scope, headers):
            return False
        key = _aggregation_key(rate, headers, ip)
        if key is None:
            return False
        now = self._clock()
        window = float(rate.get("EvaluationWindowSec", 300))
        seen = self._seen.setdefault((name, key), deque())
        while seen and seen[0] <= now - window:
            seen.popleft()
        seen.append(now)
        return len(seen) > int(rate["Limit"])

    def _block(self, rule: Mapping[str, Any]) -> Blocked:
        custom = ((rule.get("Action") or {}).get("Block") or {}).get("CustomResponse")
        if custom is None:
            return Blocked(rule["Name"], 403, {"Content-Type": "text/html"}, "Forbidden")
        headers = {h["Name"]: str(h["Value"]) for h in custom.get("ResponseHeaders") or []}
        body = ""
        if "CustomResponseBodyKey" in custom:
            declared = self._bodies[custom["CustomResponseBodyKey"]]
            headers.setdefault("Content-Type", _CONTENT_TYPES[declared["ContentType"]])
            body = str(declared["Content"])
        return Blocked(rule["Name"], int(custom["ResponseCode"]), headers, body)


def _aggregation_key(rate: Mapping[str, Any], headers: Mapping[str, str], ip: str) -> tuple[str, ...] | None:
    kind = rate.get("AggregateKeyType", "IP")
    if kind == "IP":
        return (ip,)
    if kind != "CUSTOM_KEYS":
        raise ValueError(f"WAF aggregation {kind} is not emulated")
    parts = []
    for key in rate.get("CustomKeys") or []:
        if "Header" in key:
            value = _header(headers, key["Header"]["Name"])
            if value is None:
                return None  # WAF leaves a request without the key's component out of the rule
            parts.append(value)
        elif "IP" in key:
            parts.append(ip)
        else:
            raise ValueError(f"WAF custom key {sorted(key)} is not emulated")
    return tuple(parts)


def _matches(statement: Mapping[str, Any], headers: Mapping[str, str]) -> bool:
    if "AndStatement" in statement:
        return all(_matches(s, headers) for s in statement["AndStatement"]["Statements"])
    if "OrStatement" in statement:
        return any(_matches(s, headers) for s in statement["OrStatement"]["Statements"])
    if "NotStatement" in statement:
        return not _matches(statement["NotStatement"]["Statement"], headers)
    if "ByteMatchStatement" in statement:
        return _byte_match(statement["ByteMatchStatement"], headers)
    raise ValueError(f"WAF statement {sorted(statement)} is not emulated")


def _byte_match(match: Mapping[str, Any], headers: Mapping[str, str]) -> bool:
    field = match.get("FieldToMatch") or {}
    if "SingleHeader" not in field:
        raise ValueError(f"WAF field {sorted(field)} is not emulated")
    if any(t.get("Type") != "NONE" for t in match.get("TextTransformations") or []):
        raise ValueError("WAF text transformations are not emulated")
    value = _header(headers, field["SingleHeader"]["Name"])
    if value is None:
        return False
    wanted = str(match["SearchString"])
    position = match.get("PositionalConstraint", "CONTAINS")
    checks: dict[str, Callable[[], bool]] = {
        "CONTAINS": lambda: wanted in value,
        "EXACTLY": lambda: value == wanted,
        "STARTS_WITH": lambda: value.startswith(wanted),
        "ENDS_WITH": lambda: value.endswith(wanted),
    }
    if position not in checks:
        raise ValueError(f"WAF positional constraint {position} is not emulated")
    return checks[position]()
