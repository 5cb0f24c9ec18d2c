"""The one Definitions object: what `dagster dev` shows and what `equity run` executes."""

import dagster as dg

from pipeline.dbt.resource import CensusDbtCliResource
from pipeline.defs.assets.indicators import census_dbt_models
from pipeline.defs.assets.ingestion import raw_census
from pipeline.defs.assets.publishing import published_warehouse
from pipeline.defs.assets.reports import county_reports
from pipeline.defs.instance import lighten_run_history
from pipeline.defs.jobs import census_year_job, county_reports_job
from pipeline.defs.quality_checks import build_quality_checks
from pipeline.defs.resources import CensusFilesResource, ReportsResource, WarehouseResource, dbt_project
from pipeline.defs.schedules import annual_full_rebuild, nightly_changed_years
from pipeline.defs.sensors import census_files_sensor, reports_after_publish
from pipeline.settings import DBT_EXECUTABLE, Settings

settings = Settings.from_env()
lighten_run_history()

defs = dg.Definitions(
    assets=[raw_census, census_dbt_models, published_warehouse, county_reports],
    asset_checks=build_quality_checks(),
    jobs=[census_year_job, county_reports_job],
    schedules=[nightly_changed_years, annual_full_rebuild],
    sensors=[census_files_sensor, reports_after_publish],
    resources={
        "warehouse": WarehouseResource(path=str(settings.warehouse)),
        "reports": ReportsResource(warehouse_path=str(settings.warehouse), workers=settings.report_workers),
        "census_files": CensusFilesResource(raw_dir=str(settings.raw_dir), pii_salt=settings.pii_salt),
        "dbt": CensusDbtCliResource(project_dir=dbt_project, dbt_executable=DBT_EXECUTABLE),
    },
    executor=dg.in_process_executor,
)
