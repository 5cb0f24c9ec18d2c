"""Warehouses for the report tests.

- `demo_warehouse` (session): the demo census (data/raw, 2023 and 2024, three counties) loaded by the
  real ingestion and built by the real dbt project (models and seeds; its data tests run elsewhere),
  ~20 s; tests open it read-only.
- `planted(*sql)`: a copy of it with SQL statements applied (edge cases the demo does not have).
- `demo_reports` (session): the Chinese and English reports of every county of 2024, written once.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import duckdb
import pytest

from pipeline.ingest.warehouse import connect
from pipeline.ingest.year import load_year

REPO = Path(__file__).resolve().parents[2]
DEMO_RAW = REPO / "data" / "raw"
YEARS = (2023, 2024)
COUNTY = "539901"
YEAR = 2024


def build_demo_warehouse(workdir: Path) -> Path:
    database = workdir / "equity.duckdb"
    with connect(database) as con:
        for year in YEARS:
            load_year(con, DEMO_RAW, year, f"report-test-{uuid.uuid4()}", salt=None)
    dbt = Path(sys.executable).with_name("dbt")
    project = REPO / "dbt_project"
    env = {**os.environ, "EQUITY_WAREHOUSE": str(database), "EQUITY_BUILD_DATABASE": str(database),
           "DBT_SEND_ANONYMOUS_USAGE_STATS": "False", "DBT_USE_COLORS": "False", "DBT_VERSION_CHECK": "False"}
    done = subprocess.run(
        [str(dbt), "build", "--exclude-resource-type", "test", "--exclude-resource-type", "unit_test",
         "--project-dir", str(project), "--profiles-dir", str(project),
         "--target-path", str(workdir / "target"), "--log-path", str(workdir / "logs")],
        cwd=workdir, env=env, capture_output=True, text=True, timeout=900,
    )
    if done.returncode != 0:
        raise AssertionError(f"dbt build failed on the demo census:\n{done.stdout[-5000:]}\n{done.stderr[-2000:]}")
    return database


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
