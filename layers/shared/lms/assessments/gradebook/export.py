"""The class gradebook as CSV (RFC 4180): one row per student, safe to open in a spreadsheet."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence

from lms.assessments.gradebook.domain import Column, CourseGrade, GradebookRow, display_percent

# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection): such a cell
# is written with a leading apostrophe, which spreadsheets show as text and never evaluate.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: str) -> str:
    return f"'{value}" if value.startswith(_FORMULA_STARTS) else value


def header(columns: Sequence[Column], categories: Sequence[str]) -> list[str]:
    """`student_id`, `display_name`, each assessment as `title (id)`, each category as `name (%)`,
    final, letter."""
    return [
        "student_id",
        "display_name",
        *(f"{c.title} ({c.assessment_id})" for c in columns),
        *(f"{name} (%)" for name in categories),
        "final (%)",
        "letter",
    ]


def line(row: GradebookRow, name: str, grade: CourseGrade, columns: Sequence[Column]) -> list[str]:
    """A student's cells: scores as counted (empty when none), percents as displayed."""
    scores = [
        str(row.scores[c.assessment_id].score) if c.assessment_id in row.scores else "" for c in columns
    ]
    percents = [display_percent(c.percent) for c in grade.categories]
    final = display_percent(grade.percent)
    return [
        row.student_id,
        name,
        *scores,
        *("" if p is None else str(p) for p in percents),
        "" if final is None else str(final),
        grade.letter or "",
    ]


def class_csv(
    columns: Sequence[Column],
    categories: Sequence[str],
    rows: Iterable[tuple[GradebookRow, CourseGrade]],
    names: Mapping[str, str],
) -> str:
    """The whole export: the header row, then one line per student, CRLF line ends, quoted as needed.

    A student without a profile (an account made outside the API) has an empty name."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow([safe_cell(cell) for cell in header(columns, categories)])
    for row, grade in rows:
        name = names.get(row.student_id, "")
        writer.writerow([safe_cell(cell) for cell in line(row, name, grade, columns)])
    return out.getvalue()


def export_file_name(course_id: str) -> str:
    """The name a download is saved under."""
    return f"gradebook-{course_id}.csv"


def export_object_key(institution_id: str, course_id: str, export_id: str) -> str:
    """Where a large export is stored in the files bucket (`exports/` expires by lifecycle)."""
    return f"exports/gradebook/{institution_id}/{course_id}/{export_id}.csv"
