"""Every item type of the process reaches the table through one connection and one botocore client."""

from __future__ import annotations

import pynamodb
import pytest

import lms.assessments.gradebook.repository
import lms.communication.messages.repository
import lms.courses.enrollment.repository
import lms.courses.repository
import lms.progress.repository
import lms.users.items  # noqa: F401 - item types of several contexts, for the subclass walk
from lms import aws
from lms.persistence.table import PYNAMODB_VERSIONS, Item, connection, table_connection
from lms.settings import get_settings


def _item_types(base: type[Item] = Item) -> set[type[Item]]:
    found = set(base.__subclasses__())
    return found.union(*(_item_types(sub) for sub in found))


@pytest.fixture
def table(monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("TABLE_NAME", "lms-unit-table")
    monkeypatch.setenv("EVENT_BUS_NAME", "lms-unit-bus")
    monkeypatch.setenv("AWS_REGION", "eu-west-1")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "unit")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "unit")
    get_settings.cache_clear()
    return "lms-unit-table"


def test_the_installed_pynamodb_is_one_the_shared_connection_was_written_for() -> None:
    assert pynamodb.__version__ in PYNAMODB_VERSIONS


def test_every_item_type_uses_the_one_connection_to_the_configured_table(table: str) -> None:
    item_types = _item_types()
    assert len(item_types) > 20
    connections = {id(item_type._get_connection()) for item_type in item_types}
    assert connections == {id(table_connection())}
    assert table_connection().table_name == table
    assert {item_type.Meta.table_name for item_type in item_types} == {table}


def test_transactions_and_models_share_one_botocore_client(table: str) -> None:
    clients = {id(item_type._get_connection().connection.client) for item_type in _item_types()}
    assert clients == {id(connection().client)}
    assert connection().client.meta.region_name == "eu-west-1"


def test_the_table_s_client_and_the_other_aws_clients_share_one_botocore_session(table: str) -> None:
    secrets = aws.client("secretsmanager")
    assert secrets.meta.region_name == "eu-west-1"
    assert connection().session is aws.session()
