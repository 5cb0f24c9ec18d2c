"""The one Definitions object: what `dagster dev` shows and what `equity run` executes."""

import dagster as dg
from dagster_dbt import DbtCliResource

from pipeline.assets.indicators import census_dbt_models
from pipeline.assets.ingestion import raw_census
from pipeline.assets.publishing import published_warehouse
from pipeline.assets.reports import county_reports
from pipeline.checks import build_quality_checks
from pipeline.jobs import census_year_job
from pipeline.resources import CensusFilesResource, WarehouseResource, dbt_project
from pipeline.schedules import annual_full_rebuild, nightly_changed_years
from pipeline.sensors import census_files_sensor
from pipeline.settings import DBT_EXECUTABLE, Settings

settings = Settings.from_env()

defs = dg.Definitions(
    assets=[raw_census, census_dbt_models, published_warehouse, county_reports],
    asset_checks=build_quality_checks(),
    jobs=[census_year_job],
    schedules=[nightly_changed_years, annual_full_rebuild],
    sensors=[census_files_sensor],
    resources={
        "warehouse": WarehouseResource(path=str(settings.warehouse)),
        "census_files": CensusFilesResource(raw_dir=str(settings.raw_dir), pii_salt=settings.pii_salt),
        "dbt": DbtCliResource(project_dir=dbt_project, dbt_executable=DBT_EXECUTABLE),
    },
    executor=dg.in_process_executor,
)
