"""Fixtures for the API Gateway emulation: the template's user pool in in-process moto, and tokens."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from moto import mock_aws

from infra.provision import Stack, provision
from infra.seed import create_user, sign_in
from tests.support.tokens import INSTITUTION, PASSWORD


@pytest.fixture(scope="module")
def stack() -> Iterator[Stack]:
    os.environ.update(
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        AWS_DEFAULT_REGION="us-east-1",
        AWS_REGION="us-east-1",
    )
    with mock_aws():
        yield provision()


@pytest.fixture(scope="module")
def student_token(stack: Stack) -> str:
    create_user(
        stack,
        username="student@gateway.example",
        password=PASSWORD,
        role="students",
        institution_id=INSTITUTION,
        endpoint_url=None,
    )
    return sign_in(stack, "student@gateway.example", PASSWORD, endpoint_url=None)
