"""The ingestion runs as a real Dagster materialization, and `equity run` drives the same job."""

from __future__ import annotations

import os
import subprocess
import sys

import dagster as dg
import duckdb

from pipeline.defs.assets.ingestion import RAW_KEYS, raw_census
from pipeline.defs.partitions import census_years
from pipeline.defs.resources import CensusFilesResource, WarehouseResource
from tests.census_files import write_delimited, write_small_census


def test_materialize_a_year_partition(raw_dir, tmp_path):
    write_delimited(
        raw_dir / "2024" / "classes.csv",
        [["school_id", "class_id", "grade", "students"], ["0001", "1", "1", "40"], ["0001", "2", "2", "x"]],
    )
    instance = dg.DagsterInstance.ephemeral()
    instance.add_dynamic_partitions(census_years.name, ["2024"])
    warehouse = WarehouseResource(path=str(tmp_path / "w.duckdb"))
    result = dg.materialize(
        [raw_census],
        partition_key="2024",
        instance=instance,
        resources={"warehouse": warehouse, "census_files": CensusFilesResource(raw_dir=str(raw_dir))},
    )
    assert result.success
    metadata = {e.asset_key: e.materialization.metadata for e in result.get_asset_materialization_events()}
    assert metadata[RAW_KEYS["classes"]]["rows_loaded"].value == 1
    assert metadata[RAW_KEYS["classes"]]["rows_rejected"].value == 1
    assert metadata[RAW_KEYS["schools"]]["rows_loaded"].value == 3
    check = result.get_asset_check_evaluations()[0]
    assert check.passed
    with duckdb.connect(str(warehouse.build_path), read_only=True) as con:  # runs write the build database
        assert con.execute("SELECT count(*) FROM audit.loads WHERE run_id = ?", [result.run_id]).fetchone() == (2,)


def _equity(*args: str, cwd, env_extra: dict[str, str]) -> subprocess.CompletedProcess:
    env = {**os.environ, **env_extra}
    return subprocess.run(
        [sys.executable, "-m", "pipeline", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300
    )


def _years_in(warehouse, table: str) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(f"SELECT year, count(*) FROM {table} GROUP BY 1 ORDER BY 1").fetchall()


def test_cli_run_publishes_good_years_and_holds_back_a_year_with_a_refused_file(tmp_path):
    raw_dir = tmp_path / "raw"
    write_small_census(raw_dir, 2023)
    write_small_census(raw_dir, 2024)
    (raw_dir / "2024" / "rooms.csv").write_bytes(b"")  # an empty file: refused whole
    env = {"DAGSTER_HOME": str(tmp_path / "dagster_home")}
    warehouse = tmp_path / "out" / "equity.duckdb"
    done = _equity(
        "run",
        "--raw",
        str(raw_dir),
        "--warehouse",
        str(warehouse),
        "--years",
        "2023",
        "2024",
        cwd=tmp_path,
        env_extra=env,
    )
    assert done.returncode == 1, done.stderr
    stderr = " ".join(done.stderr.split())
    assert "refused 2024/rooms.csv: empty file" in stderr
    assert "all_files_accepted" in stderr and "Not published: 2024" in stderr
    assert "census year 2023" in done.stdout and "census year 2024" in done.stdout
    assert str(warehouse) in done.stdout
    # 2024 was loaded into the build database, but its indicators were neither rebuilt nor published.
    assert _years_in(warehouse, "marts.dim_school") == [(2023, 3)]
    assert _years_in(warehouse.with_name("equity.build.duckdb"), "raw.schools") == [(2023, 3), (2024, 3)]
    assert _years_in(warehouse.with_name("equity.build.duckdb"), "marts.dim_school") == [(2023, 3)]
    assert (tmp_path / "out" / "reports" / "2023" / "report_539901_2023_zh.html").exists()
    assert "county reports: 1 written in" in " ".join(done.stdout.split())  # the reports run after 2023 was published
    assert (tmp_path / "out" / "quality_docs" / "gx" / "index.html").exists()  # GX's pages, rebuilt on publishing

    (raw_dir / "2024" / "rooms.csv").unlink()
    done = _equity(
        "run",
        "--raw",
        str(raw_dir),
        "--warehouse",
        str(warehouse),
        "--years",
        "2024",
        "--no-reports",
        cwd=tmp_path,
        env_extra=env,
    )
    assert done.returncode == 0, done.stderr
    assert _years_in(warehouse, "marts.dim_school") == [(2023, 3), (2024, 3)]
    assert not (tmp_path / "out" / "reports" / "2024").exists() and "county reports" not in " ".join(
        done.stdout.split()
    )
    instance = dg.DagsterInstance.from_config(env["DAGSTER_HOME"])
    last = instance.get_runs(limit=1)[0]
    messages = [e.user_message for e in instance.all_logs(last.run_id)]
    assert any("Finished dbt command" in m for m in messages)  # the dbt step's own log lines are kept
    assert not [m for m in messages if m.startswith("Logging an `AssetObservation`")]  # not one per dbt test
    instance.dispose()


def test_cli_refuses_an_unknown_year(raw_dir, tmp_path):
    done = _equity(
        "run",
        "--raw",
        str(raw_dir),
        "--warehouse",
        str(tmp_path / "w.duckdb"),
        "--years",
        "1999",
        cwd=tmp_path,
        env_extra={"DAGSTER_HOME": str(tmp_path / "dh")},
    )
    assert done.returncode == 2
    assert "no folder for year(s) 1999" in done.stderr
