"""Great Expectations 1.x on a pandas batch read from DuckDB.

GX's SQL datasource does not work on DuckDB (duckdb-engine results come back
empty, stack notes P5), so the batch is the year's rows of the table, only
the columns the expectations read plus the columns that locate a row, read
through Arrow from a read-only connection. One ephemeral context per process
(creating it and importing GX take seconds; validating a batch is fast).
"""

from __future__ import annotations

import logging
import os
import threading
from typing import Any

import duckdb

from pipeline.gates.results import plain
from pipeline.gates.sql_engine import Outcome, q
from pipeline.gates.suites import Expectation, Suite

os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")

_lock = threading.Lock()
_context = None
DATASOURCE = "warehouse"


def context():
    """The process's ephemeral GX context, progress bars off, one pandas datasource."""
    global _context
    with _lock:
        if _context is None:
            import great_expectations as gx

            logging.getLogger("great_expectations").setLevel(logging.WARNING)
            ctx = gx.get_context(mode="ephemeral")
            ctx.variables.progress_bars = {"globally": False, "metric_calculations": False}
            ctx.data_sources.add_or_update_pandas(DATASOURCE)
            _context = ctx
        return _context


def read_batch(con: duckdb.DuckDBPyConnection, table: str, year: int, columns: list[str]):
    """The year's rows of `table` as a pandas frame (Arrow-backed strings: a tenth of the memory of objects)."""
    select = ", ".join(q(c) for c in columns) if columns else "year"
    return con.sql(f"SELECT {select} FROM {table} WHERE year = ?", params=[year]).to_arrow_table().to_pandas()


def validate(
    frame,
    suite: Suite,
    expectations: list[Expectation],
    parameters: dict[str, Any],
    id_columns: list[str],
    sample_size: int,
) -> dict[str, Outcome]:
    """Validate `frame` with GX against `expectations`; outcomes by expectation name."""
    import great_expectations as gx

    ctx = context()
    with _lock:
        source = ctx.data_sources.get(DATASOURCE)
        asset_name = suite.name
        try:
            asset = source.get_asset(asset_name)
        except LookupError:
            asset = source.add_dataframe_asset(asset_name)
        try:
            batch_definition = asset.get_batch_definition("year")
        except (KeyError, LookupError):
            batch_definition = asset.add_batch_definition_whole_dataframe("year")
    gx_suite = gx.ExpectationSuite(name=suite.name, expectations=[e.to_gx_dict() for e in expectations])
    batch = batch_definition.get_batch(batch_parameters={"dataframe": frame})
    result_format: dict[str, Any] = {"result_format": "SUMMARY", "partial_unexpected_count": sample_size}
    if id_columns:
        result_format["unexpected_index_column_names"] = list(id_columns)
    validation = batch.validate(gx_suite, result_format=result_format, expectation_parameters=parameters)
    outcomes: dict[str, Outcome] = {}
    for item in validation.results:
        name = item.expectation_config.meta["name"]
        result = plain(dict(item.result or {}))
        exception = None
        info = item.exception_info or {}
        if info.get("raised_exception"):
            exception = info.get("exception_message") or "GX raised an exception"
        samples = [_typed(row, frame) for row in result.get("partial_unexpected_index_list") or []]
        if samples:
            result["partial_unexpected_index_list"] = samples
        outcomes[name] = Outcome(bool(item.success), result, samples, exception)
    return outcomes


def _typed(row: dict[str, Any], frame) -> dict[str, Any]:
    """GX hands index columns back as text ("12" for row 12): give integer columns their type back."""
    out = {}
    for key, value in row.items():
        if isinstance(value, str) and key in frame.columns and str(frame[key].dtype).lower().startswith(("int", "uint")):
            try:
                value = int(value)
            except ValueError:
                pass
        out[key] = value
    return out
