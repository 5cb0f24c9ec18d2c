"""Which census years need a run: their files differ from those of the year's last published run.

Files are compared by sha256 with what `audit.loads` recorded for the last run
of that year that was published, so a corrected county file re-runs its year
and an untouched year costs nothing.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import duckdb

from pipeline.ingest.files import sha256_of
from pipeline.ingest.year import find_years, year_files


def current_files(raw_dir: Path, year: int) -> dict[str, str]:
    """relative path -> sha256 of every file of the year folder."""
    return {p.relative_to(raw_dir).as_posix(): sha256_of(p, raw_dir) for p in year_files(raw_dir / str(year))}


def published_files(con: duckdb.DuckDBPyConnection, year: int) -> dict[str, str]:
    """relative path -> sha256 of the files of the year's last published run (empty if never published)."""
    tables = {
        r[0]
        for r in con.execute("SELECT table_name FROM information_schema.tables WHERE table_schema = 'audit'").fetchall()
    }
    if not {"loads", "runs"} <= tables:
        return {}
    rows = con.execute(
        """
        WITH last_run AS (
            SELECT l.run_id FROM audit.loads l JOIN audit.runs r USING (run_id)
            WHERE l.year = ? AND r.outcome = 'published'
            ORDER BY r.published_at DESC LIMIT 1
        )
        SELECT source_file, sha256 FROM audit.loads WHERE run_id = (SELECT run_id FROM last_run) AND year = ?
        """,
        [year, year],
    ).fetchall()
    return dict(rows)


def changed_years(raw_dir: Path, con: duckdb.DuckDBPyConnection) -> dict[int, str]:
    """year -> a fingerprint of its current files, for every year whose files differ from the last published ones."""
    changed = {}
    for year in find_years(raw_dir):
        files = current_files(raw_dir, year)
        if files != published_files(con, year):
            changed[year] = fingerprint(files)
    return changed


def fingerprint(files: dict[str, str]) -> str:
    return hashlib.sha256(repr(sorted(files.items())).encode()).hexdigest()[:16]
