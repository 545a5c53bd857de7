"""The LTI platform's RS256 keys, held by AWS KMS (template.yaml LtiPlatformKeyBlue/Green).

The private halves never leave KMS: a message is signed by KMS `Sign` (PyJWT encodes the JWS, with
an algorithm whose signing step is that call). The public halves are read once per container
(`GetPublicKey`; a key's material never changes) and answer the JWKS and the platform's own
verifications. KMS signs a RAW message of at most 4096 bytes, and an id_token with a lesson's
custom parameters, the services' claims or a deep link's settings can be longer: the platform
hashes the signing input itself (SHA-256) and has KMS sign the digest (`MessageType=DIGEST`),
which is the same RS256 signature for a message of any length.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from functools import cache
from threading import Lock
from typing import TYPE_CHECKING, Any, cast

import jwt
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey
from cryptography.hazmat.primitives.serialization import load_der_public_key
from jwt.algorithms import Algorithm, RSAAlgorithm

from lms import aws
from lms.settings import get_settings

if TYPE_CHECKING:
    from mypy_boto3_kms import KMSClient

ALGORITHM = "RS256"


class _SignedByKms(Algorithm):
    """RS256 whose private key is a KMS key id: only `sign` is used (verifying uses the public key)."""

    def __init__(self, client: Callable[[], KMSClient]) -> None:
        self._client = client

    def prepare_key(self, key: Any) -> Any:
        return key

    def sign(self, msg: bytes, key: Any) -> bytes:
        answer = self._client().sign(
            KeyId=str(key),
            Message=hashlib.sha256(msg).digest(),
            MessageType="DIGEST",
            SigningAlgorithm="RSASSA_PKCS1_V1_5_SHA_256",
        )
        return answer["Signature"]

    def verify(self, msg: bytes, key: Any, sig: bytes) -> bool:
        raise NotImplementedError("verify with the public key (PlatformKeys.public_key)")

    @staticmethod
    def to_jwk(key_obj: Any, as_dict: bool = False) -> Any:
        raise NotImplementedError("the JWKS is built from the public key")

    @staticmethod
    def from_jwk(jwk: str | dict[str, Any]) -> Any:
        raise NotImplementedError("a KMS key is named by its id, never given as a JWK")


class PlatformKeys:
    """The signing key and the standby key, named by their KMS key ids (the JWKS `kid`)."""

    def __init__(
        self,
        signing_key_id: Callable[[], str],
        standby_key_id: Callable[[], str],
        client: Callable[[], KMSClient],
    ) -> None:
        self._signing_key_id = signing_key_id
        self._standby_key_id = standby_key_id
        self._client = client
        self._lock = Lock()
        self._public: dict[str, RSAPublicKey] = {}
        self._jws = jwt.PyJWS(algorithms=[])
        self._jws.register_algorithm(ALGORITHM, _SignedByKms(client))

    def key_ids(self) -> list[str]:
        standby = self._standby_key_id()
        return [self._signing_key_id(), *([standby] if standby else [])]

    def jwks(self) -> list[dict[str, str]]:
        """The public keys as JWKs: the signing key first."""
        keys = []
        for key_id in self.key_ids():
            jwk = RSAAlgorithm.to_jwk(self.public_key(key_id), as_dict=True)
            keys.append(
                {"kty": "RSA", "kid": key_id, "use": "sig", "alg": ALGORITHM, "n": jwk["n"], "e": jwk["e"]}
            )
        return keys

    def public_key(self, key_id: str) -> RSAPublicKey:
        """One of the platform's public keys (KeyError for a key id that is not the platform's)."""
        if key_id not in self.key_ids():
            raise KeyError(key_id)
        with self._lock:
            if key_id not in self._public:
                der = self._client().get_public_key(KeyId=key_id)["PublicKey"]
                public = load_der_public_key(der)
                if not isinstance(public, RSAPublicKey):
                    raise TypeError(f"KMS key {key_id} is not an RSA key")
                self._public[key_id] = public
            return self._public[key_id]

    def verify(self, token: str, typ: str, issuer: str, audience: str) -> dict[str, Any]:
        """The claims of a token the platform signed (jwt.InvalidTokenError when it did not, or expired)."""
        header = jwt.get_unverified_header(token)
        if header.get("typ") != typ or header.get("alg") != ALGORITHM:
            raise jwt.InvalidTokenError(f"not a {typ} signed with {ALGORITHM}")
        try:
            key = self.public_key(str(header.get("kid")))
        except KeyError as unknown:
            raise jwt.InvalidTokenError("signed by a key that is not the platform's") from unknown
        claims: dict[str, Any] = jwt.decode(
            token,
            key,
            algorithms=[ALGORITHM],
            issuer=issuer,
            audience=audience,
            options={"require": ["exp", "iat", "sub", "jti"]},
        )
        return claims

    def sign(self, claims: dict[str, Any], typ: str = "JWT") -> str:
        """A compact JWS of the claims, signed by KMS with the signing key."""
        key_id = self._signing_key_id()
        payload = json.dumps(claims, separators=(",", ":")).encode()
        return self._jws.encode(payload, key_id, algorithm=ALGORITHM, headers={"kid": key_id, "typ": typ})


@cache
def _kms() -> KMSClient:
    return cast("KMSClient", aws.client("kms"))


@cache
def platform_keys() -> PlatformKeys:
    """The stack's platform keys, one instance per container."""
    settings = get_settings
    return PlatformKeys(
        signing_key_id=lambda: settings().lti_signing_key_id,
        standby_key_id=lambda: settings().lti_standby_key,
        client=_kms,
    )
