"""A partial run (`--only`) merged into the report of the runs before it.

Each table of docs/benchmarks.md is keyed by its first cell (an operation, a read, a function): a
partial run replaces the rows it measured and keeps every other row as the earlier run wrote it,
in the order of today's scenarios, reads and functions (a row of something that no longer exists
is dropped). A table whose columns changed keeps only the new rows: its old rows no longer fit.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field

PARTIAL_RUNS = "Rows measured again since, by partial runs (`python -m bench --only`):"


def cells(row: str) -> list[str]:
    return [cell.strip() for cell in row.strip().strip("|").split("|")]


def _tables(document: str) -> dict[str, tuple[str, dict[str, str]]]:
    """`## heading` -> (column line, {first cell: row}) of the first table under each heading."""
    tables: dict[str, tuple[str, dict[str, str]]] = {}
    heading = ""
    lines = document.splitlines()
    index = 0
    while index < len(lines):
        line = lines[index]
        if line.startswith("## "):
            heading = line
        elif (
            line.startswith("|")
            and heading not in tables
            and index + 1 < len(lines)
            and lines[index + 1].startswith("|---")
        ):
            rows: dict[str, str] = {}
            index += 2
            while index < len(lines) and lines[index].startswith("|"):
                rows[cells(lines[index])[0]] = lines[index]
                index += 1
            tables[heading] = (line, rows)
            continue
        index += 1
    return tables


def _sections(document: str) -> dict[str, str]:
    """`## heading` -> the section's text, heading included; "" -> the opening before the first."""
    parts = document.split("\n## ")
    sections = {"": parts[0] + "\n"}
    for part in parts[1:]:
        sections["## " + part.split("\n", 1)[0]] = "## " + part + "\n"
    return sections


@dataclass(frozen=True)
class Previous:
    """The report a partial run merges into; empty for a full run."""

    document: str = ""
    tables: Mapping[str, tuple[str, dict[str, str]]] = field(default_factory=dict)

    @classmethod
    def of(cls, document: str) -> Previous:
        return cls(document, _tables(document))

    def rows(self, heading: str, columns: str, measured: Sequence[str], order: Sequence[str]) -> list[str]:
        """The table's rows: the ones measured now, the earlier ones for the rest, in `order`."""
        now = {cells(row)[0]: row for row in measured}
        earlier_columns, earlier = self.tables.get(heading, ("", {}))
        if earlier_columns != columns:
            earlier = {}
        return [row for key in order if (row := now.get(key) or earlier.get(key))]

    def keep_unmeasured(self, document: str, unmeasured: Collection[str]) -> str:
        """`document` with the earlier report's text of each `## ` section the run measured nothing of."""
        earlier = _sections(self.document)
        merged = "".join(
            earlier.get(heading, text) if heading in unmeasured else text
            for heading, text in _sections(document).items()
        )
        return merged.removesuffix("\n")

    def header(self, note: str) -> list[str]:
        """The earlier report's opening (up to its first `## `), listing this partial run's `note`."""
        lines = self.document.split("\n## ", 1)[0].rstrip("\n").splitlines()
        if PARTIAL_RUNS not in lines:
            lines += ["", PARTIAL_RUNS, ""]
        start = lines.index(PARTIAL_RUNS) + 2
        end = start
        while end < len(lines) and lines[end].startswith("- "):
            end += 1
        kept = [line for line in lines[start:end] if not line.startswith(note.split(":", 1)[0] + ":")]
        return [*lines[:start], *kept, note, *lines[end:], ""]


FULL_RUN = Previous()
