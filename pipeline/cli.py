"""`equity`: the command line of the warehouse.

`equity run` executes the same Dagster job the UI shows, one year partition
at a time, in this process; it prints progress and a summary, and exits
non-zero when a file was refused or a step failed.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import sys
from pathlib import Path

from rich.console import Console
from rich.logging import RichHandler
from rich.table import Table

# Bound to the real streams: while a run executes, stdout (dbt's chatter) goes to the run log instead.
console = Console(file=sys.__stdout__)
PUBLISHED_KEY_PATH = ["warehouse", "published"]
errors = Console(file=sys.__stderr__)


def _configure_logging() -> None:
    handler = RichHandler(console=console, show_time=False, show_path=False, markup=False)
    handler.setFormatter(logging.Formatter("%(message)s"))
    logger = logging.getLogger("pipeline")
    logger.handlers[:] = [handler]
    logger.setLevel(logging.INFO)
    logger.propagate = False


def _summary(build: Path, run_ids: list[str]) -> tuple[Table, list[tuple[str, str]]]:
    from pipeline.ingest.warehouse import connect

    with connect(build, read_only=True) as con:
        per_table = con.execute(
            """
            SELECT year, coalesce(table_name, '(unknown)') AS table_name, count(*) AS files,
                   count(*) FILTER (status = 'refused') AS refused,
                   sum(rows_read) AS rows_read, sum(rows_loaded) AS loaded, sum(rows_rejected) AS rejected
            FROM audit.loads WHERE run_id IN (SELECT unnest($ids))
            GROUP BY ALL ORDER BY year, table_name
            """,
            {"ids": run_ids},
        ).fetchall()
        refused = con.execute(
            "SELECT source_file, reason FROM audit.loads WHERE status = 'refused' AND run_id IN (SELECT unnest($ids)) ORDER BY source_file",
            {"ids": run_ids},
        ).fetchall()
    table = Table(title="Census files loaded")
    for name in ("year", "table", "files", "refused", "rows read", "loaded", "rejected"):
        table.add_column(name, justify="left" if name == "table" else "right")
    for row in per_table:
        table.add_row(*[f"{v:,}" if isinstance(v, int) and i > 1 else str(v) for i, v in enumerate(row)])
    return table, refused


def _year_line(result, log_file: Path) -> str:
    """One line per year: assets built, checks passed and failed (by name), where the details are."""
    built = len(result.get_asset_materialization_events())
    checks = result.get_asset_check_evaluations()
    failed = sorted(c.check_name for c in checks if not c.passed)
    line = f"{built} assets materialized, {len(checks) - len(failed)} of {len(checks)} checks passed"
    if failed:
        line += f"; failed: {', '.join(failed[:8])}{' …' if len(failed) > 8 else ''}"
    return f"{line} (log: {log_file})"


def run(args: argparse.Namespace) -> int:
    os.environ["EQUITY_RAW_DIR"] = str(args.raw.resolve())
    os.environ["EQUITY_WAREHOUSE"] = str(args.warehouse.resolve())
    _configure_logging()

    from pipeline.ingest.year import find_years
    from pipeline.instance import get_instance

    found = find_years(args.raw)
    if not found:
        errors.print(f"[red]error:[/] no year folders (like {args.raw}/2024/) under {args.raw}")
        return 2
    years = args.years or found
    missing = sorted(set(years) - set(found))
    if missing:
        errors.print(f"[red]error:[/] no folder for year(s) {', '.join(map(str, missing))} under {args.raw} (found: {', '.join(map(str, found))})")
        return 2

    console.print("Loading the pipeline definitions…")
    from pipeline.definitions import defs
    from pipeline.partitions import census_years

    instance = get_instance()
    instance.add_dynamic_partitions(census_years.name, [str(y) for y in years])
    job = defs.resolve_job_def("census_year")
    # Dagster's own console lines stay in its event log (the UI); failures are summarised below.
    quiet = {"loggers": {"console": {"config": {"log_level": "CRITICAL"}}}}
    log_dir = args.warehouse.resolve().parent / "logs"
    log_dir.mkdir(parents=True, exist_ok=True)
    run_ids, failures, published = [], [], []
    for year in years:
        console.rule(f"census year {year}")
        log_file = log_dir / f"run-{year}.log"
        with open(log_file, "w", encoding="utf-8") as log, contextlib.redirect_stdout(log):
            result = job.execute_in_process(partition_key=str(year), instance=instance, run_config=quiet, raise_on_error=False)
        run_ids.append(result.run_id)
        if any(event.asset_key.path == PUBLISHED_KEY_PATH for event in result.get_asset_materialization_events()):
            published.append(year)
        console.print(_year_line(result, log_file))
        if not result.success:
            for event in result.all_events:
                if event.is_step_failure and event.step_failure_data.error:
                    failures.append((year, event.step_key, event.step_failure_data.error.message.strip()))
    from pipeline.publishing import build_path_for

    build = build_path_for(args.warehouse.resolve())
    table, refused = _summary(build, run_ids) if build.exists() else (None, [])
    if table is not None:
        console.print(table)
    for path, reason in refused:
        errors.print(f"[red]refused[/] {path}: {reason}")
    for year, step, message in failures:
        errors.print(f"[red]failed[/] {year} {step}: {message}")
    unpublished = [y for y in years if y not in published]
    console.print(f"Warehouse: {args.warehouse.resolve()}" + (f" (published: {', '.join(map(str, published))})" if published else " (nothing published)"))
    if unpublished:
        errors.print(f"Not published: {', '.join(map(str, unpublished))}; the warehouse keeps its last good indicators for these years.")
    return 1 if refused or failures else 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="equity", description="County compulsory-education equity warehouse.")
    commands = parser.add_subparsers(dest="command", required=True)
    run_parser = commands.add_parser("run", help="load census years, compute indicators and publish the warehouse")
    run_parser.add_argument("--raw", type=Path, default=Path("data/raw"), help="folder with one sub-folder per year (default: data/raw)")
    run_parser.add_argument("--warehouse", type=Path, default=Path("warehouse/equity.duckdb"), help="the DuckDB file to build (default: warehouse/equity.duckdb)")
    run_parser.add_argument("--years", type=int, nargs="+", help="only these years (default: every year folder found)")
    run_parser.set_defaults(handler=run)
    return parser


def main(argv: list[str] | None = None) -> None:
    args = build_parser().parse_args(argv)
    sys.exit(args.handler(args))
