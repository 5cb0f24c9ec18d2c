"""The census files of a year as the `raw` tables: one multi-asset, because a year is replaced whole.

The tables of a year depend on each other (classes and teachers are checked
against the schools loaded), and a year must be swapped in one transaction,
so one step materializes all of them.
"""

import dagster as dg

from pipeline.dbt import targets as dbt_targets
from pipeline.defs.partitions import census_years
from pipeline.defs.resources import CensusFilesResource, WarehouseResource
from pipeline.ingest.contract import load_contract
from pipeline.ingest.year import TABLE_ORDER, load_year
from pipeline.quality import gx_engine

RAW_KEYS = {table: dg.AssetKey(["raw", table]) for table in TABLE_ORDER}


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            key,
            group_name="ingestion",
            kinds={"duckdb", "polars"},
            description=f"`raw.{table}`: the census rows of table {table}, per year, as loaded.",
        )
        for table, key in RAW_KEYS.items()
    ],
    partitions_def=census_years,
    check_specs=[
        dg.AssetCheckSpec(
            "all_files_accepted",
            asset=RAW_KEYS["schools"],
            blocking=True,
            description="Every file of the year was read; none was refused whole. A refused file of a county holds "
            "back that county (it keeps its last good rows, the check warns); a refused file of no county holds back "
            "the year, whose indicators are not rebuilt or published until the file is fixed.",
        )
    ],
    pool="warehouse",
)
def raw_census(context: dg.AssetExecutionContext, warehouse: WarehouseResource, census_files: CensusFilesResource):
    year = int(context.partition_key)
    dbt_targets.parse_ahead(year)  # dbt's parse of the year, in the background while the files are read and checked
    gx_engine.start_in_background()  # and the quality gates' Great Expectations
    with warehouse.connect() as con:
        load = load_year(con, census_files.root, year, context.run_id, census_files.pii_salt, load_contract())
    counts = {row["table_name"]: row for row in load.table_counts().iter_rows(named=True)}
    for table, key in RAW_KEYS.items():
        row = counts.get(table, {})
        yield dg.MaterializeResult(
            asset_key=key,
            metadata={
                "files": row.get("files", 0),
                "rows_loaded": row.get("rows_loaded", 0),
                "rows_rejected": row.get("rows_rejected", 0),
                "files_refused": row.get("files_refused", 0),
            },
        )
    refused = {f.relpath: f.refused for f in load.refused}
    held = {county: [f.relpath for f in files] for county, files in load.blocked_counties.items()}
    yield dg.AssetCheckResult(
        check_name="all_files_accepted",
        asset_key=RAW_KEYS["schools"],
        passed=not refused,
        # Refused files that belong to counties hold back those counties only, files in a sub-folder nothing:
        # the year goes on. A refused file of no county holds back the year.
        severity=dg.AssetCheckSeverity.ERROR if load.attribution.whole_year else dg.AssetCheckSeverity.WARN,
        metadata={"refused_files": dg.MetadataValue.json(refused), "held_back_counties": dg.MetadataValue.json(held)},
    )
