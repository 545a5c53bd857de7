"""Integration fixtures: the stack provisioned from template.yaml in in-process moto."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from moto import mock_aws

from infra import patches
from infra.gateway import ApiGateway, TokenVerifier
from infra.provision import Stack, provision
from lms.settings import get_settings
from lms.users.access import gate
from tests.support.tenant import Tenant


# A stack per test module: moto's TransactWriteItems copies the whole table, so one table shared
# by the whole run would make every later transaction slower than the one before.
@pytest.fixture(scope="module")
def stack() -> Iterator[Stack]:
    os.environ.update(
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        AWS_DEFAULT_REGION="us-east-1",
        AWS_REGION="us-east-1",
    )
    with mock_aws():
        provisioned = provision()
        os.environ.update(provisioned.env)
        get_settings.cache_clear()
        yield provisioned


@pytest.fixture(scope="session", autouse=True)
def transactions_cost_what_they_touch() -> None:
    """The local stack's moto transactions: rolled back from a copy of what they touch, not of the table.

    moto deep-copies the whole table (and its stream) before every TransactWriteItems, so each
    one costs time in proportion to everything the module wrote before. The local stack's copy
    rolls back exactly the same; here every refusal test ("nothing stored") checks that it does.
    """
    patches.apply()


@pytest.fixture(scope="session", autouse=True)
def account_checks_stay_warm() -> Iterator[None]:
    """One process is one warm container: its account checks must not expire in the middle of a test.

    Request counts are asserted exactly; on a slow machine a test can outlast the 30 s cache and
    pay one more GetItem. Expiry itself is tested on its own clock (tests/unit/test_users_access.py).
    """
    default = gate.ttl_seconds
    gate.ttl_seconds = 24 * 3600.0
    yield
    gate.ttl_seconds = default


@pytest.fixture(scope="module")
def gateway(stack: Stack) -> ApiGateway:
    return ApiGateway(stack, TokenVerifier.for_stack(stack))


@pytest.fixture
def tenant(stack: Stack, gateway: ApiGateway) -> Tenant:
    return Tenant(stack, gateway)


@pytest.fixture
def other_tenant(stack: Stack, gateway: ApiGateway) -> Tenant:
    return Tenant(stack, gateway)
