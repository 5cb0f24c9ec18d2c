"""The county self-assessment reports of a year, written after each publication from the published marts."""

import dagster as dg

from pipeline.ingest import warehouse as warehouse_files
from pipeline.partitions import census_years
from pipeline.report import write_reports
from pipeline.resources import WarehouseResource


@dg.asset(
    key=["reports", "county_reports"],
    deps=[dg.AssetKey(["warehouse", "published"])],
    partitions_def=census_years,
    group_name="reports",
    kinds={"html", "excel"},
    description="自查自评报告: one HTML report and XLSX workbook per county of the year, read from the published marts.",
)
def county_reports(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
    year = int(context.partition_key)
    out_dir = warehouse.reports_dir / str(year)
    with warehouse_files.connect(warehouse.path, read_only=True) as con:
        files = write_reports(con, year, out_dir)
    context.log.info(f"{len(files)} county reports for {year} in {out_dir}")
    return dg.MaterializeResult(metadata={"folder": dg.MetadataValue.path(str(out_dir)), "counties": len(files)})
