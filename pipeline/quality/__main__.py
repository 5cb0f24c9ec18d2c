"""Run the gates outside Dagster: `python -m pipeline.quality --warehouse W --year 2024 [--suite raw_classes ...]`.

Validates read-only, prints the failures, and with `--store` appends the
results to audit.quality_results and rebuilds the data docs (needs the
writer: no other process may hold the file). Exits 1 when an `error`
expectation failed, 0 otherwise.
"""

from __future__ import annotations

import argparse
import sys
import uuid
from pathlib import Path

from pipeline.quality import MART_SUITES, RAW_SUITES, build_docs, render_failures, validate, write_results
from pipeline.warehouse.db import connect


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pipeline.quality", description=__doc__.splitlines()[0])
    parser.add_argument("--warehouse", type=Path, required=True)
    parser.add_argument("--year", type=int, required=True)
    parser.add_argument(
        "--suite", nargs="+", help="suite names (default: every raw suite; add --marts for the mart suites)"
    )
    parser.add_argument("--marts", action="store_true", help="also the mart suites")
    parser.add_argument("--engine", choices=["auto", "gx", "sql"], default="auto")
    parser.add_argument("--store", action="store_true", help="write audit.quality_results and the data docs")
    parser.add_argument("--docs", type=Path, help="data docs folder (default: quality_docs beside the warehouse)")
    args = parser.parse_args(argv)
    suites = args.suite or [*RAW_SUITES.values(), *(MART_SUITES.values() if args.marts else [])]
    run_id = f"gates-{uuid.uuid4()}"
    results = validate(args.warehouse, suites, args.year, run_id=run_id, engine=args.engine)
    for r in results:
        state = "passes" if r.success else f"{len(r.errors)} error(s)"
        print(
            f"{r.suite:<32} {r.table_name:<32} {r.rows if r.rows is not None else '-':>10} rows  {r.seconds:6.2f} s  {state}, {len(r.warnings)} warning(s)"
        )
    text = render_failures(results)
    if text:
        print("\n" + text)
    if args.store:
        with connect(args.warehouse) as con:
            write_results(con, results)
            index = build_docs(con, args.docs or args.warehouse.resolve().parent / "quality_docs")
        print(f"\nresults stored (run {run_id}); data docs: {index}")
    return 0 if all(r.success for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
