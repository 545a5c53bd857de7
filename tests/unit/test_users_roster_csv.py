"""Reading a roster from CSV (lms.users.imports.roster_csv): pure, no AWS."""

from __future__ import annotations

import pytest

from lms.users.imports.errors import MalformedRoster
from lms.users.imports.roster import MAX_ROWS, check_roster
from lms.users.imports.roster_csv import read_roster_csv


def test_columns_are_found_by_name_in_any_case_order_and_spacing_extra_ones_ignored() -> None:
    text = "\ufeff ROLE ,Email,Phone,family_name,Given_Name\r\nstudent,a@b.example,555,Lovelace,Ada\r\n"
    assert read_roster_csv(text) == [
        {"email": "a@b.example", "given_name": "Ada", "family_name": "Lovelace", "role": "student"}
    ]


def test_quoted_fields_keep_commas_quotes_and_line_breaks() -> None:
    text = 'email,given_name,family_name,role\n"a@b.example","Ada, ""the first""","Love\r\nlace",student'
    [row] = read_roster_csv(text)
    assert (row["given_name"], row["family_name"]) == ('Ada, "the first"', "Love\r\nlace")


def test_blank_lines_are_not_rows_and_short_lines_miss_their_last_values() -> None:
    text = "\n\nemail,given_name,family_name,role\n\n,,,\na@b.example,Ada\n"
    assert read_roster_csv(text) == [{"email": "a@b.example", "given_name": "Ada"}]


def test_a_short_line_fails_alone_as_a_json_row_would() -> None:
    [row] = check_roster(read_roster_csv("email,given_name,family_name,role\na@b.example,Ada\n"))
    assert row.rejection == "Family_name is missing; role is missing."


def test_no_more_than_one_row_too_many_is_read() -> None:
    text = "email,given_name,family_name,role\n" + "a@b.example,A,B,student\n" * (MAX_ROWS + 50)
    assert len(read_roster_csv(text)) == MAX_ROWS + 1


@pytest.mark.parametrize(
    ("text", "detail"),
    [
        ("", "The CSV file is empty"),
        ("\ufeff", "The CSV file is empty"),
        (" \r\n,,\r\n", "The CSV file is empty"),
        ("Email;Given_name;Family_name;Role\n", "lacks the column(s) email, given_name, family_name, role"),
        ("\nemail,given_name\n", "The header row (line 2) lacks the column(s) family_name, role"),
        ('email,given_name,family_name,role\n"unclosed,A,B,student\n', "Line 2 is not valid CSV"),
    ],
)
def test_a_file_that_cannot_be_read_is_refused_with_the_reason(text: str, detail: str) -> None:
    with pytest.raises(MalformedRoster) as refused:
        read_roster_csv(text)
    assert detail in refused.value.detail
    assert refused.value.status == 400
