"""Scheduled runs: nightly for the years whose files changed, and a yearly full rebuild.

Counties keep sending corrected files while a census year is open: the nightly
run re-does only the years whose files differ from their last published load.
When a census year closes, the annual run rebuilds every year (its date is the
setting `EQUITY_ANNUAL_REBUILD`, month-day, default 12-01).
"""

from __future__ import annotations

import os

import dagster as dg

from pipeline.defs.jobs import census_year_job
from pipeline.defs.partitions import census_years
from pipeline.defs.resources import CensusFilesResource, WarehouseResource
from pipeline.ingest.changes import changed_years
from pipeline.ingest.year import find_years

ANNUAL_VARIABLE = "EQUITY_ANNUAL_REBUILD"


def _annual_cron() -> str:
    month, day = (int(part) for part in os.environ.get(ANNUAL_VARIABLE, "12-01").split("-"))
    return f"0 3 {day} {month} *"


def _register(context: dg.ScheduleEvaluationContext, years: list[int]) -> None:
    context.instance.add_dynamic_partitions(census_years.name, [str(y) for y in years])


@dg.schedule(job=census_year_job, cron_schedule="0 2 * * *", default_status=dg.DefaultScheduleStatus.RUNNING)
def nightly_changed_years(
    context: dg.ScheduleEvaluationContext, warehouse: WarehouseResource, census_files: CensusFilesResource
):
    """Every night at 02:00: a run for each year whose files changed since its last published load."""
    build = warehouse.build_path
    if not build.exists():
        changed = {year: "first" for year in find_years(census_files.root)}
    else:
        with warehouse.connect(read_only=True) as con:
            changed = changed_years(census_files.root, con)
    if not changed:
        return dg.SkipReason("no census year has changed files since its last published load")
    _register(context, list(changed))
    return [
        dg.RunRequest(partition_key=str(year), run_key=f"nightly-{year}-{digest}", tags={"trigger": "nightly"})
        for year, digest in changed.items()
    ]


@dg.schedule(job=census_year_job, cron_schedule=_annual_cron(), default_status=dg.DefaultScheduleStatus.RUNNING)
def annual_full_rebuild(context: dg.ScheduleEvaluationContext, census_files: CensusFilesResource):
    """Once a year, when the census year closes: every year rebuilt from its files."""
    years = find_years(census_files.root)
    _register(context, years)
    stamp = context.scheduled_execution_time.strftime("%Y%m%d")
    return [
        dg.RunRequest(partition_key=str(y), run_key=f"annual-{stamp}-{y}", tags={"trigger": "annual"}) for y in years
    ]
