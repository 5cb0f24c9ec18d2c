"""Great Expectations 1.x on a pandas batch read from DuckDB.

GX's SQL datasource does not work on DuckDB (duckdb-engine results come back
empty, stack notes P5), so the batch is the year's rows of the table, only
the columns the expectations read plus the columns that locate a row, read
through Arrow from a read-only connection. One ephemeral context per process,
one pandas datasource, one dataframe asset and batch definition per suite,
all made once and reused by every later validation.

What GX did that we do not use, and is skipped (nation-size year, 2 cores):

- Start-up is mostly `import great_expectations` (4.5-6 s here, where the
  site-packages have no bytecode caches). 1.2-2 s of it was SciPy's
  `scipy.stats`, which three expectations and metrics the suites do not use
  (KL divergence, KS tests) import only to call inside their functions:
  while GX is imported, `scipy.stats` is a stand-in module that imports the
  real one on first use (`_deferred_module`). Pandas (about 1 s) is needed.
- GX fingerprints every pandas batch (md5 of `hash_pandas_object` over the
  whole frame, a batch marker we never read), and `Batch.validate` built the
  batch a second time and fingerprinted it again. The fingerprint is off
  (`HASH_THRESHOLD`) and the validation runs from the batch definition
  (what `Batch.validate` does inside), so the batch is built once.
- With `unexpected_index_column_names`, GX also builds the query text that
  selects every offending row (`unexpected_index_query`, a boolean filter
  of the whole frame per expectation), which the SUMMARY result leaves out:
  `return_unexpected_index_query: False` skips it. The result is the same.
- `expect_column_values_to_be_between` compares value by value in Python
  unless the column is int64 or float64: narrower integer columns (DuckDB
  INTEGER, SMALLINT) are widened to int64, the same values.
"""

from __future__ import annotations

import contextlib
import importlib
import importlib.util
import logging
import os
import sys
import threading
import types
from collections.abc import Iterator
from typing import Any

import duckdb

from pipeline.quality.results import plain
from pipeline.quality.sql_engine import Outcome, q
from pipeline.quality.suites import Expectation, Suite

os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")

_lock = threading.Lock()
# Suites validated side by side (pipeline.defs.quality_checks) take turns in GX, whose validator is not known to be
# thread-safe; their SQL, and the reading of their batches, runs at once.
_validating = threading.Lock()
_context = None
_batch_definitions: dict[str, Any] = {}
DATASOURCE = "warehouse"
BATCH_DEFINITION = "year"
# Imported by GX at start-up but only used inside expectations the suites do not use.
DEFERRED_MODULES = ("scipy.stats",)


class _DeferredModule(types.ModuleType):
    """Stands in for a module while GX is imported; the first attribute read imports the real one."""

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.__dict__["_deferred_lock"] = threading.Lock()

    def __getattr__(self, attribute: str) -> Any:
        if attribute.startswith("_deferred"):
            raise AttributeError(attribute)
        with self.__dict__["_deferred_lock"]:
            if sys.modules.get(self.__name__) is self:
                del sys.modules[self.__name__]
            real = importlib.import_module(self.__name__)
        return getattr(real, attribute)


@contextlib.contextmanager
def _deferred_module(*names: str) -> Iterator[None]:
    """While the block runs, `import name` (of a module not yet imported) binds a `_DeferredModule`."""
    placed = []
    for name in names:
        if name in sys.modules:
            continue
        try:
            found = importlib.util.find_spec(name.split(".")[0]) is not None
        except (ImportError, ValueError):
            found = False
        if found:
            sys.modules[name] = _DeferredModule(name)
            placed.append(name)
    try:
        yield
    finally:
        for name in placed:  # later importers get the real module; GX keeps its stand-in
            if isinstance(sys.modules.get(name), _DeferredModule):
                del sys.modules[name]


def context():
    """The process's ephemeral GX context, progress bars off, one pandas datasource."""
    global _context
    with _lock:
        if _context is None:
            with _deferred_module(*DEFERRED_MODULES):
                import great_expectations as gx
            from great_expectations.execution_engine import pandas_execution_engine

            # No md5 fingerprint of every batch (a batch marker we never read).
            pandas_execution_engine.HASH_THRESHOLD = 0
            logging.getLogger("great_expectations").setLevel(logging.WARNING)
            ctx = gx.get_context(mode="ephemeral")
            ctx.variables.progress_bars = {"globally": False, "metric_calculations": False}
            ctx.data_sources.add_or_update_pandas(DATASOURCE)
            _context = ctx
        return _context


def start_in_background() -> None:
    """Import GX and make the context in a thread now, so that the first gate does not wait for it.

    Started by the ingestion step: its threads wait on polars and DuckDB most of the time, while
    the import (a second or two of Python) would otherwise run on one core after it, the other idle.
    """
    threading.Thread(target=context, name="gx-context", daemon=True).start()


def _batch_definition(suite_name: str):
    """The suite's dataframe asset and whole-dataframe batch definition, made on first use."""
    ctx = context()
    with _lock:
        if suite_name not in _batch_definitions:
            source = ctx.data_sources.get(DATASOURCE)
            try:
                asset = source.get_asset(suite_name)
            except LookupError:
                asset = source.add_dataframe_asset(suite_name)
            try:
                definition = asset.get_batch_definition(BATCH_DEFINITION)
            except (KeyError, LookupError):
                definition = asset.add_batch_definition_whole_dataframe(BATCH_DEFINITION)
            _batch_definitions[suite_name] = definition
        return _batch_definitions[suite_name]


def read_batch(con: duckdb.DuckDBPyConnection, table: str, year: int, columns: list[str]):
    """The year's rows of `table` as a pandas frame (Arrow-backed strings: a tenth of the memory of objects)."""
    select = ", ".join(q(c) for c in columns) if columns else "year"
    frame = con.sql(f"SELECT {select} FROM {table} WHERE year = ?", params=[year]).to_arrow_table().to_pandas()
    # GX's between-check is vectorised for int64 and float64 only (value by value in Python otherwise).
    for column in frame.columns:
        if str(frame[column].dtype) in ("int8", "int16", "int32", "uint8", "uint16", "uint32"):
            frame[column] = frame[column].astype("int64")
    return frame


def validate(
    frame,
    suite: Suite,
    expectations: list[Expectation],
    parameters: dict[str, Any],
    id_columns: list[str],
    sample_size: int,
) -> dict[str, Outcome]:
    """Validate `frame` with GX against `expectations`; outcomes by expectation name."""
    batch_definition = _batch_definition(suite.name)  # imports GX the first time (see context())
    import great_expectations as gx
    from great_expectations.validator.v1_validator import Validator

    gx_suite = gx.ExpectationSuite(name=suite.name, expectations=[e.to_gx_dict() for e in expectations])
    # SUMMARY keeps the first offending values and rows; GX would also build the query text of every
    # offending row (`unexpected_index_query`), which SUMMARY then leaves out of the result.
    result_format: dict[str, Any] = {
        "result_format": "SUMMARY",
        "partial_unexpected_count": sample_size,
        "return_unexpected_index_query": False,
    }
    if id_columns:
        result_format["unexpected_index_column_names"] = list(id_columns)
    # What `batch_definition.get_batch(...).validate(...)` runs, without building the batch twice.
    with _validating:
        validator = Validator(
            batch_definition=batch_definition, batch_parameters={"dataframe": frame}, result_format=result_format
        )
        validation = validator.validate_expectation_suite(gx_suite, expectation_parameters=parameters)
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
        if (
            isinstance(value, str)
            and key in frame.columns
            and str(frame[key].dtype).lower().startswith(("int", "uint"))
        ):
            try:
                value = int(value)
            except ValueError:
                pass
        out[key] = value
    return out
