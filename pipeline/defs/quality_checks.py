"""The quality gates as Dagster asset checks: one blocking check per validated asset.

    from pipeline.defs.quality_checks import build_quality_checks
    dg.Definitions(..., asset_checks=build_quality_checks())

Each check runs the asset's suite (expectations/<suite>.yml) on the year of
the run's partition, through `pipeline.quality`. The checks of one layer (the
raw tables, the marts) run in one Dagster step, `raw_quality_gates` or
`marts_quality_gates`: eleven steps each opening the warehouse twice and
rewriting the docs cost more than the suites of a small year, and in one
step the suites run side by side (one table's SQL in DuckDB while another's
GX validation holds the interpreter).

- the step reads the warehouse read-only, then (holding the writer for a
  moment) appends the results to `audit.quality_results` and rebuilds the
  data docs overview beside the warehouse file (`quality_docs/index.html`);
  Great Expectations' own pages (a second or two to render) are rebuilt by a
  step that found failures, and once per run when the year is published
  (`rebuild_docs`);
- a failed `error` expectation makes its check fail with severity ERROR;
  the checks are `blocking=True`, so Dagster stops the run before any asset
  downstream of the checked one (the dbt models of that year): the marts of
  the last good load stay as they were;
- failed `warn` expectations only: the check fails with severity WARN,
  nothing is blocked;
- metadata: the failed expectations with their severity, observed values,
  sample offending rows (file and row number for raw tables), the same as
  text, and the path of the data docs.

A check is named after its suite: `raw/classes:raw_classes` runs
`expectations/raw_classes.yml`, `marts/county_cv:marts_county_cv` runs
`expectations/marts_county_cv.yml`.
"""

import logging
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import dagster as dg
import duckdb

from pipeline.defs.resources import WarehouseResource
from pipeline.quality import (
    MART_SUITES,
    RAW_SUITES,
    SUITES_DIR,
    Suite,
    SuiteResult,
    build_docs,
    load_suite,
    render_failures,
    run_suite,
    write_results,
)
from pipeline.quality.counties import failing_counties, hold_back_failing

log = logging.getLogger(__name__)

DOCS_FOLDER = "quality_docs"
SAMPLE_ROWS_IN_METADATA = 5
# Suites of one layer validated at once: the machines this runs on have two cores or more.
GATE_THREADS = 2


def docs_dir_for(warehouse_path: str | Path) -> Path:
    """The data docs folder of a warehouse: `quality_docs/` beside the DuckDB file."""
    return Path(warehouse_path).resolve().parent / DOCS_FOLDER


def check_result(
    result: SuiteResult,
    docs_index: Path | None = None,
    stored: bool | None = None,
    asset_key: dg.AssetKey | None = None,
    check_name: str | None = None,
    held_back: list[str] | None = None,
) -> dg.AssetCheckResult:
    """A suite's result as Dagster reports it: ERROR if an error expectation failed, WARN if only warnings,
    or if the counties of the failing rows are `held_back` (the year goes on without them)."""
    failures = result.failures
    if result.errors and not held_back:
        passed, severity = False, dg.AssetCheckSeverity.ERROR
    elif failures:
        passed, severity = False, dg.AssetCheckSeverity.WARN
    else:
        passed, severity = True, dg.AssetCheckSeverity.ERROR
    failed = [
        {
            "expectation": r.expectation,
            "severity": r.severity,
            "table": r.table_name,
            "observed_value": r.observed_value,
            "unexpected_count": r.unexpected_count,
            "description": r.description,
            "description_zh": r.description_zh,
        }
        for r in failures
    ]
    samples = {r.expectation: r.sample_rows[:SAMPLE_ROWS_IN_METADATA] for r in failures if r.sample_rows}
    metadata: dict[str, dg.MetadataValue] = {
        "suite": dg.MetadataValue.text(result.suite),
        "table": dg.MetadataValue.text(result.table_name),
        "year": dg.MetadataValue.int(result.year),
        "rows": dg.MetadataValue.int(result.rows or 0),
        "expectations": dg.MetadataValue.int(len(result.results)),
        "errors": dg.MetadataValue.int(len(result.errors)),
        "warnings": dg.MetadataValue.int(len(result.warnings)),
        "failed_expectations": dg.MetadataValue.json(failed),
        "sample_rows": dg.MetadataValue.json(samples),
        "seconds": dg.MetadataValue.float(result.seconds),
        "held_back_counties": dg.MetadataValue.json(held_back or []),
    }
    text = render_failures([result], samples=SAMPLE_ROWS_IN_METADATA)
    if text:
        metadata["failures"] = dg.MetadataValue.md(f"```\n{text}\n```")
    if docs_index is not None:
        metadata["data_docs"] = dg.MetadataValue.path(str(docs_index))
    if stored is not None:
        metadata["results_stored"] = dg.MetadataValue.bool(stored)
    summary = (
        f"{len(result.errors)} error(s): {', '.join(r.expectation for r in result.errors)}"
        if result.errors
        else f"{len(result.warnings)} warning(s): {', '.join(r.expectation for r in result.warnings)}"
        if failures
        else f"all {len(result.results)} expectations passed"
    )
    return dg.AssetCheckResult(
        passed=passed,
        severity=severity,
        metadata=metadata,
        description=summary,
        asset_key=asset_key,
        check_name=check_name,
    )


def _build_docs(con: duckdb.DuckDBPyConnection, docs_dir: Path, gx_site: bool) -> Path | None:
    try:
        return build_docs(con, docs_dir, gx_site=gx_site)
    except Exception:  # docs are a view of the stored results, never a reason to fail a step
        log.exception("data docs could not be built in %s", docs_dir)
        return None


def rebuild_docs(warehouse: WarehouseResource) -> Path | None:
    """The whole data docs site, GX's pages included, from the results stored so far (after publishing)."""
    with warehouse.connect() as con:
        return _build_docs(con, docs_dir_for(warehouse.path), gx_site=True)


def _store(
    warehouse: WarehouseResource, results: list[SuiteResult], docs_dir: Path | None, attempts: int = 5
) -> tuple[bool, Path | None]:
    """Append the results and rebuild the docs with a short-lived writer; retry while another process holds the file."""
    for attempt in range(attempts):
        try:
            with warehouse.connect() as con:
                for result in results:
                    write_results(con, result)
                gx_site = any(result.failures for result in results)
                index = _build_docs(con, docs_dir, gx_site=gx_site) if docs_dir is not None else None
                return True, index
        except duckdb.IOException as exc:
            if attempt == attempts - 1:
                log.error(
                    "quality results of %s not stored: %s", ", ".join(f"{r.suite} {r.year}" for r in results), exc
                )
                return False, None
            time.sleep(1 + attempt)
    return False, None


def _run_suites(
    con: duckdb.DuckDBPyConnection, suites: list[Suite], year: int, run_id: str, engine: str, sample_size: int
) -> list[SuiteResult]:
    """The suites side by side on two threads, each on a cursor of its own: one table's SQL runs while
    another's GX validation (one at a time, see gx_engine) holds the interpreter."""

    def run(suite: Suite) -> SuiteResult:
        with con.cursor() as cursor:
            return run_suite(cursor, suite, year, run_id=run_id, engine=engine, sample_size=sample_size)

    with ThreadPoolExecutor(max_workers=GATE_THREADS, thread_name_prefix="gate") as pool:
        return list(pool.map(run, suites))


def _reader(warehouse: WarehouseResource) -> duckdb.DuckDBPyConnection:
    try:
        return warehouse.connect(read_only=True)
    except duckdb.ConnectionException:  # this process already holds the file read-write
        return warehouse.connect()


def _hold_back_counties(
    warehouse: WarehouseResource,
    suites: list[Suite],
    results: list[SuiteResult],
    year: int,
    run_id: str,
    engine: str,
    sample_size: int,
) -> tuple[list[str], list[SuiteResult]]:
    """Hold back the counties whose rows fail (gates/counties.py) and validate again: the held counties and the new
    results when the suites then pass; nothing held when a failure is not rows of counties or persists."""
    with _reader(warehouse) as con:
        failures = failing_counties(con, suites, results)
    if failures is None:
        return [], []
    try:
        with warehouse.connect() as con:
            hold_back_failing(con, Path(warehouse.path), year, run_id, failures)
    except duckdb.Error as error:  # the published file cannot be read: the year is held back as a whole
        log.error("counties %s could not be held back: %s", ", ".join(sorted(failures)), error)
        return [], []
    with _reader(warehouse) as con:
        rerun = _run_suites(con, suites, year, run_id, engine, sample_size)
    return (sorted(failures), rerun) if not any(r.errors for r in rerun) else ([], [])


def _quality_gates(
    layer: str,
    suites: list[tuple[str, dg.AssetKey]],
    *,
    suites_dir: Path,
    partitions_def: dg.PartitionsDefinition | None,
    docs_dir: Path | str | None,
    build_data_docs: bool,
    store_results: bool,
    engine: str,
    sample_size: int,
    blocking: bool,
) -> dg.AssetChecksDefinition:
    loaded = [(load_suite(name, suites_dir), key) for name, key in suites]
    specs = []
    for suite, key in loaded:
        n_error = sum(e.severity == "error" for e in suite.expectations)
        specs.append(
            dg.AssetCheckSpec(
                suite.name,
                asset=key,
                description=(
                    f"Great Expectations suite `{suite.path.name if suite.path else suite.name}` on `{suite.table}` for the run's "
                    f"census year: {len(suite.expectations)} expectations, {n_error} of them `error` (blocking) and "
                    f"{len(suite.expectations) - n_error} `warn`."
                ),
                blocking=blocking,
                partitions_def=partitions_def,
                metadata={"suite": suite.name, "suite_file": str(suite.path) if suite.path else ""},
            )
        )

    @dg.multi_asset_check(
        specs=specs,
        name=f"{layer}_quality_gates",
        description=f"The quality gates of the {layer} tables, validated together on one read of the warehouse.",
        can_subset=True,
        pool="warehouse",
    )
    def _gates(context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource) -> Iterator[dg.AssetCheckResult]:
        if not context.has_partition_key:
            raise dg.Failure(f"{layer} quality gates: they validate one census year: run them with a year partition")
        year = int(context.partition_key)
        selected = [
            (suite, key)
            for suite, key in loaded
            if dg.AssetCheckKey(key, suite.name) in context.selected_asset_check_keys
        ]
        suites = [suite for suite, _ in selected]
        with _reader(warehouse) as con:
            results = _run_suites(con, suites, year, context.run.run_id, engine, sample_size)
        held: list[str] = []
        rerun: list[SuiteResult] = []
        if layer == "raw" and any(r.errors for r in results):
            held, rerun = _hold_back_counties(warehouse, suites, results, year, context.run.run_id, engine, sample_size)
            for county in held:
                context.log.warning(
                    f"{year}: county {county} held back by the raw quality gates (keeps its last good rows)"
                )
        stored, index = None, None
        if store_results:
            folder = Path(docs_dir) if docs_dir is not None else docs_dir_for(warehouse.path)
            stored, index = _store(warehouse, results + (rerun if held else []), folder if build_data_docs else None)
        for (suite, key), result in zip(selected, results):
            for r in result.failures:
                (context.log.error if r.severity == "error" else context.log.warning)(
                    f"{r.table_name} {year}: {r.expectation} failed ({r.severity})"
                )
            yield check_result(result, index, stored, asset_key=key, check_name=suite.name, held_back=held)

    return _gates


def build_quality_checks(
    *,
    raw_tables: Iterable[str] | None = None,
    mart_keys: Mapping[str, dg.AssetKey | str | Sequence[str]] | None = None,
    raw_key_prefix: Sequence[str] = ("raw",),
    suites_dir: Path | str = SUITES_DIR,
    partitions_def: dg.PartitionsDefinition | None = None,
    docs_dir: Path | str | None = None,
    build_data_docs: bool = True,
    store_results: bool = True,
    engine: str = "auto",
    sample_size: int = 10,
    blocking: bool = True,
) -> list[dg.AssetChecksDefinition]:
    """One check per raw table and per mart, named after its suite (`raw_classes`, `marts_county_cv`),
    in one multi-check per layer (raw tables, marts; a layer without suites has none).

    raw_tables: the raw tables to check (default: all seven), on assets `[*raw_key_prefix, table]`.
    mart_keys: mart name (a key of MART_SUITES: county_cv, school_stage_indicators,
        school_stage_summary, county_summary) -> the asset key Dagster gives that mart.
        Default: `["marts", name]` for each; `{}` for no mart checks.
    docs_dir: the data docs folder (default: `quality_docs/` beside the warehouse file).
    partitions_def: None (default): the check reads the census year from the run's
        partition key; `census_years` makes them Dagster partitioned checks (a preview
        feature of Dagster 1.13, with a PreviewWarning).
    engine, sample_size: see pipeline.quality.run_suite.
    The checks need the resource `warehouse: WarehouseResource`.
    """
    suites_dir = Path(suites_dir)
    tables = list(raw_tables) if raw_tables is not None else list(RAW_SUITES)
    marts = dict(mart_keys) if mart_keys is not None else {name: ["marts", name] for name in MART_SUITES}
    unknown = [t for t in tables if t not in RAW_SUITES] + [m for m in marts if m not in MART_SUITES]
    if unknown:
        raise ValueError(
            f"no suite for {', '.join(unknown)} (raw: {', '.join(RAW_SUITES)}; marts: {', '.join(MART_SUITES)})"
        )
    options = dict(
        suites_dir=suites_dir,
        partitions_def=partitions_def,
        docs_dir=docs_dir,
        build_data_docs=build_data_docs,
        store_results=store_results,
        engine=engine,
        sample_size=sample_size,
        blocking=blocking,
    )
    layers = {
        "raw": [(RAW_SUITES[t], dg.AssetKey([*raw_key_prefix, t])) for t in tables],
        "marts": [(MART_SUITES[m], dg.AssetKey.from_coercible(key)) for m, key in marts.items()],
    }
    return [_quality_gates(layer, suites, **options) for layer, suites in layers.items() if suites]


def failures_text(database: str | Path, run_ids: list[str], *, include_warnings: bool = True) -> str:
    """The failed expectations of some runs, as the CLI prints them ('' when none failed).

    `database` is the DuckDB file the runs wrote (with a build/published pair, the
    build database: a refused year's results are not published).
    """
    from pipeline.quality import load_results
    from pipeline.warehouse.db import connect

    with connect(Path(database), read_only=True) as con:
        results = load_results(con, run_ids=run_ids, failed_only=True)
    return render_failures(results, include_warnings=include_warnings)


__all__ = ["build_quality_checks", "check_result", "docs_dir_for", "failures_text"]
