"""Year partitioning: a run with --vars '{"year": N}' replaces exactly year N of every mart table.

Two census years of the same two counties. 2016 has no rooms, finance or county rows (the
optional files were not given that year; the tables exist and hold 2017's rows). The CV of
R4 is 0.6 in both years: within the basic-balance limit of 2016 (0.65) and over the
quality-balance limit of 2017 (0.50), so each year is judged by the rules of its time.
"""

from __future__ import annotations

import duckdb
import pytest
from conftest import (
    connect_read_only,
    create_warehouse,
    finance,
    good_primary_school,
    merge,
    room,
    rows,
    run_dbt,
)

MART_TABLES = [
    "dim_school",
    "school_stage_indicators",
    "school_stage_summary",
    "county_cv",
    "class_size_violations",
    "school_size_violations",
    "county_assessment",
    "county_summary",
    "county_inequality",
]


def census(year: int) -> dict:
    # County 530102: P1 and P2, 100 students each; R4 = 200/100 = 2 and 800/100 = 8 →
    # mean 5, sd 3, CV = 0.6. County 530103: Q1 alone. P1 has a 46-student class (over 45).
    data = merge(
        good_primary_school("P1", "530102", [46, 54]),
        good_primary_school("P2", "530102", [40, 40, 20]),
        good_primary_school("Q1", "530103", [40, 40]),
    )
    for f in data["facilities"]:
        if f["school_id"] == "P1":
            f["teaching_aux_area_m2"] = 200.0
        if f["school_id"] == "P2":
            f["teaching_aux_area_m2"] = 800.0
    if year == 2017:
        data["rooms"] = [room(s, t, 100) for s in ("P1", "P2", "Q1") for t in ("music", "art")]
        data["finance"] = [finance(s, 100_000, 5_000) for s in ("P1", "P2", "Q1")]
        data["county"] = [dict(county_code="530102", veto_flags=None)]
    for table_rows in data.values():
        for r in table_rows:
            r["year"] = year
    return data


def snapshot(con, year: int) -> dict[str, list[tuple]]:
    return {
        t: con.execute(f"select * from marts.{t} where year = ? order by all", [year]).fetchall() for t in MART_TABLES
    }


def years_in(con, table: str) -> set[int]:
    return {r["year"] for r in rows(con, f"select distinct year from marts.{table}")}


def test_year_runs_replace_only_their_year(workdir):
    db = workdir / "warehouse.duckdb"
    create_warehouse(db, merge(census(2016), census(2017)))

    # 1. build 2016 only (seeds and models; the data tests run in step 2)
    run_dbt(workdir, ["build", "--exclude", "resource_type:test", "resource_type:unit_test"], year=2016)
    with connect_read_only(workdir) as con:
        assert all(years_in(con, t) <= {2016} for t in MART_TABLES)
        first = snapshot(con, 2016)
        cv16 = rows(con, "select * from marts.county_cv where county_code = '530102' and indicator = 'R4'")
        assert [(r["year"], r["cv_limit"], r["status"]) for r in cv16] == [(2016, 0.65, "met")]
        assert cv16[0]["cv"] == pytest.approx(0.6)
        # the optional files were absent in 2016 → G3, Q4 and county-file indicators no_data
        statuses = {
            r["indicator"]: r["status"]
            for r in rows(
                con,
                "select indicator, status from marts.county_assessment where county_code = '530102' and stage is null",
            )
        }
        assert (statuses["G3"], statuses["Q4"], statuses["V"]) == ("no_data", "no_data", "no_data")

    # A partial run for 2017 (one mart model while the intermediate tables hold 2016) is refused
    # by the mart's guard pre-hook instead of publishing 2016's figures as 2017's.
    partial = run_dbt(workdir, ["run", "--select", "county_cv"], year=2017, check=False)
    assert partial["returncode"] != 0
    assert "intermediate models hold other census years" in partial["output"]
    with connect_read_only(workdir) as con:
        assert snapshot(con, 2016) == first and years_in(con, "county_cv") == {2016}

    # 2. build 2017 (models and every data test): 2016's rows stay exactly as they were
    run_dbt(workdir, ["build", "--exclude", "resource_type:unit_test"], year=2017)
    with connect_read_only(workdir) as con:
        assert years_in(con, "county_summary") == {2016, 2017}
        assert snapshot(con, 2016) == first
        cv = {
            r["year"]: r
            for r in rows(con, "select * from marts.county_cv where county_code = '530102' and indicator = 'R4'")
        }
        assert (cv[2017]["cv_limit"], cv[2017]["status"]) == (0.5, "not_met")  # 0.6 > 0.50 from 2017
        # year-over-year views: this year minus last year
        yoy = rows(
            con,
            "select * from marts.county_cv_yoy where county_code = '530102' and indicator = 'R4' "
            "and stage = 'primary' order by year",
        )
        assert [r["year"] for r in yoy] == [2016, 2017]
        assert yoy[0]["has_previous_year"] is False and yoy[0]["cv_change"] is None
        assert yoy[1]["cv_change"] == pytest.approx(0.0, abs=1e-12)
        assert (yoy[1]["previous_status"], yoy[1]["status"]) == ("met", "not_met")
        v = rows(
            con,
            "select * from marts.county_assessment_yoy where county_code = '530102' "
            "and indicator = 'V' and year = 2017",
        )[0]
        assert (v["previous_status"], v["status"], v["status_changed"]) == ("no_data", "met", True)
        second = snapshot(con, 2017)

    # 3. change 2016's census (P2 leaves the county) and run without the year var: every year is
    #    rebuilt from `raw`; 2016 changes, 2017 stays the same.
    with duckdb.connect(str(db)) as con:
        for table in ("schools", "classes", "teachers", "facilities"):
            con.execute(f"delete from raw.{table} where year = 2016 and school_id = 'P2'")
    run_dbt(workdir, ["run"])
    with connect_read_only(workdir) as con:
        assert snapshot(con, 2017) == second
        units16 = rows(con, "select school_id from marts.school_stage_summary where year = 2016 order by 1")
        assert [r["school_id"] for r in units16] == ["P1", "Q1"]
        cv16 = rows(
            con, "select * from marts.county_cv where year = 2016 and county_code = '530102' and indicator = 'R4'"
        )[0]
        assert (cv16["n_units"], cv16["cv"]) == (1, 0.0)
