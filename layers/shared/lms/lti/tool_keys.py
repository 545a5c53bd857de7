"""The tools' public keys: read from the tool's JWKS URL when one of its JWTs is to be verified, or
the keys its registration holds (a JWKS document, or a PEM public key, given by the institution).

A JWKS URL is read at every verification, not cached: a tool asks for an access token about once
an hour, and a key the tool rotated out stops being accepted at once (a cached copy would accept it
for as long as the cache lives). Keys given directly change when an admin updates the registration.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Mapping
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey
from cryptography.hazmat.primitives.serialization import load_pem_public_key
from jwt.algorithms import RSAAlgorithm

from lms.lti.domain import Tool

FETCH_TIMEOUT_SECONDS = 5
MIN_KEY_BITS = 2048
MAX_KEYS = 10
PUBLIC_MEMBERS = ("kty", "kid", "use", "alg", "n", "e")


class InvalidToolKeys(ValueError):
    """The keys given are not RSA public keys a tool signs with."""


def signing_key(tool: Tool, token: str) -> jwt.PyJWK:
    """The key of the tool's keys that the token names (`kid`); jwt.PyJWTError when there is none."""
    if tool.jwks is None:
        client = jwt.PyJWKClient(tool.jwks_url or "", cache_jwk_set=False, timeout=FETCH_TIMEOUT_SECONDS)
        return client.get_signing_key_from_jwt(token)
    kid = jwt.get_unverified_header(token).get("kid")
    keys = [jwt.PyJWK(dict(key)) for key in tool.jwks]
    for key in keys:
        if key.key_id == kid or (kid is None and len(keys) == 1):
            return key
    raise jwt.PyJWKError(f"The tool's registered keys have no key {kid!r}.")


def registered_keys(jwks: Mapping[str, Any] | None, pem: str | None) -> tuple[dict[str, str], ...]:
    """The public keys of a registration as JWKs (a PEM becomes one, its kid the RFC 7638 thumbprint)."""
    if pem is not None:
        try:
            public = load_pem_public_key(pem.encode())
        except ValueError as invalid:
            raise InvalidToolKeys("public_key_pem is not a PEM public key") from invalid
        return (_checked(RSAAlgorithm.to_jwk(_rsa(public), as_dict=True), thumbprint_kid=True),)
    keys = (jwks or {}).get("keys")
    if not isinstance(keys, list) or not 0 < len(keys) <= MAX_KEYS:
        raise InvalidToolKeys(f"jwks must hold 1 to {MAX_KEYS} keys")
    found = tuple(_checked(key) for key in keys)
    kids = [key.get("kid") for key in found]
    if len(found) > 1 and (None in kids or len(set(kids)) != len(kids)):
        raise InvalidToolKeys("each key of jwks needs its own kid")
    return found


def _checked(jwk: Any, thumbprint_kid: bool = False) -> dict[str, str]:
    if not isinstance(jwk, Mapping) or jwk.get("kty") != "RSA":
        raise InvalidToolKeys("a tool's keys are RSA keys (kty RSA)")
    if "d" in jwk or "p" in jwk:
        raise InvalidToolKeys("give the tool's public keys only, never a private key")
    try:
        public = RSAAlgorithm.from_jwk(dict(jwk))
    except (jwt.InvalidKeyError, ValueError, KeyError, TypeError) as invalid:
        raise InvalidToolKeys(f"a key of jwks is not an RSA public key: {invalid}") from invalid
    _rsa(public)
    if jwk.get("alg") not in (None, "RS256", "RS384", "RS512") or jwk.get("use") not in (None, "sig"):
        raise InvalidToolKeys("a tool's keys sign (use sig, alg RS256, RS384 or RS512)")
    kept = {name: str(jwk[name]) for name in PUBLIC_MEMBERS if jwk.get(name) is not None}
    if thumbprint_kid:
        kept["kid"] = _thumbprint(kept)
    return kept


def _rsa(public: Any) -> RSAPublicKey:
    if not isinstance(public, RSAPublicKey):
        raise InvalidToolKeys("a tool's key is an RSA public key")
    if public.key_size < MIN_KEY_BITS:
        raise InvalidToolKeys(f"a tool's RSA key has at least {MIN_KEY_BITS} bits")
    return public


def _thumbprint(jwk: Mapping[str, str]) -> str:
    members = json.dumps({"e": jwk["e"], "kty": "RSA", "n": jwk["n"]}, separators=(",", ":"), sort_keys=True)
    return base64.urlsafe_b64encode(hashlib.sha256(members.encode()).digest()).rstrip(b"=").decode()
