"""`equity`: the command line of the warehouse.

`equity run` executes the same Dagster job the UI shows, one year partition
at a time, in this process; it prints progress and a summary, and exits
non-zero when a file was refused or a step failed.

Text from the data or from files (values, headers, paths, error messages) is printed
through `shown`: as Rich text, never markup, with its control characters escaped, so a
school named `[/]` or `\x1b[2J` prints as itself and cannot break or drive the terminal.
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import logging
import os
import re
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from rich.console import Console
from rich.logging import RichHandler
from rich.table import Table
from rich.text import Text

from pipeline.settings import report_workers
from pipeline.terminal import TERMINAL_CONTROLS, shown

if TYPE_CHECKING:
    from pipeline.dbt.warm import WarmDbt

# Bound to the real streams: while a run executes, stdout (dbt's chatter) goes to the run log instead.
console = Console(file=sys.__stdout__)
DEFAULT_WAREHOUSE = Path("warehouse/equity.duckdb")
PUBLISHED_KEY_PATH = ["warehouse", "published"]
errors = Console(file=sys.__stderr__)


def _problem(label: str, *parts: object) -> None:
    """A red label and what it is about (text from data or files) on the error stream."""
    errors.print(Text.assemble((label, "red"), " ", *(shown(part) for part in parts)))


class _ShownFormatter(logging.Formatter):
    """Log lines with their control characters escaped: a message may quote a file's header or a value."""

    def format(self, record: logging.LogRecord) -> str:
        return super().format(record).translate(TERMINAL_CONTROLS)


def _configure_logging() -> None:
    handler = RichHandler(console=console, show_time=False, show_path=False, markup=False)
    handler.setFormatter(_ShownFormatter("%(message)s"))
    logger = logging.getLogger("pipeline")
    logger.handlers[:] = [handler]
    logger.setLevel(logging.INFO)
    logger.propagate = False


def _summary(build: Path, run_ids: list[str]) -> tuple[Table, list[tuple[str, str]], list[tuple]]:
    """The files per year and table, the refused files, and the counties held back (year, county, zh, en)."""
    from pipeline.warehouse.db import connect

    with connect(build, read_only=True) as con:
        cursor = con.execute(
            """
            SELECT year, coalesce(table_name, '(unknown)') AS "table", count(*) AS files,
                   count(*) FILTER (status = 'refused') AS refused,
                   sum(rows_read) AS "rows read", sum(rows_loaded) AS loaded, sum(rows_rejected) AS rejected
            FROM audit.loads WHERE run_id IN (SELECT unnest($ids))
            GROUP BY ALL ORDER BY year, "table"
            """,
            {"ids": run_ids},
        )
        per_table = _rich_table("Census files loaded", [d[0] for d in cursor.description], cursor.fetchall())
        refused = con.execute(
            "SELECT source_file, reason FROM audit.loads WHERE status = 'refused' AND run_id IN (SELECT unnest($ids)) ORDER BY source_file",
            {"ids": run_ids},
        ).fetchall()
        held = con.execute(
            "SELECT year, county_code, reason_zh, reason FROM audit.blocked_counties WHERE run_id IN (SELECT unnest($ids)) "
            "ORDER BY year, county_code",
            {"ids": run_ids},
        ).fetchall()
    return per_table, refused, held


FAILURE_EVENTS = {"STEP_FAILURE", "RESOURCE_INIT_FAILURE", "PIPELINE_FAILURE"}
DAGSTER_WRAPPER = re.compile(
    r"DagsterExecutionStepExecutionError|DagsterResourceFunctionError|Error executing resource_fn"
)


def _failure_messages(result) -> list[tuple[str, str]]:
    """(where, why) of each failure of a run: failed steps first, else what failed the run itself; none if it succeeded."""
    if result.success:
        return []
    found = []
    for event in result.all_events:
        if event.event_type_value not in FAILURE_EVENTS:
            continue
        error = getattr(event.event_specific_data, "error", None)
        while error is not None and error.cause is not None and DAGSTER_WRAPPER.search(error.message):
            error = error.cause  # the user code's own error, not Dagster's wrapper around it
        text = (error.message if error else event.message or "").strip() or event.event_type_value
        text = re.sub(r"^[\w.]+(Error|Exception): ", "", text)  # the exception's class says nothing to a clerk
        found.append((event.step_key or "run", " ".join(text.split())))
    steps = [f for f in found if f[0] != "run"]
    return steps or found[-1:]


def _published(result) -> bool:
    return any(event.asset_key.path == PUBLISHED_KEY_PATH for event in result.get_asset_materialization_events())


def _reports_line(result) -> str:
    """How many county reports the reports run wrote, how fast, and where."""
    if not result.success:
        return "county reports: failed"
    metadata = result.get_asset_materialization_events()[0].materialization.metadata
    return (
        f"county reports: {metadata['counties'].value} written in {metadata['seconds'].value:.1f} s "
        f"({metadata['processes'].value} process(es)) to {metadata['folder'].value}"
    )


def _year_line(result, log_file: Path) -> str:
    """One line per year: assets built, checks passed and failed (by name), where the details are."""
    built = len(result.get_asset_materialization_events())
    checks = result.get_asset_check_evaluations()
    failed = sorted(c.check_name for c in checks if not c.passed)
    line = f"{built} assets materialized, {len(checks) - len(failed)} of {len(checks)} checks passed"
    if failed:
        line += f"; failed: {', '.join(failed[:8])}{' …' if len(failed) > 8 else ''}"
    return f"{line} (log: {log_file})"


# what an OSError of writing means, for a clerk
WRITE_ERRORS_ZH = {
    errno.EROFS: "只读文件系统",
    errno.EACCES: "没有写入权限",
    errno.EPERM: "不允许写入",
    errno.ENOSPC: "磁盘已满",
    errno.EEXIST: "同名的文件占了文件夹的位置",
    errno.ENOTDIR: "路径中有文件而不是文件夹",
}


def _cannot_write(folder: Path) -> str | None:
    """Why the command cannot write its files in `folder` (made if missing); None when it can.

    Tried, not asked: permissions do not stop root, and a read-only mount or a file where the
    folder should be shows only when something is written.
    """
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder):
            return None
    except OSError as error:
        why = WRITE_ERRORS_ZH.get(error.errno, error.strerror)
        return f"无法写入 {folder}：{why} / cannot write {folder}: {error.strerror}"


def _open_log(log_dir: Path, year: int):
    """This run's own log of a year (two runs never write one file), headed by what wrote it; `run-<year>.log`
    beside it points to the latest run's."""
    started = datetime.now(UTC)
    log_file = log_dir / f"run-{year}-{started:%Y%m%d-%H%M%S}-{os.getpid()}.log"
    log = open(log_file, "x", encoding="utf-8")
    log.write(f"equity run {year}, pid {os.getpid()}, started {started:%Y-%m-%d %H:%M:%S} UTC\n")
    log.flush()
    latest, link = log_dir / f"run-{year}.log", log_dir / f".run-{year}.log.{os.getpid()}"
    link.unlink(missing_ok=True)
    link.symlink_to(log_file.name)
    link.replace(latest)
    return log


def run(args: argparse.Namespace) -> int:
    os.environ["EQUITY_RAW_DIR"] = str(args.raw.resolve())
    os.environ["EQUITY_WAREHOUSE"] = str(args.warehouse.absolute())
    _configure_logging()

    from pipeline.ingest.year import find_years

    found = find_years(args.raw)
    if not found:
        _problem("error:", f"no year folders (like {args.raw}/2024/) under {args.raw}")
        return 2
    years = args.years or found
    missing = sorted(set(years) - set(found))
    if missing:
        _problem(
            "error:",
            f"no folder for year(s) {', '.join(map(str, missing))} under {args.raw} "
            f"(found: {', '.join(map(str, found))})",
        )
        return 2
    folder = args.warehouse.absolute().parent
    if reason := _cannot_write(folder) or _cannot_write(folder / "logs"):
        errors.print(shown(reason, style="red"))
        return 2

    # dbt's parse of the first year, in the background on the core that loading the definitions leaves idle
    from pipeline.dbt import targets as dbt_targets
    from pipeline.dbt import warm as dbt_warm
    from pipeline.settings import Settings

    Settings.from_env()
    dbt_targets.parse_ahead(years[0])
    # and the first year's dbt process, dbt imported on that core too (pipeline/dbt/warm.py)
    with dbt_warm.WarmDbt() as warm:
        warm.ready(years[0])
        return _run_years(args, years, warm)


def _run_years(args: argparse.Namespace, years: list[int], warm: WarmDbt) -> int:
    from pipeline.defs.instance import get_instance

    console.print("Loading the pipeline definitions…")
    from pipeline.definitions import defs
    from pipeline.defs.partitions import census_years

    instance = get_instance()
    instance.add_dynamic_partitions(census_years.name, [str(y) for y in years])
    # Dagster's own console lines stay in its event log (the UI); failures are summarised below.
    quiet = {"loggers": {"console": {"config": {"log_level": "CRITICAL"}}}}
    log_dir = args.warehouse.absolute().parent / "logs"
    log_dir.mkdir(parents=True, exist_ok=True)
    run_ids, failures, published = [], [], []
    for year in years:
        console.rule(f"census year {year}")
        warm.ready(year)
        with _open_log(log_dir, year) as log, contextlib.redirect_stdout(log):
            result = defs.resolve_job_def("census_year").execute_in_process(
                partition_key=str(year), instance=instance, run_config=quiet, raise_on_error=False
            )
        warm.done()
        log_file = Path(log.name)
        run_ids.append(result.run_id)
        console.print(shown(_year_line(result, log_file)))
        failures += [(year, where, message) for where, message in _failure_messages(result)]
        if not _published(result):
            continue
        published.append(year)
        if args.reports:
            with open(log_file, "a", encoding="utf-8") as log, contextlib.redirect_stdout(log):
                reports = defs.resolve_job_def("county_reports").execute_in_process(
                    partition_key=str(year), instance=instance, run_config=quiet, raise_on_error=False
                )
            console.print(shown(_reports_line(reports)))
            failures += [(year, where, message) for where, message in _failure_messages(reports)]
    from pipeline.warehouse.publish import build_path_for

    build = build_path_for(args.warehouse.absolute())
    table, refused, held = _summary(build, run_ids) if build.exists() else (None, [], [])
    if table is not None:
        console.print(table)
    from pipeline.defs.quality_checks import failures_text

    if build.exists() and (gates := failures_text(build, run_ids)):
        errors.print(shown(gates), highlight=False)
    for path, reason in refused:
        _problem("refused", f"{path}: {reason}")
    for year, county, reason_zh, reason in held:
        _problem(
            "暂缓发布 / held back",
            f"{year} {county}: {reason_zh} / {reason}. "
            "该县保留上次发布的数据，其余各县照常发布 / it keeps its last published figures, the other counties are published",
        )
    for year, step, message in failures:
        _problem("failed", f"{year} {step}: {message}")
    unpublished = [y for y in years if y not in published]
    outcome = f"published: {', '.join(map(str, published))}" if published else "nothing published"
    console.print(shown(f"Warehouse: {args.warehouse.absolute()} ({outcome})"))
    if unpublished:
        errors.print(
            f"Not published: {', '.join(map(str, unpublished))}; the warehouse keeps its last good indicators for these years."
        )
    if published and args.reports:
        console.print(shown(f"County reports: {args.warehouse.absolute().parent / 'reports'}/<year>/"))
    return 1 if refused or failures else 0


def _rich_table(title: str, columns: list[str], rows: list[tuple]) -> Table:
    table = Table(title=title)
    for name in columns:
        table.add_column(shown(name))
    for row in rows:
        table.add_row(*[shown(_cell(name, v)) for name, v in zip(columns, row)])
    return table


def _cell(column: str, value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, int) and not isinstance(value, bool) and column != "year":
        return f"{value:,}"
    return str(value)


def status(args: argparse.Namespace) -> int:
    from pipeline.warehouse.status import open_audit, recent_runs, year_status

    published = args.warehouse.absolute()
    try:
        con, source = open_audit(published)
    except Exception as error:  # no file yet, or not a warehouse
        _problem("error:", f"cannot read {published}: {error}")
        return 2
    with con:
        console.print(_rich_table("Census years", *year_status(con)))
        console.print(_rich_table("Recent runs", *recent_runs(con)))
    published_at = (
        f"{datetime.fromtimestamp(published.stat().st_mtime):%Y-%m-%d %H:%M}" if published.exists() else "never"
    )
    console.print(shown(f"Published warehouse: {published} (last published {published_at}); audit read from {source}"))
    return 0


def sql(args: argparse.Namespace) -> int:
    import duckdb

    from pipeline.sql_shell import open_published, render, shell

    try:
        con = open_published(args.warehouse.absolute())
    except (FileNotFoundError, duckdb.Error) as error:
        _problem("error:", error)
        return 2
    with con:
        if not args.query:
            shell(con, console, args.max_rows)
            return 0
        try:
            render(con, args.query, console, args.max_rows)
        except duckdb.Error as error:
            _problem("error:", error)
            return 1
    return 0


def report(args: argparse.Namespace) -> int:
    from rich.progress import Progress

    from pipeline.report import ReportError, counties_of, years_of
    from pipeline.report.batch import write_reports
    from pipeline.sql_shell import open_published

    published = args.warehouse.absolute()
    try:
        with open_published(published) as con:
            years = [args.year] if args.year else years_of(con)
            counties = {year: [args.county] if args.county else counties_of(con, year) for year in years}
    except FileNotFoundError as error:
        _problem("error:", error)
        return 2
    if not any(counties.values()):
        _problem("error:", "no county in the published warehouse for that year")
        return 2
    with Progress(console=console, transient=True) as bar:
        for year, codes in counties.items():
            task = bar.add_task(f"county reports {year}", total=len(codes))
            out = args.out or published.parent / "reports" / str(year)
            if reason := _cannot_write(out):
                errors.print(shown(reason, style="red"))
                return 2
            try:
                files = write_reports(
                    published,
                    year,
                    out,
                    args.lang,
                    codes,
                    workers=args.workers,
                    on_written=lambda _files, task=task: bar.advance(task),
                )
            except LookupError as error:
                _problem("error:", error)
                return 2
            except ReportError as error:
                _problem("failed", error)
                return 1
            for written in files:
                bar.console.print(shown(f"{written.county_code} {year}: {written.html}  {written.xlsx}"))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="equity", description="County compulsory-education equity warehouse.")
    commands = parser.add_subparsers(dest="command", required=True)
    run_parser = commands.add_parser("run", help="load census years, compute indicators and publish the warehouse")
    run_parser.add_argument(
        "--raw", type=Path, default=Path("data/raw"), help="folder with one sub-folder per year (default: data/raw)"
    )
    run_parser.add_argument(
        "--warehouse", type=Path, default=DEFAULT_WAREHOUSE, help="the published warehouse file (default: %(default)s)"
    )
    run_parser.add_argument("--years", type=int, nargs="+", help="only these years (default: every year folder found)")
    run_parser.add_argument(
        "--no-reports",
        dest="reports",
        action="store_false",
        help="publish without writing the county reports (write them later with `equity report`)",
    )
    run_parser.set_defaults(handler=run)

    status_parser = commands.add_parser("status", help="per year: last load, files, rejects, publication; recent runs")
    status_parser.add_argument(
        "--warehouse", type=Path, default=DEFAULT_WAREHOUSE, help="the published warehouse (default: %(default)s)"
    )
    status_parser.set_defaults(handler=status)

    sql_parser = commands.add_parser("sql", help="query the published warehouse read-only (no query: interactive)")
    sql_parser.add_argument("query", nargs="?", help="a SQL statement; leave out for an interactive prompt")
    sql_parser.add_argument(
        "--warehouse", type=Path, default=DEFAULT_WAREHOUSE, help="the published warehouse (default: %(default)s)"
    )
    sql_parser.add_argument("--max-rows", type=int, default=100, help="rows printed at most (default: %(default)s)")
    sql_parser.set_defaults(handler=sql)

    report_parser = commands.add_parser("report", help="write the county self-assessment reports (HTML and XLSX)")
    report_parser.add_argument("--county", help="a 6-digit county code (default: every county of the year)")
    report_parser.add_argument("--year", type=int, help="a census year (default: every published year)")
    report_parser.add_argument("--lang", choices=["zh", "en"], default="zh", help="language (default: %(default)s)")
    report_parser.add_argument(
        "--out", type=Path, help="folder for the files (default: reports/<year>/ beside the warehouse)"
    )
    report_parser.add_argument(
        "--workers",
        type=int,
        default=report_workers(),
        help="processes writing reports (default: EQUITY_REPORT_WORKERS, else one per core)",
    )
    report_parser.add_argument(
        "--warehouse", type=Path, default=DEFAULT_WAREHOUSE, help="the published warehouse (default: %(default)s)"
    )
    report_parser.set_defaults(handler=report)
    return parser


def main(argv: list[str] | None = None) -> None:
    args = build_parser().parse_args(argv)
    _exit_now(args.handler(args))


def _exit_now(code: int) -> NoReturn:
    """Exit without tearing down the interpreter once the command is done.

    What the command wrote is closed and committed by then (DuckDB files, reports, the run
    history's SQLite files, which the OS closes). What is left is Python freeing the modules of
    Dagster, dbt and Great Expectations one object at a time: 1 to 1.5 s after every run.
    """
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr, sys.__stdout__, sys.__stderr__):
        if stream is not None:
            stream.flush()
    os._exit(code)
