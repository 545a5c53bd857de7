"""The gradebook as an instructor sets it up and reads it."""

from __future__ import annotations

import csv
import io

from tests.support.client import Caller

# Quizzes 40 %, assignments 60 %; A from 90 %, B from 80 %.
WEIGHTED_SETTINGS = {
    "categories": [{"name": "quizzes", "weight": "40"}, {"name": "assignments", "weight": "60"}],
    "letters": [
        {"letter": "A", "min_percent": "90"},
        {"letter": "B", "min_percent": "80"},
        {"letter": "C", "min_percent": "0"},
    ],
}


def csv_of(caller: Caller, path: str) -> tuple[str, list[list[str]]]:
    """The export's media type and rows."""
    response = caller.get(path)
    assert response.status == 200, response.body
    return response.header("Content-Type") or "", list(csv.reader(io.StringIO(response.body)))
