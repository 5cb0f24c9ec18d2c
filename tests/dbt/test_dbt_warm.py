"""A year's build is handed to the warm dbt process `equity run` started: same streams and exit code, one build each.

Every `equity run` in the tests (tests/operations, tests/ingest/test_dagster_and_cli.py) builds
its years through it; these tests pin down the hand-over itself.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pipeline.dbt import warm as dbt_warm
from pipeline.dbt.targets import PARTIAL_PARSE, year_vars
from pipeline.defs.assets.indicators import failed_nodes
from pipeline.settings import DBT_EXECUTABLE, DBT_PROJECT_DIR
from tests.dbt.conftest import YEAR, create_warehouse, good_primary_school, merge


def _dbt(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [DBT_EXECUTABLE, *args], cwd=cwd, env=dict(os.environ), capture_output=True, text=True, timeout=120
    )


def _without_times(output: str) -> list[str]:
    """dbt's lines without their leading clock time."""
    return [line.split(" ", 1)[-1].strip() for line in output.splitlines() if line.strip()]


def test_a_build_runs_in_the_warm_process_as_it_would_in_equity_dbt(tmp_path, monkeypatch):
    monkeypatch.delenv(dbt_warm.SOCKET_VARIABLE, raising=False)
    missing = [
        "build",
        "--project-dir",
        str(tmp_path),
        "--profiles-dir",
        str(tmp_path),
    ]  # no project there: exit code 2
    alone = _dbt(*missing, cwd=tmp_path)
    assert alone.returncode == 2

    warm = dbt_warm.start()
    try:
        handed = _dbt(*missing, cwd=tmp_path)
        assert warm.wait(timeout=60) == 2  # the warm process ran it and ended with its exit code
        assert handed.returncode == 2
        assert "dbt_project.yml" in handed.stdout + handed.stderr
        assert _without_times(handed.stdout) == _without_times(alone.stdout)
        assert handed.stderr == alone.stderr

        again = _dbt(*missing, cwd=tmp_path)  # the warm process took one build: this one runs in equity-dbt
        assert again.returncode == 2 and _without_times(again.stdout) == _without_times(alone.stdout)
    finally:
        dbt_warm.stop(warm)
    assert dbt_warm.SOCKET_VARIABLE not in os.environ


@pytest.mark.parametrize("duplicate_school", [False, True])
def test_a_year_parsed_ahead_builds_and_fails_as_without_it(tmp_path, monkeypatch, duplicate_school):
    """The warm process of a year parses it ahead; a build of that year in that database starts from that parse."""
    database = tmp_path / "warehouse.duckdb"
    census = merge(
        good_primary_school("5301020001", "530102", [45, 45]), good_primary_school("5301020002", "530102", [40])
    )
    if duplicate_school:  # the staging key test fails: dbt's exit code 1
        census["schools"].append(dict(census["schools"][0]))
    create_warehouse(database, census)
    monkeypatch.setenv("EQUITY_BUILD_DATABASE", str(database))
    monkeypatch.delenv(dbt_warm.SOCKET_VARIABLE, raising=False)
    target = tmp_path / "target"
    warm = dbt_warm.start(YEAR)
    try:
        built = _dbt(
            "build",
            *year_vars(YEAR),
            "--exclude",
            "resource_type:unit_test",
            "--project-dir",
            str(DBT_PROJECT_DIR),
            "--profiles-dir",
            str(DBT_PROJECT_DIR),
            "--target-path",
            str(target),
            "--log-path",
            str(target),
            cwd=tmp_path,
        )
        assert warm.wait(timeout=300) == built.returncode == (1 if duplicate_school else 0), built.stdout[-3000:]
    finally:
        dbt_warm.stop(warm)
    assert not (target / PARTIAL_PARSE).exists()  # dbt did not parse: it started from the warm process's parse
    failed = failed_nodes(target)
    if duplicate_school:
        assert failed and all("stg_census__schools" in node for node in failed), failed
    else:
        assert failed == [] and "Completed successfully" in built.stdout


def test_other_dbt_commands_are_not_handed_over(tmp_path, monkeypatch):
    monkeypatch.delenv(dbt_warm.SOCKET_VARIABLE, raising=False)
    warm = dbt_warm.start()
    try:
        parsed = _dbt("parse", "--project-dir", str(tmp_path), "--profiles-dir", str(tmp_path), cwd=tmp_path)
        assert parsed.returncode == 2
        assert warm.poll() is None  # still waiting for a build
    finally:
        dbt_warm.stop(warm)
    assert warm.returncode == -15  # stopped unused


def test_an_unused_warm_process_ends_with_the_run_that_started_it(tmp_path):
    starter = subprocess.run(
        [sys.executable, "-c", "from pipeline.dbt import warm as dbt_warm; print(dbt_warm.start().pid)"],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    pid = int(starter.stdout)
    deadline = time.monotonic() + 30
    while _alive(pid):
        assert time.monotonic() < deadline, "the warm process outlived the run that started it"
        time.sleep(0.2)


def _alive(pid: int) -> bool:
    """Running (an exited process its new parent has not reaped yet is a zombie: not alive)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"
