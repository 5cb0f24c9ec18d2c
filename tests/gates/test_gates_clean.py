"""The demo census (both years, every table, the dbt marts) passes every suite, with both engines."""

from __future__ import annotations

import pytest

from pipeline.quality import MART_SUITES, RAW_SUITES, run_suite
from pipeline.warehouse.db import connect
from tests.gates.conftest import YEARS, failing


@pytest.mark.parametrize("engine", ["gx", "sql"])
@pytest.mark.parametrize("year", YEARS)
def test_every_raw_suite_passes_on_the_demo_census(clean_raw, year, engine):
    with connect(clean_raw, read_only=True) as con:
        results = [run_suite(con, suite, year, engine=engine) for suite in RAW_SUITES.values()]
    assert {r.suite: failing(r) for r in results} == {suite: {} for suite in RAW_SUITES.values()}
    for r in results:
        assert r.rows and r.rows > 0, f"{r.suite} validated an empty table"
        assert all(
            x.engine == ("sql" if x.expectation_type == "unexpected_rows_expectation" else engine) for x in r.results
        )


@pytest.mark.parametrize("engine", ["gx", "sql"])
@pytest.mark.parametrize("year", YEARS)
def test_every_mart_suite_passes_on_the_demo_marts(clean_marts, year, engine):
    with connect(clean_marts, read_only=True) as con:
        results = [run_suite(con, suite, year, engine=engine) for suite in MART_SUITES.values()]
    assert {r.suite: failing(r) for r in results} == {suite: {} for suite in MART_SUITES.values()}
    assert all(r.rows and r.rows > 0 for r in results)


def test_auto_engine_switches_to_sql_above_the_row_limit(clean_raw):
    with connect(clean_raw, read_only=True) as con:
        small = run_suite(con, "raw_classes", 2024, gx_max_rows=10_000)
        large = run_suite(con, "raw_classes", 2024, gx_max_rows=1_000)

    def column(result):
        return {r.engine for r in result.results if r.expectation_type != "unexpected_rows_expectation"}

    assert column(small) == {"gx"} and column(large) == {"sql"}
    # same verdicts and counts either way
    assert [(r.expectation, r.success, r.unexpected_count) for r in small.results] == [
        (r.expectation, r.success, r.unexpected_count) for r in large.results
    ]


def test_a_missing_table_fails_every_expectation_instead_of_passing(clean_raw):
    with connect(clean_raw, read_only=True) as con:
        result = run_suite(con, "marts_county_cv", 2024)
    assert not result.success
    assert all(not r.success and "does not exist" in r.exception for r in result.results)
