"""The one Definitions object: the asset graph an operator sees in the UI and `equity run` executes."""

from __future__ import annotations

import json

import dagster as dg

from pipeline.definitions import defs
from pipeline.defs.assets.indicators import dbt_build_args, failed_nodes

WAREHOUSE_MARTS = [  # docs/contract/warehouse.md
    "dim_school",
    "school_stage_indicators",
    "school_stage_summary",
    "county_cv",
    "class_size_violations",
    "school_size_violations",
    "county_assessment",
    "county_summary",
    "county_inequality",
    "school_remediation",
    "county_remediation",
]
RAW_TABLES = ["schools", "classes", "teachers", "facilities", "rooms", "finance", "county"]


def _graph():
    return defs.resolve_asset_graph()


def test_every_mart_of_the_warehouse_contract_is_an_asset():
    keys = {k.to_user_string() for k in _graph().get_all_asset_keys()}
    assert {f"marts/{m}" for m in WAREHOUSE_MARTS} <= keys
    assert {f"raw/{t}" for t in RAW_TABLES} <= keys
    assert "warehouse/published" in keys


def test_dbt_models_are_downstream_of_the_raw_tables_and_publishing_of_every_mart():
    graph = _graph()
    assert dg.AssetKey(["raw", "classes"]) in graph.get(dg.AssetKey(["staging", "stg_census__classes"])).parent_keys
    published_parents = graph.get(dg.AssetKey(["warehouse", "published"])).parent_keys
    assert {dg.AssetKey(["marts", m]) for m in WAREHOUSE_MARTS} <= published_parents
    upstream = graph.upstream_key_iterator(dg.AssetKey(["marts", "county_cv"]))
    assert {dg.AssetKey(["raw", t]) for t in ("schools", "classes", "teachers", "facilities")} <= set(upstream)


def test_every_asset_shares_the_year_partitions():
    graph = _graph()
    partitioned = {graph.get(k).partitions_def.name for k in graph.materializable_asset_keys}
    assert partitioned == {"census_year"}


def test_dbt_tests_are_asset_checks_on_the_marts_only():
    checks = {(k.asset_key.to_user_string(), k.name) for k in _graph().asset_check_keys}
    on_cv = {name for asset, name in checks if asset == "marts/county_cv"}
    assert "county_cv_single_unit_has_cv_zero" in on_cv
    assert ("raw/schools", "all_files_accepted") in checks
    # the tests of seeds, staging and intermediate models fail the dbt build instead of being checks
    assert {asset.split("/")[0] for asset, _ in checks} == {"raw", "marts"}
    assert len([1 for asset, _ in checks if asset.startswith("marts/")]) >= 79


def test_a_failed_dbt_build_names_its_failed_nodes(tmp_path):
    assert failed_nodes(tmp_path) == []  # dbt did not get as far as writing its results
    (tmp_path / "run_results.json").write_text(
        json.dumps(
            {
                "results": [
                    {"unique_id": "model.equity.stg_census__schools", "status": "success"},
                    {"unique_id": "test.equity.not_null_stg_census__classes_students.4e3", "status": "fail"},
                    {"unique_id": "model.equity.int_county_cv", "status": "error"},
                    {"unique_id": "model.equity.county_cv", "status": "skipped"},
                ]
            }
        )
    )
    assert failed_nodes(tmp_path) == ["not_null_stg_census__classes_students.4e3", "int_county_cv"]


def test_schedules_and_sensor_are_on_by_default():
    assert {s.name: s.default_status for s in defs.schedules} == {
        "nightly_changed_years": dg.DefaultScheduleStatus.RUNNING,
        "annual_full_rebuild": dg.DefaultScheduleStatus.RUNNING,
    }
    assert [(s.name, s.default_status) for s in defs.sensors] == [
        ("census_files_sensor", dg.DefaultSensorStatus.RUNNING),
        ("reports_after_publish", dg.DefaultSensorStatus.RUNNING),
    ]


def test_reports_are_their_own_job_after_publishing():
    """Publishing does not wait for a report per county: the census job stops at the published warehouse."""
    census = {key.to_user_string() for key in defs.resolve_job_def("census_year").asset_layer.executable_asset_keys}
    reports = {key.to_user_string() for key in defs.resolve_job_def("county_reports").asset_layer.executable_asset_keys}
    assert "warehouse/published" in census and "reports/county_reports" not in census
    assert reports == {"reports/county_reports"}


def test_dbt_is_built_for_one_year():
    assert dbt_build_args(2024)[:3] == ["build", "--vars", json.dumps({"year": 2024})]
