"""The first run of a year parses the dbt project in the background while files are read; the dbt step uses that parse."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path

from pipeline.dbt.targets import PARTIAL_PARSE, parse_ahead, saved_parse, seed_parse, year_vars
from pipeline.settings import DBT_EXECUTABLE, DBT_PROJECT_DIR

YEAR = 2031  # no other test builds it


def test_a_parse_started_ahead_is_waited_for_then_used(tmp_path, monkeypatch):
    monkeypatch.setenv("EQUITY_BUILD_DATABASE", str(tmp_path / "equity.build.duckdb"))  # a database of its own
    saved = saved_parse(YEAR)
    try:
        assert not saved.exists()
        started = time.monotonic()
        parse_ahead(YEAR)
        assert time.monotonic() - started < 2  # it returns at once; dbt parses in the background
        parse_ahead(YEAR)  # a second call while it runs starts nothing more
        target = tmp_path / "target"
        seed_parse(target, YEAR)  # waits for the background parse, then starts from it
        assert saved.exists() and saved.stat().st_size > 100_000
        assert (target / PARTIAL_PARSE).read_bytes() == saved.read_bytes()
        again = time.monotonic()
        parse_ahead(YEAR)  # the year has its parse now: nothing to do
        assert time.monotonic() - again < 0.5
    finally:
        saved.unlink(missing_ok=True)
        saved.with_suffix(".lock").unlink(missing_ok=True)


def _parse(executable: str, database: Path, target: Path, start_from: Path | None) -> str:
    """`parse` of the year into `target`, starting from a saved parse; dbt's log of it."""
    target.mkdir(parents=True)
    if start_from is not None:
        shutil.copyfile(start_from, target / PARTIAL_PARSE)
    subprocess.run(
        [
            executable,
            "parse",
            *year_vars(YEAR),
            "--project-dir",
            str(DBT_PROJECT_DIR),
            "--profiles-dir",
            str(DBT_PROJECT_DIR),
            "--target-path",
            str(target),
            "--log-path",
            str(target),
        ],
        env={**os.environ, "EQUITY_BUILD_DATABASE": str(database)},
        check=True,
        capture_output=True,
    )
    return (target / "dbt.log").read_text()


def test_a_parse_serves_every_build_database_of_the_same_name(tmp_path):
    """Where the database file is does not change dbt's parse: equity-dbt re-uses it for a new warehouse; plain dbt re-parses."""
    first = tmp_path / "first" / "equity.build.duckdb"
    _parse(DBT_EXECUTABLE, first, tmp_path / "first" / "target", None)
    saved = tmp_path / "first" / "target" / PARTIAL_PARSE
    second = tmp_path / "second" / "equity.build.duckdb"
    assert "Unable to do partial parsing" not in _parse(DBT_EXECUTABLE, second, tmp_path / "second" / "target", saved)
    plain_dbt = str(Path(DBT_EXECUTABLE).with_name("dbt"))
    assert "profile has changed" in _parse(plain_dbt, second, tmp_path / "plain" / "target", saved)
