"""Publishing: the last step of a year's run, reached only when everything upstream succeeded."""

import dagster as dg

from pipeline.defs.assets.indicators import census_dbt_models
from pipeline.defs.partitions import census_years
from pipeline.defs.quality_checks import rebuild_docs
from pipeline.defs.resources import WarehouseResource

MART_KEYS = sorted((k for k in census_dbt_models.keys if k.path[0] == "marts"), key=lambda k: k.path)


@dg.asset(
    key=["warehouse", "published"],
    deps=MART_KEYS,
    partitions_def=census_years,
    group_name="publishing",
    kinds={"duckdb"},
    pool="warehouse",
    description="The warehouse file analysts read: the build database copied over it atomically after a good run.",
)
def published_warehouse(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
    size = warehouse.publish(context.run_id)
    context.log.info(f"published {warehouse.path} ({size / 1e6:,.1f} MB)")
    docs = rebuild_docs(warehouse)
    return dg.MaterializeResult(
        metadata={
            "path": dg.MetadataValue.path(warehouse.path),
            "bytes": size,
            **({"quality_docs": dg.MetadataValue.path(str(docs))} if docs else {}),
        }
    )
