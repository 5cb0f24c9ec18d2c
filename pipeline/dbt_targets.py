"""The per-run dbt target folders: where each run's dbt writes, what it re-uses, and how many are kept.

dagster-dbt gives every dbt invocation its own folder (`dbt_project/target/<step>-<run>-<id>/`)
and seeds it with `target/partial_parse.msgpack`, the parse written by `dbt parse`. That file
never matches a run: it was parsed without `--vars`, and a run passes `{"year": N}`, so dbt
re-parses the whole project every time (about 5 s, more than the models take on a province).
A run therefore starts from the parse its dbt wrote the last time the same year was built
(`target/partial_parse-<year>.msgpack`, saved after each run): dbt still checks it (project
files, vars, profile, versions) and re-parses what changed, so re-using it is always safe.

The folders are kept for their logs and artefacts, but only the latest `KEEP_RUNS`: at some
13 MB each, a year of nightly runs would otherwise fill gigabytes and slow every walk of the
project.
"""

from __future__ import annotations

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
    return target_root(project_dir) / f"partial_parse-{year}.msgpack"


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
    staging = saved.with_name(f".{saved.name}.{uuid.uuid4().hex[:8]}")
    shutil.copyfile(written, staging)
    os.replace(staging, saved)


def prune_runs(keep: int = KEEP_RUNS, project_dir: Path = DBT_PROJECT_DIR) -> None:
    """Delete the invocation folders beyond the `keep` most recent, if older than an hour (never a live run's)."""
    root = target_root(project_dir)
    if not root.is_dir():
        return
    runs = [p for p in root.iterdir() if p.is_dir() and RUN_FOLDER.match(p.name)]
    runs.sort(key=lambda p: p.stat().st_mtime, reverse=True)
    cutoff = time.time() - 3600
    for old in runs[keep:]:
        if old.stat().st_mtime < cutoff:
            shutil.rmtree(old, ignore_errors=True)
