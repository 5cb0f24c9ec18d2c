"""The dbt models as Dagster assets: staging, intermediate and marts, one census year per run.

Each dbt model is an asset partitioned like the raw tables, so a year's
models run downstream of that year's ingestion (and behind its blocking
quality checks). The dbt tests of the marts, which guard the published
figures, appear as asset checks on them. The others (seeds, sources, staging,
intermediate) run in the same `dbt build` and fail it, so nothing is
published past them, but are not Dagster checks: every check costs Dagster
three events written to its event log (planned, evaluated, output), and the
hundred-odd tests of the inner layers were some 3 s of a province's 30.
"""

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings, DbtCliResource, dbt_assets
from dagster_dbt.errors import DagsterDbtCliRuntimeError

from pipeline.dbt import targets as dbt_targets
from pipeline.dbt.manifest import ensure_manifest
from pipeline.defs.partitions import census_years
from pipeline.defs.resources import dbt_project

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

    def get_asset_check_spec(
        self, asset_spec: dg.AssetSpec, manifest: Mapping[str, Any], unique_id: str, project
    ) -> dg.AssetCheckSpec | None:
        if asset_spec.key.path[0] != "marts":
            return None
        return super().get_asset_check_spec(asset_spec, manifest, unique_id, project)


def failed_nodes(target: Path) -> list[str]:
    """The dbt nodes (tests, models) that failed or errored in the invocation writing to `target`."""
    results = target / "run_results.json"
    if not results.exists():
        return []
    return [
        r["unique_id"].split(".", 2)[-1]
        for r in json.loads(results.read_text())["results"]
        if r["status"] in ("error", "fail")
    ]


def dbt_build_args(year: int) -> list[str]:
    """The dbt command of one census year: build (run + test) its models, the year passed as a var.

    Unit tests are left out: they check the SQL on fixed fixtures, never the year's data, so a run
    cannot make them fail; `make test` runs them (tests/dbt) whenever the project changes. The debug
    log file is left out too (warnings and errors are still written): dbt writes every SQL statement
    and event to it, some 10 % of a run.
    """
    return ["build", *dbt_targets.year_vars(year), "--exclude", "resource_type:unit_test", "--log-level-file", "warn"]


@dbt_assets(
    manifest=dbt_project.manifest_path,
    project=dbt_project,
    partitions_def=census_years,
    dagster_dbt_translator=CensusDbtTranslator(settings=DagsterDbtTranslatorSettings(enable_asset_checks=True)),
    pool="warehouse",
)
def census_dbt_models(context: dg.AssetExecutionContext, dbt: DbtCliResource):
    year = int(context.partition_key)
    target = dbt_targets.run_target(context.op_execution_context.op.name, context.run.run_id)
    dbt_targets.seed_parse(target, year)  # the year's last parse, not a full re-parse (pipeline/dbt/targets.py)
    invocation = dbt.cli(dbt_build_args(year), context=context, target_path=target)
    try:
        for event in invocation.stream():
            if not isinstance(event, dg.AssetObservation):  # the result of a test that is not a check (see above)
                yield event
    except DagsterDbtCliRuntimeError as error:
        failed = failed_nodes(target)
        if not failed:
            raise
        raise dg.Failure(
            f"dbt build of {year} failed at {len(failed)} node(s): {', '.join(failed[:10])}"
            f"{' …' if len(failed) > 10 else ''} (dbt's results: {target / 'run_results.json'})"
        ) from error
    finally:
        # If this step stops early (an error while reading dbt's events), dbt must not go on writing the database.
        if invocation.process.poll() is None:
            invocation.process.terminate()
            invocation.process.wait()
        dbt_targets.save_parse(target, year)
        dbt_targets.prune_runs()
