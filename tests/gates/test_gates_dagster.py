"""The suites as blocking Dagster asset checks: an error stops the assets downstream, a warning does not.

Each test materializes the real ingestion multi-asset (`raw_census`), the
quality checks and a small downstream asset standing for the marts of the
year, on an ephemeral instance, from census files the test copies and
changes.
"""

from pathlib import Path

import dagster as dg
import pytest

from pipeline.defs.assets.ingestion import raw_census
from pipeline.defs.partitions import census_years
from pipeline.defs.quality_checks import build_quality_checks, docs_dir_for, failures_text
from pipeline.defs.resources import CensusFilesResource, WarehouseResource
from tests.gates.conftest import replace_cell

PROBE = dg.AssetKey(["test_marts", "class_totals"])


@dg.asset(key=PROBE, deps=[dg.AssetKey(["raw", "classes"])], partitions_def=census_years)
def class_totals(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> None:
    """Stands for a mart of the year: a table computed from raw.classes."""
    year = int(context.partition_key)
    with warehouse.connect() as con:
        con.execute("CREATE SCHEMA IF NOT EXISTS test_marts")
        con.execute(
            "CREATE TABLE IF NOT EXISTS test_marts.class_totals (year INTEGER, classes BIGINT, students BIGINT)"
        )
        con.execute("DELETE FROM test_marts.class_totals WHERE year = ?", [year])
        con.execute(
            "INSERT INTO test_marts.class_totals SELECT year, count(*), sum(students) FROM raw.classes WHERE year = ? GROUP BY year",
            [year],
        )


RAW_CHECKS = build_quality_checks(mart_keys={})


def _materialize(raw_dir: Path, warehouse: Path, assets, year: str = "2024") -> dg.ExecuteInProcessResult:
    instance = dg.DagsterInstance.ephemeral()
    instance.add_dynamic_partitions(census_years.name, [year])
    return dg.materialize(
        assets,
        partition_key=year,
        instance=instance,
        raise_on_error=False,
        resources={
            "warehouse": WarehouseResource(path=str(warehouse)),
            "census_files": CensusFilesResource(raw_dir=str(raw_dir)),
        },
    )


def _checks(result: dg.ExecuteInProcessResult) -> dict[str, tuple[bool, dg.AssetCheckSeverity]]:
    return {
        f"{e.asset_key.to_user_string()}:{e.check_name}": (e.passed, e.severity)
        for e in result.get_asset_check_evaluations()
        if e.check_name != "all_files_accepted"
    }


def _materialized(result: dg.ExecuteInProcessResult) -> set[dg.AssetKey]:
    return {e.asset_key for e in result.get_asset_materialization_events()}


def _query(warehouse: Path, sql: str, params=None):
    with WarehouseResource(path=str(warehouse)).connect(read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


@pytest.fixture
def year_2024(raw_copy) -> Path:
    """The demo census of 2024 alone (the first year of its warehouse)."""
    for child in (raw_copy / "2023").iterdir():
        child.unlink()
    (raw_copy / "2023").rmdir()
    return raw_copy


def test_clean_year_passes_every_check_and_runs_downstream(year_2024, tmp_path):
    warehouse = tmp_path / "equity.duckdb"
    result = _materialize(year_2024, warehouse, [raw_census, class_totals, *RAW_CHECKS])
    assert result.success
    assert _checks(result) == {
        f"raw/{t}:raw_{t}": (True, dg.AssetCheckSeverity.ERROR)
        for t in ("schools", "classes", "teachers", "facilities", "rooms", "finance", "county")
    }
    assert PROBE in _materialized(result)
    stored = _query(
        warehouse,
        "SELECT suite, count(*), bool_and(success), min(year) FROM audit.quality_results WHERE run_id = ? GROUP BY suite",
        [result.run_id],
    )
    assert len(stored) == 7 and all(ok and year == 2024 for _, n, ok, year in stored)
    assert (docs_dir_for(warehouse) / "index.html").exists()


def test_rows_of_one_county_failing_a_gate_hold_back_that_county_only(year_2024, tmp_path):
    warehouse = tmp_path / "equity.duckdb"
    good = _materialize(year_2024, warehouse, [raw_census, class_totals, *RAW_CHECKS])
    assert good.success
    before = _query(warehouse, "SELECT * FROM test_marts.class_totals")
    WarehouseResource(path=str(warehouse)).publish(good.run_id)  # the last good load, as publishing leaves it

    classes = year_2024 / "2024" / "classes_539903.csv"
    replace_cell(classes, 3, "students", "0")
    replace_cell(year_2024 / "2024" / "classes_539901.csv", 2, "班级人数", "1")
    bad = _materialize(year_2024, warehouse, [raw_census, class_totals, *RAW_CHECKS])

    assert bad.success and PROBE in _materialized(bad)
    checks = _checks(bad)
    assert checks.pop("raw/classes:raw_classes") == (False, dg.AssetCheckSeverity.WARN)
    assert all(passed for passed, _ in checks.values())
    evaluation = next(e for e in bad.get_asset_check_evaluations() if e.check_name == "raw_classes")
    assert evaluation.metadata["held_back_counties"].value == ["539903"]
    assert [f["expectation"] for f in evaluation.metadata["failed_expectations"].value] == ["class_not_empty"]
    sample = evaluation.metadata["sample_rows"].value["class_not_empty"][0]
    assert (sample["source_file"], sample["source_row"]) == ("2024/classes_539903.csv", 3)
    # County 539903 keeps its last good classes; 539901's new figure is in.
    held = "SELECT count(*) FROM raw.classes WHERE year = 2024 AND students = 0"
    assert _query(warehouse, held) == [(0,)]
    after = _query(warehouse, "SELECT * FROM test_marts.class_totals")
    assert after != before and after[0][1] == before[0][1]
    blocked = _query(warehouse, "SELECT county_code, reason, reason_zh FROM audit.blocked_counties WHERE year = 2024")
    assert [(c, r) for c, r, _ in blocked] == [("539903", "quality gate failed: class_not_empty (raw.classes)")]
    assert blocked[0][2].startswith("质量检查未通过")
    stored = _query(
        warehouse,
        "SELECT expectation, severity FROM audit.quality_results WHERE run_id = ? AND NOT success",
        [bad.run_id],
    )
    assert stored == [("class_not_empty", "error")]
    text = failures_text(_database(warehouse), [bad.run_id])
    assert "ERROR raw.classes 2024  raw_classes.class_not_empty" in text and "2024/classes_539903.csv row 3" in text


def test_an_error_that_is_not_rows_of_counties_blocks_the_year(year_2024, tmp_path):
    warehouse = tmp_path / "equity.duckdb"
    good = _materialize(year_2024, warehouse, [raw_census, class_totals, *RAW_CHECKS])
    assert good.success
    before = _query(warehouse, "SELECT * FROM test_marts.class_totals")
    WarehouseResource(path=str(warehouse)).publish(good.run_id)  # a run's build starts from the published file
    for path in (year_2024 / "2024").glob("classes*"):  # a header-only classes file: no classes at all
        path.unlink()
    (year_2024 / "2024" / "classes.csv").write_text("学校标识码,班级编号,学段,年级,班级人数\n", encoding="utf-8")
    bad = _materialize(year_2024, warehouse, [raw_census, class_totals, *RAW_CHECKS])
    assert not bad.success and PROBE not in _materialized(bad)
    assert _checks(bad)["raw/classes:raw_classes"] == (False, dg.AssetCheckSeverity.ERROR)
    assert _query(warehouse, "SELECT * FROM test_marts.class_totals") == before
    assert _query(warehouse, "SELECT count(*) FROM audit.blocked_counties") == [(0,)]


def _database(warehouse: Path) -> Path:
    """The file the runs wrote (a build database beside the published one, when the resource has one)."""
    resource = WarehouseResource(path=str(warehouse))
    return Path(getattr(resource, "build_path", warehouse))


def test_warn_expectation_reports_without_blocking(year_2024, tmp_path):
    warehouse = tmp_path / "equity.duckdb"
    replace_cell(year_2024 / "2024" / "classes_539903.csv", 3, "students", "120")
    result = _materialize(year_2024, warehouse, [raw_census, class_totals, *RAW_CHECKS])
    assert result.success
    assert _checks(result)["raw/classes:raw_classes"] == (False, dg.AssetCheckSeverity.WARN)
    assert PROBE in _materialized(result)
    assert _query(warehouse, "SELECT expectation, severity FROM audit.quality_results WHERE NOT success") == [
        ("class_size_below_100", "warn")
    ]


def test_mart_checks_attach_to_the_asset_key_given(year_2024, tmp_path):
    cv_key = dg.AssetKey(["test_marts", "county_cv"])

    @dg.asset(key=cv_key, deps=[dg.AssetKey(["raw", "schools"])], partitions_def=census_years)
    def county_cv(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> None:
        year = int(context.partition_key)
        with warehouse.connect() as con:
            con.execute("CREATE SCHEMA IF NOT EXISTS marts")
            con.execute(
                "CREATE OR REPLACE TABLE marts.county_cv AS SELECT ?::INTEGER AS year, '539901' AS county_code, 'primary' AS stage, "
                "'R5' AS indicator, 3 AS n_units, 2.5 AS cv, 0.4 AS cv_unweighted, 8.0 AS weighted_mean, 0.5 AS cv_limit",
                [year],
            )

    @dg.asset(key=["test_marts", "report"], deps=[cv_key], partitions_def=census_years)
    def report() -> None:
        return None

    checks = build_quality_checks(raw_tables=[], mart_keys={"county_cv": cv_key})
    assert [c.check_keys for c in checks] == [{dg.AssetCheckKey(cv_key, "marts_county_cv")}]
    result = _materialize(year_2024, tmp_path / "equity.duckdb", [raw_census, county_cv, report, *checks])
    assert not result.success
    assert _checks(result) == {"test_marts/county_cv:marts_county_cv": (False, dg.AssetCheckSeverity.ERROR)}
    assert dg.AssetKey(["test_marts", "report"]) not in _materialized(result)


def test_factory_refuses_a_table_without_suite():
    with pytest.raises(ValueError, match="no suite for pupils"):
        build_quality_checks(raw_tables=["pupils"])
