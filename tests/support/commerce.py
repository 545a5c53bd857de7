"""A store's signed order messages, as a commerce system sends them (docs/commerce.md)."""

from __future__ import annotations

import json
import time
from typing import Any

import boto3

from infra.gateway import ApiResponse
from infra.provision import Stack
from lms.courses.commerce.signature import HEADER, institution_key, sign
from tests.support.client import Caller


def orders_path(institution_id: str) -> str:
    return f"/commerce/institutions/{institution_id}/orders"


def commerce_key(stack: Stack, institution_id: str) -> bytes:
    """The institution's signing key, derived from the stack's commerce secret as an operator does."""
    spec = next(f for f in stack.functions if f.logical_id == "CoursesFunction")
    client = boto3.client("secretsmanager", region_name=stack.region, endpoint_url=stack.endpoint_url)
    secret = client.get_secret_value(SecretId=spec.environment["COMMERCE_SECRET_ARN"])["SecretString"]
    return institution_key(secret.encode(), institution_id)


def send_order(
    store: Caller,
    institution_id: str,
    key: bytes,
    message: dict[str, Any],
    *,
    signed_at: float | None = None,
    signature: str | None = None,
) -> ApiResponse:
    """POST one order message signed with `key` at `signed_at` (now), or with the `signature` given."""
    body = json.dumps(message)
    at = int(time.time() if signed_at is None else signed_at)
    headers = {"Content-Type": "application/json", HEADER: signature or sign(key, at, body.encode())}
    return store.request("POST", orders_path(institution_id), body=body, headers=headers)
