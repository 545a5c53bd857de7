"""A roster as CSV (the spreadsheet export most institutions have): pure, no AWS.

The first non-blank line is the header; column names are compared without case or surrounding
spaces, and columns other than lms.users.imports.roster.COLUMNS are ignored. Each data line becomes
one row, as a JSON roster row would: its values are checked later, row by row, so a bad value fails
its row alone. Lines with no value at all (a spreadsheet's trailing `,,,`) are not rows.
"""

from __future__ import annotations

import csv
import io

from lms.users.imports.errors import MalformedRoster
from lms.users.imports.roster import COLUMNS, MAX_ROWS

MEDIA_TYPE = "text/csv"
BOM = "\ufeff"


def read_roster_csv(text: str) -> list[dict[str, str]]:
    """The data rows, keyed by the required columns; at most MAX_ROWS + 1 are read (one too many is
    enough for the size check of the roster, which is the same for CSV and JSON)."""
    lines = csv.reader(io.StringIO(text.removeprefix(BOM), newline=""), strict=True)
    try:
        header = next((line for line in lines if any(value.strip() for value in line)), None)
        if header is None:
            raise MalformedRoster(
                f"The CSV file is empty: send a header row ({', '.join(COLUMNS)}) and one line per person."
            )
        names = [name.strip().lower() for name in header]
        missing = [column for column in COLUMNS if column not in names]
        if missing:
            raise MalformedRoster(
                f"The header row (line {lines.line_num}) lacks the column(s) {', '.join(missing)}; "
                f"it needs {', '.join(COLUMNS)} (in any order, any case).",
                missing_columns=missing,
            )
        position = {column: names.index(column) for column in COLUMNS}
        rows: list[dict[str, str]] = []
        for line in lines:
            if not any(value.strip() for value in line):
                continue
            rows.append({column: line[at] for column, at in position.items() if at < len(line)})
            if len(rows) > MAX_ROWS:
                break
    except csv.Error as error:
        raise MalformedRoster(f"Line {lines.line_num} is not valid CSV: {error}.") from None
    return rows
