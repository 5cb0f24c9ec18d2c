"""Data-quality gates: the suites of `expectations/` run on a table and year of the warehouse.

    from pipeline.quality import run_suite, write_results, build_docs, render_failures

    with connect(path, read_only=True) as con:          # validation only reads
        result = run_suite(con, "raw_classes", 2024)     # or a table name: "raw.classes"
    with connect(path) as con:                           # the writer stores and publishes
        write_results(con, result)
        build_docs(con, path.parent / "quality_docs")
    print(render_failures([result]))

`result.success` is False when an `error` expectation failed: the year must
not be published. See runner.py for which engine evaluates what, and
expectations/README.md for the suite format.
"""

from pipeline.quality.docs import build_docs
from pipeline.quality.failures import render_failures
from pipeline.quality.results import (
    QUALITY_DDL,
    ExpectationResult,
    SuiteResult,
    ensure_quality_table,
    load_results,
    write_results,
)
from pipeline.quality.runner import DEFAULT_GX_MAX_ROWS, run_suite, validate
from pipeline.quality.suites import SUITES_DIR, Suite, SuiteError, load_suite, load_suites, suite_for_table

RAW_SUITES = {
    "schools": "raw_schools",
    "classes": "raw_classes",
    "teachers": "raw_teachers",
    "facilities": "raw_facilities",
    "rooms": "raw_rooms",
    "finance": "raw_finance",
    "county": "raw_county",
}
MART_SUITES = {
    "county_cv": "marts_county_cv",
    "school_stage_indicators": "marts_school_stage_indicators",
    "school_stage_summary": "marts_school_stage_summary",
    "county_summary": "marts_county_summary",
}

__all__ = [
    "DEFAULT_GX_MAX_ROWS",
    "MART_SUITES",
    "QUALITY_DDL",
    "RAW_SUITES",
    "SUITES_DIR",
    "ExpectationResult",
    "Suite",
    "SuiteError",
    "SuiteResult",
    "build_docs",
    "ensure_quality_table",
    "load_results",
    "load_suite",
    "load_suites",
    "render_failures",
    "run_suite",
    "suite_for_table",
    "validate",
    "write_results",
]
