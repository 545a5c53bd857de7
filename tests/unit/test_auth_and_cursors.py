"""The principal comes only from verified claims; cursors cannot be forged across partitions."""

from __future__ import annotations

import pytest

from lms import keys
from lms.auth import Role, principal_from_claims
from lms.errors import Forbidden, InvalidCursor, NotFound, Unauthenticated
from lms.pagination import decode_cursor, encode_cursor


@pytest.mark.parametrize(
    "groups", ["instructors,students", "[instructors students]", ["instructors", "students"]]
)
def test_groups_claim_formats_are_understood(groups: object) -> None:
    who = principal_from_claims({"sub": "u1", "custom:institution_id": "inst-1", "cognito:groups": groups})
    assert who.roles == {Role.INSTRUCTOR, Role.STUDENT}
    assert who.institution_id == "inst-1"


def test_no_claims_is_unauthenticated() -> None:
    with pytest.raises(Unauthenticated):
        principal_from_claims({})


@pytest.mark.parametrize("institution", ["", "a#b", "x" * 65])
def test_an_unusable_institution_claim_is_refused(institution: str) -> None:
    with pytest.raises(Forbidden):
        principal_from_claims(
            {"sub": "u1", "custom:institution_id": institution, "cognito:groups": "students"}
        )


def test_unknown_groups_give_no_role() -> None:
    with pytest.raises(Forbidden):
        principal_from_claims(
            {"sub": "u1", "custom:institution_id": "i", "cognito:groups": "admins-of-the-world"}
        )


def test_a_cursor_round_trips_within_its_partition() -> None:
    key = {
        "GSI1PK": {"S": "INST#a#CATALOG#published"},
        "GSI1SK": {"S": "x#y#2026#1"},
        "PK": {"S": "INST#a#COURSE#1"},
        "SK": {"S": "COURSE"},
    }
    cursor = encode_cursor(key)
    assert decode_cursor(cursor, partition_attr="GSI1PK", partition="INST#a#CATALOG#published") == key


def test_a_cursor_of_another_partition_is_refused() -> None:
    cursor = encode_cursor({"GSI1PK": {"S": "INST#b#CATALOG#published"}})
    with pytest.raises(InvalidCursor):
        decode_cursor(cursor, partition_attr="GSI1PK", partition="INST#a#CATALOG#published")


@pytest.mark.parametrize("cursor", ["not-base64!!", "AAAA", encode_cursor({"x": 1})[:-2] + "zz"])  # type: ignore[index]
def test_a_malformed_or_tampered_cursor_is_refused(cursor: str) -> None:
    with pytest.raises(InvalidCursor):
        decode_cursor(cursor, partition_attr="GSI1PK", partition="INST#a#CATALOG#published")


def test_a_value_that_cannot_be_a_key_part_names_nothing() -> None:
    with pytest.raises(NotFound):
        keys.course_pk("inst-1", "}")
