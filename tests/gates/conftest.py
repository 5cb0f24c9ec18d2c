"""Warehouses for the gate tests: the demo census loaded by the real ingestion, then defects planted.

- `clean_raw`: data/raw/2023 and 2024 loaded with `load_year` (once per session);
- `clean_marts`: the same plus the real dbt marts (`dbt build` once per session);
- `planted(base, *sql)`: a copy of a clean warehouse with SQL statements applied;
- `load_years(raw_dir)`: a warehouse from census files a test wrote or changed.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import uuid
from collections.abc import Callable
from pathlib import Path

import duckdb
import pytest

from pipeline.ingest.year import load_year
from pipeline.quality import SuiteResult
from pipeline.warehouse.db import connect

REPO = Path(__file__).resolve().parents[2]
DEMO_RAW = REPO / "data" / "raw"
YEARS = (2023, 2024)


def load_raw_dir(raw_dir: Path, database: Path, years=YEARS) -> Path:
    with connect(database) as con:
        for year in years:
            load_year(con, raw_dir, year, f"test-load-{uuid.uuid4()}", salt=None)
    return database


def run_dbt_build(database: Path, workdir: Path) -> None:
    """The project's real dbt models on `database` (every year in raw)."""
    dbt = Path(sys.executable).with_name("dbt")
    # The profile reads the build database (or, in older versions, the warehouse) from the environment.
    env = {
        **os.environ,
        "EQUITY_WAREHOUSE": str(database),
        "EQUITY_BUILD_DATABASE": str(database),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "False",
        "DBT_USE_COLORS": "False",
        "DBT_VERSION_CHECK": "False",
    }
    project = REPO / "dbt_project"
    done = subprocess.run(
        [
            str(dbt),
            "build",
            "--project-dir",
            str(project),
            "--profiles-dir",
            str(project),
            "--target-path",
            str(workdir / "target"),
            "--log-path",
            str(workdir / "logs"),
        ],
        cwd=workdir,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    if done.returncode != 0:
        raise AssertionError(f"dbt build failed on the demo warehouse:\n{done.stdout[-5000:]}\n{done.stderr[-2000:]}")


@pytest.fixture(scope="session")
def clean_raw(tmp_path_factory) -> Path:
    return load_raw_dir(DEMO_RAW, tmp_path_factory.mktemp("clean_raw") / "warehouse.duckdb")


@pytest.fixture(scope="session")
def clean_marts(tmp_path_factory, clean_raw) -> Path:
    workdir = tmp_path_factory.mktemp("clean_marts")
    database = workdir / "warehouse.duckdb"
    shutil.copyfile(clean_raw, database)
    run_dbt_build(database, workdir)
    return database


@pytest.fixture
def planted(tmp_path) -> Callable[..., Path]:
    """A copy of `base` with each SQL statement executed on it."""

    def _planted(base: Path, *statements: str) -> Path:
        database = tmp_path / f"planted-{uuid.uuid4().hex[:8]}.duckdb"
        shutil.copyfile(base, database)
        with duckdb.connect(str(database)) as con:
            for statement in statements:
                con.execute(statement)
        return database

    return _planted


@pytest.fixture
def raw_copy(tmp_path) -> Path:
    """A copy of the demo census files that a test may change."""
    target = tmp_path / "raw"
    shutil.copytree(DEMO_RAW, target, ignore=shutil.ignore_patterns("README.md"))
    return target


def failing(result: SuiteResult) -> dict[str, str]:
    """{expectation: severity} of the failed expectations."""
    return {r.expectation: r.severity for r in result.results if not r.success}


def replace_cell(path: Path, row: int, column: str, value: str) -> str:
    """Set a cell of a UTF-8 comma CSV (row numbered as a spreadsheet shows it: header = 1); returns the old value."""
    lines = path.read_text(encoding="utf-8").splitlines()
    header = lines[0].lstrip("\ufeff").split(",")
    cells = lines[row - 1].split(",")
    old = cells[header.index(column)]
    cells[header.index(column)] = value
    lines[row - 1] = ",".join(cells)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return old
