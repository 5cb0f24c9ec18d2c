"""A small two-year census, built once per session through the real `equity run`, copied per test."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from tests.census_files import write_small_census


def equity(*args: str, home: Path, env_extra: dict[str, str] | None = None, **popen) -> subprocess.CompletedProcess:
    env = {**os.environ, "DAGSTER_HOME": str(home / "dagster_home"), **(env_extra or {})}
    return subprocess.run(
        [sys.executable, "-m", "pipeline", *args],
        cwd=home,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        **popen,
    )


def marts_snapshot(warehouse: Path) -> dict[str, list[tuple]]:
    """Every row of every mart table, sorted: equal snapshots mean equal marts."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        tables = [
            r[0]
            for r in con.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = 'marts' AND table_type = 'BASE TABLE' ORDER BY 1"
            ).fetchall()
        ]
        return {t: con.execute(f"SELECT * FROM marts.{t} ORDER BY ALL").fetchall() for t in tables}


@pytest.fixture(scope="session")
def built_census(tmp_path_factory) -> Path:
    """A folder with raw/ (2023, 2024), and out/equity.duckdb (published) plus its build database."""
    home = tmp_path_factory.mktemp("ops")
    for year in (2023, 2024):
        write_small_census(home / "raw", year)
    done = equity("run", "--raw", str(home / "raw"), "--warehouse", str(home / "out" / "equity.duckdb"), home=home)
    assert done.returncode == 0, done.stdout + done.stderr
    return home


@pytest.fixture
def census(built_census: Path, tmp_path: Path) -> Path:
    """A private copy of the built census: raw files, warehouse, build database and Dagster home."""
    shutil.copytree(built_census, tmp_path, dirs_exist_ok=True)
    return tmp_path
