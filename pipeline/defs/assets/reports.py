"""The county self-assessment reports of a year, written after each publication from the published marts.

They are their own job (`county_reports`), started after a year is published (by `equity run`,
or by the `reports_after_publish` sensor under the Dagster daemon): the warehouse is published,
and analysts can query it, without waiting for a report per county.
"""

import logging
import time

import dagster as dg

from pipeline.defs.partitions import census_years
from pipeline.defs.resources import ReportsResource
from pipeline.report import counties_of
from pipeline.report.batch import worker_count, write_reports
from pipeline.warehouse import db as warehouse_files

log = logging.getLogger(__name__)


def progress(total: int):
    """A callback for each written report that logs about every tenth of `total` (the console's progress)."""
    step, written = max(total // 10, 1), 0

    def on_written(_files) -> None:
        nonlocal written
        written += 1
        if written % step == 0 or written == total:
            log.info(f"county reports: {written:,} of {total:,} written")

    return on_written


@dg.asset(
    key=["reports", "county_reports"],
    deps=[dg.AssetKey(["warehouse", "published"])],
    partitions_def=census_years,
    group_name="reports",
    kinds={"html", "excel"},
    description="自查自评报告: one HTML report and XLSX workbook per county of the year, read from the published marts.",
)
def county_reports(context: dg.AssetExecutionContext, reports: ReportsResource) -> dg.MaterializeResult:
    year = int(context.partition_key)
    out_dir = reports.folder(year)
    with warehouse_files.connect(reports.warehouse_path, read_only=True) as con:
        counties = counties_of(con, year)
    processes = worker_count(len(counties), reports.workers)
    context.log.info(f"writing {len(counties)} county reports for {year} with {processes} process(es) into {out_dir}")
    started = time.monotonic()
    files = write_reports(
        reports.warehouse_path,
        year,
        out_dir,
        counties=counties,
        workers=reports.workers,
        on_written=progress(len(counties)),
    )
    seconds = time.monotonic() - started
    context.log.info(f"{len(files)} county reports for {year} in {seconds:.1f} s")
    return dg.MaterializeResult(
        metadata={
            "folder": dg.MetadataValue.path(str(out_dir)),
            "counties": len(files),
            "processes": processes,
            "seconds": round(seconds, 2),
        }
    )
