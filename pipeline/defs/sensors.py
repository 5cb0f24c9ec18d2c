"""Sensors: a year's run starts when its census files appear or change; its reports after it is published.

The census sensor looks at file names, sizes and modification times every minute (cheap),
keeps what it saw in its cursor, and asks for a run of each year that differs.
On its first look (no cursor yet) it compares file contents with the year's
last published load instead, so turning it on does not rebuild what is already
published. The run key carries the year's state, so one change starts one run.
"""

from __future__ import annotations

import hashlib
import json

import dagster as dg

from pipeline.defs.jobs import census_year_job, county_reports_job
from pipeline.defs.partitions import census_years
from pipeline.defs.resources import CensusFilesResource, WarehouseResource
from pipeline.ingest.changes import changed_years
from pipeline.ingest.year import find_years, year_files


def folder_states(census_files: CensusFilesResource) -> dict[str, str]:
    """year -> digest of (name, size, mtime) of its files."""
    states = {}
    for year in find_years(census_files.root):
        files = sorted(
            (p.relative_to(census_files.root).as_posix(), p.lstat().st_size, p.lstat().st_mtime_ns)
            for p in year_files(census_files.root / str(year))
        )
        states[str(year)] = hashlib.sha256(repr(files).encode()).hexdigest()[:16]
    return states


@dg.sensor(job=census_year_job, minimum_interval_seconds=60, default_status=dg.DefaultSensorStatus.RUNNING)
def census_files_sensor(
    context: dg.SensorEvaluationContext, census_files: CensusFilesResource, warehouse: WarehouseResource
):
    """Starts a year's run when a file of data/raw/<year>/ appears, changes or disappears."""
    now = folder_states(census_files)
    if context.cursor:
        seen = json.loads(context.cursor)
        changed = sorted(
            year for year, state in now.items() if seen.get(year) != state and year_files(census_files.root / year)
        )
    elif warehouse.build_path.exists():
        with warehouse.connect(read_only=True) as con:
            changed = sorted(str(year) for year in changed_years(census_files.root, con))
    else:
        changed = sorted(now)
    new_partitions = [y for y in now if not context.instance.has_dynamic_partition(census_years.name, y)]
    return dg.SensorResult(
        run_requests=[
            dg.RunRequest(partition_key=year, run_key=f"files-{year}-{now[year]}", tags={"trigger": "sensor"})
            for year in changed
        ],
        dynamic_partitions_requests=[census_years.build_add_request(new_partitions)] if new_partitions else [],
        cursor=json.dumps(now),
    )


@dg.asset_sensor(
    asset_key=dg.AssetKey(["warehouse", "published"]),
    job=county_reports_job,
    default_status=dg.DefaultSensorStatus.RUNNING,
)
def reports_after_publish(context: dg.SensorEvaluationContext, asset_event: dg.EventLogEntry):
    """Writes a year's county reports once its warehouse is published (one reports run per publication)."""
    year = asset_event.dagster_event.partition
    return dg.RunRequest(
        partition_key=year, run_key=f"reports-{year}-{asset_event.run_id}", tags={"trigger": "published"}
    )
