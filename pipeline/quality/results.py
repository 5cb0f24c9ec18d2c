"""Results of a validation, and the table `audit.quality_results` that keeps every one of them.

Validation reads the warehouse read-only; storing the results needs the
writer, so `write_results` is a separate call made by whoever holds the
read-write connection (the Dagster check after its read, or the CLI).
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import duckdb

QUALITY_DDL = """
CREATE SCHEMA IF NOT EXISTS audit;
CREATE TABLE IF NOT EXISTS audit.quality_results (
    run_id VARCHAR NOT NULL,
    suite VARCHAR NOT NULL,
    expectation VARCHAR NOT NULL,
    expectation_type VARCHAR NOT NULL,
    table_name VARCHAR NOT NULL,
    year INTEGER NOT NULL,
    severity VARCHAR NOT NULL,
    success BOOLEAN NOT NULL,
    observed_value JSON,
    unexpected_count BIGINT,
    element_count BIGINT,
    sample_rows JSON,
    engine VARCHAR,
    description VARCHAR,
    description_zh VARCHAR,
    exception VARCHAR,
    expectation_config JSON,
    details JSON,
    position INTEGER,
    evaluated_at TIMESTAMP WITH TIME ZONE NOT NULL
);
"""
COLUMNS = [
    "run_id",
    "suite",
    "expectation",
    "expectation_type",
    "table_name",
    "year",
    "severity",
    "success",
    "observed_value",
    "unexpected_count",
    "element_count",
    "sample_rows",
    "engine",
    "description",
    "description_zh",
    "exception",
    "expectation_config",
    "details",
    "position",
    "evaluated_at",
]
JSON_COLUMNS = {"observed_value", "sample_rows", "expectation_config", "details"}


def plain(value: Any) -> Any:
    """A JSON-able copy: numpy/pandas scalars to Python, NaN to None, dates to ISO text."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, float):
        return None if math.isnan(value) or math.isinf(value) else value
    if isinstance(value, int):
        return value
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [plain(v) for v in value]
    if hasattr(value, "item"):  # numpy scalar
        try:
            return plain(value.item())
        except (ValueError, TypeError):
            pass
    if hasattr(value, "to_json_dict"):
        return plain(value.to_json_dict())
    try:
        import pandas as pd

        if pd.isna(value):
            return None
    except (ImportError, TypeError, ValueError):
        pass
    return str(value)


@dataclass
class ExpectationResult:
    """One expectation evaluated on one table and year."""

    run_id: str
    suite: str
    expectation: str
    expectation_type: str
    table_name: str
    year: int
    severity: str
    success: bool
    observed_value: Any = None
    unexpected_count: int | None = None
    element_count: int | None = None
    sample_rows: list[dict[str, Any]] = field(default_factory=list)
    engine: str = ""
    description: str = ""
    description_zh: str = ""
    exception: str | None = None
    expectation_config: dict[str, Any] = field(default_factory=dict)
    # GX's `result` dict (or the SQL engine's equivalent): what the data docs render.
    details: dict[str, Any] = field(default_factory=dict)
    # Order of the expectation in its suite file.
    position: int = 0
    evaluated_at: datetime = field(default_factory=lambda: datetime.now(UTC))

    @property
    def blocking(self) -> bool:
        return not self.success and self.severity == "error"

    def row(self) -> list[Any]:
        values = asdict(self)
        return [json.dumps(plain(values[c]), ensure_ascii=False) if c in JSON_COLUMNS else values[c] for c in COLUMNS]


@dataclass
class SuiteResult:
    """A suite validated on one table and year: every expectation's result, in the suite's order."""

    run_id: str
    suite: str
    table_name: str
    year: int
    results: list[ExpectationResult]
    seconds: float = 0.0
    engines: dict[str, float] = field(default_factory=dict)
    rows: int | None = None

    @property
    def errors(self) -> list[ExpectationResult]:
        return [r for r in self.results if not r.success and r.severity == "error"]

    @property
    def warnings(self) -> list[ExpectationResult]:
        return [r for r in self.results if not r.success and r.severity == "warn"]

    @property
    def success(self) -> bool:
        """No error-severity expectation failed (warnings do not block)."""
        return not self.errors

    @property
    def failures(self) -> list[ExpectationResult]:
        return [r for r in self.results if not r.success]


def ensure_quality_table(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(QUALITY_DDL)


def write_results(
    con: duckdb.DuckDBPyConnection, results: SuiteResult | list[SuiteResult] | list[ExpectationResult]
) -> int:
    """Append results to `audit.quality_results` (creating it if needed); needs a read-write connection."""
    if isinstance(results, SuiteResult):
        rows = results.results
    else:
        rows = [r for item in results for r in (item.results if isinstance(item, SuiteResult) else [item])]
    ensure_quality_table(con)
    if not rows:
        return 0
    placeholders = ", ".join("?" for _ in COLUMNS)
    con.execute("BEGIN TRANSACTION")
    try:
        con.executemany(
            f"INSERT INTO audit.quality_results ({', '.join(COLUMNS)}) VALUES ({placeholders})",
            [r.row() for r in rows],
        )
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return len(rows)


def _from_row(names: list[str], values: tuple) -> ExpectationResult:
    record = dict(zip(names, values))
    for column in JSON_COLUMNS:
        if isinstance(record.get(column), str):
            record[column] = json.loads(record[column])
    record["sample_rows"] = record.get("sample_rows") or []
    record["expectation_config"] = record.get("expectation_config") or {}
    record["details"] = record.get("details") or {}
    return ExpectationResult(**record)


def has_quality_table(con: duckdb.DuckDBPyConnection) -> bool:
    return bool(
        con.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'audit' AND table_name = 'quality_results'"
        ).fetchone()[0]
    )


def load_results(
    con: duckdb.DuckDBPyConnection,
    run_ids: list[str] | None = None,
    years: list[int] | None = None,
    suites: list[str] | None = None,
    latest: bool = False,
    failed_only: bool = False,
) -> list[ExpectationResult]:
    """Results from `audit.quality_results`; `latest` keeps only the last run of each suite and year."""
    if not has_quality_table(con):
        return []
    where, params = ["true"], []
    if run_ids is not None:
        where.append("run_id IN (SELECT unnest(?::VARCHAR[]))")
        params.append(list(run_ids))
    if years is not None:
        where.append("year IN (SELECT unnest(?::INTEGER[]))")
        params.append(list(years))
    if suites is not None:
        where.append("suite IN (SELECT unnest(?::VARCHAR[]))")
        params.append(list(suites))
    if failed_only:
        where.append("NOT success")
    query = f"SELECT {', '.join(COLUMNS)} FROM audit.quality_results WHERE {' AND '.join(where)}"
    if latest:
        # The results of one suite run share their evaluated_at: keep the last run of each suite and year.
        query += " QUALIFY evaluated_at = max(evaluated_at) OVER (PARTITION BY suite, year)"
    cursor = con.execute(query + " ORDER BY year, suite, evaluated_at, position", params)
    names = [d[0] for d in cursor.description]
    return [_from_row(names, row) for row in cursor.fetchall()]
