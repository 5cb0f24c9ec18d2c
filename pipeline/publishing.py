"""The published warehouse and the build database beside it.

Runs write only the build database (`equity.build.duckdb` beside
`equity.duckdb`); analysts read the published file. When a year has been
loaded, checked and rebuilt, the build database is checkpointed and copied
over the published file with an atomic rename: a reader that has the old file
open keeps reading it, and whoever opens it next gets the new one, never a mix.
A run that fails (a refused gate, a failed dbt test, a kill) never reaches the
rename, so the published file stays the last good one.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from pipeline.ingest import warehouse


def build_path_for(published: Path) -> Path:
    return published.with_name(f"{published.stem}.build{published.suffix or '.duckdb'}")


def publish(build: Path, published: Path) -> int:
    """Copy the build database over the published file atomically; returns its size in bytes."""
    with warehouse.connect(build) as con:
        con.execute("CHECKPOINT").fetchall()
    wal = build.with_name(build.name + ".wal")
    if wal.exists():
        raise RuntimeError(f"{wal} still exists after a checkpoint: another process is writing {build}")
    staging = published.with_name(f".{published.name}.publishing")
    shutil.copyfile(build, staging)
    with open(staging, "rb+") as handle:
        os.fsync(handle.fileno())
    os.replace(staging, published)
    return published.stat().st_size
