"""Every county's report of a year, written by a pool of processes.

A report costs about a second of Python (openpyxl, vl-convert, altair) and a province has some
120 counties, the nation 2,000, so the reports of a year are split over one process per core.
Each worker opens the published warehouse read-only itself (a DuckDB connection cannot cross
processes). Workers are spawned, not forked: forking a process whose DuckDB threads are running
can deadlock. Starting one costs a second or two of imports, so a few reports are written here.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from datetime import UTC, datetime
from multiprocessing import get_context
from pathlib import Path

import duckdb

from pipeline.report import ReportFiles, counties_of, write_county_report
from pipeline.report.context import SectionBuilder
from pipeline.report.sections import DEFAULT_SECTIONS

# Fewer reports than this per worker are not worth a worker's start-up.
REPORTS_PER_WORKER = 8

_connection: duckdb.DuckDBPyConnection | None = None  # in a worker: its own, opened by _open


def _open(database: str) -> None:
    global _connection
    _connection = duckdb.connect(database, read_only=True)


def _write_in_worker(county: str, *args, **kwargs) -> ReportFiles:
    assert _connection is not None, "a worker started without its connection"
    return write_county_report(_connection, county, *args, **kwargs)


def worker_count(reports: int, workers: int = 0) -> int:
    """Processes to use for `reports` reports: at most `workers` (0: one per core), 1 when too few to share."""
    most = workers or os.cpu_count() or 1
    return max(1, min(most, reports // REPORTS_PER_WORKER))


def write_reports(
    database: Path | str,
    year: int,
    out_dir: Path | str,
    lang: str = "zh",
    counties: Iterable[str] | None = None,
    *,
    workers: int = 0,
    sections: Sequence[SectionBuilder] = DEFAULT_SECTIONS,
    on_written: Callable[[ReportFiles], None] | None = None,
) -> list[ReportFiles]:
    """A report per county of `year` from the warehouse file `database` (every county of the year by default).

    Returns the files in county order; `on_written` is called as each report is done (progress).
    Raises LookupError for a county without a row in marts.county_summary for the year.
    """
    database, out = str(database), Path(out_dir)
    options = {"sections": sections, "generated_at": datetime.now(UTC)}
    done = on_written or (lambda files: None)
    with duckdb.connect(database, read_only=True) as con:
        codes = list(counties) if counties is not None else counties_of(con, year)
        processes = worker_count(len(codes), workers)
        if processes == 1:
            written = []
            for code in codes:
                written.append(write_county_report(con, code, year, out, lang, **options))
                done(written[-1])
            return written
    with ProcessPoolExecutor(
        processes, mp_context=get_context("spawn"), initializer=_open, initargs=(database,)
    ) as pool:
        futures = [pool.submit(_write_in_worker, code, year, out, lang, **options) for code in codes]
        for future in as_completed(futures):
            done(future.result())
        return [future.result() for future in futures]
