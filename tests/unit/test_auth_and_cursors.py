"""The principal comes only from verified claims; ids that cannot be key parts name nothing."""

from __future__ import annotations

import pytest

from lms import keys
from lms.auth import Role, principal_from_claims
from lms.errors import Forbidden, NotFound, Unauthenticated


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


def test_a_value_that_cannot_be_a_key_part_names_nothing() -> None:
    with pytest.raises(NotFound):
        keys.course_pk("inst-1", "}")
