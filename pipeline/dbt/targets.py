"""The per-run dbt target folders: where each run's dbt writes, what it re-uses, and how many are kept.

dagster-dbt gives every dbt invocation its own folder (`dbt_project/target/<step>-<run>-<id>/`)
and seeds it with `target/partial_parse.msgpack`, the parse written by `dbt parse`. That file
never matches a run: it was parsed without `--vars`, and a run passes `{"year": N}`, so dbt
re-parses the whole project every time (about 5 s, more than the models take on a province).
A run therefore starts from the parse its dbt wrote the last time the same year was built
into a build database of the same name (`target/partial_parse/<year>-<database>.msgpack`,
saved after each run; the database name is part of the key because the profile, which dbt
also checks, names it; the file's path is not, see pipeline/dbt/cli.py): dbt still checks it
(project files, vars, profile, versions) and re-parses what changed, so re-using it is always
safe.

The first run of a year has no such parse. `parse_ahead` then parses in
a background process and saves the parse; the dbt step waits for it (a file lock the background
process holds) before starting from it. The ingestion step calls it; `equity run` calls it for
its first year before it loads the definitions, which keep one core busy and the other idle for
seconds, while ingestion keeps both busy.

The folders are kept for their logs and artefacts, but only the latest `KEEP_RUNS`: at some
13 MB each, a year of nightly runs would otherwise fill gigabytes and slow every walk of the
project.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

from pipeline.settings import DBT_EXECUTABLE, DBT_PROJECT_DIR
from pipeline.warehouse.lock import lock_within

PARTIAL_PARSE = "partial_parse.msgpack"
KEEP_RUNS = 20
# How long the dbt step waits for a parse started ahead before parsing itself.
PARSE_WAIT_SECONDS = 120
# <step>-<run id, 7>-<invocation id, 7>, as dagster-dbt and run_target() name them
RUN_FOLDER = re.compile(r"^.+-[0-9a-f]{7}-[0-9a-f]{7}$")


def year_vars(year: int) -> list[str]:
    """The `--vars` of a year's dbt commands. Build and parse must pass the same, or dbt re-parses."""
    return ["--vars", json.dumps({"year": year})]


def target_root(project_dir: Path = DBT_PROJECT_DIR) -> Path:
    return project_dir / "target"


def run_target(step: str, run_id: str, project_dir: Path = DBT_PROJECT_DIR) -> Path:
    """A new folder for one dbt invocation, named like dagster-dbt names them."""
    return target_root(project_dir) / f"{step}-{run_id[:7]}-{str(uuid.uuid4())[:7]}"


def saved_parse(year: int, project_dir: Path = DBT_PROJECT_DIR) -> Path:
    """The year's saved parse for build databases of this name (dbt-duckdb's: the file name up to its first dot)."""
    database = Path(os.environ.get("EQUITY_BUILD_DATABASE", "")).name.lstrip(".").split(".")[0]
    return target_root(project_dir) / "partial_parse" / f"{year}-{database}.msgpack"


def _parse_lock(year: int, project_dir: Path) -> int:
    """An open file descriptor on the lock file of the year's saved parse (not locked yet)."""
    lock = saved_parse(year, project_dir).with_suffix(".lock")
    lock.parent.mkdir(parents=True, exist_ok=True)
    return os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)


def parse_ahead(year: int, project_dir: Path = DBT_PROJECT_DIR) -> None:
    """If the year has no saved parse for this build database, parse it in a background process now.

    The lock is taken here and handed to the child, which holds it until it has saved the parse
    (an OS lock: it is released if the child dies), so the dbt step cannot miss a parse under way.
    """
    if saved_parse(year, project_dir).exists():
        return
    fd = _parse_lock(year, project_dir)
    if not lock_within(fd, 0):  # another run is parsing this year already
        os.close(fd)
        return
    subprocess.Popen(
        [sys.executable, "-m", "pipeline.dbt.targets", "--year", str(year), "--project-dir", str(project_dir)],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        pass_fds=(fd,),
        start_new_session=True,
    )
    os.close(fd)  # the child's copy keeps the lock


def _wait_for_parse_ahead(year: int, project_dir: Path) -> None:
    """Until a parse started ahead has been saved (or PARSE_WAIT_SECONDS; then dbt parses by itself)."""
    fd = _parse_lock(year, project_dir)
    try:
        lock_within(fd, PARSE_WAIT_SECONDS)
    finally:
        os.close(fd)


def seed_parse(target: Path, year: int, project_dir: Path = DBT_PROJECT_DIR) -> None:
    """Start the invocation in `target` from the year's last parse (waiting for one under way), if there is one."""
    _wait_for_parse_ahead(year, project_dir)
    saved = saved_parse(year, project_dir)
    if saved.exists():
        target.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(saved, target / PARTIAL_PARSE)


def save_parse(target: Path, year: int, project_dir: Path = DBT_PROJECT_DIR) -> None:
    """Keep the parse dbt wrote in `target` for the next run of the year (replaced atomically)."""
    written = target / PARTIAL_PARSE
    if not written.exists():
        return
    saved = saved_parse(year, project_dir)
    saved.parent.mkdir(parents=True, exist_ok=True)
    staging = saved.with_name(f".{saved.name}.{uuid.uuid4().hex[:8]}")
    shutil.copyfile(written, staging)
    os.replace(staging, saved)
    # each saved parse has its lock file beside it: keep as many of both
    for pattern in ("*.msgpack", "*.lock"):
        _keep_newest(sorted(saved.parent.glob(pattern), key=lambda p: p.stat().st_mtime, reverse=True), KEEP_RUNS)


def prune_runs(keep: int = KEEP_RUNS, project_dir: Path = DBT_PROJECT_DIR) -> None:
    """Delete the invocation folders beyond the `keep` most recent, if older than an hour (never a live run's)."""
    root = target_root(project_dir)
    if not root.is_dir():
        return
    runs = [p for p in root.iterdir() if p.is_dir() and RUN_FOLDER.match(p.name)]
    _keep_newest(sorted(runs, key=lambda p: p.stat().st_mtime, reverse=True), keep)


def _keep_newest(paths: list[Path], keep: int) -> None:
    """Delete `paths` (newest first) beyond the first `keep`, if older than an hour (never a live run's)."""
    cutoff = time.time() - 3600
    for old in paths[keep:]:
        try:
            if old.stat().st_mtime >= cutoff:
                continue
            if old.is_dir():
                shutil.rmtree(old, ignore_errors=True)
            else:
                old.unlink()
        except FileNotFoundError:  # another run pruned it first
            pass


def _parse_and_save(year: int, project_dir: Path) -> None:
    """The background process of `parse_ahead`: `dbt parse` with the run's vars, then save the parse."""
    target = target_root(project_dir) / f"parse-{year}-{uuid.uuid4().hex[:7]}"
    try:
        subprocess.run(
            [
                DBT_EXECUTABLE,
                "parse",
                *year_vars(year),
                "--project-dir",
                str(project_dir),
                "--profiles-dir",
                str(project_dir),
                "--target-path",
                str(target),
                "--log-path",
                str(target),
                "--quiet",
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            check=False,
        )
        save_parse(target, year, project_dir)
    finally:
        shutil.rmtree(target, ignore_errors=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description="Parse the dbt project for a year and save the parse (see parse_ahead)."
    )
    parser.add_argument("--year", type=int, required=True)
    parser.add_argument("--project-dir", type=Path, default=DBT_PROJECT_DIR)
    args = parser.parse_args()
    _parse_and_save(args.year, args.project_dir)
