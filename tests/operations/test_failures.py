"""A reader never breaks a run, a killed run never breaks the warehouse, two runs never write at once."""

from __future__ import annotations

import fcntl
import hashlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from tests.census_files import write_small_census
from tests.operations.conftest import equity, marts_snapshot

READER = """
import sys, duckdb
con = duckdb.connect(sys.argv[1], read_only=True)
query = "SELECT sum(students) FROM marts.school_stage_summary WHERE year = 2024"
print(con.execute(query).fetchone()[0], flush=True)
sys.stdin.readline()  # hold the file open until told
print(con.execute(query).fetchone()[0], flush=True)
"""


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _students(warehouse: Path) -> int:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute("SELECT sum(students) FROM marts.school_stage_summary WHERE year = 2024").fetchone()[0]


def test_a_reader_holding_the_published_file_during_a_run(census):
    published = census / "out" / "equity.duckdb"
    reader = subprocess.Popen(
        [sys.executable, "-c", READER, str(published)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        before = int(reader.stdout.readline())
        write_small_census(census / "raw", 2024, extra_students=5)  # a corrected file: 5 more students
        done = equity(
            "run", "--raw", str(census / "raw"), "--warehouse", str(published), "--years", "2024", home=census
        )
        assert done.returncode == 0, done.stdout + done.stderr
        reader.stdin.write("again\n")
        reader.stdin.flush()
        assert int(reader.stdout.readline()) == before  # the open file is the old warehouse, whole
    finally:
        reader.kill()
    assert _students(published) == before + 5  # whoever opens it now reads the new one


def _wait_for(predicate, seconds: float = 300) -> None:
    deadline = time.monotonic() + seconds
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError("the run never reached the point where the test kills it")
        time.sleep(0.05)


@pytest.mark.parametrize("kill_during", ["ingestion", "dbt"])
def test_a_run_killed_midway_leaves_the_published_warehouse_and_the_next_run_recovers(census, kill_during):
    published = census / "out" / "equity.duckdb"
    baseline_digest, baseline_marts = _digest(published), marts_snapshot(published)
    log = census / "out" / "logs" / "run-2024.log"
    log.unlink(missing_ok=True)
    env = {**os.environ, "DAGSTER_HOME": str(census / "dagster_home")}
    run = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "pipeline",
            "run",
            "--raw",
            str(census / "raw"),
            "--warehouse",
            str(published),
            "--years",
            "2024",
        ],
        cwd=census,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    if kill_during == "ingestion":
        _wait_for(lambda: "census year 2024" in (run.stdout.readline() or ""))
    else:
        _wait_for(lambda: log.exists() and "START sql" in log.read_text(errors="ignore"))
    os.killpg(run.pid, signal.SIGKILL)  # the CLI and its dbt process, at once
    run.wait()

    assert _digest(published) == baseline_digest
    assert marts_snapshot(published) == baseline_marts  # and readable

    done = equity("run", "--raw", str(census / "raw"), "--warehouse", str(published), "--years", "2024", home=census)
    assert done.returncode == 0, done.stdout + done.stderr
    assert marts_snapshot(published) == baseline_marts
    with duckdb.connect(str(published), read_only=True) as con:
        outcomes = [r[0] for r in con.execute("SELECT outcome FROM audit.runs ORDER BY started_at").fetchall()]
    assert outcomes[-1] == "published"
    if kill_during == "dbt":  # the killed run had opened its record, and the next run closed it
        assert outcomes[-2] == "interrupted"


def _lock_held(path: Path) -> bool:
    """Whether a process holds the run lock now (the file itself outlives the runs)."""
    if not path.exists():
        return False
    with open(path) as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(handle, fcntl.LOCK_UN)
        return False


def test_two_runs_at_once_one_waits_then_refuses_clearly(census):
    published = census / "out" / "equity.duckdb"
    env = {**os.environ, "DAGSTER_HOME": str(census / "dagster_home")}
    first = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "pipeline",
            "run",
            "--raw",
            str(census / "raw"),
            "--warehouse",
            str(published),
            "--years",
            "2024",
        ],
        cwd=census,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    lock = census / "out" / ".equity.duckdb.lock"
    _wait_for(lambda: _lock_held(lock))
    second = equity(
        "run",
        "--raw",
        str(census / "raw"),
        "--warehouse",
        str(published),
        "--years",
        "2023",
        home=census,
        env_extra={"EQUITY_LOCK_WAIT_SECONDS": "1"},
    )
    assert second.returncode == 1
    assert "another run is building" in " ".join(second.stderr.split())
    out, err = first.communicate(timeout=600)
    assert first.returncode == 0, out + err
