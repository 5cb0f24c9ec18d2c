"""The dbt models as Dagster assets: staging, intermediate and marts, one census year per run.

Each dbt model is an asset partitioned like the raw tables, so a year's
models run downstream of that year's ingestion (and behind its blocking
quality checks). dbt tests appear as asset checks.
"""

import json
from collections.abc import Mapping
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings, DbtCliResource, dbt_assets

from pipeline.dbt_manifest import ensure_manifest
from pipeline.partitions import census_years
from pipeline.resources import dbt_project

# The assets below are built from the manifest: re-parse it first if the dbt project changed.
ensure_manifest()


class CensusDbtTranslator(DagsterDbtTranslator):
    """Asset keys are `[schema, name]` (`marts/county_cv`), as an analyst sees the tables; groups are the schemas."""

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        if dbt_resource_props["resource_type"] == "source":
            return super().get_asset_key(dbt_resource_props)
        return dg.AssetKey([dbt_resource_props["schema"], dbt_resource_props["name"]])

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        return dbt_resource_props.get("schema")


def dbt_build_args(year: int) -> list[str]:
    """The dbt command of one census year: build (run + test) its models, the year passed as a var."""
    return ["build", "--vars", json.dumps({"year": year})]


@dbt_assets(
    manifest=dbt_project.manifest_path,
    project=dbt_project,
    partitions_def=census_years,
    dagster_dbt_translator=CensusDbtTranslator(settings=DagsterDbtTranslatorSettings(enable_asset_checks=True)),
    pool="warehouse",
)
def census_dbt_models(context: dg.AssetExecutionContext, dbt: DbtCliResource):
    invocation = dbt.cli(dbt_build_args(int(context.partition_key)), context=context)
    try:
        yield from invocation.stream()
    finally:
        # If this step stops early (an error while reading dbt's events), dbt must not go on writing the database.
        if invocation.process.poll() is None:
            invocation.process.terminate()
            invocation.process.wait()
