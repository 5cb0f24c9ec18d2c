"""Keep dbt's manifest in step with the dbt project before Dagster loads it.

Dagster builds its dbt assets from `target/manifest.json`, while `dbt build`
parses the project afresh: after a model, seed or test is edited, a stale
manifest makes the run fail on a node Dagster does not know. `equity run`
therefore re-parses whenever a project file is newer than the manifest (a few
seconds, and only then).
"""

from __future__ import annotations

import logging
import os
import subprocess
from fnmatch import fnmatch
from pathlib import Path

from pipeline.settings import DBT_EXECUTABLE, DBT_PROJECT_DIR, Settings

log = logging.getLogger(__name__)
PROJECT_FILES = ("*.sql", "*.yml", "*.csv", "*.md")
OUTPUT_FOLDERS = {"target", "logs", "dbt_packages"}


def manifest_path(project_dir: Path = DBT_PROJECT_DIR) -> Path:
    return project_dir / "target" / "manifest.json"


def is_stale(project_dir: Path = DBT_PROJECT_DIR) -> bool:
    manifest = manifest_path(project_dir)
    if not manifest.exists():
        return True
    built = manifest.stat().st_mtime
    return any(p.stat().st_mtime > built for p in _project_files(project_dir))


def _project_files(project_dir: Path):
    """The project's own files; dbt's output folders are not walked (target/ holds thousands of run files)."""
    for folder, subfolders, files in os.walk(project_dir):
        subfolders[:] = [d for d in subfolders if d not in OUTPUT_FOLDERS and not d.startswith(".")]
        for name in files:
            if any(fnmatch(name, pattern) for pattern in PROJECT_FILES):
                yield Path(folder) / name


def ensure_manifest(project_dir: Path = DBT_PROJECT_DIR) -> None:
    if not is_stale(project_dir):
        return
    log.info("dbt project changed since it was last parsed: parsing it again")
    Settings.from_env()  # the profile names the build database through the environment
    subprocess.run(
        [DBT_EXECUTABLE, "--quiet", "parse", "--project-dir", str(project_dir), "--profiles-dir", str(project_dir)],
        check=True,
        env={**os.environ, "DBT_SEND_ANONYMOUS_USAGE_STATS": "False"},
    )
