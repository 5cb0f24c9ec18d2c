"""A raw-table gate that fails on rows of some counties only holds back those counties, not the year.

The counties are those of the rows each failed `error` expectation finds
unexpected: the rows of a column expectation's SQL translation, or the rows
an `unexpected_rows_expectation` query returns when they name a school or a
county. An expectation whose failure is not rows of counties (a row count, a
broken check, a query that compares counties without naming them) holds back
the year as before. The held counties get the published file's rows back
(ingest/counties.py), and the suites run again: only if they then pass does
the year go on without those counties.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import polars as pl

from pipeline.ingest import raw_tables
from pipeline.ingest.contract import load_contract
from pipeline.ingest.counties import Attribution, blocked_rows, hold_back
from pipeline.quality.results import ExpectationResult, SuiteResult
from pipeline.quality.runner import previous_year
from pipeline.quality.sql_engine import plan_column_expectation
from pipeline.quality.suites import Expectation, Suite, render_query, resolve_parameters
from pipeline.warehouse import db as warehouse

NOT_ROWS = {"expect_table_row_count_to_be_between"}


def _county_of(rows: str, columns: set[str], year: int) -> str | None:
    """A query of the distinct counties of `rows` (None county where a row's school is unknown)."""
    if "county_code" in columns:
        return f"SELECT DISTINCT county_code FROM ({rows}) __u"
    if "school_id" in columns:
        return (
            f"SELECT DISTINCT s.county_code FROM ({rows}) __u "
            f"LEFT JOIN raw.schools s ON s.year = {int(year)} AND s.school_id = __u.school_id"
        )
    return None


def _unexpected_rows(con: duckdb.DuckDBPyConnection, suite: Suite, expectation: Expectation, year: int) -> str | None:
    """The SQL of the rows an expectation finds unexpected, or None when its failure is not rows."""
    parameters = {**suite.parameters, "census_year": int(year)}
    if expectation.is_sql:
        prev = previous_year(con, suite.table, year)
        return render_query(expectation.kwargs["unexpected_rows_query"], suite, year, prev, parameters)
    if expectation.type in NOT_ROWS:
        return None
    relation = f"(SELECT * FROM {suite.table} WHERE year = {int(year)})"
    plan = plan_column_expectation(expectation, resolve_parameters(expectation.kwargs, parameters), relation)
    return f"SELECT * FROM {relation} __r WHERE ({plan.domain}) AND ({plan.unexpected})"


def _counties_failing(con: duckdb.DuckDBPyConnection, suite: Suite, failed: ExpectationResult) -> set[str] | None:
    expectation = next((e for e in suite.expectations if e.name == failed.expectation), None)
    if expectation is None or failed.exception:
        return None
    rows = _unexpected_rows(con, suite, expectation, failed.year)
    if rows is None:
        return None
    columns = {d[0] for d in con.execute(f"SELECT * FROM ({rows}) __c LIMIT 0").description}
    query = _county_of(rows, columns, failed.year)
    if query is None:
        return None
    counties = {code for (code,) in con.execute(query).fetchall()}
    return None if not counties or None in counties else counties


def failing_counties(
    con: duckdb.DuckDBPyConnection, suites: list[Suite], results: list[SuiteResult]
) -> dict[str, list[ExpectationResult]] | None:
    """Each county whose rows fail an error expectation, with those failures; None if any failure is not rows of counties."""
    by_county: dict[str, list[ExpectationResult]] = {}
    for suite, result in zip(suites, results):
        for failed in result.errors:
            counties = _counties_failing(con, suite, failed)
            if counties is None:
                return None
            for county in counties:
                by_county.setdefault(county, []).append(failed)
    return by_county or None


def _last_good(published: Path) -> duckdb.DuckDBPyConnection:
    """The published file read-only (the last good load), or an empty warehouse when nothing was published."""
    if published.exists():
        return warehouse.connect(published, read_only=True, lock_wait_seconds=5)
    con = duckdb.connect()
    raw_tables.ensure_schema(con, load_contract())
    return con


def _gate_reasons(rows: pl.DataFrame, failures: dict[str, list[ExpectationResult]]) -> pl.DataFrame:
    """The held counties' rows with the failed expectations as their reasons, in both languages."""
    english = {
        c: "; ".join(f"quality gate failed: {f.expectation} ({f.table_name})" for f in fs) for c, fs in failures.items()
    }
    chinese = {
        c: "；".join(f"质量检查未通过：{f.description_zh or f.expectation}（{f.table_name}）" for f in fs)
        for c, fs in failures.items()
    }
    return rows.with_columns(
        pl.col("county_code").replace_strict(english, return_dtype=pl.String).alias("reason"),
        pl.col("county_code").replace_strict(chinese, return_dtype=pl.String).alias("reason_zh"),
    )


def hold_back_failing(
    build: duckdb.DuckDBPyConnection,
    published: Path,
    year: int,
    run_id: str,
    failures: dict[str, list[ExpectationResult]],
) -> None:
    """Give the failing counties their last good rows back and record why, in one transaction of the build database."""
    counties = sorted(failures)
    with _last_good(published) as snapshot:
        build.execute("BEGIN TRANSACTION")
        try:
            hold_back(build, snapshot, year, counties, list(load_contract().tables))
            attribution = Attribution(counties={c: [] for c in counties})
            rows = _gate_reasons(blocked_rows(snapshot, year, run_id, attribution), failures)
            _merge_blocked(build, rows)
            build.execute("COMMIT")
        except BaseException:
            build.execute("ROLLBACK")
            raise


def _merge_blocked(build: duckdb.DuckDBPyConnection, rows: pl.DataFrame) -> None:
    """Add the gates' reasons to the year's held counties, after the reasons their refused files gave."""
    build.register("gate_blocked", rows.to_arrow())
    build.execute(
        """
        CREATE OR REPLACE TEMP TABLE merged_blocked AS
        SELECT g.run_id, g.year, g.county_code,
               concat_ws('; ', b.reason, g.reason) AS reason, concat_ws('；', b.reason_zh, g.reason_zh) AS reason_zh,
               coalesce(b.data_as_of, g.data_as_of) AS data_as_of, g.blocked_at
        FROM gate_blocked g LEFT JOIN audit.blocked_counties b USING (year, county_code)
        """
    )
    build.execute(
        "DELETE FROM audit.blocked_counties WHERE (year, county_code) IN (SELECT (year, county_code) FROM gate_blocked)"
    )
    build.execute("INSERT INTO audit.blocked_counties BY NAME SELECT * FROM merged_blocked; DROP TABLE merged_blocked")
    build.unregister("gate_blocked")
