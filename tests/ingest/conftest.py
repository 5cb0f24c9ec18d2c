"""Small census files written by the tests themselves, and a real DuckDB to load them into."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from pathlib import Path

import duckdb
import pytest

from pipeline.ingest.year import YearLoad, load_year
from pipeline.warehouse.db import connect
from tests.census_files import SCHOOLS, write_delimited


@pytest.fixture
def raw_dir(tmp_path: Path) -> Path:
    """A raw folder whose year 2024 holds the three schools above."""
    write_delimited(tmp_path / "raw" / "2024" / "schools.csv", SCHOOLS)
    return tmp_path / "raw"


@pytest.fixture
def ingest(tmp_path: Path) -> Callable[..., tuple[YearLoad, duckdb.DuckDBPyConnection]]:
    """Load a year of `raw_dir` into a fresh warehouse file; returns the load and an open connection."""
    opened: list[duckdb.DuckDBPyConnection] = []

    def _ingest(raw_dir: Path, year: int = 2024, salt: str | None = None, warehouse: Path | None = None):
        con = connect(warehouse or tmp_path / "warehouse.duckdb")
        opened.append(con)
        return load_year(con, raw_dir, year, str(uuid.uuid4()), salt), con

    yield _ingest
    for con in opened:
        con.close()


def rejected(con: duckdb.DuckDBPyConnection, table: str | None = None) -> list[tuple]:
    """(file, row, column, value, reason) of the rejected rows, in file order."""
    where = "WHERE table_name = ?" if table else ""
    return con.execute(
        f"SELECT source_file, source_row, column_name, value, reason FROM audit.rejected_rows {where} "
        "ORDER BY source_file, source_row, column_name",
        [table] if table else [],
    ).fetchall()


def load_row(con: duckdb.DuckDBPyConnection, source_file: str) -> dict:
    cursor = con.execute(
        "SELECT * FROM audit.loads WHERE source_file = ? ORDER BY loaded_at DESC LIMIT 1", [source_file]
    )
    names = [d[0] for d in cursor.description]
    return dict(zip(names, cursor.fetchone()))
