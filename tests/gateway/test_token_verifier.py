"""The Cognito authorizer emulation accepts the pool's ID tokens and nothing else."""

from __future__ import annotations

import time

import boto3
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from infra.gateway import InsufficientScope, InvalidToken, TokenVerifier, bearer_token, moto_jwks
from infra.provision import Stack
from tests.support.tokens import INSTITUTION, PASSWORD, forge, id_claims, other_client_token, tamper


@pytest.fixture(scope="module")
def verifier(stack: Stack) -> TokenVerifier:
    return TokenVerifier.for_stack(stack)


def test_an_id_token_from_the_pool_is_accepted_with_its_claims(
    verifier: TokenVerifier, student_token: str, stack: Stack
) -> None:
    claims = verifier.verify(student_token)

    assert claims["token_use"] == "id"
    assert claims["aud"] == stack.user_pool_client_id
    assert claims["email"] == "student@gateway.example"
    assert claims["custom:institution_id"] == INSTITUTION
    assert claims["cognito:groups"] == ["students"]


def test_the_default_issuer_is_the_one_moto_writes_into_the_pools_tokens(
    verifier: TokenVerifier, student_token: str
) -> None:
    assert verifier.verify(student_token)["iss"] == verifier.issuer


@pytest.mark.parametrize("token", ["", "not-a-jwt", "a.b.c"])
def test_a_missing_or_unreadable_token_is_refused(verifier: TokenVerifier, token: str) -> None:
    with pytest.raises(InvalidToken):
        verifier.verify(token)


def test_an_expired_token_is_refused(verifier: TokenVerifier, stack: Stack) -> None:
    past = int(time.time()) - 7200
    token = forge(id_claims(stack, iat=past, auth_time=past, exp=past + 3600))

    with pytest.raises(InvalidToken, match="expired"):
        verifier.verify(token)


def test_a_forged_token_with_moto_s_key_and_valid_claims_is_accepted(
    verifier: TokenVerifier, stack: Stack
) -> None:
    # The control for the refusals below: only the one thing each of them changes makes them fail.
    assert verifier.verify(forge(id_claims(stack)))["sub"] == id_claims(stack)["sub"]


def test_a_tampered_payload_is_refused(verifier: TokenVerifier, student_token: str) -> None:
    token = tamper(student_token, **{"custom:institution_id": "another-university"})

    with pytest.raises(InvalidToken, match="signature"):
        verifier.verify(token)


def test_a_token_signed_with_another_key_is_refused(verifier: TokenVerifier, stack: Stack) -> None:
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)

    with pytest.raises(InvalidToken, match="signature"):
        verifier.verify(forge(id_claims(stack), key=stranger))


def test_a_token_naming_an_unknown_key_is_refused(verifier: TokenVerifier, stack: Stack) -> None:
    with pytest.raises(InvalidToken, match="signing key"):
        verifier.verify(forge(id_claims(stack), kid="rotated-away"))


def test_a_token_for_another_app_client_is_refused(
    verifier: TokenVerifier, stack: Stack, student_token: str
) -> None:
    with pytest.raises(InvalidToken, match="another app client"):
        verifier.verify(other_client_token(stack))


def test_a_token_of_another_user_pool_is_refused(verifier: TokenVerifier, stack: Stack) -> None:
    foreign = id_claims(stack, iss=f"https://cognito-idp.{stack.region}.amazonaws.com/us-east-1_elsewhere")

    with pytest.raises(InvalidToken, match="another user pool"):
        verifier.verify(forge(foreign))


def test_an_unsigned_token_is_refused(verifier: TokenVerifier, stack: Stack) -> None:
    token = jwt.encode(id_claims(stack), key="", algorithm="none")

    with pytest.raises(InvalidToken, match="RS256"):
        verifier.verify(token)


def _access_token(stack: Stack) -> str:
    result = boto3.client("cognito-idp", region_name=stack.region).admin_initiate_auth(
        UserPoolId=stack.user_pool_id,
        ClientId=stack.user_pool_client_id,
        AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "student@gateway.example", "PASSWORD": PASSWORD},
    )
    token: str = result["AuthenticationResult"]["AccessToken"]
    return token


def test_an_access_token_is_refused_when_no_scopes_are_configured(
    verifier: TokenVerifier, stack: Stack, student_token: str
) -> None:
    with pytest.raises(InvalidToken, match="only ID tokens"):
        verifier.verify(_access_token(stack))


def test_with_scopes_configured_access_tokens_carrying_one_are_accepted_and_id_tokens_are_not(
    stack: Stack, student_token: str
) -> None:
    scoped = TokenVerifier(
        stack.user_pool_id,
        stack.user_pool_client_id,
        stack.region,
        jwks=moto_jwks(),
        scopes=["aws.cognito.signin.user.admin"],
    )
    assert scoped.verify(_access_token(stack))["token_use"] == "access"
    with pytest.raises(InvalidToken, match="only access tokens"):
        scoped.verify(student_token)

    other_scope = TokenVerifier(
        stack.user_pool_id, stack.user_pool_client_id, stack.region, jwks=moto_jwks(), scopes=["lms/admin"]
    )
    with pytest.raises(InsufficientScope):
        other_scope.verify(_access_token(stack))


@pytest.mark.parametrize(
    ("header", "token"),
    [("eyJ.a.b", "eyJ.a.b"), ("Bearer eyJ.a.b", "eyJ.a.b"), ("bearer  eyJ.a.b ", "eyJ.a.b"), ("", "")],
)
def test_the_token_is_read_from_the_authorization_header_with_or_without_bearer(
    header: str, token: str
) -> None:
    assert bearer_token({"authorization": header}) == token
