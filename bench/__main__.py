"""`python -m bench [--only TERMS] [--calls N] [--out FILE] [--quick]`: measure, write docs/benchmarks.md.

With `--only` (bench.selection) only the named operations, reads and cold starts are measured, and
their rows are merged into the report already written (bench.merge).

Exits 1 when an operation's DynamoDB requests differ from docs/data-model.md (the document is
written anyway), 2 when the benchmark cannot run as designed (a missing scenario, a wrong status).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from bench import scale as catalog
from bench import students as classroom
from bench.coldstart import RUNS, function_ids, measure_cold_starts
from bench.expectations import scenario_key
from bench.fanout import FanoutRow, run_fanout
from bench.invoke import BenchError, EmulatedAws
from bench.merge import Previous
from bench.operations import Catalog, OperationResult, run_operations
from bench.report import Settings, cold_start_runtime, render
from bench.scale import ScaleRow, run_scale
from bench.scenarios.base import PAGE_SIZE
from bench.selection import FANOUT, SCALE, STUDENTS, Selection, function_names
from bench.students import run_students

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = ROOT / "docs" / "benchmarks.md"
QUICK_CALLS = 3
SCALE_CALLS = 100
STUDENT_CALLS = 40  # each read at each class size: moto answers a Query by filtering the whole table
QUICK_CLASS_SIZES = (5, 60)
QUICK_PAGE_SIZE = 5
QUICK_FANOUT_SIZES = (100, 300)


def _progress(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=200, help="measured calls per operation (default 200)")
    parser.add_argument("--warmup", type=int, default=5, help="unmeasured calls first (default 5)")
    parser.add_argument("--runs", type=int, default=RUNS, help=f"cold-start processes per function ({RUNS})")
    parser.add_argument(
        "--out", type=Path, default=None, help="where to write the report (default docs/benchmarks.md)"
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help=f"smoke run: {QUICK_CALLS} calls, 1 cold-start run; prints the report unless --out is given",
    )
    parser.add_argument(
        "--only",
        metavar="TERMS",
        help="comma-separated operationIds, `METHOD /path`s, scenario modules, functions or contexts, "
        "scale, students, fanout, coldstart: measure only those and merge their rows into the report",
    )
    args = parser.parse_args(argv)
    selection = Selection.parse(args.only)
    page_size = PAGE_SIZE
    if args.quick:
        args.calls, args.warmup, args.runs, page_size = QUICK_CALLS, 1, 1, QUICK_PAGE_SIZE
    elif args.out is None:
        args.out = DEFAULT_OUT
    if args.calls < 1 or args.warmup < 0 or args.runs < 1:
        parser.error("--calls and --runs must be at least 1, --warmup at least 0")

    started, load_before = time.perf_counter(), os.getloadavg()[0]
    scale_calls = min(args.calls, SCALE_CALLS)
    student_calls = min(args.calls, STUDENT_CALLS)
    operations: list[OperationResult] = []
    scale: list[ScaleRow] = []
    students: list[ScaleRow] = []
    fanout: list[FanoutRow] = []
    try:
        with EmulatedAws() as aws:
            operation_catalog = Catalog.of(aws)
            catalog_reads = [
                r
                for r in catalog.READS
                if selection.picks(
                    {SCALE, r.name, *operation_catalog.route_names(scenario_key(r.method, r.path))}
                )
            ]
            class_reads = [
                r
                for r in classroom.READS
                if selection.picks(
                    {STUDENTS, r.name, *operation_catalog.route_names(scenario_key(r.method, r.path))}
                )
            ]
            known = {
                *operation_catalog.known(),
                *(r.name for r in catalog.READS),
                *(r.name for r in classroom.READS),
                *(name for logical_id in function_ids() for name in function_names(logical_id)),
            }
            if unknown := selection.unknown(known):
                raise BenchError(f"--only names nothing the benchmark measures: {', '.join(unknown)}")
            _progress(f"== operations: {args.calls} calls each after {args.warmup} warm-up calls")
            operations = run_operations(
                aws,
                calls=args.calls,
                warmup=args.warmup,
                page_size=page_size,
                progress=_progress,
                selection=selection,
            )
            if catalog_reads:
                _progress("== scale")
                # The scale table is about request counts; its timings are context, on fewer calls.
                scale = run_scale(
                    aws, calls=scale_calls, warmup=args.warmup, progress=_progress, reads=catalog_reads
                )
            if class_reads:
                _progress("== scale: students in a course")
                class_sizes = {"sizes": QUICK_CLASS_SIZES} if args.quick else {}
                students = run_students(
                    aws,
                    calls=student_calls,
                    warmup=args.warmup,
                    progress_line=_progress,
                    reads=class_reads,
                    **class_sizes,
                )
            if selection.picks({FANOUT}):
                _progress("== scale: notification fan-out")
                fanout = run_fanout(aws, QUICK_FANOUT_SIZES, (100,)) if args.quick else run_fanout(aws)
            _progress(f"== cold start: {args.runs} runs each")
            runtime, cold = measure_cold_starts(
                aws, runs=args.runs, progress=_progress, profile=not args.quick, selection=selection
            )
    except BenchError as error:
        print(f"bench: {error}", file=sys.stderr)
        return 2
    settings = Settings(
        calls=args.calls,
        scale_calls=scale_calls,
        warmup=args.warmup,
        page_size=page_size,
        cold_start_runs=args.runs,
        seconds=time.perf_counter() - started,
        load=(load_before, os.getloadavg()[0]),
        student_calls=student_calls,
        selection=selection,
        cold_start_runtime=cold_start_runtime(runtime),
    )
    previous = Previous()
    if not selection.everything and args.out is not None and args.out.exists():
        previous = Previous.of(args.out.read_text(encoding="utf-8"))
    report = render(operations, scale, cold, settings, students, previous, fanout)
    if args.out is None:
        print(report)
    else:
        args.out.write_text(report, encoding="utf-8")
        _progress(f"== wrote {args.out}")
    drifted = [r.key for r in operations if not r.matches_data_model]
    if drifted:
        print("bench: requests differ from docs/data-model.md for: " + ", ".join(drifted), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
