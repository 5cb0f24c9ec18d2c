"""Connecting to a warehouse file, and the `audit` tables every run writes."""

from __future__ import annotations

import time
from pathlib import Path

import duckdb

# Analysts' tools lag behind the DuckDB we write with: files are created readable from DuckDB 1.4 on.
STORAGE_COMPATIBILITY = "v1.4.0"

AUDIT_DDL = """
CREATE SCHEMA IF NOT EXISTS audit;
CREATE TABLE IF NOT EXISTS audit.loads (
    run_id VARCHAR, year INTEGER, table_name VARCHAR, source_file VARCHAR, format VARCHAR, encoding VARCHAR,
    sha256 VARCHAR, rows_read BIGINT, rows_loaded BIGINT, rows_rejected BIGINT, status VARCHAR,
    reason VARCHAR, notes VARCHAR, loaded_at TIMESTAMP WITH TIME ZONE
);
CREATE TABLE IF NOT EXISTS audit.rejected_rows (
    run_id VARCHAR, year INTEGER, table_name VARCHAR, source_file VARCHAR, source_sheet VARCHAR,
    source_row BIGINT, column_name VARCHAR, value VARCHAR, reason VARCHAR, record JSON
);
CREATE TABLE IF NOT EXISTS audit.runs (
    run_id VARCHAR, years VARCHAR, started_at TIMESTAMP WITH TIME ZONE, ended_at TIMESTAMP WITH TIME ZONE,
    outcome VARCHAR, files BIGINT, files_refused BIGINT, rows_loaded BIGINT, rows_rejected BIGINT,
    published_at TIMESTAMP WITH TIME ZONE
);
CREATE TABLE IF NOT EXISTS audit.blocked_counties (
    run_id VARCHAR, year INTEGER, county_code VARCHAR, reason VARCHAR, reason_zh VARCHAR,
    data_as_of TIMESTAMP WITH TIME ZONE, blocked_at TIMESTAMP WITH TIME ZONE
);
"""


def connect(path: Path | str, read_only: bool = False, lock_wait_seconds: float = 30) -> duckdb.DuckDBPyConnection:
    """Open the warehouse; a new file is created in the storage format older clients read.

    Another process may hold the file for a moment (a dbt process finishing, a reader of
    the build database): lock conflicts are retried for `lock_wait_seconds` before failing.
    """
    path = Path(path)
    config: dict[str, object] = {"autoinstall_known_extensions": False}
    if not path.exists() and not read_only:
        path.parent.mkdir(parents=True, exist_ok=True)
        config["storage_compatibility_version"] = STORAGE_COMPATIBILITY
    deadline = time.monotonic() + lock_wait_seconds
    while True:
        try:
            return duckdb.connect(str(path), read_only=read_only, config=config)
        except duckdb.IOException as error:
            if "lock" not in str(error).lower() or time.monotonic() >= deadline:
                raise
            time.sleep(0.5)


def ensure_audit(con: duckdb.DuckDBPyConnection) -> None:
    """The audit schema and its tables, where they do not exist yet."""
    con.execute(AUDIT_DDL)
