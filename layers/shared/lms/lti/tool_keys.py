"""The tools' public keys, read from each tool's JWKS URL when one of its JWTs is to be verified.

Read at every verification, not cached: a tool asks for an access token about once an hour, and
a key the tool rotated out stops being accepted at once (a cached copy would accept it for as
long as the cache lives).
"""

from __future__ import annotations

import jwt

FETCH_TIMEOUT_SECONDS = 5


def signing_key(jwks_url: str, token: str) -> jwt.PyJWK:
    """The key of the tool's JWKS that the token names (`kid`); jwt.PyJWTError when there is none."""
    client = jwt.PyJWKClient(jwks_url, cache_jwk_set=False, timeout=FETCH_TIMEOUT_SECONDS)
    return client.get_signing_key_from_jwt(token)
