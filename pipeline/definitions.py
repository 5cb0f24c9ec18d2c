"""The one Definitions object: what `dagster dev` shows and what `equity run` executes."""

import dagster as dg

from pipeline.assets.ingestion import raw_census
from pipeline.jobs import census_year_job
from pipeline.resources import CensusFilesResource, WarehouseResource
from pipeline.settings import Settings

settings = Settings.from_env()

defs = dg.Definitions(
    assets=[raw_census],
    jobs=[census_year_job],
    resources={
        "warehouse": WarehouseResource(path=str(settings.warehouse)),
        "census_files": CensusFilesResource(raw_dir=str(settings.raw_dir), pii_salt=settings.pii_salt),
    },
    executor=dg.in_process_executor,
)
