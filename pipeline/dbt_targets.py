"""The per-run dbt target folders: where each run's dbt writes, what it re-uses, and how many are kept.

dagster-dbt gives every dbt invocation its own folder (`dbt_project/target/<step>-<run>-<id>/`)
and seeds it with `target/partial_parse.msgpack`, the parse written by `dbt parse`. That file
never matches a run: it was parsed without `--vars`, and a run passes `{"year": N}`, so dbt
re-parses the whole project every time (about 5 s, more than the models take on a province).
A run therefore starts from the parse its dbt wrote the last time the same year was built
into the same build database (`target/partial_parse/<year>-<database>.msgpack`, saved after
each run; the database is part of the key because the profile, which dbt also checks, names
it, and tests and benchmarks build many): dbt still checks it (project files, vars, profile,
versions) and re-parses what changed, so re-using it is always safe.

The folders are kept for their logs and artefacts, but only the latest `KEEP_RUNS`: at some
13 MB each, a year of nightly runs would otherwise fill gigabytes and slow every walk of the
project.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import time
import uuid
from pathlib import Path

from pipeline.settings import DBT_PROJECT_DIR

PARTIAL_PARSE = "partial_parse.msgpack"
KEEP_RUNS = 20
# <step>-<run id, 7>-<invocation id, 7>, as dagster-dbt and run_target() name them
RUN_FOLDER = re.compile(r"^.+-[0-9a-f]{7}-[0-9a-f]{7}$")


def target_root(project_dir: Path = DBT_PROJECT_DIR) -> Path:
    return project_dir / "target"


def run_target(step: str, run_id: str, project_dir: Path = DBT_PROJECT_DIR) -> Path:
    """A new folder for one dbt invocation, named like dagster-dbt names them."""
    return target_root(project_dir) / f"{step}-{run_id[:7]}-{str(uuid.uuid4())[:7]}"


def saved_parse(year: int, project_dir: Path = DBT_PROJECT_DIR) -> Path:
    database = hashlib.sha256(os.environ.get("EQUITY_BUILD_DATABASE", "").encode()).hexdigest()[:12]
    return target_root(project_dir) / "partial_parse" / f"{year}-{database}.msgpack"


def seed_parse(target: Path, year: int, project_dir: Path = DBT_PROJECT_DIR) -> None:
    """Start the invocation in `target` from the year's last parse, if there is one."""
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
    _keep_newest(sorted(saved.parent.glob("*.msgpack"), key=lambda p: p.stat().st_mtime, reverse=True), KEEP_RUNS)


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
