"""The `raw` tables of the census and the one transaction that replaces a year of them."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

import duckdb
import polars as pl

from pipeline.ingest.contract import SQL_TYPES, Contract
from pipeline.warehouse.db import ensure_audit


def raw_table_ddl(contract: Contract) -> str:
    statements = ["CREATE SCHEMA IF NOT EXISTS raw;"]
    for table in contract.tables.values():
        columns = ["year INTEGER NOT NULL"]
        columns += [f"{c.stored_name} {SQL_TYPES[c.type]}" for c in table.stored_columns]
        columns += ["extra JSON", "source_file VARCHAR NOT NULL", "source_sheet VARCHAR", "source_row BIGINT NOT NULL"]
        statements.append(f"CREATE TABLE IF NOT EXISTS raw.{table.name} ({', '.join(columns)});")
    return "\n".join(statements)


def ensure_schema(con: duckdb.DuckDBPyConnection, contract: Contract) -> None:
    con.execute(raw_table_ddl(contract))
    ensure_audit(con)


@contextmanager
def year_transaction(
    con: duckdb.DuckDBPyConnection, contract: Contract, year: int
) -> Iterator[Callable[[str, pl.DataFrame], None]]:
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
