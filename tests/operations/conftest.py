"""A small two-year census, built once per session through the real `equity run`, copied per test."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from tests.ingest.conftest import write_delimited

SCHOOLS = [
    ["school_id", "school_name", "county_code", "school_type", "urban_rural"],
    ["0001", "First Primary", "539901", "211", "111"],
    ["0002", "Second Junior", "539901", "311", "121"],
    ["0003", "Nine-year", "539901", "312", "220"],
]


def write_small_census(raw_dir: Path, year: int, extra_students: int = 0) -> None:
    folder = raw_dir / str(year)
    write_delimited(folder / "schools.csv", SCHOOLS)
    write_delimited(
        folder / "classes.csv",
        [["school_id", "class_id", "stage", "grade", "students"],
         ["0001", "1", "primary", "1", str(40 + extra_students)], ["0001", "2", "primary", "2", "44"],
         ["0002", "1", "junior", "7", "48"], ["0002", "2", "junior", "8", "58"],
         ["0003", "1", "primary", "3", "30"], ["0003", "2", "junior", "7", "35"]],
    )
    teachers = [["teacher_id", "school_id", "stage", "education", "backbone_level", "subject", "has_certificate", "training_hours_5y"]]
    for school, stage, n in (("0001", "primary", 6), ("0002", "junior", 7), ("0003", "primary", 3), ("0003", "junior", 3)):
        teachers += [[f"T{school}{stage[0]}{i}", school, stage, "bachelor", "county" if i == 0 else "none", "pe" if i == 1 else "math", "是", "400"] for i in range(n)]
    write_delimited(folder / "teachers.csv", teachers)
    write_delimited(
        folder / "facilities.csv",
        [["school_id", "stage", "teaching_aux_area_m2", "sports_area_m2", "equipment_value_yuan", "multimedia_classrooms"],
         ["0001", "all", "420", "700", "190000", "2"], ["0002", "all", "620", "1100", "270000", "3"], ["0003", "all", "380", "700", "160000", "2"]],
    )


def equity(*args: str, home: Path, env_extra: dict[str, str] | None = None, **popen) -> subprocess.CompletedProcess:
    env = {**os.environ, "DAGSTER_HOME": str(home / "dagster_home"), **(env_extra or {})}
    return subprocess.run([sys.executable, "-m", "pipeline", *args], cwd=home, env=env, capture_output=True, text=True, timeout=600, **popen)


def marts_snapshot(warehouse: Path) -> dict[str, list[tuple]]:
    """Every row of every mart table, sorted: equal snapshots mean equal marts."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        tables = [r[0] for r in con.execute("SELECT table_name FROM information_schema.tables WHERE table_schema = 'marts' AND table_type = 'BASE TABLE' ORDER BY 1").fetchall()]
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
