"""Held-back counties in the marts (issue 18, item 12; warehouse.md "A county's bad file holds back that county only").

The ingestion holds back a county whose file it refuses: the county keeps the raw rows of its last
good load (none if it had none) and `audit.blocked_counties` says why and since when. Here, by hand,
census year 2024 of three counties of city 530100:

* 530102 (OPEN): loaded by the latest load; not blocked.
* 530103 (HELD): its raw rows are those of an earlier load (EARLIER_LOAD); held back for two
  reasons (a refused classes file and a refused teachers file), so one row with both.
* 530104 (EMPTY): held back without any good load: no raw row at all.

A held-back row of 2023 (another year) must not reach the 2024 build.
"""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
from conftest import connect_read_only, create_warehouse, good_primary_school, merge, one, rows, run_dbt

from pipeline.quality import run_suite
from pipeline.warehouse.db import connect

YEAR = 2024
OPEN, HELD, EMPTY = "530102", "530103", "530104"
EARLIER_LOAD = datetime(2025, 3, 1, 8, 0, tzinfo=UTC)
BLOCKED_AT = datetime(2025, 4, 1, 8, 5, tzinfo=UTC)

CLASSES_REFUSED = (
    "file 2024/classes_530103.csv was refused: empty file",
    "文件 2024/classes_530103.csv 被拒收：文件为空",
)
TEACHERS_REFUSED = (
    "file 2024/teachers_530103.csv was refused: undecodable",
    "文件 2024/teachers_530103.csv 被拒收：无法解码",
)
NEVER_LOADED = ("file 2024/schools_530104.csv was refused: empty file", "文件 2024/schools_530104.csv 被拒收：文件为空")


def audit_rows(con) -> None:
    """audit.blocked_counties as the latest load of the year leaves it (plus a row of another year)."""
    held = [
        ["run-2", YEAR, HELD, *CLASSES_REFUSED, EARLIER_LOAD, BLOCKED_AT],
        ["run-2", YEAR, HELD, *TEACHERS_REFUSED, EARLIER_LOAD, BLOCKED_AT],
        ["run-2", YEAR, EMPTY, *NEVER_LOADED, None, BLOCKED_AT],
        [
            "run-0",
            YEAR - 1,
            OPEN,
            "file 2023/classes_530102.csv was refused: empty file",
            "文件 2023/classes_530102.csv 被拒收：文件为空",
            None,
            BLOCKED_AT,
        ],
    ]
    con.executemany("INSERT INTO audit.blocked_counties VALUES (?, ?, ?, ?, ?, ?, ?)", held)


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    workdir = tmp_path_factory.mktemp("blocked")
    create_warehouse(
        workdir / "warehouse.duckdb",
        merge(good_primary_school("P1", OPEN, [40] * 10), good_primary_school("Q1", HELD, [45] * 6)),
    )
    with connect(workdir / "warehouse.duckdb") as con:
        audit_rows(con)
    run_dbt(workdir, ["build", "--exclude", "resource_type:unit_test"], year=YEAR)
    return workdir


@pytest.fixture(scope="module")
def warehouse(built):
    con = connect_read_only(built)
    yield con
    con.close()


def summary(con, county: str) -> dict:
    return one(con, "SELECT * FROM marts.county_summary WHERE year = ? AND county_code = ?", [YEAR, county])


def test_county_summary_has_the_three_counties_with_their_flags(warehouse):
    got = rows(warehouse, "SELECT county_code, blocked FROM marts.county_summary WHERE year = ? ORDER BY 1", [YEAR])
    assert [(r["county_code"], r["blocked"]) for r in got] == [(OPEN, False), (HELD, True), (EMPTY, True)]


def test_an_open_county_is_not_blocked_and_carries_no_load_time(warehouse):
    # its rows are the latest load's; a load time in the row would make two runs of the same census differ
    s = summary(warehouse, OPEN)
    assert (s["blocked"], s["blocked_reason"], s["blocked_reason_zh"], s["data_as_of"]) == (False, None, None, None)


def test_a_held_county_keeps_its_figures_with_every_reason_and_the_date_of_its_data(warehouse):
    s = summary(warehouse, HELD)
    assert s["blocked"] is True and s["data_as_of"] == EARLIER_LOAD
    assert s["blocked_reason"] == f"{CLASSES_REFUSED[0]}; {TEACHERS_REFUSED[0]}"
    assert s["blocked_reason_zh"] == f"{CLASSES_REFUSED[1]}；{TEACHERS_REFUSED[1]}"
    # computed from the rows it keeps, as for any county: Q1, one primary unit of 6 × 45 students
    assert (s["schools"], s["units"], s["evaluated_units"], s["students"], s["cv_checks"]) == (1, 1, 1, 270, 7)
    assert s["county_name"] == f"County {HELD}"


def test_a_held_county_without_any_good_load_still_has_its_row(warehouse):
    s = summary(warehouse, EMPTY)
    assert (s["blocked"], s["data_as_of"], s["county_name"]) == (True, None, None)
    assert (s["blocked_reason"], s["blocked_reason_zh"]) == NEVER_LOADED
    assert (s["city_code"], s["province_code"]) == ("530100", "530000")
    counts = {
        k: v
        for k, v in s.items()
        if k
        in (
            "schools",
            "units",
            "evaluated_units",
            "passing_units",
            "students",
            "cv_checks",
            "cv_within_limits",
            "oversize_classes",
            "indicator_rows_met",
            "indicator_rows_no_data",
        )
    }
    assert set(counts.values()) == {0}, counts
    assert [s[f"{a}_met"] for a in ("resource", "government", "quality", "social")] == ["incomplete"] * 4
    assert (s["veto"], s["overall"]) == (None, "incomplete")


def test_a_county_without_data_is_in_no_other_mart(warehouse):
    tables = [
        r["table_name"]
        for r in rows(
            warehouse,
            """
        SELECT DISTINCT c.table_name FROM information_schema.columns AS c
        JOIN information_schema.tables AS t USING (table_schema, table_name)
        WHERE c.table_schema = 'marts' AND c.column_name = 'county_code' AND t.table_type = 'BASE TABLE'
          AND c.table_name <> 'county_summary'""",
        )
    ]
    every_county = {"dim_school", "school_stage_summary", "county_cv", "county_assessment", "county_remediation"}
    assert every_county <= set(tables)
    for table in tables:
        n = one(warehouse, f"SELECT count(*) AS n FROM marts.{table} WHERE county_code = ?", [EMPTY])["n"]
        assert n == 0, table
    for table in every_county:  # the held county's rows, computed from the data it keeps
        assert one(warehouse, f"SELECT count(*) AS n FROM marts.{table} WHERE county_code = ?", [HELD])["n"] > 0, table


def test_the_rollups_count_the_held_counties_and_date_their_oldest_data(warehouse):
    for view, code in (("city_summary", "city_code"), ("province_summary", "province_code")):
        r = one(warehouse, f"SELECT * FROM marts.{view} WHERE year = ?", [YEAR])
        assert r[code] in ("530100", "530000")
        assert (r["counties"], r["counties_blocked"], r["counties_blocked_without_data"]) == (3, 2, 1), view
        assert r["oldest_data_as_of"] == EARLIER_LOAD
        assert (r["schools"], r["counties_incomplete"]) == (2, 3)


def test_a_held_row_of_another_year_does_not_reach_this_year(warehouse):
    assert rows(warehouse, "SELECT * FROM marts.county_summary WHERE year <> ?", [YEAR]) == []


def yoy_check(con, engine: str):
    """The result of marts_county_summary's year-over-year check of evaluated units on YEAR."""
    results = run_suite(con, "marts_county_summary", YEAR, engine=engine).results
    return next(r for r in results if r.expectation == "evaluated_units_vs_previous_year")


@pytest.mark.parametrize("engine", ["gx", "sql"])
def test_the_year_over_year_gate_leaves_out_a_held_county(built, tmp_path, engine):
    """A county held back without data has 0 evaluated units: not a change of population to warn about."""
    shutil.copy(built / "warehouse.duckdb", tmp_path / "warehouse.duckdb")
    with connect(tmp_path / "warehouse.duckdb") as con:
        # the year before, EMPTY had 12 evaluated units (a row of HELD's, moved to 2023 and EMPTY)
        con.execute(
            "INSERT INTO marts.county_summary SELECT * REPLACE (? AS year, ? AS county_code, 12 AS units, "
            "12 AS evaluated_units, false AS blocked, NULL AS blocked_reason, NULL AS blocked_reason_zh) "
            "FROM marts.county_summary WHERE year = ? AND county_code = ?",
            [YEAR - 1, EMPTY, YEAR, HELD],
        )
        assert yoy_check(con, engine).success
        con.execute("UPDATE marts.county_summary SET blocked = false WHERE year = ? AND county_code = ?", [YEAR, EMPTY])
        check = yoy_check(con, engine)  # the same drop in a county that is not held back is warned about
        assert not check.success and [r["county_code"] for r in check.sample_rows] == [EMPTY]
