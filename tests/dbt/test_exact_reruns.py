"""Exact re-runs (issue 18, item 11): the same census built on two fresh warehouses gives the same marts, bit for bit.

A plain floating-point sum() in DuckDB adds its rows in whatever order the threads deliver them, so
the last bits of a CV, a Theil index or a remediation total moved from one build to the next
(`add_sports_ground_m2` 9912.55 vs 9912.550000000001) and every diff of two runs saw changes that
were not there. Two censuses, each built twice at the same time (two processes competing for the
cores), every marts table and view compared row by row, doubles by their bits (float.hex),
decimals, texts and timestamps as they are:

* a synthetic year of 20 counties and 2,000 schools (synthetic/generator.py), big enough for DuckDB
  to split the scans and aggregations between threads, through `dbt build` with the year var;
* the demo census's 2024 (data/raw) through the whole `equity run` (ingestion, gates, dbt,
  publishing), so that nothing of a run (a load time, the order files are read in) reaches the marts.
"""

from __future__ import annotations

import decimal
import os
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import duckdb
import polars as pl
import pytest
from conftest import RAW_COLUMNS, REPO, YEAR, create_warehouse, run_dbt

from pipeline.warehouse.db import connect
from synthetic.generator import generate_year

N_COUNTIES = 20
SCHOOLS_PER_COUNTY = 100


def create_census_warehouse(path: Path, frames: dict[str, pl.DataFrame]) -> None:
    """The ingestion's raw tables (conftest.create_warehouse), filled from the generator's frames in bulk."""
    create_warehouse(path, {})
    with connect(path) as con:
        for table, frame in frames.items():
            columns = [c for c in RAW_COLUMNS[table] if c in frame.columns]
            rows = frame.select(columns).with_columns(
                pl.lit(YEAR).alias("year"),
                pl.lit(f"synthetic/{YEAR}/{table}.csv").alias("source_file"),
                pl.int_range(1, frame.height + 1).alias("source_row"),
            )
            con.register("census_rows", rows)
            con.execute(f"INSERT INTO raw.{table} BY NAME SELECT * FROM census_rows")
            con.unregister("census_rows")


def exact(value: object) -> object:
    """A value as a comparable token that tells apart every bit of a double (and a decimal's scale)."""
    if isinstance(value, float):
        return ("double", value.hex())
    if isinstance(value, decimal.Decimal):
        return ("decimal", str(value))
    return value


def marts_snapshot(database: Path) -> dict[str, tuple[list[str], list[tuple]]]:
    """Every marts table and view: its column names and its rows in a fixed order, every value exact."""
    con = duckdb.connect(str(database), read_only=True)
    try:
        names = [
            r[0]
            for r in con.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = 'marts' ORDER BY 1"
            ).fetchall()
        ]
        snapshot = {}
        for name in names:
            cursor = con.execute(f"SELECT * FROM marts.{name} ORDER BY ALL")
            columns = [d[0] for d in cursor.description]
            snapshot[name] = (columns, [tuple(exact(v) for v in row) for row in cursor.fetchall()])
        return snapshot
    finally:
        con.close()


def differences(first: dict, second: dict) -> list[str]:
    """Per table, the columns whose values differ between the two snapshots, with one example each."""
    found = []
    for name, (columns, rows_1) in first.items():
        columns_2, rows_2 = second[name]
        if columns != columns_2 or len(rows_1) != len(rows_2):
            found.append(f"{name}: columns or row counts differ ({len(rows_1)} vs {len(rows_2)} rows)")
            continue
        for i, column in enumerate(columns):
            pairs = [(a[i], b[i]) for a, b in zip(rows_1, rows_2) if a[i] != b[i]]
            if pairs:
                found.append(f"{name}.{column}: {len(pairs)} rows, e.g. {pairs[0][0]} vs {pairs[0][1]}")
    return found


def build(workdir: Path, frames: dict[str, pl.DataFrame]) -> dict:
    create_census_warehouse(workdir / "warehouse.duckdb", frames)
    run_dbt(workdir, ["build", "--exclude", "resource_type:unit_test"], year=YEAR)
    return marts_snapshot(workdir / "warehouse.duckdb")


def equity_run(home: Path) -> dict:
    """The demo census's 2024 through `equity run` into a new warehouse under `home`; its published marts."""
    shutil.copytree(REPO / "data" / "raw" / str(YEAR), home / "raw" / str(YEAR))
    warehouse = home / "out" / "equity.duckdb"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pipeline",
            "run",
            "--raw",
            str(home / "raw"),
            "--warehouse",
            str(warehouse),
            "--years",
            str(YEAR),
            "--no-reports",
        ],
        cwd=home,
        env={**os.environ, "DAGSTER_HOME": str(home / "dagster_home")},
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return marts_snapshot(warehouse)


@pytest.fixture(scope="module")
def two_builds(tmp_path_factory) -> tuple[dict, dict]:
    frames = generate_year(YEAR, N_COUNTIES, SCHOOLS_PER_COUNTY, seed=20241108)
    workdirs = [tmp_path_factory.mktemp(f"rerun{i}") for i in (1, 2)]
    with ThreadPoolExecutor(max_workers=2) as pool:
        first, second = pool.map(lambda w: build(w, frames), workdirs)
    return first, second


def test_the_census_is_big_enough_to_be_aggregated_in_parallel(two_builds):
    first, _ = two_builds
    columns, indicator_rows = first["school_stage_indicators"]
    assert len({row[columns.index("county_code")] for row in indicator_rows}) == N_COUNTIES
    assert len(indicator_rows) > 10_000
    empty = [name for name, (_, rows) in first.items() if not rows]
    assert not empty, f"marts without rows compare nothing: {empty}"


def test_the_same_census_built_twice_gives_byte_identical_marts(two_builds):
    first, second = two_builds
    assert set(first) == set(second)
    found = differences(first, second)
    assert not found, "the marts of two builds of the same census differ:\n" + "\n".join(found)


def test_amounts_of_the_remediation_plan_are_exact_decimals(two_builds):
    first, _ = two_builds
    columns, county_rows = first["county_remediation"]
    for column in ("add_sports_ground_m2", "add_teaching_space_m2", "add_equipment_yuan", "estimated_cost"):
        kinds = {row[columns.index(column)][0] for row in county_rows if isinstance(row[columns.index(column)], tuple)}
        assert kinds == {"decimal"}, column


def test_the_demo_census_run_twice_through_equity_run_gives_byte_identical_marts(tmp_path):
    homes = [tmp_path / "first", tmp_path / "second"]
    with ThreadPoolExecutor(max_workers=2) as pool:
        first, second = pool.map(equity_run, homes)
    assert first["county_summary"][1] and first["county_remediation"][1]
    found = differences(first, second)
    assert not found, "the marts of two runs of the same census differ:\n" + "\n".join(found)
