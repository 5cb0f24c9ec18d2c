"""The DuckDB side of ingestion: the `raw` and `audit` tables and the one transaction that replaces a year."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import polars as pl

from pipeline.ingest.contract import SQL_TYPES, Contract

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


def raw_table_ddl(contract: Contract) -> str:
    statements = ["CREATE SCHEMA IF NOT EXISTS raw;"]
    for table in contract.tables.values():
        columns = ["year INTEGER NOT NULL"]
        columns += [f"{c.stored_name} {SQL_TYPES[c.type]}" for c in table.stored_columns]
        columns += ["extra JSON", "source_file VARCHAR NOT NULL", "source_sheet VARCHAR", "source_row BIGINT NOT NULL"]
        statements.append(f"CREATE TABLE IF NOT EXISTS raw.{table.name} ({', '.join(columns)});")
    return "\n".join(statements)


def ensure_schema(con: duckdb.DuckDBPyConnection, contract: Contract) -> None:
    con.execute(raw_table_ddl(contract) + AUDIT_DDL)


@contextmanager
def year_transaction(con: duckdb.DuckDBPyConnection, contract: Contract, year: int) -> Iterator[Callable[[str, pl.DataFrame], None]]:
    """Delete a year's rows, then yield `insert(table, frame)`; all of it is committed at the end, or none.

    Readers see the old year or the new one, never a mix; an error anywhere in
    the block (a file that fails a check, a kill) leaves the previous load.
    """
    ensure_schema(con, contract)
    con.execute("BEGIN TRANSACTION")
    try:
        for name in contract.tables:
            delete_year(con, f"raw.{name}", year)
        delete_year(con, "audit.rejected_rows", year)
        delete_year(con, "audit.blocked_counties", year)
        yield lambda target, frame: _insert(con, target, frame)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise


def delete_year(con: duckdb.DuckDBPyConnection, table: str, year: int) -> None:
    con.execute(f"DELETE FROM {table} WHERE year = ?", [year])


def _insert(con: duckdb.DuckDBPyConnection, target: str, frame: pl.DataFrame) -> None:
    if frame.height:
        # Arrow string views, polars' own layout, which DuckDB reads as they are: registering the frame
        # itself would first copy every string into Arrow's older layout (a second of CPU per 10 M rows).
        con.register("incoming", frame.to_arrow(compat_level=pl.CompatLevel.newest()))
        con.execute(f"INSERT INTO {target} BY NAME SELECT * FROM incoming")
        con.unregister("incoming")


def replace_year(
    con: duckdb.DuckDBPyConnection,
    contract: Contract,
    year: int,
    tables: dict[str, pl.DataFrame],
    rejected: pl.DataFrame,
    loads: pl.DataFrame,
) -> None:
    """Swap in a year's rows, all tables at once, in one transaction."""
    with year_transaction(con, contract, year) as insert:
        for name in contract.tables:
            frame = tables.get(name)
            if frame is not None:
                insert(f"raw.{name}", frame)
        insert("audit.rejected_rows", rejected)
        insert("audit.loads", loads)
