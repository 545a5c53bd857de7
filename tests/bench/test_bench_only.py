"""`python -m bench --only`: a partial run measures what it names and keeps the report's other rows."""

from __future__ import annotations

from pathlib import Path

from bench.__main__ import main
from bench.merge import PARTIAL_RUNS, Previous
from bench.selection import Selection

REPORT = Path(__file__).resolve().parents[2] / "docs" / "benchmarks.md"
GET_LESSON = "| `GET /courses/{course_id}/lessons/{lesson_id}` |"

EARLIER = """\
# Benchmarks

Machine: a laptop.

## Per operation

Operations meeting every target: 1 of 2.

| operation | p50 ms |
|---|--:|
| `GET /a` | 1.00 |
| `GET /b` | 2.00 |

## Cold start

Two runs, long ago.

| function | ms |
|---|--:|
| AFunction | 100 |
"""


def test_a_term_selects_by_any_of_its_names_whatever_the_case() -> None:
    selection = Selection.parse(" getlesson , Quizzes ")
    assert selection.picks({"GetLesson", "GET /courses/{course_id}/lessons/{lesson_id}"})
    assert selection.picks({"quizzes"})
    assert not selection.picks({"GetCourse", "courses"})
    assert Selection.parse("").picks({"anything"})


def test_a_term_that_names_nothing_is_reported() -> None:
    assert Selection.parse("GetLesson,coldstart,GetLeson").unknown({"GetLesson"}) == ["GetLeson"]


def test_measured_rows_replace_the_earlier_ones_and_the_others_stay_in_order() -> None:
    earlier = Previous.of(EARLIER)
    rows = earlier.rows(
        "## Per operation", "| operation | p50 ms |", ["| `GET /b` | 0.50 |", "| `GET /c` | 0.70 |"], []
    )
    assert rows == []  # only what today's scenarios name is kept
    rows = earlier.rows(
        "## Per operation",
        "| operation | p50 ms |",
        ["| `GET /b` | 0.50 |", "| `GET /c` | 0.70 |"],
        ["`GET /c`", "`GET /a`", "`GET /b`", "`GET /gone`"],
    )
    assert rows == ["| `GET /c` | 0.70 |", "| `GET /a` | 1.00 |", "| `GET /b` | 0.50 |"]


def test_a_table_whose_columns_changed_keeps_only_the_measured_rows() -> None:
    rows = Previous.of(EARLIER).rows(
        "## Per operation",
        "| operation | p50 ms | p99 ms |",
        ["| `GET /b` | 0.50 | 0.90 |"],
        ["`GET /a`", "`GET /b`"],
    )
    assert rows == ["| `GET /b` | 0.50 | 0.90 |"]


def test_a_section_the_run_did_not_measure_keeps_its_earlier_text() -> None:
    new = EARLIER.replace("Two runs, long ago.", "Seven runs, now.").replace("1 of 2", "2 of 2")
    merged = Previous.of(EARLIER).keep_unmeasured(new, {"## Cold start"})
    assert "Two runs, long ago." in merged
    assert "2 of 2" in merged
    assert merged.endswith("| AFunction | 100 |\n")


def test_the_opening_lists_each_partial_run_once_with_its_latest_note() -> None:
    earlier = Previous.of(EARLIER)
    once = "\n".join(earlier.header("- `--only a`: first"))
    again = Previous.of(once + "\n## Per operation\n").header("- `--only a`: second")
    assert again.count(PARTIAL_RUNS) == 1
    assert "- `--only a`: second" in again
    assert "- `--only a`: first" not in again
    assert again[0] == "# Benchmarks"


def test_only_one_operation_is_measured_again_and_merged_into_the_report(tmp_path: Path) -> None:
    out = tmp_path / "benchmarks.md"
    out.write_text(REPORT.read_text(encoding="utf-8"), encoding="utf-8")
    before = out.read_text(encoding="utf-8").splitlines()

    code = main(["--only", "GetLesson", "--calls", "2", "--warmup", "0", "--runs", "1", "--out", str(out)])

    after = out.read_text(encoding="utf-8").splitlines()
    assert code == 0
    assert sum(1 for line in after if line.startswith(GET_LESSON)) == 1
    assert any(line.startswith("- `--only GetLesson`: ") for line in after)

    def other_rows(lines: list[str]) -> list[str]:
        return [line for line in lines if line.startswith("| `") and not line.startswith(GET_LESSON)]

    assert other_rows(after) == other_rows(before)


def test_a_term_that_names_nothing_stops_the_run_before_measuring(tmp_path: Path) -> None:
    out = tmp_path / "benchmarks.md"
    assert main(["--only", "GetLeson", "--out", str(out)]) == 2
    assert not out.exists()
