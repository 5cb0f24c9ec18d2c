"""Validate one table (raw or mart) for one year against its suite, reading DuckDB read-only.

Which engine evaluates what:

- `unexpected_rows_expectation` (cross-table, previous year, county
  medians): always SQL in DuckDB;
- GX column expectations (not null, in set, between, regex, unique,
  compound unique, column pair, row count): Great Expectations on a pandas
  batch, unless the batch has more rows than `gx_max_rows` (default
  1,000,000; a suite may set its own in `meta.gx_max_rows`): then the same
  expectations are evaluated by their SQL translation in DuckDB, because
  GX's pandas engine needs 12 s and a 4.6 GB process for the 10.7 million
  teacher rows of a nation-size year, where DuckDB needs 3.5 s in under 1 GB
  (benchmarks/gates.py, results/gates-nation.json). `engine="gx"` or `"sql"`
  forces one engine.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb

from pipeline.quality import sql_engine
from pipeline.quality.results import ExpectationResult, SuiteResult
from pipeline.quality.suites import SUITES_DIR, Suite, load_suite, resolve_parameters, suite_for_table
from pipeline.warehouse.db import connect

DEFAULT_GX_MAX_ROWS = 1_000_000
DEFAULT_SAMPLE_SIZE = 10
ENGINES = ("auto", "gx", "sql")


def previous_year(con: duckdb.DuckDBPyConnection, table: str, year: int) -> int | None:
    """The latest year before `year` that `table` has rows for."""
    return con.execute(f"SELECT max(year) FROM {table} WHERE year < ?", [year]).fetchone()[0]


def table_exists(con: duckdb.DuckDBPyConnection, table: str) -> bool:
    schema, name = table.split(".")
    return bool(
        con.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = ? AND table_name = ?", [schema, name]
        ).fetchone()[0]
    )


def _as_suite(suite: Suite | str, suites_dir: Path | str) -> Suite:
    if isinstance(suite, Suite):
        return suite
    return suite_for_table(suite, suites_dir) if "." in suite else load_suite(suite, suites_dir)


def run_suite(
    con: duckdb.DuckDBPyConnection,
    suite: Suite | str,
    year: int,
    *,
    run_id: str | None = None,
    engine: str = "auto",
    sample_size: int = DEFAULT_SAMPLE_SIZE,
    gx_max_rows: int | None = None,
    suites_dir: Path | str = SUITES_DIR,
) -> SuiteResult:
    """Every expectation of `suite` (a Suite, a suite name, or a table like `raw.classes`) on `year`.

    `con` may be read-only; nothing is written. An expectation that cannot be
    evaluated (bad SQL, missing table) fails with its exception as the
    observed value: a broken check never passes silently.
    """
    if engine not in ENGINES:
        raise ValueError(f"engine must be one of {ENGINES}")
    suite = _as_suite(suite, suites_dir)
    run_id = run_id or str(uuid.uuid4())
    started = time.perf_counter()
    evaluated_at = datetime.now(UTC)
    parameters = {**suite.parameters, "census_year": int(year)}
    outcomes: dict[str, sql_engine.Outcome] = {}
    engine_of: dict[str, str] = {}
    timings: dict[str, float] = {}

    if not table_exists(con, suite.table):
        message = f"table {suite.table} does not exist in the warehouse"
        outcomes = {e.name: sql_engine.Outcome(False, {}, [], message) for e in suite.expectations}
        engine_of = {e.name: "none" for e in suite.expectations}
        rows = None
    else:
        rows = con.execute(f"SELECT count(*) FROM {suite.table} WHERE year = ?", [year]).fetchone()[0]
        prev = previous_year(con, suite.table, year)
        available = {
            r[0]
            for r in con.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_schema = ? AND table_name = ?",
                [suite.schema, suite.table_name],
            ).fetchall()
        }
        id_columns = [c for c in suite.id_columns if c in available]
        column_items = [e for e in suite.expectations if not e.is_sql]
        limit = gx_max_rows if gx_max_rows is not None else (suite.gx_max_rows or DEFAULT_GX_MAX_ROWS)
        use_gx = engine == "gx" or (engine == "auto" and rows <= limit)

        missing = {e.name: sorted(set(e.columns) - available) for e in column_items}
        for e in column_items:
            if missing[e.name]:
                outcomes[e.name] = sql_engine.Outcome(
                    False, {}, [], f"column(s) {', '.join(missing[e.name])} not in {suite.table}"
                )
                engine_of[e.name] = "none"
        runnable = [e for e in column_items if not missing[e.name]]

        t = time.perf_counter()
        if runnable and use_gx:
            from pipeline.quality import gx_engine

            columns = list(dict.fromkeys([*id_columns, *(c for e in runnable for c in e.columns)]))
            frame = gx_engine.read_batch(con, suite.table, year, columns)
            try:
                outcomes.update(gx_engine.validate(frame, suite, runnable, parameters, id_columns, sample_size))
            finally:
                del frame
            engine_of.update({e.name: "gx" for e in runnable})
        elif runnable:
            relation = f"(SELECT * FROM {suite.table} WHERE year = {int(year)})"
            items = [(e, resolve_parameters(e.kwargs, parameters)) for e in runnable]
            outcomes.update(
                sql_engine.evaluate_column_expectations(con, suite, items, relation, id_columns, sample_size)
            )
            engine_of.update({e.name: "sql" for e in runnable})
        timings["gx" if use_gx else "sql_columns"] = round(time.perf_counter() - t, 3)

        t = time.perf_counter()
        for e in suite.expectations:
            if not e.is_sql:
                continue
            engine_of[e.name] = "sql"
            try:
                outcomes[e.name] = sql_engine.evaluate_sql_expectation(
                    con, suite, e, year, prev, parameters, sample_size
                )
            except duckdb.Error as exc:
                outcomes[e.name] = sql_engine.Outcome(False, {}, [], f"{type(exc).__name__}: {exc}")
        timings["sql"] = round(time.perf_counter() - t, 3)

    results = []
    for position, e in enumerate(suite.expectations):
        outcome = outcomes.get(e.name) or sql_engine.Outcome(False, {}, [], "not evaluated")
        success = outcome.success and outcome.exception is None
        results.append(
            ExpectationResult(
                run_id=run_id,
                suite=suite.name,
                expectation=e.name,
                expectation_type=e.type,
                table_name=suite.table,
                year=int(year),
                severity=e.severity,
                success=success,
                observed_value=_observed(outcome),
                unexpected_count=_unexpected_count(outcome),
                element_count=outcome.result.get("element_count"),
                sample_rows=outcome.sample_rows,
                engine=engine_of.get(e.name, ""),
                description=str(e.meta.get("description", "")).strip(),
                description_zh=str(e.meta.get("description_zh", "")).strip(),
                exception=outcome.exception,
                expectation_config={"type": e.type, "kwargs": resolve_parameters(e.kwargs, parameters), "meta": e.meta},
                details=outcome.result,
                position=position,
                evaluated_at=evaluated_at,
            )
        )
    return SuiteResult(
        run_id=run_id,
        suite=suite.name,
        table_name=suite.table,
        year=int(year),
        results=results,
        seconds=round(time.perf_counter() - started, 3),
        engines=timings,
        rows=rows,
    )


def _observed(outcome: sql_engine.Outcome) -> Any:
    if outcome.exception:
        return {"exception": outcome.exception}
    result = outcome.result
    if "observed_value" in result:
        return result["observed_value"]
    if "unexpected_count" in result:
        return {
            "unexpected_count": result.get("unexpected_count"),
            "unexpected_percent": result.get("unexpected_percent"),
            "element_count": result.get("element_count"),
        }
    return None


def _unexpected_count(outcome: sql_engine.Outcome) -> int | None:
    result = outcome.result
    if "unexpected_count" in result:
        return result["unexpected_count"]
    value = result.get("observed_value")
    # An unexpected_rows_expectation observes its number of offending rows.
    if isinstance(value, int) and "details" in result:
        return value
    return None


def validate(
    warehouse: Path | str,
    suites: Iterable[Suite | str],
    year: int,
    **options: Any,
) -> list[SuiteResult]:
    """Open the warehouse read-only and run each suite on `year`."""
    with connect(Path(warehouse), read_only=True) as con:
        return [run_suite(con, suite, year, **options) for suite in suites]
