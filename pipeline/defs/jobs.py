"""The jobs: a census year end to end (the CLI, schedules and census sensor launch it), and its county reports."""

import dagster as dg

from pipeline.defs.partitions import census_years

REPORTS = dg.AssetSelection.groups("reports")

census_year_job = dg.define_asset_job(
    "census_year",
    selection=dg.AssetSelection.all() - REPORTS,
    partitions_def=census_years,
    description="Load one census year's files, check them, rebuild its indicators and publish.",
)

county_reports_job = dg.define_asset_job(
    "county_reports",
    selection=REPORTS,
    partitions_def=census_years,
    description="Write the year's county reports from the published warehouse (after each publication).",
)
