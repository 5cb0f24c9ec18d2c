"""The job that builds one census year end to end; the CLI, schedules and sensor all launch it."""

import dagster as dg

from pipeline.partitions import census_years

census_year_job = dg.define_asset_job(
    "census_year",
    selection=dg.AssetSelection.all(),
    partitions_def=census_years,
    description="Load one census year's files, check them, rebuild its indicators and publish.",
)
