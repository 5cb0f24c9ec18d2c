"""Warehouses for the report tests.

- `demo_warehouse` (session): the demo census (data/raw, 2023 and 2024, three counties) loaded by the
  real ingestion and built by the real dbt project (models and seeds; its data tests run elsewhere),
  ~20 s; tests open it read-only.
- `planted(*sql)`: a copy of it with SQL statements applied (edge cases the demo does not have).
- `demo_reports` (session): the Chinese and English reports of every county of 2024, written once.
"""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import duckdb
import pytest

from tests.demo_warehouse import build_demo_warehouse

COUNTY = "539901"
YEAR = 2024


@pytest.fixture(scope="session")
def demo_warehouse(tmp_path_factory) -> Path:
    return build_demo_warehouse(tmp_path_factory.mktemp("report_warehouse"))


@pytest.fixture
def con(demo_warehouse) -> Iterator[duckdb.DuckDBPyConnection]:
    connection = duckdb.connect(str(demo_warehouse), read_only=True)
    yield connection
    connection.close()


@pytest.fixture
def planted(tmp_path, demo_warehouse) -> Callable[..., duckdb.DuckDBPyConnection]:
    """A read-only connection to a copy of the demo warehouse on which `statements` were executed."""
    opened: list[duckdb.DuckDBPyConnection] = []

    def _planted(*statements: str) -> duckdb.DuckDBPyConnection:
        database = tmp_path / f"planted-{uuid.uuid4().hex[:8]}.duckdb"
        shutil.copyfile(demo_warehouse, database)
        with duckdb.connect(str(database)) as rw:
            for statement in statements:
                rw.execute(statement)
        connection = duckdb.connect(str(database), read_only=True)
        opened.append(connection)
        return connection

    yield _planted
    for connection in opened:
        connection.close()


@pytest.fixture(scope="session")
def demo_reports(demo_warehouse, tmp_path_factory) -> dict[tuple[str, str], object]:
    """{(county, lang): ReportFiles} for every county of 2024, Chinese and English."""
    from pipeline.report.batch import write_reports

    out = tmp_path_factory.mktemp("reports")
    files = write_reports(demo_warehouse, YEAR, out, "zh") + write_reports(demo_warehouse, YEAR, out, "en")
    return {(f.county_code, f.lang): f for f in files}
