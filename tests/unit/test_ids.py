"""Ids sort in the order they were made, even many within one millisecond."""

from __future__ import annotations

import re

from lms import ids


def test_ids_made_one_after_the_other_sort_in_that_order() -> None:
    made = [ids.new_id() for _ in range(2_000)]

    assert made == sorted(made)
    assert len(set(made)) == len(made)
    assert all(re.fullmatch(r"[0-9A-HJKMNP-TV-Z]{26}", made_id) for made_id in made)
