"""docs/data-model.md's count column says what bench/expectations.py states, operation by operation."""

from __future__ import annotations

import os
import re

from bench.expectations import EXPECTED, Expectation
from infra.docs import DOCS

# The backquoted names of a row's first cell: `GET /courses/{id}`, `/archive` (the previous
# operation's sibling), `…/sections/{s}` (a path shortened from the front), `PUT` (the same path).
NAME = re.compile(r"`([^`]+)`")
METHOD = re.compile(r"[A-Z]+")
# Rows that describe one case of an operation rather than the operation.
ROW_CASES = {"`PATCH /courses/{id}` changing `capacity`": "capacity change"}


def _shape(path: str) -> str:
    return re.sub(r"\{[^}]*\}", "{}", path.split("?")[0])


def _operations() -> dict[tuple[str, str], str]:
    return {(key.split(" ")[0], _shape(key.split(" ")[1])): key for key in EXPECTED if " [" not in key}


def _count_rows() -> list[tuple[str, str]]:
    rows = []
    for line in (DOCS / "data-model.md").read_text(encoding="utf-8").splitlines():
        cells = [cell.strip() for cell in re.split(r"(?<!\\)\|", line.strip().strip("|"))]
        if line.startswith("| `") and len(cells) == 3:
            rows.append((cells[0], cells[2]))
    return rows


def _resolve(method: str, path: str, near: str) -> list[str]:
    shape = _shape(path.replace("…", ""))
    found = [
        key
        for (m, p), key in _operations().items()
        if m == method and (p.endswith(shape) if path.startswith("…") else p == shape)
    ]
    if len(found) > 1 and near:
        # `…/me` after `GET /analytics/courses/{id}/students/{s}` is the analytics one.
        def shared(key: str) -> int:
            return len(os.path.commonpath([key.split(" ")[1], near.split(" ")[1]]))

        closest = max(shared(key) for key in found)
        found = [key for key in found if shared(key) == closest]
    return found


def _named(first_cell: str) -> list[str]:
    """The benchmarked operations a row of the access-pattern table names."""
    named: list[str] = []
    pending: list[str] = []  # `PATCH`, `DELETE /courses/{id}/reviews/{s}`: methods of the next path
    last_method, last_path = "", ""
    for name in NAME.findall(first_cell.replace("`/`", "/")):  # `PATCH`/`DELETE …`: both methods
        methods, _, path = name.partition(" ")
        if not all(METHOD.fullmatch(m) for m in methods.split("/")):
            if not name.startswith(("/", "…")) or not last_method:
                continue
            methods, path = last_method, name  # `/archive`: the previous operation's sibling
            if name.startswith("/"):
                path = last_path.rsplit("/", 1)[0] + name
        if not path:
            if last_path:
                path, methods = last_path, methods  # `PUT` after `GET /analytics/at-risk-rules`
            else:
                pending.append(methods)
                continue
        near = named[-1] if named else ""
        for method in [*pending, *methods.split("/")]:
            named += _resolve(method, path, near)
        pending = []
        last_method, last_path = methods.split("/")[-1], (named[-1].split(" ")[1] if named else path)
    return named


def _stated_count(expected: Expectation) -> int:
    """A count that grows is written as its fixed part, then `+ n per N <unit>` (the scales)."""
    return sum(expected.requests.values()) - sum(s.count(s.measured) for s in expected.scales)


def test_the_data_model_states_each_operation_s_count_of_the_data() -> None:
    differing = []
    for first_cell, counts in _count_rows():
        stated = {int(n.replace(",", "")) for n in re.findall(r"(?<![\w.])\d[\d,]*(?![\w.])", counts)}
        variant = ROW_CASES.get(first_cell)
        for key in _named(first_cell):
            expected = EXPECTED[f"{key} [{variant}]" if variant else key]
            wanted = {_stated_count(expected), *(scale.per for scale in expected.scales)}
            if not wanted <= stated:
                differing.append(f"{key}: data {sorted(wanted)}, data-model.md {counts!r}")
    assert not differing, "\n".join(differing)


def test_every_benchmarked_operation_has_a_row_in_the_data_model() -> None:
    named = {key for first_cell, _ in _count_rows() for key in _named(first_cell)}
    assert sorted({key for key in EXPECTED if " [" not in key} - named) == []
