"""Tokens for the API Gateway emulation's tests: forged, tampered with, or issued to another client."""

from __future__ import annotations

import gzip
import json
import time
from importlib import resources
from typing import Any

import boto3
import jwt

from infra.provision import Stack

PASSWORD = "Gateway-Test-2026"
INSTITUTION = "gateway-university"


def moto_private_key() -> Any:
    """The key moto signs Cognito tokens with (shipped in the moto package)."""
    packed = resources.files("moto.cognitoidp").joinpath("resources", "jwks-private.json.gz").read_bytes()
    return jwt.PyJWK.from_json(gzip.decompress(packed).decode()).key


def forge(claims: dict[str, Any], key: Any = None, kid: str = "dummy") -> str:
    """A token signed like moto's (or with `key`), carrying exactly `claims`."""
    return jwt.encode(claims, key or moto_private_key(), algorithm="RS256", headers={"kid": kid})


def id_claims(stack: Stack, **overrides: Any) -> dict[str, Any]:
    now = int(time.time())
    claims: dict[str, Any] = {
        "iss": f"https://cognito-idp.{stack.region}.amazonaws.com/{stack.user_pool_id}",
        "sub": "6c1f0c52-0000-4000-8000-000000000001",
        "aud": stack.user_pool_client_id,
        "token_use": "id",
        "iat": now,
        "auth_time": now,
        "exp": now + 3600,
        "email": "forged@gateway.example",
        "custom:institution_id": INSTITUTION,
        "cognito:groups": ["students"],
    }
    claims.update(overrides)
    return claims


def other_client_token(stack: Stack) -> str:
    """An ID token of the same pool issued to another app client."""
    cognito = boto3.client("cognito-idp", region_name=stack.region)
    other = cognito.create_user_pool_client(
        UserPoolId=stack.user_pool_id,
        ClientName="another-app",
        ExplicitAuthFlows=["ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
    )["UserPoolClient"]["ClientId"]
    result = cognito.admin_initiate_auth(
        UserPoolId=stack.user_pool_id,
        ClientId=other,
        AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "student@gateway.example", "PASSWORD": PASSWORD},
    )
    token: str = result["AuthenticationResult"]["IdToken"]
    return token


def tamper(token: str, **changes: Any) -> str:
    """The same signature over a payload with `changes` applied."""
    header, payload, signature = token.split(".")
    claims = json.loads(jwt.utils.base64url_decode(payload))
    claims.update(changes)
    forged = jwt.utils.base64url_encode(json.dumps(claims).encode()).decode()
    return f"{header}.{forged}.{signature}"
